/**
 * Migration 0009_terminal_details. Once landed on main, never edit it (a test pins its checksum);
 * change the schema with a new migration.
 *
 * Issue 20 items 1 and 4. Terminals say what they are and where they were last (the gate app's
 * `Tessera-App-Version`, `Tessera-Device` and `Tessera-Position` headers), so the console lists
 * each with its device, app version and last GPS fix and flags one outside the venue. A close
 * records who closed, and a close forced while terminals were outstanding records who forced it,
 * when and why: the reconciliation report then says why it may miss admissions. Every column is
 * nullable (a terminal that never said, a performance closed before this migration); SQLite adds
 * one column per statement.
 */
import type { Dialect } from '@tessera/db';
import type { Migration } from 'kysely';
import type { AnyDB } from './any-db.ts';

const terminalColumns = (real: 'double precision' | 'real') =>
  [
    ['device', 'text'],
    ['app_version', 'text'],
    ['last_latitude', real],
    ['last_longitude', real],
    ['last_accuracy_m', real],
    ['last_fix_at', 'bigint'],
  ] as const;

const performanceColumns = [
  ['closed_by', 'text'],
  ['close_reason', 'text'],
  ['forced_at', 'bigint'],
  ['forced_by', 'text'],
  ['forced_reason', 'text'],
] as const;

export default (dialect: Dialect): Migration => ({
  async up(db: AnyDB) {
    const real = dialect === 'postgres' ? 'double precision' : 'real';
    for (const [name, type] of terminalColumns(real)) {
      await db.schema.alterTable('terminals').addColumn(name, type).execute();
    }
    for (const [name, type] of performanceColumns) {
      await db.schema.alterTable('performances').addColumn(name, type).execute();
    }
  },
});
