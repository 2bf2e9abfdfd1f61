/**
 * Migration 0003_door_sales. Landed on main: never edit it (a test pins its checksum); change the
 * schema with a new migration.
 */
import type { Dialect } from '@tessera/db';
import type { Migration } from 'kysely';
import type { AnyDB } from './any-db.ts';

export default (_dialect: Dialect): Migration => {
  return {
    async up(db: AnyDB) {
      // Unit 404: a ticket sold at the gate. The terminal offers it (a QR of the claim URL);
      // the buyer's app claims it, which holds the seats and places an ordinary order.
      await db.schema
        .createTable('door_sales')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organizer_id', 'text', (c) => c.notNull().references('organizers.id'))
        .addColumn('terminal_id', 'text', (c) => c.notNull().references('terminals.id'))
        .addColumn('performance_id', 'text', (c) => c.notNull().references('performances.id'))
        .addColumn('category_id', 'text', (c) => c.notNull().references('categories.id'))
        .addColumn('quantity', 'integer', (c) => c.notNull())
        .addColumn('claim_token', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('claimed_by', 'text')
        .addColumn('hold_id', 'text')
        .addColumn('order_id', 'text')
        .addColumn('admitted_at', 'bigint')
        .execute();
      await db.schema
        .createIndex('door_sales_terminal')
        .on('door_sales')
        .columns(['terminal_id', 'created_at'])
        .execute();
      await db.schema.alterTable('orders').addColumn('door_sale_id', 'text').execute();
      // An offline admission of a revision revoked before the scan (transferred, reissued,
      // refunded): kept, since it happened, and flagged for the report.
      await db.schema
        .alterTable('admissions')
        .addColumn('revoked_revision', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      // The package's incremental sync reads manual-code records by creation time.
      await db.schema
        .createIndex('manual_code_records_created')
        .on('manual_code_records')
        .columns(['created_at', 'ticket_id'])
        .execute();
    },
  };
};
