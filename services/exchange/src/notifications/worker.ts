/**
 * The webhook delivery worker: drains the outbox that `writeNotifications` fills in the same
 * transaction as each journal entry.
 *
 * A delivery is claimed by leasing it (`locked_until = now + lease`) in a short write transaction
 * (PostgreSQL: `for update skip locked`; SQLite: the write transaction is already exclusive), so
 * several exchange processes on one database never post the same row at once. The POST happens
 * outside any transaction. The outcome is recorded only while the lease is still ours. A worker
 * that dies mid-delivery leaves the row pending and leased; when the lease runs out another
 * worker (or the same one, restarted) claims it again: delivery is at least once, and receivers
 * dedupe by event id.
 *
 * Each attempt goes to the merchant's CURRENT url with the CURRENT secret, not the url stored
 * when the event happened: a merchant who moves the endpoint or rotates the secret gets the
 * backlog at the new place, signed with the secret it now holds. The delivery row's url is
 * updated to where the last attempt went, so the delivery log shows it.
 */
import { writeTransaction } from '@tessera/db';
import type { Worker } from '@tessera/service-kit/worker';
import type { FastifyBaseLogger } from 'fastify';
import type { Exchange } from '../context.ts';
import {
  type DeliveryToSend,
  deliveriesToSend,
  dueDeliveryIds,
  failLeasedDelivery,
  insertAttempt,
  leaseDeliveries,
  recordDeliveryOutcome,
} from './repository.ts';
import {
  type AttemptResult,
  attemptDelivery,
  decryptSecret,
  retryDelayMs,
  truncate,
} from './webhooks.ts';

export interface WebhookWorkerOptions {
  /**
   * Deliveries claimed per round (default 20, for tests that drive the worker by hand; the
   * running exchange passes EXCHANGE_WEBHOOK_BATCH, 128 by default: workers/index.ts).
   */
  readonly batchSize?: number;
  /** Requests in flight at once (default 8; the exchange passes EXCHANGE_WEBHOOK_CONCURRENCY, 32). */
  readonly concurrency?: number;
  /** How long a claim holds; default: enough for every request of a batch to time out, plus a minute. */
  readonly leaseMs?: number;
  /** Idle poll interval in real milliseconds (default 1000); commits wake the worker sooner. */
  readonly pollMs?: number;
  /** false: no background loop, only `runOnce()` (tests drive it by hand). Default true. */
  readonly loop?: boolean;
  /** Jitter source for the retry delay (tests pin it). */
  readonly random?: () => number;
}

export interface RunSummary {
  readonly claimed: number;
  readonly delivered: number;
  /** Failed this time; another attempt is scheduled. */
  readonly retrying: number;
  /** Gave up: the last allowed attempt failed, or the merchant has no webhook any more. */
  readonly failed: number;
}

export interface WebhookWorker extends Worker {
  /** One round: claim what is due, deliver it, record it. Rounds never overlap. */
  runOnce(): Promise<RunSummary>;
  readonly leaseMs: number;
}

/** A leased delivery with what is needed to send it. */
export interface ClaimedDelivery extends DeliveryToSend {
  /** The `locked_until` this claim set: the record step only writes while it is unchanged. */
  readonly lease: number;
}

/** Leases up to `limit` due deliveries. Exported so tests can play a worker that crashes. */
export async function claimDueDeliveries(
  exchange: Exchange,
  limit: number,
  leaseMs: number,
): Promise<ClaimedDelivery[]> {
  const { database } = exchange;
  return writeTransaction(database, async (trx) => {
    const now = exchange.clock.now();
    // Another instance's claim in progress is skipped, not waited for.
    const ids = await dueDeliveryIds(trx, database.dialect, now, limit);
    if (ids.length === 0) return [];
    const lease = now + leaseMs;
    await leaseDeliveries(trx, ids, lease);
    const rows = await deliveriesToSend(trx, ids);
    return rows.map((row) => ({ ...row, lease }));
  });
}

type Outcome = 'delivered' | 'retrying' | 'failed';

/** What one worker's deliveries need: the exchange, its log and the retry jitter. */
interface Sender {
  readonly exchange: Exchange;
  readonly log: FastifyBaseLogger;
  readonly random: () => number;
}

/** Logs the attempt and writes its outcome on the delivery, if the lease is still ours. */
async function record(
  { exchange, log, random }: Sender,
  claim: ClaimedDelivery,
  url: string,
  startedAt: number,
  result: AttemptResult,
): Promise<Outcome> {
  const { config, database, clock } = exchange;
  const attempt = claim.attempts + 1;
  const outcome = result.ok
    ? 'delivered'
    : attempt >= config.webhookMaxAttempts
      ? 'failed'
      : 'retrying';
  const written = await writeTransaction(database, async (trx) => {
    const now = clock.now();
    await insertAttempt(trx, {
      delivery_id: claim.id,
      attempt,
      at: startedAt,
      status_code: result.statusCode,
      error: result.error === null ? null : truncate(result.error),
      duration_ms: result.durationMs,
    });
    const updated = await recordDeliveryOutcome(trx, claim.id, claim.lease, {
      status: outcome === 'retrying' ? 'pending' : outcome,
      attempts: attempt,
      url,
      last_status: result.statusCode,
      last_error: result.error,
      next_attempt_at: outcome === 'retrying' ? now + retryDelayMs(attempt, random) : now,
      locked_until: 0,
      ...(outcome === 'delivered' ? { delivered_at: now } : {}),
    });
    return updated === 1;
  });
  if (!written) {
    // The lease ran out mid-attempt and someone else claimed the row; the attempt is logged,
    // the row is theirs now, and the event may arrive twice (receivers dedupe by id).
    log.warn(
      { delivery: claim.id },
      'webhook delivery lease expired before its result was recorded',
    );
  }
  return outcome;
}

