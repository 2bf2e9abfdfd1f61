/**
 * Several ticketing instances behind one load balancer share one PostgreSQL database; what one
 * instance learns in memory the others must hear of: admissions for the terminals' live feeds
 * (a gate connected to instance A must see what a gate on instance B admitted within a second),
 * terminal revocations (an open feed ends at once, the credential cache forgets it) and order
 * changes (a long poll waiting on another instance wakes). PostgreSQL's LISTEN/NOTIFY carries
 * them: signals are batched for a few milliseconds into one NOTIFY on a channel per schema, and
 * one dedicated connection per instance listens, skipping its own.
 *
 * Nothing depends on the bus for correctness: a feed that reconnects replays from the database
 * (Last-Event-ID), a long poll re-reads its order on its own, and a revoked terminal is refused by
 * the database within a second (auth.ts). The bus makes those immediate across instances. SQLite
 * is one process, so it needs none.
 */
import { randomBytes } from 'node:crypto';
import { sql } from '@tessera/db';
import type { FastifyBaseLogger } from 'fastify';
import pg from 'pg';
import type { InstanceSignal, SignalRelay, Ticketing } from './context.ts';

/** Signals wait this long to share a NOTIFY: one statement for a burst of admissions. */
const batchMs = 10;
/** PostgreSQL refuses payloads of 8,000 bytes or more; a batch stays well under. */
const payloadMaxBytes = 7_000;
const reconnectMs = 1_000;

interface Envelope {
  /** The sending instance, so it skips its own. */
  readonly from: string;
  readonly signals: readonly InstanceSignal[];
}

export interface InstanceBus {
  readonly instanceId: string;
  /** Resolves once the listening connection is up (tests wait for it). */
  readonly listening: Promise<void>;
  stop(): Promise<void>;
}

/** One channel per deployment: the schema names it, so two systems on one cluster stay apart. */
export function busChannel(schema: string) {
  return `tessera_${schema}`.slice(0, 63);
}

export function startInstanceBus(
  ticketing: Ticketing,
  log: Pick<FastifyBaseLogger, 'warn' | 'info'>,
): InstanceBus | undefined {
  const { config, database } = ticketing;
  if (database.dialect !== 'postgres' || !config.databaseUrl) return undefined;
  const instanceId = randomBytes(8).toString('hex');
  const channel = busChannel(database.schema ?? config.databaseSchema);
  let stopped = false;

  // Sending: batched, in order, one NOTIFY at a time.
  let queue: InstanceSignal[] = [];
  let timer: NodeJS.Timeout | undefined;
  let sending: Promise<void> = Promise.resolve();
  const flush = () => {
    timer = undefined;
    const batch = queue;
    queue = [];
    if (batch.length === 0) return sending;
    sending = sending.then(async () => {
      for (const payload of payloads(instanceId, batch)) {
        try {
          await sql`select pg_notify(${channel}, ${payload})`.execute(database.db);
        } catch (error) {
          // The others catch up by themselves (see above); a lost signal only costs latency.
          log.warn({ err: error }, 'instance bus: a signal could not be sent');
        }
      }
    });
    return sending;
  };
  const relay: SignalRelay = {
    send(signal) {
      if (stopped) return;
      queue.push(signal);
      timer ??= setTimeout(flush, batchMs);
    },
  };

  // Listening: one connection of its own, opened again whenever it drops.
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  let markListening: () => void = () => {};
  const listening = new Promise<void>((resolve) => {
    markListening = resolve;
  });
  const receive = (payload: string | undefined) => {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(payload ?? '') as Envelope;
    } catch {
      return;
    }
    if (envelope.from === instanceId || !Array.isArray(envelope.signals)) return;
    for (const signal of envelope.signals) apply(ticketing, signal);
  };
  const connect = async () => {
    if (stopped) return;
    const next = new pg.Client({ connectionString: config.databaseUrl });
    next.on('notification', (message) => receive(message.payload));
    next.on('error', (error) => {
      log.warn({ err: error }, 'instance bus: the listening connection failed; reconnecting');
      drop(next);
    });
    next.on('end', () => drop(next));
    try {
      await next.connect();
      await next.query(`listen ${channel}`);
      if (stopped) {
        await next.end().catch(() => {});
        return;
      }
      client = next;
      markListening();
    } catch (error) {
      log.warn({ err: error }, 'instance bus: cannot listen yet; retrying');
      drop(next);
    }
  };
  const drop = (dead: pg.Client) => {
    if (client === dead) client = undefined;
    dead.removeAllListeners('notification');
    dead.end().catch(() => {});
    if (!stopped && retry === undefined && client === undefined) {
      retry = setTimeout(() => {
        retry = undefined;
        void connect();
      }, reconnectMs);
    }
  };
  void connect();

  ticketing.gates.relay = relay;
  ticketing.orders.relay = relay;
  return {
    instanceId,
    listening,
    async stop() {
      stopped = true;
      if (ticketing.gates.relay === relay) ticketing.gates.relay = undefined;
      if (ticketing.orders.relay === relay) ticketing.orders.relay = undefined;
      if (timer) clearTimeout(timer);
      if (retry) clearTimeout(retry);
      await flush();
      const open = client;
      client = undefined;
      await open?.end().catch(() => {});
    },
  };
}

/** The batch as NOTIFY payloads, each under PostgreSQL's limit. */
function payloads(from: string, signals: readonly InstanceSignal[]) {
  const out: string[] = [];
  let current: InstanceSignal[] = [];
  const wrap = (batch: InstanceSignal[]) => JSON.stringify({ from, signals: batch });
  for (const signal of signals) {
    current.push(signal);
    if (Buffer.byteLength(wrap(current)) > payloadMaxBytes && current.length > 1) {
      current.pop();
      out.push(wrap(current));
      current = [signal];
    }
  }
  if (current.length > 0) out.push(wrap(current));
  return out;
}

/** A signal from another instance, applied here without sending it on. */
function apply(ticketing: Ticketing, signal: InstanceSignal) {
  switch (signal.kind) {
    case 'admission':
      ticketing.gates.deliver(signal.admission);
      break;
    case 'revoked':
      ticketing.gates.revokedHere(signal.terminalId);
      break;
    case 'order':
      ticketing.orders.changedHere(signal.orderId);
      break;
  }
}
