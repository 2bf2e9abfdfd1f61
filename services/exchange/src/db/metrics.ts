/**
 * The reads behind GET /metrics: the outbox's webhook deliveries by state. The queries count
 * over the (status, next_attempt_at) index.
 */
import type { Kysely } from 'kysely';
import type { ExchangeDB } from './schema.ts';

export interface OutboxFigures {
  /** Deliveries not yet made (due now or waiting for their next retry). */
  readonly pending: number;
  /** When the oldest pending delivery was created, or null when none is pending. */
  readonly oldestPendingAt: number | null;
  /** Pending deliveries due now and not being sent. */
  readonly due: number;
  /** Deliveries given up on after their last attempt. */
  readonly failed: number;
}

export async function outboxFigures(db: Kysely<ExchangeDB>, now: number): Promise<OutboxFigures> {
  const pendingRow = await db
    .selectFrom('webhook_deliveries')
    .select((eb) => [eb.fn.countAll().as('n'), eb.fn.min('created_at').as('oldest')])
    .where('status', '=', 'pending')
    .executeTakeFirst();
  const dueRow = await db
    .selectFrom('webhook_deliveries')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', now)
    .where('locked_until', '<=', now)
    .executeTakeFirst();
  const failedRow = await db
    .selectFrom('webhook_deliveries')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('status', '=', 'failed')
    .executeTakeFirst();
  const oldest = pendingRow?.oldest;
  return {
    pending: Number(pendingRow?.n ?? 0),
    oldestPendingAt: oldest === null || oldest === undefined ? null : Number(oldest),
    due: Number(dueRow?.n ?? 0),
    failed: Number(failedRow?.n ?? 0),
  };
}
