/**
 * Parallel test suites each create and drop their own PostgreSQL schema. Kysely's migrator looks
 * for its bookkeeping table through the catalog of every schema, so a schema or table dropped
 * at that moment fails the lookup ("schema does not exist", "relation does not exist", "column
 * does not exist") before
 * any migration ran. migrateToLatest looks again then; a migration's own failure it does not.
 */
import { randomBytes } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { testPostgresUrl as postgresUrl } from '../../../scripts/test/postgres.ts';
import { type Database, migrateToLatest, openDatabase } from '../src/index.ts';

/**
 * The database's Kysely with its catalog lookups (`introspection`, which Kysely runs without
 * plugins) failing the first `times` times as a concurrent drop makes them fail.
 */
function droppedMeanwhile(db: Kysely<unknown>, code: string, times: number): Kysely<unknown> {
  let left = times;
  const introspection = db.introspection;
  const failing = new Proxy(introspection, {
    get(target, property) {
      const value = Reflect.get(target, property, target) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (left > 0) {
          left -= 1;
          return Promise.reject(
            Object.assign(new Error('dropped by another suite meanwhile'), { code }),
          );
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return new Proxy(db, {
    get(target, property) {
      if (property === 'introspection') return failing;
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

describe('migrating while other suites drop their schemas (PostgreSQL)', () => {
  const opened: { database: Database<unknown>; schema: string }[] = [];
  afterEach(async () => {
    for (const { database, schema } of opened.splice(0)) {
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(database.db);
      await database.close();
    }
  });

  function open(code: string, failures: number) {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const database = openDatabase<unknown>({ databaseUrl: postgresUrl, postgresSchema: schema });
    opened.push({ database, schema });
    return { ...database, db: droppedMeanwhile(database.db, code, failures) } as Database<unknown>;
  }

  const oneTable = () => ({
    '0001_things': {
      async up(db: Kysely<unknown>) {
        await db.schema.createTable('things').addColumn('id', 'text').execute();
      },
    },
  });

  it.each(['3F000', '42P01', '42703'])(
    'looks again when the catalog lookup meets %s',
    async (code) => {
      const database = open(code, 2);
      expect(await migrateToLatest(database, oneTable)).toEqual(['0001_things']);
    },
  );

  it('does not retry a migration that itself fails', async () => {
    const database = open('42P01', 0);
    let runs = 0;
    const failing = () => ({
      '0001_broken': {
        async up() {
          runs += 1;
          throw Object.assign(new Error('relation "missing" does not exist'), { code: '42P01' });
        },
      },
    });
    await expect(migrateToLatest(database, failing)).rejects.toThrow(/0001_broken/);
    expect(runs).toBe(1);
  });
});
