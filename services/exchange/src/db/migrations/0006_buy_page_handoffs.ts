/**
 * Migration 0006_buy_page_handoffs. Once landed on main: never edit it (a test pins its
 * checksum); change the schema with a new migration.
 *
 * Handoff codes for the hosted buy page (buy-page/handoff.ts): the buyer's app, signed in to the
 * exchange, mints one for one merchant's page; the page redeems it once for a session of its own.
 * Only the code's SHA-256 is kept, with the session that minted it (a handoff never outlives it),
 * when it expires (60 s) and when it was used.
 */
import type { Dialect } from '@tessera/db';
import type { Migration } from 'kysely';
import type { AnyDB } from './any-db.ts';

export default (_dialect: Dialect): Migration => ({
  async up(db: AnyDB) {
    await db.schema
      .createTable('buy_handoffs')
      .addColumn('code_hash', 'text', (c) => c.primaryKey())
      .addColumn('subscriber_id', 'text', (c) => c.notNull().references('subscribers.id'))
      .addColumn('session_hash', 'text', (c) => c.notNull())
      .addColumn('merchant_id', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('used_at', 'bigint')
      .execute();
    await db.schema
      .createIndex('buy_handoffs_subscriber')
      .on('buy_handoffs')
      .columns(['subscriber_id', 'expires_at'])
      .execute();
    await db.schema
      .createIndex('buy_handoffs_expires_at')
      .on('buy_handoffs')
      .column('expires_at')
      .execute();
  },
});
