/**
 * The merchant's webhook delivery log: every delivery with its state, each one's attempts, and
 * redelivery, which makes a delivery due again now (with the whole retry schedule again when it
 * had ended).
 */
import type { Exchange, Work } from '../context.ts';
import { conflict, notFound } from '../errors.ts';
import { iso } from '../schemas.ts';
import {
  attemptsOf,
  type DeliveryChanges,
  type DeliveryRecord,
  type DeliveryStatus,
  deliveriesOf,
  deliveryOf,
  updateDelivery,
  webhookUrlOf,
} from './repository.ts';

function deliveryView(row: DeliveryRecord) {
  return {
    id: row.id,
    eventId: row.notification_id,
    eventType: row.type,
    eventSeq: row.seq,
    url: row.url,
    status: row.status,
    attempts: row.attempts,
    lastStatus: row.last_status,
    lastError: row.last_error,
    nextAttemptAt: row.status === 'pending' ? iso(row.next_attempt_at) : null,
    deliveredAt: iso(row.delivered_at),
    createdAt: iso(row.created_at) as string,
  };
}

/** The caller's delivery, or 404: another merchant's deliveries do not exist for it. */
async function ownDelivery(executor: Work['trx'], subscriberId: string, id: string) {
  const row = await deliveryOf(executor, subscriberId, id);
  if (!row) throw notFound('webhook delivery');
  return row;
}

/** A page of the subscriber's deliveries, newest event first, and the cursor of the next. */
export async function listDeliveries(
  exchange: Exchange,
  subscriberId: string,
  query: {
    status?: DeliveryStatus | undefined;
    before?: number | undefined;
    limit?: number | undefined;
  },
) {
  const limit = query.limit ?? 50;
  const rows = await deliveriesOf(exchange.database.db, subscriberId, {
    status: query.status,
    before: query.before,
    rows: limit + 1,
  });
  const page = rows.slice(0, limit);
  return {
    deliveries: page.map(deliveryView),
    nextBefore: rows.length > limit ? (page.at(-1)?.seq ?? null) : null,
  };
}

/** One delivery with every attempt made for it. */
export async function deliveryWithAttempts(exchange: Exchange, subscriberId: string, id: string) {
  const db = exchange.database.db;
  const row = await ownDelivery(db, subscriberId, id);
  const attempts = await attemptsOf(db, row.id);
  return {
    ...deliveryView(row),
    attemptLog: attempts.map((attempt) => ({
      attempt: attempt.attempt,
      at: iso(attempt.at) as string,
      statusCode: attempt.status_code,
      error: attempt.error,
      durationMs: attempt.duration_ms,
    })),
  };
}

/**
 * Makes a delivery due now. A delivered or failed one becomes pending with its attempt count
 * reset, so it gets the whole retry schedule again; a pending one is just made due now. It
 * goes to the current URL with the current secret, so there must be one.
 */
export async function redeliver({ trx, now }: Work, subscriberId: string, id: string) {
  const row = await ownDelivery(trx, subscriberId, id);
  const url = await webhookUrlOf(trx, subscriberId);
  if (!url) throw conflict('no_webhook', 'set a webhook URL before redelivering');
  const changes: DeliveryChanges =
    row.status === 'pending'
      ? { next_attempt_at: now }
      : {
          status: 'pending' as const,
          attempts: 0,
          next_attempt_at: now,
          locked_until: 0,
          delivered_at: null,
        };
  await updateDelivery(trx, row.id, changes);
  return deliveryView({ ...row, ...changes });
}
