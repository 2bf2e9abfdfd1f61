/**
 * Migration 0002_repair_quote_source_rate. Landed on main: never edit it (a test pins its
 * checksum); change the schema with a new migration.
 *
 * 0001_initial was edited after it had landed: `quotes` gained `source_rate` (the rate before
 * the spread), so a database migrated with the first 0001 never got that column and every quote
 * there fails. This adds the column where it is missing. The quotes already made there never
 * recorded their source rate; the rate they were quoted at (spread included) is the nearest
 * truth, and marks them apart from later ones only in that column.
 */
import { columnExists, type Dialect, sql } from '@tessera/db';
import type { Migration } from 'kysely';
import type { AnyDB } from './any-db.ts';

export default (dialect: Dialect): Migration => ({
  async up(db: AnyDB) {
    if (await columnExists(db, dialect, 'quotes', 'source_rate')) return;
    // NOT NULL as 0001 made it: a default fills the rows there are, then the rate replaces it.
    await db.schema
      .alterTable('quotes')
      .addColumn('source_rate', 'text', (c) => c.notNull().defaultTo(''))
      .execute();
    await sql`update quotes set source_rate = rate`.execute(db);
    if (dialect === 'postgres') {
      await sql`alter table quotes alter column source_rate drop default`.execute(db);
    }
  },
});
