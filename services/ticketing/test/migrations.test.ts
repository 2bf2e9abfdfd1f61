import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { columnExists, migrateToLatest, openDatabase, sql } from '@tessera/db';
import { afterEach, describe, expect, it } from 'vitest';
import { expectListed, expectPinned, migrateTo } from '../../../scripts/test/migrations.ts';
import { postgresUrl } from '../../exchange/test/harness.ts';
import { ticketingMigrations } from '../src/db/migrations/index.ts';
import { type Backend, backends } from './harness.ts';

const dir = fileURLToPath(new URL('../src/db/migrations/', import.meta.url));

/** Every landed migration file, by its sha256: an edit fails here. */
const pinned = {
  '0001_initial.ts': '50f6a4354cea7af96566c41ac7a5ab7538fe7110dfcec5c4c06d3f48cd0e7f11',
  '0002_gates.ts': 'e8bf5b9698f17765384cdd22eadb85afc1115b636c48f3f2074cb1297ea7d71a',
  '0003_door_sales.ts': 'c90ad3698a8eaf60d2190eab0b765357d90b5683c9c2fe5420488ca3e5ef0a9a',
  '0004_admission_slots.ts': '49d538c0b77bf09a2a73100e459a25f667a667c6088f245f3dee91ac5c59ab4a',
  '0005_repair_revoked_revision.ts':
    '51d913fb4816dda2cd4dc46eadb15faf6dcfd693bdef78bd2619fa66019ee9ae',
  '0006_rate_limits.ts': '9894290efc36ad96529a46b0c647f87ce3a07cfae497cee2bde6d48947866c0a',
  '0007_hold_limits.ts': '3fd337772373a2c3632764eb33e5a11b2031996a5ef3d5409a015f5ca965c0d9',
  '0008_venue_time_zone.ts': 'd1f12018ced90e9f89df7f6ebb2c8d7d8743e2ac28ee92448b6cfbb9f0a6dd05',
  '0009_terminal_details.ts': 'd29556e713e338cf3fe3b02096480afee70237bf8a526ba41381f14de0951beb',
  '0010_door_sale_settings.ts': '0711d3ae1b9cc57e4dc29cdac7646a6371ebdc5ec505374ba95228e00e1c7e7d',
  '0011_gate_decisions_by_performance.ts':
    '9661704ba253f42bcf583447e0e977e53a193d6478f60f617bd2f4cc54aa3ef1',
};

