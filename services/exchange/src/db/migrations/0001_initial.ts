/**
 * Migration 0001_initial. Landed on main: never edit it (a test pins its checksum); change the
 * schema with a new migration.
 */
import { amountColumn, type Dialect } from '@tessera/db';
import type { CreateTableBuilder, Migration } from 'kysely';
import type { AnyDB } from './any-db.ts';

/** The house accounts as this migration created them (the ledger names them the same). */
const houseAccounts = {
  liquidity: 'house:liquidity',
  fees: 'house:fees',
  card: 'house:card',
  bank: 'house:bank',
  payouts: 'house:payouts',
} as const;

function withSeq<T extends string>(table: CreateTableBuilder<T>, dialect: Dialect) {
  return dialect === 'postgres'
    ? table.addColumn('seq', 'bigserial', (column) => column.primaryKey())
    : table.addColumn('seq', 'integer', (column) => column.primaryKey().autoIncrement());
}

/** This function is long because it creates the whole first schema, table by table, as it landed. */
export default (dialect: Dialect): Migration => {
  const amount = amountColumn(dialect);
  return {
    /** This function is long because it creates the whole first schema, table by table, as it landed. */
    async up(db: AnyDB) {
      await db.schema
        .createTable('subscribers')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('phone', 'text', (c) => c.notNull())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('account_id', 'text', (c) => c.notNull().unique())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('webhook_url', 'text')
        .addColumn('webhook_secret', 'text')
        .addColumn('return_urls', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('subscribers_phone_kind', ['phone', 'kind'])
        .execute();

      await db.schema
        .createTable('phone_codes')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('phone', 'text', (c) => c.notNull())
        .addColumn('code_hash', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('consumed_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('phone_codes_phone')
        .on('phone_codes')
        .columns(['phone', 'created_at'])
        .execute();

      await db.schema
        .createTable('sessions')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('subscriber_id', 'text', (c) => c.notNull().references('subscribers.id'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .execute();

      await db.schema
        .createTable('api_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('subscriber_id', 'text', (c) => c.notNull().references('subscribers.id'))
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('prefix', 'text', (c) => c.notNull())
        .addColumn('label', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('last_used_at', 'bigint')
        .addColumn('revoked_at', 'bigint')
        .execute();

      await db.schema
        .createTable('accounts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('subscriber_id', 'text')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('balances')
        .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
        .addColumn('asset', 'text', (c) => c.notNull())
        .addColumn('amount', amount, (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('balances_pk', ['account_id', 'asset'])
        .execute();

      await withSeq(db.schema.createTable('journal_entries'), dialect)
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('memo', 'text')
        .addColumn('ref_type', 'text')
        .addColumn('ref_id', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();

      await withSeq(db.schema.createTable('postings'), dialect)
        .addColumn('entry_id', 'text', (c) => c.notNull().references('journal_entries.id'))
        .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
        .addColumn('asset', 'text', (c) => c.notNull())
        .addColumn('amount', amount, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('postings_account')
        .on('postings')
        .columns(['account_id', 'seq'])
        .execute();
      await db.schema.createIndex('postings_entry').on('postings').column('entry_id').execute();

      await db.schema
        .createTable('deposits')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('subscriber_id', 'text', (c) => c.notNull().references('subscribers.id'))
        .addColumn('method', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('asset', 'text', (c) => c.notNull())
        .addColumn('amount', amount, (c) => c.notNull())
        .addColumn('card_last4', 'text')
        .addColumn('failure_code', 'text')
        .addColumn('failure_message', 'text')
        .addColumn('reference', 'text')
        .addColumn('entry_id', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('deposits_status')
        .on('deposits')
        .columns(['status', 'created_at'])
        .execute();

      await db.schema
        .createTable('withdrawals')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('subscriber_id', 'text', (c) => c.notNull().references('subscribers.id'))
        .addColumn('asset', 'text', (c) => c.notNull())
        .addColumn('amount', amount, (c) => c.notNull())
        .addColumn('destination', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('hold_entry_id', 'text', (c) => c.notNull())
        .addColumn('settle_entry_id', 'text')
        .addColumn('decided_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('quotes')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('subscriber_id', 'text', (c) => c.notNull().references('subscribers.id'))
        .addColumn('side', 'text', (c) => c.notNull())
        .addColumn('asset', 'text', (c) => c.notNull())
        .addColumn('fiat_asset', 'text', (c) => c.notNull())
        .addColumn('crypto_amount', amount, (c) => c.notNull())
        .addColumn('fiat_amount', amount, (c) => c.notNull())
        .addColumn('fee_amount', amount, (c) => c.notNull())
        .addColumn('rate', 'text', (c) => c.notNull())
        .addColumn('source_rate', 'text', (c) => c.notNull())
        .addColumn('rate_source', 'text', (c) => c.notNull())
        .addColumn('rate_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('entry_id', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('payment_requests')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('merchant_id', 'text', (c) => c.notNull().references('subscribers.id'))
        .addColumn('asset', 'text', (c) => c.notNull())
        .addColumn('amount', amount, (c) => c.notNull())
        .addColumn('reference', 'text', (c) => c.notNull())
        .addColumn('description', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('payer_id', 'text')
        .addColumn('paid_at', 'bigint')
        .addColumn('entry_id', 'text')
        .addColumn('refunded_amount', amount, (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('payment_requests_merchant')
        .on('payment_requests')
        .columns(['merchant_id', 'created_at'])
        .execute();

      await db.schema
        .createTable('refunds')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('payment_request_id', 'text', (c) =>
          c.notNull().references('payment_requests.id'),
        )
        .addColumn('amount', amount, (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('entry_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('idempotency_keys')
        .addColumn('principal', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('request_hash', 'text', (c) => c.notNull())
        .addColumn('status_code', 'integer', (c) => c.notNull())
        .addColumn('response', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('idempotency_keys_pk', ['principal', 'key'])
        .execute();

      await withSeq(db.schema.createTable('notifications'), dialect)
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('subscriber_id', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('notifications_subscriber')
        .on('notifications')
        .columns(['subscriber_id', 'seq'])
        .execute();

      await db.schema
        .createTable('webhook_deliveries')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('notification_id', 'text', (c) => c.notNull())
        .addColumn('subscriber_id', 'text', (c) => c.notNull())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
        .addColumn('locked_until', 'bigint', (c) => c.notNull())
        .addColumn('last_status', 'integer')
        .addColumn('last_error', 'text')
        .addColumn('delivered_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('webhook_deliveries_due')
        .on('webhook_deliveries')
        .columns(['status', 'next_attempt_at'])
        .execute();
      await db.schema
        .createIndex('webhook_deliveries_subscriber')
        .on('webhook_deliveries')
        .columns(['subscriber_id', 'created_at'])
        .execute();

      await withSeq(db.schema.createTable('webhook_attempts'), dialect)
        .addColumn('delivery_id', 'text', (c) => c.notNull())
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('status_code', 'integer')
        .addColumn('error', 'text')
        .addColumn('duration_ms', 'integer', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('webhook_attempts_delivery')
        .on('webhook_attempts')
        .columns(['delivery_id', 'seq'])
        .execute();

      await db
        .insertInto('accounts')
        .values(
          Object.entries(houseAccounts).map(([name, id]) => ({
            id,
            subscriber_id: null,
            kind: 'house',
            name,
            created_at: 0,
          })),
        )
        .execute();
    },
  };
};