/** The merchant removed its webhook after the event: nowhere to send it, so it fails now. */
async function giveUp(exchange: Exchange, claim: ClaimedDelivery, reason: string) {
  await writeTransaction(exchange.database, (trx) =>
    failLeasedDelivery(trx, claim.id, claim.lease, reason),
  );
  return 'failed' as const;
}

/** One attempt of a claimed delivery, to the merchant's current URL, recorded. */
async function deliver(sender: Sender, claim: ClaimedDelivery): Promise<Outcome> {
  const { exchange, log } = sender;
  const { config, clock } = exchange;
  if (!claim.currentUrl || !claim.encryptedSecret)
    return giveUp(exchange, claim, 'no webhook configured');
  const url = claim.currentUrl;
  const startedAt = clock.now();
  let secret: string;
  try {
    secret = decryptSecret(config.secretKeys, claim.encryptedSecret, claim.subscriberId);
  } catch {
    // Retried like a failed request: an operator who fixes EXCHANGE_SECRET_KEY loses nothing.
    log.error({ delivery: claim.id }, 'cannot decrypt a webhook secret');
    return record(sender, claim, url, startedAt, {
      ok: false,
      statusCode: null,
      error: 'cannot decrypt the webhook secret',
      durationMs: 0,
    });
  }
  const result = await attemptDelivery({
    url,
    secret,
    eventId: claim.notificationId,
    body: claim.payload,
    timestampS: Math.floor(startedAt / 1000),
    timeoutMs: config.webhookTimeoutMs,
    transport: exchange.webhooks,
  });
  return record(sender, claim, url, startedAt, result);
}

/** Delivers the claims with at most `concurrency` requests in flight; counts the outcomes. */
async function deliverAll(
  sender: Sender,
  claims: readonly ClaimedDelivery[],
  concurrency: number,
): Promise<RunSummary> {
  const counts = { claimed: claims.length, delivered: 0, retrying: 0, failed: 0 };
  let next = 0;
  const lane = async () => {
    while (next < claims.length) {
      const claim = claims[next++] as ClaimedDelivery;
      try {
        counts[await deliver(sender, claim)] += 1;
      } catch (error) {
        // A database error while recording: the lease keeps the row pending, so it is retried
        // once the lease runs out.
        sender.log.error(
          { err: error, delivery: claim.id },
          'webhook delivery could not be recorded',
        );
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, claims.length) }, lane));
  return counts;
}

/**
 * The worker's sleep between rounds: `pollMs`, ended early by `wake` (a commit wrote
 * deliveries); a wake while a round runs makes the next sleep return at once.
 */
function alarm(pollMs: number) {
  let woken = false;
  let stopping = false;
  let interrupt: (() => void) | undefined;
  const wake = () => {
    woken = true;
    interrupt?.();
  };
  return {
    wake,
    stop() {
      stopping = true;
    },
    get stopping() {
      return stopping;
    },
    idle: () =>
      new Promise<void>((resolve) => {
        if (woken || stopping) {
          woken = false;
          resolve();
          return;
        }
        const done = () => {
          clearTimeout(timer);
          interrupt = undefined;
          woken = false;
          resolve();
        };
        const timer = setTimeout(done, pollMs);
        interrupt = done;
      }),
  };
}

export function startWebhookWorker(
  exchange: Exchange,
  log: FastifyBaseLogger,
  options: WebhookWorkerOptions = {},
): WebhookWorker {
  const { config, hub } = exchange;
  const batchSize = options.batchSize ?? 20;
  const concurrency = Math.max(1, options.concurrency ?? 8);
  const leaseMs =
    options.leaseMs ??
    Math.ceil(batchSize / concurrency) * config.webhookTimeoutMs + config.webhookLeaseMarginMs;
  const sender: Sender = { exchange, log, random: options.random ?? Math.random };

  const round = async () =>
    deliverAll(sender, await claimDueDeliveries(exchange, batchSize, leaseMs), concurrency);
  let chain: Promise<unknown> = Promise.resolve();
  function runOnce(): Promise<RunSummary> {
    const run = chain.then(round);
    chain = run.catch(() => {});
    return run;
  }

  const sleep = alarm(options.pollMs ?? 1_000);
  const previous = hub.onCommitted;
  const onCommitted = () => {
    previous?.();
    sleep.wake();
  };
  let looping: Promise<void> = Promise.resolve();
  if (options.loop !== false) {
    hub.onCommitted = onCommitted;
    looping = (async () => {
      while (!sleep.stopping) {
        let claimed = 0;
        try {
          claimed = (await runOnce()).claimed;
        } catch (error) {
          log.error({ err: error }, 'webhook worker round failed');
        }
        // A full batch means more may be due already: go again without waiting.
        if (!sleep.stopping && claimed < batchSize) await sleep.idle();
      }
    })();
  }

  return {
    runOnce,
    leaseMs,
    async stop() {
      sleep.stop();
      if (hub.onCommitted === onCommitted) hub.onCommitted = previous;
      sleep.wake();
      await looping;
      // In-flight requests finish (each bounded by the timeout) and are recorded before we return.
      await chain;
    },
  };
}