describe('ticketing migrations', () => {
  it('are history: every landed migration file is pinned by its checksum', () => {
    expectPinned(dir, pinned);
  });

  it('apply every file of the folder, in name order', () => {
    expectListed(dir, ticketingMigrations);
  });

  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  function openFresh(backend: Backend) {
    const tmp = mkdtempSync(join(tmpdir(), 'tessera-migrations-'));
    const schema = backend === 'postgres' ? `tm_${randomBytes(6).toString('hex')}` : undefined;
    const database = openDatabase({
      databaseUrl: backend === 'postgres' ? postgresUrl : undefined,
      sqlitePath: join(tmp, 'ticketing.db'),
      ...(schema ? { postgresSchema: schema } : {}),
    });
    cleanups.push(async () => {
      if (schema) await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(database.db);
      await database.close();
      rmSync(tmp, { recursive: true, force: true });
    });
    return database;
  }

  describe.each(backends)('on %s', (backend) => {
    it('repairs a database migrated with the first 0003, which made no admissions.revoked_revision', async () => {
      const database = openFresh(backend);
      // The first 0003_door_sales (before it was edited) made everything but this column;
      // 0004 did not touch it.
      await migrateTo(database, ticketingMigrations, '0004_admission_slots');
      await sql`alter table admissions drop column revoked_revision`.execute(database.db);
      expect(await columnExists(database.db, backend, 'admissions', 'revoked_revision')).toBe(
        false,
      );
      await sql`insert into admissions (id, performance_id, ticket_id, revision, terminal_id, gate,
          direction, debit, scanned_at, recorded_at, source, duplicate, outside_venue, slot)
        values ('adm_old', 'perf_1', 'tkt_1', 1, 'trm_1', 'A', 'entry', '0', 1, 1, 'offline', 0, 0, 0)`.execute(
        database.db,
      );

      const applied = await migrateToLatest(database, ticketingMigrations);

      expect(applied).toContain('0005_repair_revoked_revision');
      expect(await columnExists(database.db, backend, 'admissions', 'revoked_revision')).toBe(true);
      const { rows } = await sql<{ id: string; revoked_revision: number }>`
        select id, revoked_revision from admissions`.execute(database.db);
      expect(rows).toEqual([{ id: 'adm_old', revoked_revision: 0 }]);
    });

    it('0007 counts the unpaid holds already made, so their release balances', async () => {
      const database = openFresh(backend);
      await migrateTo(database, ticketingMigrations, '0005_repair_revoked_revision');
      const holds = [
        ['hld_1', 'perf_1', 'usr_1', 'active', 2],
        ['hld_2', 'perf_1', 'usr_1', 'ordered', 3],
        ['hld_3', 'perf_1', 'usr_1', 'converted', 4],
        ['hld_4', 'perf_1', 'usr_2', 'released', 1],
        ['hld_5', 'perf_2', 'usr_1', 'active', 1],
      ] as const;
      // Rows alone, without their users and performances: the foreign keys are not the point.
      if (backend === 'sqlite') await sql`pragma foreign_keys = off`.execute(database.db);
      await database.db.transaction().execute(async (trx) => {
        if (backend === 'postgres') {
          await sql`set local session_replication_role = replica`.execute(trx);
        }
        for (const [id, performance, user, status, quantity] of holds) {
          await sql`insert into holds (id, performance_id, event_id, user_id, status, quantity,
              expires_at, created_at, released_at)
            values (${id}, ${performance}, 'evt_1', ${user}, ${status}, ${quantity}, 1, 1, null)`.execute(
            trx,
          );
        }
      });
      expect(await migrateToLatest(database, ticketingMigrations)).toContain('0007_hold_limits');
      const { rows } = await sql<{ performance_id: string; user_id: string; held: number }>`
        select performance_id, user_id, held from hold_limits
        order by performance_id, user_id`.execute(database.db);
      expect(rows.map((row) => ({ ...row, held: Number(row.held) }))).toEqual([
        { performance_id: 'perf_1', user_id: 'usr_1', held: 5 },
        { performance_id: 'perf_2', user_id: 'usr_1', held: 1 },
      ]);
    });

    it('0008 puts the venues already made in Asia/Seoul, the Korean-first default', async () => {
      const database = openFresh(backend);
      await migrateTo(database, ticketingMigrations, '0007_hold_limits');
      await sql`insert into organizers (id, name, phone_tag_secret, created_at)
        values ('org_1', 'Hall Co', 'secret', 1)`.execute(database.db);
      await sql`insert into venues (id, organizer_id, name, address, latitude, longitude, radius_m,
          created_at)
        values ('ven_1', 'org_1', 'Hall', 'Seoul', 37.5, 127, 300, 1)`.execute(database.db);
      expect(await migrateToLatest(database, ticketingMigrations)).toContain(
        '0008_venue_time_zone',
      );
      const { rows } = await sql<{ time_zone: string }>`
        select time_zone from venues where id = 'ven_1'`.execute(database.db);
      expect(rows).toEqual([{ time_zone: 'Asia/Seoul' }]);
    });

    it('leaves a database made by the edited 0003 as it is', async () => {
      const database = openFresh(backend);
      await migrateToLatest(database, ticketingMigrations);
      expect(await columnExists(database.db, backend, 'admissions', 'revoked_revision')).toBe(true);
      // Applying again changes nothing and fails nothing.
      expect(await migrateToLatest(database, ticketingMigrations)).toEqual([]);
    });
  });
});
