/**
 * One SQL layer for both databases the project supports: SQLite (embedded, the default, a file
 * under `data/`) and PostgreSQL (when `DATABASE_URL` is set). Services write their queries once
 * with Kysely; this module owns what differs between the two: connecting, the column types that
 * hold exact amounts, write transactions with the right locking, and which errors to retry.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import {
  type ColumnDataType,
  type Expression,
  Kysely,
  type Migration,
  type MigrationProvider,
  Migrator,
  PostgresDialect,
  type RawBuilder,
  SqliteDialect,
  sql,
} from 'kysely';
import pg from 'pg';

export type Dialect = 'sqlite' | 'postgres';

export interface Database<DB> {
  readonly db: Kysely<DB>;
  readonly dialect: Dialect;
  /** Where it points, with any password removed: safe to log. */
  readonly description: string;
  /** The PostgreSQL schema in use, when one was asked for. */
  readonly schema?: string;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** A `postgres://` or `postgresql://` URL selects PostgreSQL; anything else is ignored. */
  readonly databaseUrl?: string | undefined;
  /** SQLite file path, or `:memory:`. Used when there is no PostgreSQL URL. */
  readonly sqlitePath?: string;
  /** PostgreSQL pool size. */
  readonly poolSize?: number;
  /**
   * SQLite `synchronous`. NORMAL (the default) in WAL mode survives a process crash with nothing
   * lost and never corrupts; only a power cut can lose the last commits. FULL syncs every commit.
   */
  readonly sqliteSynchronous?: 'NORMAL' | 'FULL';
  /** PostgreSQL schema to use (created if missing): lets test suites run side by side. */
  readonly postgresSchema?: string;
}

const PG_INT8_OID = 20;

export function openDatabase<DB>(options: OpenOptions): Database<DB> {
  const url = options.databaseUrl;
  if (url && /^postgres(ql)?:\/\//.test(url)) return openPostgres<DB>(url, options);
  return openSqlite<DB>(options.sqlitePath ?? 'data/tessera.db', options);
}

function openPostgres<DB>(url: string, options: OpenOptions): Database<DB> {
  const schema = options.postgresSchema;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new Error(`invalid PostgreSQL schema name: ${schema}`);
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    // int8 columns hold millisecond times and sequence numbers, all far below 2^53. Amounts are
    // numeric and stay strings, so no money ever passes through a JavaScript number.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === PG_INT8_OID
          ? (value: string) => Number(value)
          : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // An idle client that dies (server restart) must not crash the process.
  pool.on('error', () => {});
  let ensured: Promise<void> | undefined;
  const db = new Kysely<DB>({
    dialect: new PostgresDialect({
      pool: async () => {
        if (schema) {
          ensured ??= pool
            .query(`create schema if not exists ${schema}`)
            .then(() => undefined)
            .catch((error: unknown) => {
              ensured = undefined;
              throw error;
            });
          await ensured;
        }
        return pool;
      },
    }),
  });
  const safe = new URL(url);
  if (safe.password) safe.password = '***';
  return {
    db,
    dialect: 'postgres',
    description: `postgres ${safe.host}${safe.pathname}${schema ? ` (schema ${schema})` : ''}`,
    ...(schema ? { schema } : {}),
    close: () => db.destroy(),
  };
}

function openSqlite<DB>(path: string, options: OpenOptions): Database<DB> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const raw = new SQLite(path);
  raw.pragma('journal_mode = WAL');
  raw.pragma(`synchronous = ${options.sqliteSynchronous ?? 'NORMAL'}`);
  raw.pragma('busy_timeout = 5000');
  raw.pragma('foreign_keys = ON');
  // Kysely prepares every statement it runs; preparing costs more than running a small one, so
  // keep the prepared statements. The same SQL text always compiles to the same statement.
  const statements = new Map<string, SQLite.Statement>();
  const cached = {
    close: () => raw.close(),
    prepare(text: string) {
      let statement = statements.get(text);
      if (!statement) {
        if (statements.size >= 1000) statements.clear();
        statement = raw.prepare(text);
        statements.set(text, statement);
      }
      return statement;
    },
  };
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: cached }) });
  return { db, dialect: 'sqlite', description: `sqlite ${path}`, close: () => db.destroy() };
}

