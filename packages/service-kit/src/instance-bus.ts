/**
 * Several instances of a service behind one load balancer share one PostgreSQL database; what
 * one instance learns in memory the others must hear of (ARCHITECTURE §5): cache entries gone
 * stale, and whatever else a service adds (the ticketing server's admissions for the gates' live
 * feeds, revoked terminals, changed orders). PostgreSQL's LISTEN/NOTIFY carries them: signals
 * are batched for a few milliseconds into one NOTIFY on a channel per schema, and one dedicated
 * connection per instance listens.
 *
 * An instance hears its own envelopes back too; that echo is how `sendConfirmed` knows the
 * signal went round: PostgreSQL hands a notification to every listener at the same commit, so
 * once the sender has its copy the others have theirs (or are reading it off the socket). A
 * change that must be refused everywhere at once (a retired key, a revoked terminal) waits for
 * that before it answers. SQLite is one process and starts no bus.
 */
import { randomBytes } from 'node:crypto';
import type { Database } from '@tessera/db';
import { channelName, listen, notify, notifyPayloadBytesMax } from '@tessera/db/notify';

/** Signals wait this long to share a NOTIFY: one statement for a burst of admissions. */
const batchMs = 10;
/** A confirmed send gives up waiting for its echo after this long (the bus is down). */
const confirmTimeoutMs = 2_000;

interface Envelope<S> {
  /** The sending instance. */
  readonly from: string;
  /** The envelope's number at its sender, so the sender recognises its echo. */
  readonly n: number;
  readonly signals: readonly S[];
}

export interface InstanceBus<S> {
  readonly instanceId: string;
  /** Resolves once the listening connection is up (tests wait for it). */
  readonly listening: Promise<void>;
  /** Sends a signal to the other instances within a few milliseconds; never fails. */
  send(signal: S): void;
  /**
   * Sends at once and resolves when the signal has gone round (this instance heard its echo),
   * or after two seconds if the bus is down: the others then catch up on their own (TTL).
   */
  sendConfirmed(signal: S): Promise<void>;
  /**
   * Resolves once this instance has heard everything sent on the bus before the call: its own
   * empty envelope comes back after every notification committed earlier (PostgreSQL delivers
   * them to a listener in commit order).
   */
  sync(): Promise<void>;
  stop(): Promise<void>;
}

export interface BusLog {
  warn(object: object, message: string): void;
}

export interface InstanceBusOptions<S, DB> {
  readonly database: Database<DB>;
  readonly databaseUrl: string;
  /** Names the channel with the schema, so two systems on one cluster stay apart. */
  readonly channelPrefix: string;
  readonly schema: string;
  readonly log: BusLog;
  /** A signal from another instance (never this one's own). */
  readonly receive: (signal: S) => void;
}

export function busChannel(prefix: string, schema: string) {
  return channelName(prefix, schema);
}

export function startInstanceBus<S, DB>(options: InstanceBusOptions<S, DB>): InstanceBus<S> {
  const { database, log } = options;
  const instanceId = randomBytes(8).toString('hex');
  const channel = busChannel(options.channelPrefix, options.schema);
  let stopped = false;
  let sent = 0;
  const echoes = new Map<number, () => void>();

  let queue: { signal?: S; confirmed?: () => void }[] = [];
  let timer: NodeJS.Timeout | undefined;
  let sending: Promise<void> = Promise.resolve();
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const batch = queue;
    queue = [];
    if (batch.length === 0) return sending;
    sending = sending.then(async () => {
      for (const part of envelopes(instanceId, batch, () => ++sent)) {
        try {
          if (part.confirmed.length > 0) {
            echoes.set(part.envelope.n, () => {
              for (const confirm of part.confirmed) confirm();
            });
          }
          await notify(database, channel, JSON.stringify(part.envelope));
        } catch (error) {
          // The others catch up by themselves; a lost signal only costs latency.
          log.warn({ err: error }, 'instance bus: a signal could not be sent');
          // No echo will come: whoever waits for one learns now (the others catch up by TTL).
          echoes.get(part.envelope.n)?.();
          echoes.delete(part.envelope.n);
        }
      }
    });
    return sending;
  };

  const receive = (payload: string) => {
    let envelope: Envelope<S>;
    try {
      envelope = JSON.parse(payload) as Envelope<S>;
    } catch {
      return;
    }
    if (!Array.isArray(envelope.signals)) return;
    if (envelope.from === instanceId) {
      const confirm = echoes.get(envelope.n);
      echoes.delete(envelope.n);
      confirm?.();
      return;
    }
    for (const signal of envelope.signals) options.receive(signal);
  };
  const listener = listen({
    databaseUrl: options.databaseUrl,
    channel,
    onMessage: receive,
    onTrouble: (error, what) =>
      log.warn(
        { err: error },
        what === 'dropped'
          ? 'instance bus: the listening connection failed; reconnecting'
          : 'instance bus: cannot listen yet; retrying',
      ),
  });

  /** Queues `signal` (or nothing, for a barrier) and resolves when its echo comes back. */
  const confirmed = (signal: S | undefined) => {
    if (stopped) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(giveUp);
        resolve();
      };
      const giveUp = setTimeout(done, confirmTimeoutMs);
      giveUp.unref();
      queue.push(signal === undefined ? { confirmed: done } : { signal, confirmed: done });
      void flush();
    });
  };

  return {
    instanceId,
    listening: listener.listening,
    send(signal) {
      if (stopped) return;
      queue.push({ signal });
      timer ??= setTimeout(flush, batchMs);
    },
    sendConfirmed(signal) {
      return confirmed(signal);
    },
    sync() {
      return confirmed(undefined);
    },
    async stop() {
      stopped = true;
      await flush();
      for (const confirm of echoes.values()) confirm();
      echoes.clear();
      await listener.close();
    },
  };
}

/** The batch as envelopes, each under PostgreSQL's payload limit. */
function envelopes<S>(
  from: string,
  batch: readonly { signal?: S; confirmed?: () => void }[],
  next: () => number,
) {
  const out: { envelope: Envelope<S>; confirmed: (() => void)[] }[] = [];
  // The envelope around the signals, with room for the largest envelope number.
  const frame = Buffer.byteLength(
    JSON.stringify({ from, n: Number.MAX_SAFE_INTEGER, signals: [] }),
  );
  let signals: S[] = [];
  let confirmed: (() => void)[] = [];
  let bytes = frame;
  const close = () => {
    if (signals.length === 0 && confirmed.length === 0) return;
    out.push({ envelope: { from, n: next(), signals }, confirmed });
    signals = [];
    confirmed = [];
    bytes = frame;
  };
  for (const item of batch) {
    if (item.signal !== undefined) {
      // Each signal adds its JSON and a comma.
      const added = Buffer.byteLength(JSON.stringify(item.signal)) + 1;
      if (signals.length > 0 && bytes + added > notifyPayloadBytesMax) close();
      signals.push(item.signal);
      bytes += added;
    }
    if (item.confirmed) confirmed.push(item.confirmed);
  }
  close();
  return out;
}
