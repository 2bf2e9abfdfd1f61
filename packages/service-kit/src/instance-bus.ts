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
  const { log } = options;
  const instanceId = randomBytes(8).toString('hex');
  const channel = busChannel(options.channelPrefix, options.schema);
  const sender = new Sender<S, DB>(options.database, channel, instanceId, log);
  const listener = listen({
    databaseUrl: options.databaseUrl,
    channel,
    onMessage: (payload) => {
      const envelope = parseEnvelope<S>(payload);
      if (!envelope) return;
      if (envelope.from === instanceId) sender.echoed(envelope.n);
      else for (const signal of envelope.signals) options.receive(signal);
    },
    onTrouble: (error, what) =>
      log.warn(
        { err: error },
        what === 'dropped'
          ? 'instance bus: the listening connection failed; reconnecting'
          : 'instance bus: cannot listen yet; retrying',
      ),
  });
  return {
    instanceId,
    listening: listener.listening,
    send: (signal) => sender.send(signal),
    sendConfirmed: (signal) => sender.confirmed(signal),
    sync: () => sender.confirmed(undefined),
    async stop() {
      await sender.stop();
      await listener.close();
    },
  };
}

function parseEnvelope<S>(payload: string): Envelope<S> | undefined {
  try {
    const envelope = JSON.parse(payload) as Envelope<S>;
    return typeof envelope.from === 'string' && Array.isArray(envelope.signals)
      ? envelope
      : undefined;
  } catch {
    return undefined;
  }
}

/** Sends signals in batches, one NOTIFY at a time, and tells waiters when their echo is back. */
class Sender<S, DB> {
  private stopped = false;
  private sent = 0;
  private readonly echoes = new Map<number, () => void>();
  private queue: { signal?: S; confirmed?: () => void }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> = Promise.resolve();

  constructor(
    private readonly database: Database<DB>,
    private readonly channel: string,
    private readonly instanceId: string,
    private readonly log: BusLog,
  ) {}

  send(signal: S) {
    if (this.stopped) return;
    this.queue.push({ signal });
    this.timer ??= setTimeout(() => void this.flush(), batchMs);
  }

  /** Queues `signal` (or nothing, for a barrier) and resolves when its echo comes back. */
  confirmed(signal: S | undefined): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(giveUp);
        resolve();
      };
      const giveUp = setTimeout(done, confirmTimeoutMs);
      giveUp.unref();
      this.queue.push(signal === undefined ? { confirmed: done } : { signal, confirmed: done });
      void this.flush();
    });
  }

  /** This instance's own envelope `n` came back. */
  echoed(n: number) {
    const confirm = this.echoes.get(n);
    this.echoes.delete(n);
    confirm?.();
  }

  async stop() {
    this.stopped = true;
    await this.flush();
    for (const confirm of this.echoes.values()) confirm();
    this.echoes.clear();
  }

  private flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return this.sending;
    this.sending = this.sending.then(async () => {
      for (const part of envelopes(this.instanceId, batch, () => ++this.sent)) {
        await this.notify(part);
      }
    });
    return this.sending;
  }

  private async notify(part: { envelope: Envelope<S>; confirmed: (() => void)[] }) {
    const { n } = part.envelope;
    try {
      if (part.confirmed.length > 0) {
        this.echoes.set(n, () => {
          for (const confirm of part.confirmed) confirm();
        });
      }
      await notify(this.database, this.channel, JSON.stringify(part.envelope));
    } catch (error) {
      // The others catch up by themselves (TTL); a lost signal only costs latency. No echo will
      // come, so whoever waits for one learns now.
      this.log.warn({ err: error }, 'instance bus: a signal could not be sent');
      this.echoed(n);
    }
  }
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
