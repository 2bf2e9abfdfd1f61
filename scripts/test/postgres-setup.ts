/**
 * Vitest global setup: the database suites run on PostgreSQL as well as SQLite, so make sure it
 * answers before they start. If it does not and this machine has a local cluster
 * (Debian's pg_ctlcluster), start it, as the machine's notes prescribe; otherwise fail with a
 * message that says what is missing.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import pg from 'pg';
import { testPostgresUrl as url } from './postgres.ts';

async function answers() {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export default async function setup() {
  if (await answers()) return;
  let versions: string[] = [];
  try {
    versions = readdirSync('/etc/postgresql');
  } catch {
    // No local cluster to start.
  }
  const version = versions.sort().at(-1);
  if (version) {
    try {
      execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], {
        stdio: 'ignore',
      });
    } catch {
      // Already starting, or not ours to start: wait and see.
    }
    for (let i = 0; i < 30; i++) {
      if (await answers()) return;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
  throw new Error(
    `PostgreSQL does not answer at ${url.replace(/:[^:@/]*@/, ':***@')}: the database suites run on it too. ` +
      'Start it, or set TEST_DATABASE_URL.',
  );
}
