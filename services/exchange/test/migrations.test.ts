import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { columnExists, migrateToLatest, sql } from '@tessera/db';
import { afterEach, describe, expect, it } from 'vitest';
import { expectListed, expectPinned, migrateTo } from '../../../scripts/test/migrations.ts';
import { exchangeMigrations } from '../src/db/migrations/index.ts';
import { backends, openTestDatabase } from './harness.ts';

const dir = fileURLToPath(new URL('../src/db/migrations/', import.meta.url));

/** Every landed migration file, by its sha256: an edit fails here. */
const pinned = {
  '0001_initial.ts': 'c2d226793fe11b8a30e0566ff5b9ae25ec88960e2e7766dac3c6cd333abfa3e8',
  '0002_repair_quote_source_rate.ts':
    '7e849e7cc543a4ce23b7c505a326f55107067b2a6a796b39c669ace66d4c24a0',
  '0003_rate_limits.ts': 'db6729ce6240f3c594d01679a97a40bab1fbee60a27c74cf28b42a7e6439ec3b',
  '0005_scrub_webhook_answers.ts':
    '525694e8bb2a7ae36ee07be4d9569b5aa57b0beeec00b53213d7776d5c68ecb0',
  '0006_buy_page_handoffs.ts': '649582cd2f217c55b03c5ffb8fd5a2e5d36c2541a0e9a6938a0da5129330fea1',
};

describe('exchange migrations', () => {
  it('are history: every landed migration file is pinned by its checksum', () => {
    expectPinned(dir, pinned);
  });

  it('apply every file of the folder, in name order', () => {
    expectListed(dir, exchangeMigrations);
  });

  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  function openFresh(backend: (typeof backends)[number]) {
    const tmp = mkdtempSync(join(tmpdir(), 'tessera-migrations-'));
    const opened = openTestDatabase(backend, tmp);
    cleanups.push(async () => {
      await opened.drop();
      rmSync(tmp, { recursive: true, force: true });
    });
    return opened.database;
  }

  describe.each(backends)('on %s', (backend) => {
    it('repairs a database migrated with the first 0001, which made no quotes.source_rate', async () => {
      const database = openFresh(backend);
      await migrateTo(database, exchangeMigrations, '0001_initial');
      await sql`alter table quotes drop column source_rate`.execute(database.db);
      expect(await columnExists(database.db, backend, 'quotes', 'source_rate')).toBe(false);
      await sql`insert into subscribers (id, kind, phone, display_name, account_id, status,
          return_urls, created_at)
        values ('sub_1', 'person', '+821000000009', 'Old', 'acc_1', 'active', '[]', 1)`.execute(
        database.db,
      );
      await sql`insert into quotes (id, subscriber_id, side, asset, fiat_asset, crypto_amount,
          fiat_amount, fee_amount, rate, rate_source, rate_at, expires_at, status, created_at)
        values ('qt_old', 'sub_1', 'buy', 'USDT', 'KRW', '1000000', '1400', '14', '1400',
          'fixed', 1, 2, 'executed', 1)`.execute(database.db);

      const applied = await migrateToLatest(database, exchangeMigrations);

      expect(applied).toContain('0002_repair_quote_source_rate');
      const { rows } = await sql<{ id: string; source_rate: string }>`
        select id, source_rate from quotes`.execute(database.db);
      expect(rows).toEqual([{ id: 'qt_old', source_rate: '1400' }]);
      // A new quote must give it on PostgreSQL, where the column is NOT NULL with no default as
      // 0001 made it; SQLite cannot add a NOT NULL column without one, so there it stays ''.
      const newQuote = sql`insert into quotes (id, subscriber_id, side, asset, fiat_asset,
          crypto_amount, fiat_amount, fee_amount, rate, rate_source, rate_at, expires_at, status,
          created_at)
        values ('qt_new', 'sub_1', 'buy', 'USDT', 'KRW', '1', '1', '0', '1', 'fixed', 1, 2,
          'open', 1)`.execute(database.db);
      if (backend === 'postgres') await expect(newQuote).rejects.toThrow(/source_rate/);
      else await expect(newQuote).resolves.toBeDefined();
    });

    it("scrubs the receivers' answers and socket errors kept in the webhook delivery log", async () => {
      const database = openFresh(backend);
      await migrateTo(database, exchangeMigrations, '0002_repair_quote_source_rate');
      const kept = [
        ['whd_1', 'HTTP 500: INTERNAL-SECRET db password hunter2', 'HTTP 500'],
        ['whd_2', 'HTTP 302: moved to INTERNAL-SECRET', 'HTTP 302: redirect not followed'],
        [
          'whd_3',
          'fetch failed: ECONNREFUSED connect ECONNREFUSED 10.0.0.5:5432',
          'connection failed',
        ],
        ['whd_4', 'cannot resolve db.internal: getaddrinfo ENOTFOUND', 'cannot resolve the host'],
        ['whd_5', 'timed out', 'timed out'],
        ['whd_6', 'HTTP 404', 'HTTP 404'],
        ['whd_7', null, null],
      ] as const;
      for (const [id, error] of kept) {
        await sql`insert into webhook_deliveries (id, notification_id, subscriber_id, url, status,
            attempts, next_attempt_at, locked_until, last_status, last_error, created_at)
          values (${id}, 'ntf_1', 'sub_1', 'http://10.0.0.5/', 'failed', 1, 0, 0, null, ${error},
            1)`.execute(database.db);
        await sql`insert into webhook_attempts (delivery_id, attempt, at, status_code, error,
            duration_ms) values (${id}, 1, 1, null, ${error}, 3)`.execute(database.db);
      }
      await migrateToLatest(database, exchangeMigrations);
      const { rows: deliveries } = await sql<{ id: string; last_error: string | null }>`
        select id, last_error from webhook_deliveries order by id`.execute(database.db);
      const { rows: attempts } = await sql<{ delivery_id: string; error: string | null }>`
        select delivery_id, error from webhook_attempts order by delivery_id`.execute(database.db);
      const expected = kept.map(([id, , scrubbed]) => ({ id, error: scrubbed }));
      expect(deliveries.map((row) => ({ id: row.id, error: row.last_error }))).toEqual(expected);
      expect(attempts.map((row) => ({ id: row.delivery_id, error: row.error }))).toEqual(expected);
    });

    it('leaves a database made by the edited 0001 as it is', async () => {
      const database = openFresh(backend);
      await migrateToLatest(database, exchangeMigrations);
      expect(await columnExists(database.db, backend, 'quotes', 'source_rate')).toBe(true);
      expect(await migrateToLatest(database, exchangeMigrations)).toEqual([]);
    });
  });
});
