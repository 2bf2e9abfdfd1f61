/**
 * Migration 0002_gates. Landed on main: never edit it (a test pins its checksum); change the
 * schema with a new migration.
 */
import { amountColumn, type Dialect } from '@tessera/db';
import type { Migration } from 'kysely';
import type { AnyDB } from './any-db.ts';

/** This function is long because it creates the gate tables as they landed, in one step. */
export default (dialect: Dialect): Migration => {
  const amount = amountColumn(dialect);
  const real = dialect === 'postgres' ? 'double precision' : 'real';
  return {
    /** This function is long because it creates the gate tables as they landed, in one step. */
    async up(db: AnyDB) {
      const table = (name: string) => db.schema.createTable(name);
      const index = (name: string, on: string, columns: string[]) =>
        db.schema.createIndex(name).on(on).columns(columns).execute();
      const seq = (t: ReturnType<typeof table>) =>
        dialect === 'postgres'
          ? t.addColumn('seq', 'bigserial', (c) => c.primaryKey())
          : t.addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement());

      // Unit 112: terminals enrolled for a gate of a venue, for some of its performances.
      await table('terminal_enrolments')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organizer_id', 'text', (c) => c.notNull().references('organizers.id'))
        .addColumn('venue_id', 'text', (c) => c.notNull().references('venues.id'))
        .addColumn('gate', 'text', (c) => c.notNull())
        .addColumn('performance_ids', 'text', (c) => c.notNull())
        .addColumn('code_hash', 'text', (c) => c.notNull().unique())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('used_at', 'bigint')
        .addColumn('terminal_id', 'text')
        .execute();
      await table('terminals')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organizer_id', 'text', (c) => c.notNull().references('organizers.id'))
        .addColumn('venue_id', 'text', (c) => c.notNull().references('venues.id'))
        .addColumn('gate', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('performance_ids', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('enrolled_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .addColumn('last_seen_at', 'bigint')
        .addColumn('pending_uploads', 'integer', (c) => c.notNull())
        .execute();
      await index('terminals_organizer', 'terminals', ['organizer_id']);

      // Every admission, online or uploaded; a duplicate is kept beside the first, flagged.
      await seq(table('admissions'))
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('performance_id', 'text', (c) => c.notNull())
        .addColumn('ticket_id', 'text', (c) => c.notNull())
        .addColumn('revision', 'integer', (c) => c.notNull())
        .addColumn('terminal_id', 'text', (c) => c.notNull())
        .addColumn('gate', 'text', (c) => c.notNull())
        .addColumn('direction', 'text', (c) => c.notNull())
        .addColumn('debit', amount, (c) => c.notNull())
        .addColumn('scanned_at', 'bigint', (c) => c.notNull())
        .addColumn('recorded_at', 'bigint', (c) => c.notNull())
        .addColumn('presentation_time', 'bigint')
        .addColumn('latitude', real)
        .addColumn('longitude', real)
        .addColumn('accuracy_m', real)
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('nonce', 'text')
        .addColumn('duplicate', 'integer', (c) => c.notNull())
        .addColumn('outside_venue', 'integer', (c) => c.notNull())
        .execute();
      await index('admissions_ticket', 'admissions', ['ticket_id', 'seq']);
      await index('admissions_performance', 'admissions', ['performance_id', 'seq']);
      await db.schema
        .createIndex('admissions_nonce')
        .on('admissions')
        .columns(['terminal_id', 'nonce'])
        .unique()
        .execute();

      // The append-only audit log: every decision, refusals included.
      await seq(table('gate_decisions'))
        .addColumn('terminal_id', 'text', (c) => c.notNull())
        .addColumn('performance_id', 'text')
        .addColumn('ticket_number', 'text')
        .addColumn('input', 'text', (c) => c.notNull())
        .addColumn('admitted', 'integer', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('detail', 'text', (c) => c.notNull())
        .addColumn('admission_id', 'text')
        .addColumn('scanned_at', 'bigint', (c) => c.notNull())
        .addColumn('recorded_at', 'bigint', (c) => c.notNull())
        .execute();
      await index('gate_decisions_terminal', 'gate_decisions', [
        'terminal_id',
        'input',
        'recorded_at',
      ]);
      await index('gate_decisions_ticket', 'gate_decisions', [
        'ticket_number',
        'input',
        'recorded_at',
      ]);

      // Salted PIN hashes for the terminals' event packages, made off the purchase path.
      await table('manual_code_records')
        .addColumn('ticket_id', 'text', (c) => c.primaryKey())
        .addColumn('revision', 'integer', (c) => c.notNull())
        .addColumn('salt', 'text', (c) => c.notNull())
        .addColumn('iterations', 'integer', (c) => c.notNull())
        .addColumn('pin_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema.alterTable('performances').addColumn('closed_at', 'bigint').execute();
    },
  };
};
