/**
 * The PostgreSQL client the pool makes, and the pool as Kysely sees it: every connection has an
 * error listener for its whole life, and one that died goes back to the pool as broken.
 */
import pg from 'pg';

/**
 * The pool Kysely checks connections out of. A client that dies while checked out (its backend
 * terminated mid-transaction or between two queries) is released with the error that killed it,
 * so the pool ends it instead of keeping it, and the next checkout opens a fresh connection.
 */
export function guardedPool(pool: pg.Pool) {
  return {
    async connect() {
      const client = (await pool.connect()) as PreparingClient & pg.PoolClient;
      const release = client.release;
      client.release = (error?: Error | boolean) => release(error ?? client.lost);
      return client;
    },
    end: () => pool.end(),
  };
}

/** How long opening a connection may take before it fails as unavailable. */
const connectTimeoutMs = 5_000;

/**
 * A pg client that prepares every parameterised statement once per connection (a named
 * statement keyed by its text), so PostgreSQL parses and plans it once instead of on every call.
 * The same SQL text always names the same statement; a connection keeps at most a few hundred.
 */
export class PreparingClient extends pg.Client {
  private readonly prepared = new Set<string>();
  /** Why the connection died, once it has: the pool must not hand it out again. */
  lost: Error | undefined;

  // biome-ignore lint/suspicious/noExplicitAny: pg's client configuration.
  constructor(config?: any) {
    // A server that does not answer fails the connect after 5 s (or the pool's own bound, as
    // the readiness pool's) instead of holding the request.
    super({
      ...config,
      connectionTimeoutMillis: config?.connectionTimeoutMillis ?? connectTimeoutMs,
    });
    // A terminated backend emits 'error' whether or not a query runs; with no listener that is
    // an uncaught exception that ends the process. Queries in flight fail on their own.
    this.on('error', (error: Error) => {
      this.lost ??= error;
    });
  }

  // biome-ignore lint/suspicious/noExplicitAny: mirrors pg's overloaded query signature.
  override query(config: any, values?: any, callback?: any): any {
    if (
      typeof config === 'string' &&
      Array.isArray(values) &&
      values.length > 0 &&
      config.length < 4000
    ) {
      const name = statementName(config);
      if (this.prepared.has(name) || this.prepared.size < 500) {
        this.prepared.add(name);
        return super.query({ name, text: config, values }, callback);
      }
    }
    return super.query(config, values, callback);
  }
}

const statementNames = new Map<string, string>();

function statementName(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    // FNV-1a, 52 bits: distinct texts get distinct names for any realistic statement count.
    let hash = 0xcbf29ce484222325n;
    for (let i = 0; i < text.length; i++) {
      hash ^= BigInt(text.charCodeAt(i));
      hash = (hash * 0x100000001b3n) & 0xfffffffffffffn;
    }
    name = `k${hash.toString(36)}`;
    if (statementNames.size > 10_000) statementNames.clear();
    statementNames.set(text, name);
  }
  return name;
}
