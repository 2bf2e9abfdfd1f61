/**
 * Migration 0007_hold_limits. Landed on main: never edit it (a test pins its checksum); change the
 * schema with a new migration.
 *
 * What one buyer holds unpaid of one performance, and when they may hold it again (issue 18 item
 * 8, docs/ticketing.md "Hold limits"): one row per performance and buyer, raised and lowered with
 * conditional updates in the hold's own transaction, as `buyer_counts` is per event.
 */
import { type Dialect, sql } from '@tessera/db';
import type { Migration } from 'kysely';
import type { AnyDB } from './any-db.ts';

export default (_dialect: Dialect): Migration => ({
  async up(db: AnyDB) {
    await db.schema
      .createTable('hold_limits')
      .addColumn('performance_id', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      // Tickets in the buyer's active and ordered (unpaid) holds of the performance.
      .addColumn('held', 'integer', (c) => c.notNull())
      // Holds the buyer let go one after another (each within a cool-down of the last).
      .addColumn('releases', 'integer', (c) => c.notNull())
      .addColumn('released_at', 'bigint')
      // No new hold of the performance before this moment (ms; 0: none).
      .addColumn('blocked_until', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('hold_limits_pk', ['performance_id', 'user_id'])
      .addCheckConstraint('hold_limits_held', sql`held >= 0`)
      .execute();
    // The holds unpaid at the moment of the migration are counted, so their release balances.
    await sql`insert into hold_limits (performance_id, user_id, held, releases, released_at, blocked_until)
      select performance_id, user_id, sum(quantity), 0, null, 0 from holds
      where status in ('active', 'ordered') group by performance_id, user_id`.execute(db);
  },
});
