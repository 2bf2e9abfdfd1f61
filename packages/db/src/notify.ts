/**
 * PostgreSQL's LISTEN/NOTIFY as a transport between the instances of a service that share one
 * database: `notify` sends a payload on a channel (delivered when the sending statement's
 * transaction commits), `listen` keeps one dedicated connection listening and opens it again
 * whenever it drops. What travels and what it means is the caller's; SQLite is one process and
 * has no use for either.
 */
import pg from 'pg';
import { type Database, sql } from './index.ts';

/** PostgreSQL refuses NOTIFY payloads of 8,000 bytes or more. */
export const notifyPayloadBytesMax = 7_900;

/** A channel name PostgreSQL accepts unquoted: lower case, digits and underscores, 63 at most. */
export function channelName(prefix: string, schema: string) {
  const name = `${prefix}_${schema}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  return name.slice(0, 63);
}

export async function notify<DB>(database: Database<DB>, channel: string, payload: string) {
  if (database.dialect !== 'postgres') throw new Error('NOTIFY needs PostgreSQL');
  if (Buffer.byteLength(payload) > notifyPayloadBytesMax) {
    throw new Error(`a NOTIFY payload must stay under ${notifyPayloadBytesMax} bytes`);
  }
  await sql`select pg_notify(${channel}, ${payload})`.execute(database.db);
}

export interface Listener {
  /** Resolves once the connection listens (again resolved after a reconnect's first success). */
  readonly listening: Promise<void>;
  close(): Promise<void>;
}

export interface ListenOptions {
  readonly databaseUrl: string;
  readonly channel: string;
  readonly onMessage: (payload: string) => void;
  /** Told when the connection fails or cannot be opened; it is tried again after `retryMs`. */
  readonly onTrouble: (error: unknown, what: 'dropped' | 'cannot listen') => void;
  readonly retryMs?: number;
}

/** One connection of its own that listens on `channel`, reopened whenever it drops. */
export function listen(options: ListenOptions): Listener {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(options.channel)) {
    throw new Error(`invalid channel name: ${options.channel}`);
  }
  const retryMs = options.retryMs ?? 1_000;
  let closed = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  let markListening: () => void = () => {};
  const listening = new Promise<void>((resolve) => {
    markListening = resolve;
  });

  const drop = (dead: pg.Client) => {
    if (client === dead) client = undefined;
    dead.removeAllListeners('notification');
    dead.end().catch(() => {});
    if (!closed && retry === undefined && client === undefined) {
      retry = setTimeout(() => {
        retry = undefined;
        void connect();
      }, retryMs);
    }
  };
  const connect = async () => {
    if (closed) return;
    const next = new pg.Client({ connectionString: options.databaseUrl });
    next.on('notification', (message) => options.onMessage(message.payload ?? ''));
    next.on('error', (error) => {
      options.onTrouble(error, 'dropped');
      drop(next);
    });
    next.on('end', () => drop(next));
    try {
      await next.connect();
      await next.query(`listen ${options.channel}`);
      if (closed) {
        await next.end().catch(() => {});
        return;
      }
      client = next;
      markListening();
    } catch (error) {
      options.onTrouble(error, 'cannot listen');
      drop(next);
    }
  };
  void connect();

  return {
    listening,
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      const open = client;
      client = undefined;
      await open?.end().catch(() => {});
    },
  };
}
