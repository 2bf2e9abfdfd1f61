/**
 * Migration 0001_initial. Landed on main: never edit it (a test pins its checksum); change the
 * schema with a new migration.
 */
import { amountColumn, type Dialect, sql } from '@tessera/db';
import type { Migration } from 'kysely';
import type { AnyDB } from './any-db.ts';

/** This function is long because it creates the whole first schema, table by table, as it landed. */
export default (dialect: Dialect): Migration => {
  const amount = amountColumn(dialect);
  const real = dialect === 'postgres' ? 'double precision' : 'real';
  return {
    /** This function is long because it creates the whole first schema, table by table, as it landed. */
    async up(db: AnyDB) {
      const table = (name: string) => db.schema.createTable(name);
      const index = (name: string, on: string, columns: string[]) =>
        db.schema.createIndex(name).on(on).columns(columns).execute();

      await table('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('phone', 'text', (c) => c.notNull().unique())
        .addColumn('first_name', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('verified_at', 'bigint')
        .execute();
      await table('phone_codes')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('phone', 'text', (c) => c.notNull())
        .addColumn('code_hash', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('consumed_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await index('phone_codes_phone', 'phone_codes', ['phone', 'created_at']);
      await table('sessions')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .execute();
      await table('devices')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('public_key', 'text', (c) => c.notNull().unique())
        .addColumn('label', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .execute();
      await index('devices_user', 'devices', ['user_id']);

      await table('organizers')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('phone_tag_secret', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await table('organizer_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organizer_id', 'text', (c) => c.notNull().references('organizers.id'))
        .addColumn('public_key', 'text', (c) => c.notNull().unique())
        .addColumn('key_id', 'text', (c) => c.notNull())
        .addColumn('seed', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('retired_at', 'bigint')
        .execute();
      await index('organizer_keys_organizer', 'organizer_keys', ['organizer_id', 'status']);
      await table('staff')
        .addColumn('organizer_id', 'text', (c) => c.notNull().references('organizers.id'))
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('staff_pk', ['organizer_id', 'user_id'])
        .execute();
      await index('staff_user', 'staff', ['user_id']);
      await table('wallet_links')
        .addColumn('organizer_id', 'text', (c) => c.primaryKey().references('organizers.id'))
        .addColumn('merchant_id', 'text', (c) => c.notNull())
        .addColumn('merchant_name', 'text', (c) => c.notNull())
        .addColumn('api_key', 'text', (c) => c.notNull())
        .addColumn('webhook_secret', 'text', (c) => c.notNull())
        .addColumn('linked_at', 'bigint', (c) => c.notNull())
        .execute();

      await table('venues')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organizer_id', 'text', (c) => c.notNull().references('organizers.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('address', 'text', (c) => c.notNull())
        .addColumn('latitude', real, (c) => c.notNull())
        .addColumn('longitude', real, (c) => c.notNull())
        .addColumn('radius_m', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await index('venues_organizer', 'venues', ['organizer_id']);
      await table('seats')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('venue_id', 'text', (c) => c.notNull().references('venues.id'))
        .addColumn('section', 'text', (c) => c.notNull())
        .addColumn('row_label', 'text', (c) => c.notNull())
        .addColumn('number', 'text', (c) => c.notNull())
        .addColumn('row_index', 'integer', (c) => c.notNull())
        .addColumn('seat_index', 'integer', (c) => c.notNull())
        .addColumn('x', real)
        .addColumn('y', real)
        .addColumn('accessible', 'integer', (c) => c.notNull())
        .addUniqueConstraint('seats_place', ['venue_id', 'section', 'row_label', 'number'])
        .execute();
      await table('areas')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('venue_id', 'text', (c) => c.notNull().references('venues.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('capacity', 'integer', (c) => c.notNull())
        .addUniqueConstraint('areas_name', ['venue_id', 'name'])
        .execute();

      await table('events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organizer_id', 'text', (c) => c.notNull().references('organizers.id'))
        .addColumn('venue_id', 'text', (c) => c.notNull().references('venues.id'))
        .addColumn('slug', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('per_order_limit', 'integer', (c) => c.notNull())
        .addColumn('per_buyer_limit', 'integer', (c) => c.notNull())
        .addColumn('refund_policy', 'text', (c) => c.notNull())
        .addColumn('refund_cutoff_s', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('events_slug', ['organizer_id', 'slug'])
        .execute();
      await table('performances')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('event_id', 'text', (c) => c.notNull().references('events.id'))
        .addColumn('code', 'text', (c) => c.notNull().unique())
        .addColumn('starts_at', 'bigint', (c) => c.notNull())
        .addColumn('ends_at', 'bigint', (c) => c.notNull())
        .addColumn('doors_at', 'bigint', (c) => c.notNull())
        .addColumn('sales_start', 'bigint', (c) => c.notNull())
        .addColumn('sales_end', 'bigint', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await index('performances_event', 'performances', ['event_id', 'starts_at']);
      await table('categories')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('event_id', 'text', (c) => c.notNull().references('events.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('sort_order', 'integer', (c) => c.notNull())
        .addColumn('pricing', 'text', (c) => c.notNull())
        .addColumn('price_asset', 'text', (c) => c.notNull())
        .addColumn('price_amount', amount, (c) => c.notNull())
        .addColumn('seating', 'text', (c) => c.notNull())
        .addColumn('area_id', 'text', (c) => c.references('areas.id'))
        .addColumn('quota', 'integer')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('entries_allowed', 'integer', (c) => c.notNull())
        .addColumn('reentry_allowed', 'integer', (c) => c.notNull())
        .addColumn('valid_from', 'bigint')
        .addColumn('valid_until', 'bigint')
        .addColumn('stored_value', amount, (c) => c.notNull())
        .addColumn('stored_value_asset', 'text')
        .addColumn('reserved_hex', 'text', (c) => c.notNull())
        .addUniqueConstraint('categories_name', ['event_id', 'name'])
        .execute();
      await table('category_seats')
        .addColumn('event_id', 'text', (c) => c.notNull().references('events.id'))
        .addColumn('seat_id', 'text', (c) => c.notNull().references('seats.id'))
        .addColumn('category_id', 'text', (c) => c.notNull().references('categories.id'))
        .addPrimaryKeyConstraint('category_seats_pk', ['event_id', 'seat_id'])
        .execute();
      await table('inventory_seats')
        .addColumn('performance_id', 'text', (c) => c.notNull().references('performances.id'))
        .addColumn('seat_id', 'text', (c) => c.notNull().references('seats.id'))
        .addColumn('category_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('hold_id', 'text')
        .addColumn('ticket_id', 'text')
        .addPrimaryKeyConstraint('inventory_seats_pk', ['performance_id', 'seat_id'])
        .execute();
      await index('inventory_seats_category', 'inventory_seats', [
        'performance_id',
        'category_id',
        'status',
      ]);
      await index('inventory_seats_hold', 'inventory_seats', ['hold_id']);
      await table('inventory_quotas')
        .addColumn('performance_id', 'text', (c) => c.notNull().references('performances.id'))
        .addColumn('category_id', 'text', (c) => c.notNull().references('categories.id'))
        .addColumn('capacity', 'integer', (c) => c.notNull())
        .addColumn('held', 'integer', (c) => c.notNull())
        .addColumn('sold', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('inventory_quotas_pk', ['performance_id', 'category_id'])
        // The last line of defence against overselling general admission: the database
        // itself refuses a quota that would go past its capacity.
        .addCheckConstraint(
          'inventory_quotas_bounds',
          sql`held >= 0 and sold >= 0 and held + sold <= capacity`,
        )
        .execute();

      await table('holds')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('performance_id', 'text', (c) => c.notNull().references('performances.id'))
        .addColumn('event_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('quantity', 'integer', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('released_at', 'bigint')
        .execute();
      await index('holds_expiry', 'holds', ['status', 'expires_at']);
      await index('holds_user', 'holds', ['user_id', 'created_at']);
      await table('hold_items')
        .addColumn('hold_id', 'text', (c) => c.notNull().references('holds.id'))
        .addColumn('line_no', 'integer', (c) => c.notNull())
        .addColumn('category_id', 'text', (c) => c.notNull())
        .addColumn('seat_id', 'text')
        .addPrimaryKeyConstraint('hold_items_pk', ['hold_id', 'line_no'])
        .execute();
      await table('buyer_counts')
        .addColumn('event_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('count', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('buyer_counts_pk', ['event_id', 'user_id'])
        .execute();

      await table('orders')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('organizer_id', 'text', (c) => c.notNull())
        .addColumn('event_id', 'text', (c) => c.notNull())
        .addColumn('performance_id', 'text', (c) => c.notNull())
        .addColumn('hold_id', 'text', (c) => c.notNull().unique())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('asset', 'text', (c) => c.notNull())
        .addColumn('amount', amount, (c) => c.notNull())
        .addColumn('fiat_amount', amount)
        .addColumn('quote_id', 'text')
        .addColumn('payment_request_id', 'text', (c) => c.unique())
        .addColumn('pay_expires_at', 'bigint', (c) => c.notNull())
        .addColumn('device_id', 'text')
        .addColumn('deliver_to_phone', 'text', (c) => c.notNull())
        .addColumn('return_url', 'text')
        .addColumn('failure', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('paid_at', 'bigint')
        .addColumn('issued_at', 'bigint')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await index('orders_user', 'orders', ['user_id', 'created_at']);
      await index('orders_status', 'orders', ['status', 'pay_expires_at']);
      await index('orders_performance', 'orders', ['performance_id', 'status']);
      await table('order_lines')
        .addColumn('order_id', 'text', (c) => c.notNull().references('orders.id'))
        .addColumn('line_no', 'integer', (c) => c.notNull())
        .addColumn('category_id', 'text', (c) => c.notNull())
        .addColumn('seat_id', 'text')
        .addColumn('amount', amount, (c) => c.notNull())
        .addPrimaryKeyConstraint('order_lines_pk', ['order_id', 'line_no'])
        .execute();

      await table('tickets')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('number', 'text', (c) => c.notNull())
        .addColumn('order_id', 'text', (c) => c.notNull().references('orders.id'))
        .addColumn('line_no', 'integer', (c) => c.notNull())
        .addColumn('organizer_id', 'text', (c) => c.notNull())
        .addColumn('event_id', 'text', (c) => c.notNull())
        .addColumn('performance_id', 'text', (c) => c.notNull())
        .addColumn('category_id', 'text', (c) => c.notNull())
        .addColumn('seat_id', 'text')
        .addColumn('asset', 'text', (c) => c.notNull())
        .addColumn('amount', amount, (c) => c.notNull())
        .addColumn('holder_user_id', 'text')
        .addColumn('holder_phone', 'text', (c) => c.notNull())
        .addColumn('device_id', 'text')
        .addColumn('revision', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('credential', 'text')
        .addColumn('key_id', 'text')
        .addColumn('manual_number', 'text', (c) => c.notNull().unique())
        .addColumn('pin', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('tickets_number', ['performance_id', 'number'])
        // One ticket per order line: an issuance retried after a crash cannot mint twice.
        .addUniqueConstraint('tickets_line', ['order_id', 'line_no'])
        .execute();
      await index('tickets_holder', 'tickets', ['holder_user_id', 'status']);
      await index('tickets_phone', 'tickets', ['holder_phone', 'status']);
      await table('revocations')
        .addColumn('seq', dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
          dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
        )
        .addColumn('performance_id', 'text', (c) => c.notNull())
        .addColumn('performance_code', 'text', (c) => c.notNull())
        .addColumn('ticket_number', 'text', (c) => c.notNull())
        .addColumn('through_revision', 'integer', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await index('revocations_performance', 'revocations', ['performance_id', 'seq']);
      await table('transfers')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('ticket_id', 'text', (c) => c.notNull().references('tickets.id'))
        .addColumn('from_user_id', 'text', (c) => c.notNull())
        .addColumn('to_phone', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('to_user_id', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('decided_at', 'bigint')
        .execute();
      await index('transfers_to', 'transfers', ['to_phone', 'status']);
      await index('transfers_ticket', 'transfers', ['ticket_id', 'status']);
      await table('refunds')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('order_id', 'text', (c) => c.notNull().references('orders.id'))
        .addColumn('ticket_id', 'text')
        .addColumn('payment_request_id', 'text', (c) => c.notNull())
        .addColumn('organizer_id', 'text', (c) => c.notNull())
        .addColumn('asset', 'text', (c) => c.notNull())
        .addColumn('amount', amount, (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('last_error', 'text')
        .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('done_at', 'bigint')
        .execute();
      await index('refunds_due', 'refunds', ['status', 'next_attempt_at']);
      await index('refunds_order', 'refunds', ['order_id']);
      await table('webhook_events')
        .addColumn('event_id', 'text', (c) => c.primaryKey())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('received_at', 'bigint', (c) => c.notNull())
        .execute();
      await table('idempotency_keys')
        .addColumn('principal', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('request_hash', 'text', (c) => c.notNull())
        .addColumn('status_code', 'integer', (c) => c.notNull())
        .addColumn('response', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('idempotency_keys_pk', ['principal', 'key'])
        .execute();
    },
  };
};
