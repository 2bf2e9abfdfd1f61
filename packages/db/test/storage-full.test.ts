/**
 * A full disk at the SQL layer (issue 18, item 2): which errors mean "no space" on either
 * database, a write transaction that hits one fails with it (never with a stray "no such
 * savepoint" for the units grouped with it), and the storage probe fails while the store is full
 * and passes once space returns. The disk is filled with SQLite's `max_page_count`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillUp, roomAgain } from '../../../scripts/test/sqlite-full.ts';
import {
  type Database,
  isStorageFull,
  openDatabase,
  probeStorage,
  writeTransaction,
} from '../src/index.ts';

describe('isStorageFull', () => {
  const withCode = (code: string) => Object.assign(new Error(code), { code });
  it('knows SQLITE_FULL, the SQLITE_IOERR family and PostgreSQL disk_full, and nothing else', () => {
    for (const code of [
      'SQLITE_FULL',
      'SQLITE_IOERR',
      'SQLITE_IOERR_WRITE',
      'SQLITE_IOERR_FSYNC',
      '53100',
    ])
      expect(isStorageFull(withCode(code)), code).toBe(true);
    for (const code of [
      'SQLITE_BUSY',
      'SQLITE_CONSTRAINT_UNIQUE',
      'SQLITE_ERROR',
      '40001',
      '23505',
    ])
      expect(isStorageFull(withCode(code)), code).toBe(false);
    expect(isStorageFull(new Error('SQLITE_FULL'))).toBe(false);
    expect(isStorageFull(undefined)).toBe(false);
  });
});

describe('a full SQLite store', () => {
  let dir: string;
  let database: Database<{ items: { id: string; filler: unknown } }>;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-db-full-'));
    database = openDatabase({ sqlitePath: join(dir, 'full.db') });
    await sql`create table items (id text primary key, filler blob)`.execute(database.db);
  });
  afterAll(async () => {
    await database?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails the writes that need space with a storage error, the probe too, until space returns', async () => {
    await probeStorage(database);
    await fillUp(database.db);
    const insert = (id: string, bytes: number) =>
      writeTransaction(database, (trx) =>
        sql`insert into items (id, filler) values (${id}, zeroblob(${bytes}))`.execute(trx),
      );
    // Queued in one turn: they share one commit, and the big one cannot fit.
    const outcomes = await Promise.allSettled([
      insert('small', 1),
      insert('big', 200_000),
      insert('small2', 1),
    ]);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected')
        expect(isStorageFull(outcome.reason), String(outcome.reason)).toBe(true);
    }
    expect(outcomes[1]?.status).toBe('rejected');
    const kept = await sql<{ id: string }>`select id from items order by id`.execute(database.db);
    const committed = ['small', 'small2'].filter((_, i) => outcomes[i * 2]?.status === 'fulfilled');
    expect(kept.rows.map((row) => row.id)).toEqual(committed);
    await expect(probeStorage(database)).rejects.toSatisfy(isStorageFull);

    await roomAgain(database.db);
    await probeStorage(database);
    await insert('big', 200_000);
  });
});
