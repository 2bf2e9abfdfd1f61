/**
 * The shared SQL layer on both databases: exact amounts, statements written once, unique
 * violations recognised, and write transactions that commit together on SQLite yet fail alone.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testPostgresUrl as postgresUrl } from '../../../scripts/test/postgres.ts';
import {
  amountColumn,
  type Database,
  isUniqueViolation,
  migrateToLatest,
  openDatabase,
  Statement,
  writeTransaction,
} from '../src/index.ts';

interface TestDB {
  items: { id: string; amount: string };
}

describe.each(['sqlite', 'postgres'] as const)('the SQL layer on %s', (backend) => {
  let dir: string;
  let database: Database<TestDB>;
  const schema = `t_${randomBytes(6).toString('hex')}`;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-db-'));
    database = openDatabase<TestDB>({
      databaseUrl: backend === 'postgres' ? postgresUrl : undefined,
      sqlitePath: join(dir, 'test.db'),
      ...(backend === 'postgres' ? { postgresSchema: schema } : {}),
    });
    const applied = await migrateToLatest(database, (dialect) => ({
      '0001_items': {
        async up(db) {
          await db.schema
            .createTable('items')
            .addColumn('id', 'text', (c) => c.primaryKey())
            .addColumn('amount', amountColumn(dialect), (c) => c.notNull())
            .execute();
        },
      },
    }));
    expect(applied).toEqual(['0001_items']);
  });

  afterAll(async () => {
    if (backend === 'postgres')
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(database.db);
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores 2^255 and an 18-decimal supply exactly', async () => {
    const huge = (2n ** 255n).toString();
    const supply = (120_000_000n * 10n ** 18n + 1n).toString();
    await database.db
      .insertInto('items')
      .values([
        { id: 'huge', amount: huge },
        { id: 'supply', amount: supply },
      ])
      .execute();
    const rows = await database.db
      .selectFrom('items')
      .selectAll()
      .where('id', 'in', ['huge', 'supply'])
      .orderBy('id')
      .execute();
    expect(rows.map((row) => BigInt(row.amount))).toEqual([BigInt(huge), BigInt(supply)]);
  });

  it('runs a statement written once with ? placeholders, and recognises unique violations', async () => {
    const insert = new Statement('insert into items (id, amount) values (?, ?)');
    const read = new Statement<{ id: string; amount: string }>(
      'select id, amount from items where id = ? or id = ? order by id',
    );
    await insert.run(database.db, database.dialect, ['s1', '5']);
    await insert.run(database.db, database.dialect, ['s2', '7']);
    const rows = await read.run(database.db, database.dialect, ['s1', 's2']);
    expect(rows.map((row) => [row.id, String(row.amount)])).toEqual([
      ['s1', '5'],
      ['s2', '7'],
    ]);
    const again = await insert
      .run(database.db, database.dialect, ['s1', '9'])
      .catch((error: unknown) => error);
    expect(isUniqueViolation(again)).toBe(true);
    expect(isUniqueViolation(new Error('something else'))).toBe(false);
  });

  it('runs a named statement: one object for texts that take the values in different orders', async () => {
    // Each dialect's text takes the values in its own order, and the id twice.
    const insert = new Statement<{ id: string }, { id: string; amount: string; note: string }>(
      {
        sqlite: `insert into items (id, amount) select :id, :amount where :id <> ':note'
          returning id`,
        postgres: `insert into items (amount, id) select :amount::numeric, :id
          where :id <> ':note' and :note = 'named' returning id`,
      },
      'named',
    );
    // Compiled to positional placeholders, exactly as a ? statement would be; a quoted ':note'
    // and PostgreSQL's casts are left alone.
    expect(insert.textFor('sqlite')).toBe(
      `insert into items (id, amount) select ?, ? where ? <> ':note'
          returning id`,
    );
    expect(insert.textFor('postgres')).toBe(
      `insert into items (amount, id) select $1::numeric, $2
          where $3 <> ':note' and $4 = 'named' returning id`,
    );
    const rows = await insert.run(database.db, database.dialect, {
      id: 'n1',
      amount: '11',
      note: 'named',
    });
    expect(rows.map((row) => row.id)).toEqual(['n1']);
    const read = new Statement<{ amount: string }, { id: string }>(
      'select amount from items where id = :id',
      'named',
    );
    expect(String((await read.first(database.db, database.dialect, { id: 'n1' }))?.amount)).toBe(
      '11',
    );
    // A missing value is the caller's mistake, and so is a ? in a named statement.
    await expect(read.run(database.db, database.dialect, {} as { id: string })).rejects.toThrow(
      ':id is missing',
    );
    expect(() => new Statement('select ? where id = :id', 'named')).toThrow(/\?/);
  });

  it('commits concurrent write transactions, and a failing one changes nothing and fails alone', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, (_, index) =>
        writeTransaction(database, async (trx) => {
          await trx
            .insertInto('items')
            .values({ id: `w${index}`, amount: String(index) })
            .execute();
          await trx
            .insertInto('items')
            .values({ id: `w${index}-second`, amount: '1' })
            .execute();
          if (index % 3 === 0) throw new Error(`unit ${index} gives up`);
          return index;
        }),
      ),
    );
    results.forEach((result, index) => {
      if (index % 3 === 0) {
        expect(result.status).toBe('rejected');
        expect((result as PromiseRejectedResult).reason.message).toBe(`unit ${index} gives up`);
      } else {
        expect(result).toEqual({ status: 'fulfilled', value: index });
      }
    });
    const rows = await database.db
      .selectFrom('items')
      .select('id')
      .where('id', 'like', 'w%')
      .execute();
    const ids = new Set(rows.map((row) => row.id));
    for (let index = 0; index < 30; index++) {
      // A failed unit left neither of its rows; a good one left both.
      expect(ids.has(`w${index}`)).toBe(index % 3 !== 0);
      expect(ids.has(`w${index}-second`)).toBe(index % 3 !== 0);
    }
  });

  it('answers a unit only after its commit: a read after the promise sees the write', async () => {
    const writes = Array.from({ length: 10 }, (_, index) =>
      writeTransaction(database, (trx) =>
        trx
          .insertInto('items')
          .values({ id: `c${index}`, amount: '1' })
          .execute(),
      ).then(async () => {
        // Another connection (PostgreSQL) or the same one after commit (SQLite) sees it.
        const row = await database.db
          .selectFrom('items')
          .select('id')
          .where('id', '=', `c${index}`)
          .executeTakeFirst();
        return row?.id;
      }),
    );
    expect(await Promise.all(writes)).toEqual(
      Array.from({ length: 10 }, (_, index) => `c${index}`),
    );
  });
});
