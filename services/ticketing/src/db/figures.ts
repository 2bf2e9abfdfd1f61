/**
 * The counts GET /metrics reports (metrics.ts), read when scraped. Each is a count over an
 * index, so a scrape stays cheap during an on-sale; the thresholds are the caller's.
 */
import type { Trx } from '../context.ts';
import type { OrderStatus } from './schema.ts';

const count = async (query: Promise<{ n: number | string | bigint } | undefined>) =>
  Number((await query)?.n ?? 0);

/** Holds in force at `now`. */
export function activeHoldCount(db: Trx, now: number): Promise<number> {
  return count(
    db
      .selectFrom('holds')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('status', '=', 'active')
      .where('expires_at', '>', now)
      .executeTakeFirst(),
  );
}

/** Orders by status (statuses without orders are absent). */
export async function orderCountsByStatus(
  db: Trx,
): Promise<{ status: OrderStatus; count: number }[]> {
  const rows = await db
    .selectFrom('orders')
    .select((eb) => ['status', eb.fn.countAll().as('n')])
    .groupBy('status')
    .execute();
  return rows.map((row) => ({ status: row.status, count: Number(row.n) }));
}

/**
 * Admissions recorded, duplicates included, by direction (a direction without any is absent).
 * Like the total it replaces, it reads the whole table (no index on direction), once per cache
 * period of the metrics.
 */
export async function admissionCountsByDirection(
  db: Trx,
): Promise<{ direction: 'entry' | 'exit'; count: number }[]> {
  const rows = await db
    .selectFrom('admissions')
    .select((eb) => ['direction', eb.fn.countAll().as('n')])
    .groupBy('direction')
    .execute();
  return rows.map((row) => ({ direction: row.direction, count: Number(row.n) }));
}

/** Orders still creating their payment request created at or before `createdBy`. */
export function creatingOrderCount(db: Trx, createdBy: number): Promise<number> {
  return count(
    db
      .selectFrom('orders')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('status', '=', 'creating')
      .where('created_at', '<=', createdBy)
      .executeTakeFirst(),
  );
}

/** Orders awaiting payment whose payment window closed by `now`. */
export function lapsedOrderCount(db: Trx, now: number): Promise<number> {
  return count(
    db
      .selectFrom('orders')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('status', '=', 'awaiting_payment')
      .where('pay_expires_at', '<=', now)
      .executeTakeFirst(),
  );
}

/** Orders awaiting payment, still in their window at `now`, not updated since `updatedBy`. */
export function quietOrderCount(db: Trx, now: number, updatedBy: number): Promise<number> {
  return count(
    db
      .selectFrom('orders')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('status', '=', 'awaiting_payment')
      .where('pay_expires_at', '>', now)
      .where('updated_at', '<=', updatedBy)
      .executeTakeFirst(),
  );
}

/** Refunds pending whose next attempt is due at `now`. */
export function dueRefundCount(db: Trx, now: number): Promise<number> {
  return count(
    db
      .selectFrom('refunds')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .executeTakeFirst(),
  );
}