/** A column type that holds any amount of an 18-decimal asset (up to 78 digits, uint256). */
export function amountColumn(dialect: Dialect): ColumnDataType | Expression<unknown> {
  // SQLite's INTEGER stops at 2^63 - 1 wei, about 9.2 ETH, and its arithmetic on TEXT goes
  // through doubles, so amounts are decimal text there and all arithmetic happens in bigint in
  // the application. PostgreSQL's numeric(78, 0) is exact and holds 2^256.
  return dialect === 'postgres' ? sql`numeric(78, 0)` : 'text';
}

/** An auto-incrementing 64-bit sequence column type for the dialect. */
export function sequenceColumn(dialect: Dialect): ColumnDataType {
  return dialect === 'postgres' ? 'bigserial' : 'integer';
}

export type MigrationSet = (dialect: Dialect) => Record<string, Migration>;

/** Applies every pending migration in name order; fails loudly if any fails. */
export async function migrateToLatest<DB>(database: Database<DB>, migrations: MigrationSet) {
  const provider: MigrationProvider = {
    getMigrations: async () => migrations(database.dialect),
  };
  const migrator = new Migrator({
    db: database.db as Kysely<unknown>,
    provider,
    // Kysely looks for its bookkeeping tables in every schema; name ours, or another schema's
    // tables (a parallel test suite's) would be taken for this one's.
    ...(database.schema ? { migrationTableSchema: database.schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName;
    throw new Error(`migration ${failed ?? '(unknown)'} failed: ${String(error)}`, {
      cause: error,
    });
  }
  return results?.map((result) => result.migrationName) ?? [];
}

export interface TransactionOptions {
  /** How many times to retry a serialization failure or deadlock (PostgreSQL). */
  readonly retries?: number;
}

/**
 * Runs `work` in a write transaction and commits, or rolls back if it throws.
 *
 * SQLite: `BEGIN IMMEDIATE` takes the write lock up front, so two writers never both read and
 * then fail to upgrade (SQLITE_BUSY mid-transaction); Kysely's single connection already
 * serialises this process, and the busy timeout covers other processes.
 * PostgreSQL: read committed; callers lock rows in a fixed order. Serialization failures and
 * deadlocks are retried with a short random backoff, so callers see them only when they persist.
 *
 * Never do network I/O inside `work`: on SQLite everything waits for it.
 */
export async function writeTransaction<DB, T>(
  database: Database<DB>,
  work: (trx: Kysely<DB>) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  if (database.dialect === 'sqlite') {
    return database.db.connection().execute(async (connection) => {
      await sql`begin immediate`.execute(connection);
      try {
        const result = await work(connection);
        await sql`commit`.execute(connection);
        return result;
      } catch (error) {
        await sql`rollback`.execute(connection).catch(() => {});
        throw error;
      }
    });
  }
  const retries = options.retries ?? 5;
  for (let attempt = 0; ; attempt++) {
    try {
      return await database.db.transaction().execute(work);
    } catch (error) {
      if (attempt >= retries || !isRetryable(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * 2 ** attempt));
    }
  }
}

function sqlState(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

/** PostgreSQL serialization failure or deadlock: the transaction may succeed if run again. */
export function isRetryable(error: unknown): boolean {
  const code = sqlState(error);
  return code === '40001' || code === '40P01';
}

/** A unique or primary-key constraint rejected the write, on either database. */
export function isUniqueViolation(error: unknown, constraintHint?: string): boolean {
  const code = sqlState(error);
  const unique =
    code === '23505' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
  if (!unique || constraintHint === undefined) return unique;
  const message = error instanceof Error ? error.message : '';
  const constraint = (error as { constraint?: unknown }).constraint;
  return message.includes(constraintHint) || constraint === constraintHint;
}

export type { Kysely, RawBuilder };
export { sql };
