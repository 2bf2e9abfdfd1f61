/**
 * A PostgreSQL connection lost while checked out (issue 18, item 1): its backend is terminated
 * with `pg_terminate_backend` from an admin connection, at chosen moments. The process must not
 * die of an unhandled 'error' event, the work in flight must fail with a retryable error (or be
 * run once more when the connection went before COMMIT), and the pool must hand out a fresh
 * connection afterwards. PostgreSQL only: SQLite has no connection to lose.
 *
 * Only backends this file opened are terminated: each is found by its own `pg_backend_pid()`.
 */
import { randomBytes } from 'node:crypto';
import { type AddressInfo, createServer } from 'node:net';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testPostgresUrl as postgresUrl } from '../../../scripts/test/postgres.ts';
import {
  type Database,
  DatabaseUnavailableError,
  isDatabaseUnavailable,
  type Kysely,
  migrateToLatest,
  openDatabase,
  writeTransaction,
} from '../src/index.ts';

interface TestDB {
  entries: { id: string };
}

describe('a PostgreSQL connection lost while checked out', () => {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  let database: Database<TestDB>;
  let admin: pg.Client;

  /** Ends the backend behind `trx` and waits until it has exited. */
  async function terminateOwnBackend(trx: Kysely<TestDB>) {
    const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx);
    const pid = rows[0]?.pid;
    const ended = await admin.query<{ ended: boolean }>(
      'select pg_terminate_backend($1, 10000) as ended',
      [pid],
    );
    expect(ended.rows[0]?.ended).toBe(true);
  }

  const count = async () =>
    Number(
      (await sql<{ n: string }>`select count(*) as n from entries`.execute(database.db)).rows[0]?.n,
    );

  beforeAll(async () => {
    database = openDatabase<TestDB>({
      databaseUrl: postgresUrl,
      postgresSchema: schema,
      poolSize: 2,
    });
    await migrateToLatest(database, () => ({
      '0001_entries': {
        async up(db) {
          await db.schema
            .createTable('entries')
            .addColumn('id', 'text', (c) => c.primaryKey())
            .execute();
        },
      },
    }));
    admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
  });

  afterAll(async () => {
    await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(database.db);
    await database.close();
    await admin.end();
  });

  it('survives a backend terminated between two queries of a checked-out connection', async () => {
    // The client reads the FATAL with no query of its own running: node-postgres emits 'error'
    // on it, which ends the process when nothing listens.
    const outcome = await database.db
      .connection()
      .execute(async (connection) => {
        await terminateOwnBackend(connection);
        return sql`select 1 as one`.execute(connection);
      })
      .then(
        () => 'answered',
        (error: unknown) => error,
      );
    expect(isDatabaseUnavailable(outcome)).toBe(true);
    // The broken connection was not given back to the pool: the next query gets a fresh one.
    const { rows } = await sql<{ one: number }>`select 1 as one`.execute(database.db);
    expect(rows).toEqual([{ one: 1 }]);
  });

  it('runs work cut off before COMMIT once more on a fresh connection, committed once', async () => {
    let runs = 0;
    const id = `before-${randomBytes(4).toString('hex')}`;
    await writeTransaction(database, async (trx) => {
      runs += 1;
      await trx.insertInto('entries').values({ id }).execute();
      if (runs === 1) {
        await terminateOwnBackend(trx);
        await sql`select 1`.execute(trx);
      }
    });
    expect(runs).toBe(2);
    const rows = await database.db.selectFrom('entries').selectAll().where('id', '=', id).execute();
    expect(rows).toEqual([{ id }]);
  });

  it('fails with DatabaseUnavailableError when the fresh connection is lost too, committing nothing', async () => {
    let runs = 0;
    const before = await count();
    const outcome = await writeTransaction(database, async (trx) => {
      runs += 1;
      await trx
        .insertInto('entries')
        .values({ id: `twice-${runs}-${randomBytes(4).toString('hex')}` })
        .execute();
      await terminateOwnBackend(trx);
      await sql`select 1`.execute(trx);
    }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(outcome).toBeInstanceOf(DatabaseUnavailableError);
    expect((outcome as DatabaseUnavailableError).commitOutcomeUnknown).toBe(false);
    expect(runs).toBe(2);
    expect(await count()).toBe(before);
  });

  it('never runs work again once its COMMIT may have been sent', async () => {
    // The work itself completes; its connection is gone when COMMIT goes out, so whether it
    // committed is, for all the caller can tell, unknown: the caller's idempotency key decides.
    let runs = 0;
    const outcome = await writeTransaction(database, async (trx) => {
      runs += 1;
      await trx
        .insertInto('entries')
        .values({ id: `commit-${randomBytes(4).toString('hex')}` })
        .execute();
      await terminateOwnBackend(trx);
    }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(runs).toBe(1);
    expect(outcome).toBeInstanceOf(DatabaseUnavailableError);
    expect((outcome as DatabaseUnavailableError).commitOutcomeUnknown).toBe(true);
    expect(isDatabaseUnavailable(outcome)).toBe(true);
    // And the pool goes on.
    await writeTransaction(database, (trx) =>
      trx
        .insertInto('entries')
        .values({ id: `after-${randomBytes(4).toString('hex')}` })
        .execute(),
    );
  });

  it('fails a connect to a server that never answers as unavailable, instead of waiting forever', async () => {
    // A listener that accepts connections and says nothing, as a dead peer behind a live
    // address does; the client's connect timeout ends the wait.
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const mute = openDatabase<TestDB>({ databaseUrl: `postgres://postgres@127.0.0.1:${port}/x` });
    try {
      const outcome = await sql`select 1`.execute(mute.db).then(
        () => 'answered',
        (error: unknown) => error,
      );
      expect(isDatabaseUnavailable(outcome)).toBe(true);
    } finally {
      await mute.close();
      silent.close();
    }
  });

  it('recognises the connection errors PostgreSQL and node-postgres raise, and nothing else', () => {
    for (const code of ['57P01', '57P02', '57P03', '08006', '08001', 'ECONNRESET', 'ECONNREFUSED'])
      expect(isDatabaseUnavailable(Object.assign(new Error('x'), { code }))).toBe(true);
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(
      isDatabaseUnavailable(new Error('wrapped', { cause: new Error('Connection terminated') })),
    ).toBe(true);
    for (const code of ['23505', '40001', '22P02', 'SQLITE_BUSY'])
      expect(isDatabaseUnavailable(Object.assign(new Error('x'), { code }))).toBe(false);
    expect(isDatabaseUnavailable(new Error('seat taken'))).toBe(false);
  });
});
