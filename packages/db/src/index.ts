/**
 * One SQL layer for both databases the project supports: SQLite (embedded, the default, a file
 * under `data/`) and PostgreSQL (when `DATABASE_URL` is set). Services write their queries once
 * with Kysely; this module owns what differs between the two: connecting, the column types that
 * hold exact amounts, write transactions with the right locking, and which errors to retry.
 */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import {
  type ColumnDataType,
  CompiledQuery,
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
import { openPostgresReader, openSqliteReader } from './health.ts';
import { guardedPool, PreparingClient } from './postgres-client.ts';
import { DatabaseUnavailableError, isDatabaseUnavailable } from './unavailable.ts';

export { healthTimeoutMs, isStorageFull } from './health.ts';
export { DatabaseUnavailableError, isDatabaseUnavailable };

export type Dialect = 'sqlite' | 'postgres';

export interface Database<DB> {
  readonly db: Kysely<DB>;
  readonly dialect: Dialect;
  /** Where it points, with any password removed: safe to log. */
  readonly description: string;
  /** The PostgreSQL schema in use, when one was asked for. */
  readonly schema?: string;
  /**
   * Connections of its own for the readiness check, so that /ready never queues behind the work
   * in flight (health.ts): a read-only SQLite connection, or a PostgreSQL pool of one.
   */
  readonly health: Kysely<DB>;
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
const require = createRequire(import.meta.url);

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
    Client: PreparingClient,
    connectionString: url,
    max: options.poolSize ?? 10,
    // TCP keep-alive finds connections whose peer vanished (a dropped network, a failover).
    // (A connect timeout is set per client, in PreparingClient: the pool's own would also cut
    // requests waiting their turn for a connection under an on-sale's load.)
    keepAlive: true,
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
  // An idle client that dies (server restart) must not crash the process; the pool drops it.
  pool.on('error', () => {});
  const guarded = guardedPool(pool);
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
        return guarded;
      },
    }),
  });
  const health = openPostgresReader<DB>(url, schema);
  const safe = new URL(url);
  if (safe.password) safe.password = '***';
  return {
    db,
    health,
    dialect: 'postgres',
    description: `postgres ${safe.host}${safe.pathname}${schema ? ` (schema ${schema})` : ''}`,
    ...(schema ? { schema } : {}),
    async close() {
      await health.destroy();
      await db.destroy();
    },
  };
}

function openSqlite<DB>(path: string, options: OpenOptions): Database<DB> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const raw = new SQLite(path);
  raw.pragma('journal_mode = WAL');
  raw.pragma(`synchronous = ${options.sqliteSynchronous ?? 'NORMAL'}`);
  raw.pragma('busy_timeout = 5000');
  raw.pragma('foreign_keys = ON');
  // Savepoints (group commit) keep their undo pages in a sub-journal: in memory, not a temp file.
  raw.pragma('temp_store = MEMORY');
  const checkpointer = path === ':memory:' ? undefined : startCheckpointer(path);
  // The checkpointer thread moves the write-ahead log into the database file off the event
  // loop; the connection itself checkpoints only if the log grows past ~40 MB (if that thread
  // ever falls behind), since a checkpoint inside a commit stalls every request for milliseconds.
  raw.pragma(`wal_autocheckpoint = ${checkpointer ? 10_000 : 1_000}`);
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
  const health = path === ':memory:' ? db : openSqliteReader<DB>(path);
  return {
    db,
    health,
    dialect: 'sqlite',
    description: `sqlite ${path}`,
    async close() {
      await checkpointer?.stop();
      if (health !== db) await health.destroy();
      await db.destroy();
    },
  };
}

/**
 * A worker thread with its own connection that checkpoints the WAL once a second (PASSIVE: it
 * never blocks writers or readers). Its fsyncs happen there, not on the event loop.
 */
