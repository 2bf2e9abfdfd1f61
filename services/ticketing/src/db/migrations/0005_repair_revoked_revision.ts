/**
 * Migration 0005_repair_revoked_revision. Landed on main: never edit it (a test pins its
 * checksum); change the schema with a new migration.
 *
 * 0003_door_sales was edited after it had landed: it gained `admissions.revoked_revision`, so a
 * database migrated with the first 0003 never got that column, and every offline upload there
 * fails. This adds the column where it is missing, as the edited 0003 made it (0 for the
 * admissions already recorded: none of them was flagged), and leaves a database that has it alone.
 */
import { columnExists, type Dialect } from '@tessera/db';
import type { Migration } from 'kysely';
import type { AnyDB } from './any-db.ts';

export default (dialect: Dialect): Migration => ({
  async up(db: AnyDB) {
    if (await columnExists(db, dialect, 'admissions', 'revoked_revision')) return;
    await db.schema
      .alterTable('admissions')
      .addColumn('revoked_revision', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
  },
});
