/**
 * Migration 0004_admission_slots. Landed on main: never edit it (a test pins its checksum); change the
 * schema with a new migration.
 */
import { type Dialect, sql } from '@tessera/db';
import type { Migration } from 'kysely';
import type { AnyDB } from './any-db.ts';

export default (_dialect: Dialect): Migration => {
  return {
    async up(db: AnyDB) {
      // Each admission of a ticket takes the next slot of that ticket: two gates that decided
      // on the same history cannot both write theirs (see gate.ts, admitOnline).
      await db.schema
        .alterTable('admissions')
        .addColumn('slot', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await sql`update admissions set slot = (select count(*) from admissions earlier
        where earlier.ticket_id = admissions.ticket_id and earlier.seq < admissions.seq)`.execute(
        db,
      );
      await db.schema
        .createIndex('admissions_slot')
        .on('admissions')
        .columns(['ticket_id', 'slot'])
        .unique()
        .execute();
      // The history is read by slot now; this index only cost writes.
      await db.schema.dropIndex('admissions_ticket').execute();
    },
  };
};