function startCheckpointer(path: string) {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const Database = require(workerData.module);
    const db = new Database(workerData.path);
    db.pragma('busy_timeout = 5000');
    const timer = setInterval(() => {
      try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
    }, 1000);
    parentPort.on('message', () => { clearInterval(timer); db.close(); parentPort.close(); });
  `;
  const worker = new Worker(code, {
    eval: true,
    workerData: { path, module: require.resolve('better-sqlite3') },
    // It holds one connection and a timer: a small heap is plenty.
    resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 2 },
  });
  worker.unref();
  worker.on('error', () => {});
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        // Keep the process alive until the thread has closed its connection.
        worker.ref();
        worker.once('exit', () => resolve());
        worker.postMessage('stop');
        setTimeout(() => void worker.terminate(), 2000).unref();
      }),
  };
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

/**
 * Whether `table` has `column` in the schema in use: for a migration that repairs databases
 * made by an earlier version of itself, which may or may not have the column.
 */
export async function columnExists(
  // biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then.
  db: Kysely<any>,
  dialect: Dialect,
  table: string,
  column: string,
): Promise<boolean> {
  const query =
    dialect === 'postgres'
      ? sql`select 1 as found from information_schema.columns
          where table_schema = current_schema() and table_name = ${table} and column_name = ${column}`
      : sql`select 1 as found from pragma_table_info(${table}) where name = ${column}`;
  const { rows } = await query.execute(db);
  return rows.length > 0;
}

/**
 * What a catalog lookup meets when another process drops its schema meanwhile: the schema
 * (3F000), a table (42P01), or a column that `pg_get_serial_sequence` reads while its table goes
 * (42703, seen in CI as 'column "id" of relation "api_keys" does not exist').
 */
const catalogRaces = new Set(['3F000', '42P01', '42703']);

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
  let outcome = await migrator.migrateToLatest();
  // Kysely looks for its bookkeeping table through the catalog of every schema; a schema or a
  // table another process drops at that moment (parallel test suites each drop theirs) fails
  // the lookup with "schema does not exist" (3F000), "relation does not exist" (42P01) or
  // "column does not exist" (42703) before
  // any migration ran. Looking again is safe; a migration's own failure is not retried.
  for (
    let attempt = 1;
    attempt < 5 && outcome.error && catalogRaces.has(sqlState(outcome.error) ?? '');
    attempt++
  ) {
    const ran = outcome.results?.some((result) => result.status !== 'NotExecuted');
    if (ran) break;
    await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
    outcome = await migrator.migrateToLatest();
  }
  const { error, results } = outcome;
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
 * Runs `work` in a write transaction and commits, or rolls back if it throws. It resolves only
 * once the work is committed.
 *
 * SQLite: `BEGIN IMMEDIATE` takes the write lock up front, so two writers never both read and
 * then fail to upgrade (SQLITE_BUSY mid-transaction); the busy timeout covers other processes.
 * Writers in one process already run one at a time on SQLite's single connection, so units of
 * work that queue up share one commit (group commit): each runs inside its own savepoint, a
 * failing one is rolled back alone, and every one learns its outcome only after the COMMIT.
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
  if (database.dialect === 'sqlite') return groupCommitter(database).run(work);
  const retries = options.retries ?? 5;
  let reconnected = false;
  for (let attempt = 0; ; attempt++) {
    let commitSent = false;
    try {
      return await database.db.transaction().execute(async (trx) => {
        const result = await work(trx);
        commitSent = true;
        return result;
      });
    } catch (error) {
      if (isDatabaseUnavailable(error)) {
        // Lost before COMMIT was sent: PostgreSQL rolled the work back with the session, so it
        // may run once more on a fresh connection. After COMMIT was sent the outcome is unknown:
        // never again here (the caller's idempotency key settles it).
        if (commitSent || reconnected) throw new DatabaseUnavailableError(error, commitSent);
        reconnected = true;
        continue;
      }
      if (attempt >= retries || !isRetryable(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * 2 ** attempt));
    }
  }
}

interface QueuedWork {
  // biome-ignore lint/suspicious/noExplicitAny: each unit of work has its own database type.
  readonly work: (trx: Kysely<any>) => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/** How many units of work share one SQLite commit at most. */
const maxGroup = 64;

const committers = new WeakMap<
  object,
  { run<T>(work: (trx: Kysely<never>) => Promise<T>): Promise<T> }
>();

function groupCommitter<DB>(database: Database<DB>) {
  const existing = committers.get(database.db);
  if (existing)
    return existing as unknown as { run<T>(work: (trx: Kysely<DB>) => Promise<T>): Promise<T> };
  const queue: QueuedWork[] = [];
  let draining = false;
  let scheduled = false;

  async function runGroup(group: QueuedWork[]) {
    const outcomes: { ok: boolean; value: unknown }[] = [];
    try {
      await database.db.connection().execute(async (connection) => {
        await sql`begin immediate`.execute(connection);
        try {
          for (const item of group) {
            await sql`savepoint unit`.execute(connection);
            try {
              outcomes.push({ ok: true, value: await item.work(connection) });
              await sql`release unit`.execute(connection);
            } catch (error) {
              outcomes.push({ ok: false, value: error });
              try {
                await sql`rollback to unit`.execute(connection);
                await sql`release unit`.execute(connection);
              } catch {
                // SQLite rolled the whole transaction back by itself (it may on SQLITE_FULL and
                // SQLITE_IOERR): the group fails with the unit's error, not "no such savepoint".
                throw error;
              }
            }
          }
          await sql`commit`.execute(connection);
        } catch (error) {
          await sql`rollback`.execute(connection).catch(() => {});
          throw error;
        }
      });
    } catch (error) {
      // The commit itself failed: nothing in the group happened.
      for (const item of group) item.reject(error);
      return;
    }
    group.forEach((item, index) => {
      const outcome = outcomes[index] as { ok: boolean; value: unknown };
      if (outcome.ok) item.resolve(outcome.value);
      else item.reject(outcome.value);
    });
  }

  async function drain() {
    scheduled = false;
    draining = true;
    try {
      while (queue.length > 0) {
        await runGroup(queue.splice(0, maxGroup));
        // Let the requests that were waiting on the connection (reads, parsing) queue their
        // writes before the next group starts, so groups actually fill under load.
        if (queue.length < maxGroup) await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      draining = false;
    }
  }

  const committer = {
    run<T>(work: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
        if (!draining && !scheduled) {
          // Start on the next turn of the event loop: every unit queued in this turn joins.
          scheduled = true;
          setImmediate(() => void drain());
        }
      });
    },
  };
  committers.set(database.db, committer as never);
  return committer;
}

// biome-ignore lint/suspicious/noExplicitAny: any database's executor runs raw SQL alike.
type AnyExecutor = Kysely<any>;

/** A statement's text, the same on both databases or one per dialect. */
export type StatementText = string | { sqlite: string; postgres: string };

/** Positional parameters (`?` placeholders) or named ones (`:name` placeholders, an object). */
export type StatementParameters = readonly unknown[] | object;

/**
 * `:name` placeholders outside quoted literals and identifiers; `::` (PostgreSQL's cast) is
 * skipped whole, so `a.debit::text` is not a placeholder.
 */
const namedPlaceholder = /'(?:[^']|'')*'|"(?:[^"]|"")*"|::|:([A-Za-z_][A-Za-z0-9_]*)/g;
const positionalPlaceholder = /'(?:[^']|'')*'|"(?:[^"]|"")*"|(\?)/g;

/**
 * A named statement's text for one dialect: each `:name` becomes that dialect's positional
 * placeholder (`?` on SQLite, `$1`, `$2`... on PostgreSQL), and the names are kept in the order
 * the placeholders appear, so one object of parameters serves both dialects' texts.
 */
function compileNamed(text: string, dialect: Dialect) {
  for (const match of text.matchAll(positionalPlaceholder)) {
    if (match[1] !== undefined) {
      throw new Error(`a named statement must not hold a ? placeholder: ${text.slice(0, 80)}`);
    }
  }
  const names: string[] = [];
  const compiled = text.replace(namedPlaceholder, (whole, name: string | undefined) => {
    if (name === undefined) return whole;
    names.push(name);
    return dialect === 'sqlite' ? '?' : `$${names.length}`;
  });
  return { text: compiled, names };
}

/**
 * A hot statement written once and run without building a query: the text is compiled to the
 * dialect's placeholders once, and the driver reuses its prepared form (SQLite's statement cache,
 * PostgreSQL's named statements). `text` may differ per dialect.
 *
 * Placeholders are `?` with a list of parameters in their order (the default), or, with
 * `'named'`, `:name` with an object of parameters: then two dialects' texts that use the values
 * in different orders (or one value twice) take the same object, compiled to exactly the text a
 * `?` statement would send.
 */
export class Statement<
  Row = Record<string, unknown>,
  Parameters extends StatementParameters = readonly unknown[],
> {
  private readonly texts: { sqlite: string; postgres: string };
  /** For a named statement: the parameter each positional placeholder takes, per dialect. */
  private readonly names: { sqlite: readonly string[]; postgres: readonly string[] } | undefined;

  constructor(text: StatementText, placeholders: 'positional' | 'named' = 'positional') {
    const both = typeof text === 'string' ? { sqlite: text, postgres: text } : text;
    if (placeholders === 'named') {
      const sqlite = compileNamed(both.sqlite, 'sqlite');
      const postgres = compileNamed(both.postgres, 'postgres');
      this.texts = { sqlite: sqlite.text, postgres: postgres.text };
      this.names = { sqlite: sqlite.names, postgres: postgres.names };
      return;
    }
    let index = 0;
    this.texts = {
      sqlite: both.sqlite,
      postgres: both.postgres.replace(/\?/g, () => `$${++index}`),
    };
    this.names = undefined;
  }

  /** The text sent to the database of `dialect`. */
  textFor(dialect: Dialect): string {
    return this.texts[dialect];
  }

  async run(executor: AnyExecutor, dialect: Dialect, parameters: Parameters): Promise<Row[]> {
    const result = await executor.executeQuery<Row>(
      CompiledQuery.raw(this.texts[dialect], this.valuesFor(dialect, parameters)),
    );
    return result.rows;
  }

  async first(
    executor: AnyExecutor,
    dialect: Dialect,
    parameters: Parameters,
  ): Promise<Row | undefined> {
    return (await this.run(executor, dialect, parameters))[0];
  }

  private valuesFor(dialect: Dialect, parameters: Parameters): unknown[] {
    if (this.names === undefined) return [...(parameters as readonly unknown[])];
    if (Array.isArray(parameters)) throw new Error('a named statement takes an object');
    const named = parameters as Readonly<Record<string, unknown>>;
    return this.names[dialect].map((name) => {
      if (!Object.hasOwn(named, name)) throw new Error(`statement parameter :${name} is missing`);
      return named[name];
    });
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

/**
 * Throws (an `isStorageFull` error) while the database cannot take a write that needs new space;
 * resolves once it can. SQLite: one write transaction, queued with the others, that writes a
 * 64 KiB blob into a probe table of its own and deletes it again, so it needs fresh pages (or
 * free ones) and commits nothing. PostgreSQL: resolves (a full disk there fails the request's
 * own statement with 53100, and the server frees space by itself once its WAL is archived).
 */
export async function probeStorage<DB>(database: Database<DB>): Promise<void> {
  if (database.dialect !== 'sqlite') return;
  await writeTransaction(database, async (trx) => {
    await sql`create table if not exists tessera_storage_probe (filler blob)`.execute(trx);
    await sql`insert into tessera_storage_probe (filler) values (zeroblob(65536))`.execute(trx);
    await sql`delete from tessera_storage_probe`.execute(trx);
  });
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
