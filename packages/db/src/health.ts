/**
 * What the readiness check and the full-disk answer need from the database layer: connections
 * of their own for /ready (`Database.health`), so that it never queues behind the work in
 * flight, and the classifier of "no space left" errors. A leaf module: it imports nothing of
 * index.ts, which re-exports it.
 */
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { guardedPool, PreparingClient } from './postgres-client.ts';

/** How long the readiness check waits for PostgreSQL to connect or answer. */
export const healthTimeoutMs = 2_000;

/** A read-only connection for the readiness check (`Database.health`), opened on first use. */
export function openSqliteReader<DB>(path: string) {
  return new Kysely<DB>({
    dialect: new SqliteDialect({
      database: () => {
        const raw = new SQLite(path, { readonly: true, fileMustExist: true });
        // A reader waits only while the log is being recovered; never hold the event loop long.
        raw.pragma('busy_timeout = 500');
        return Promise.resolve(raw);
      },
    }),
  });
}

/**
 * A pool of one client for the readiness check on PostgreSQL, bounded to `healthTimeoutMs` for
 * connecting and for its query, beside the main pool whose clients may all be busy.
 */
export function openPostgresReader<DB>(url: string, schema: string | undefined) {
  const pool = new pg.Pool({
    connectionString: url,
    // The main pool's client: it listens for errors while checked out too, so a backend
    // terminated during a readiness query cannot end the process.
    Client: PreparingClient,
    max: 1,
    connectionTimeoutMillis: healthTimeoutMs,
    query_timeout: healthTimeoutMs,
    keepAlive: true,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // A client that dies while idle (a server restart) must not crash the process.
  pool.on('error', () => {});
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool: guardedPool(pool) }) });
}

/**
 * The database could not write for lack of space, or the disk refused the write: SQLite's
 * `SQLITE_FULL` (a full disk, or `max_page_count` reached) and the `SQLITE_IOERR` family with
 * its extended codes (`SQLITE_IOERR_WRITE`, `SQLITE_IOERR_FSYNC`...), and PostgreSQL's
 * `disk_full` (53100). Nothing of the failed transaction was committed; the same call may succeed
 * once space returns, so the servers answer 503 `storage_full` rather than an internal error.
 */
export function isStorageFull(error: unknown): boolean {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  if (typeof code !== 'string') return false;
  return (
    code === '53100' ||
    code === 'SQLITE_FULL' ||
    code === 'SQLITE_IOERR' ||
    code.startsWith('SQLITE_IOERR_')
  );
}
