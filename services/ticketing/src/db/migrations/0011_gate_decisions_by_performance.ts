/**
 * Migration 0011_gate_decisions_by_performance. Once landed on main, never edit it (a test pins
 * its checksum); change the schema with a new migration.
 *
 * The check-in dashboard's admission log (issue 20) pages through one performance's gate
 * decisions newest first, by their sequence number, and the snapshot and the gate report count
 * its refusals: without this index each of those reads the whole table, every performance's
 * decisions, which grows with every scan at every gate.
 */
import type { Dialect } from '@tessera/db';
import type { Migration } from 'kysely';
import type { AnyDB } from './any-db.ts';

export default (_dialect: Dialect): Migration => ({
  async up(db: AnyDB) {
    await db.schema
      .createIndex('gate_decisions_performance')
      .on('gate_decisions')
      .columns(['performance_id', 'seq'])
      .execute();
  },
});
