/**
 * A throwaway PostgreSQL database of its own, made through an admin connection and dropped
 * afterwards: what a whole running system needs (the browser story, the benchmarks), where the
 * server suites' fresh schema is not enough because both servers keep their own layout in it, as
 * `npm start` does with DATABASE_URL.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The server the test suites use (scripts/test/postgres-setup.ts makes sure it answers). */
export const testPostgresUrl =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface ThrowawayDatabase {
  /** The admin URL with the new database in place of its own. */
  readonly url: string;
  /** Ends every connection still open to the database, then drops it. */
  drop(): Promise<void>;
}

/**
 * `prefix` starts the database's name (12 random hex digits follow), so a leftover one tells
 * who made it; `urlVariable` is the environment variable that sets `adminUrl`, named in the
 * error when the server does not answer.
 */
export async function createThrowawayDatabase(options: {
  adminUrl: string;
  prefix: string;
  urlVariable: string;
}): Promise<ThrowawayDatabase> {
  const { adminUrl, prefix, urlVariable } = options;
  const admin = new pg.Client({ connectionString: adminUrl });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${adminUrl} (set ${urlVariable}): ${String(error)}`,
    );
  }
  const name = `${prefix}${randomBytes(6).toString('hex')}`;
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(
          'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
          [name],
        );
        await client.query(`drop database if exists ${name}`);
      } finally {
        await client.end();
      }
    },
  };
}
