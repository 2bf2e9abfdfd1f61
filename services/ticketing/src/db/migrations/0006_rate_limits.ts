/**
 * Migration 0006_rate_limits. Landed on main: never edit it (a test pins its checksum); change the
 * schema with a new migration.
 *
 * Rate-limit buckets in the database, so that every instance of the server counts in the same
 * ones (service-kit's rate-limit.ts and phone-code-limits.ts): a key, the hits of its current
 * window, when the window ends, and the earliest next allowed hit. Ended buckets are pruned.
 */
import type { Dialect } from '@tessera/db';
import type { Migration } from 'kysely';
import type { AnyDB } from './any-db.ts';

export default (_dialect: Dialect): Migration => ({
  async up(db: AnyDB) {
    await db.schema
      .createTable('rate_limits')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('count', 'integer', (c) => c.notNull())
      .addColumn('reset_at', 'bigint', (c) => c.notNull())
      .addColumn('next_at', 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .createIndex('rate_limits_reset_at')
      .on('rate_limits')
      .column('reset_at')
      .execute();
  },
});
