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

    it('leaves a database made by the edited 0001 as it is', async () => {
      const database = openFresh(backend);
      await migrateToLatest(database, exchangeMigrations);
      expect(await columnExists(database.db, backend, 'quotes', 'source_rate')).toBe(true);
      expect(await migrateToLatest(database, exchangeMigrations)).toEqual([]);
    });
  });
});
