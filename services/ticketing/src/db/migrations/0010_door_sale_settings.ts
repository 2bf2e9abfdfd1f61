/**
 * Migration 0010_door_sale_settings. Once landed on main, never edit it (a test pins its
 * checksum); change the schema with a new migration.
 *
 * What the gates may sell at the door, per performance (issue 20 item 5): on or off, which
 * categories, and how many tickets one sale holds. No row keeps the behaviour from before this
 * migration (on, every category of the event, up to the event's per-order limit), so nothing
 * changes for the performances that exist. The console lists a performance's door sales newest
 * first, hence the index.
 */
import type { Dialect } from '@tessera/db';
import type { Migration } from 'kysely';
import type { AnyDB } from './any-db.ts';

export default (_dialect: Dialect): Migration => ({
  async up(db: AnyDB) {
    await db.schema
      .createTable('door_sale_settings')
      .addColumn('performance_id', 'text', (c) => c.primaryKey().references('performances.id'))
      .addColumn('enabled', 'integer', (c) => c.notNull())
      // JSON array of category ids; null: every category of the event.
      .addColumn('category_ids', 'text')
      .addColumn('max_per_sale', 'integer', (c) => c.notNull())
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('door_sales_performance')
      .on('door_sales')
      .columns(['performance_id', 'created_at'])
      .execute();
  },
});
