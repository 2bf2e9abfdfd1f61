/**
 * The SQL of orders (S120 to S150): the hold an order is made from, the order and its lines, the
 * payment request recorded on it, the settlement's writes (seats sold, quotas moved, the hold
 * converted, the order issued or refunded), the refunds queued for the exchange, the exchange's
 * webhook events, and the reads of the reconciliation worker. The purchase path is benchmarked:
 * every statement here is as it was when it sat in the service, one round trip each.
 */
import { sql } from '@tessera/db';
import type { Trx } from '../context.ts';
import type {
  CategoriesTable,
  HoldsTable,
  OrderLinesTable,
  OrdersTable,
  PerformancesTable,
  RefundsTable,
  SeatsTable,
  TicketsTable,
  WebhookEventsTable,
} from '../db/schema.ts';

// --- Placing an order -------------------------------------------------------------------------

/** A buyer's hold with what an order for it needs, and the order already made for it if any. */
export interface HoldToOrder extends HoldsTable {
  organizer_id: string;
  event_name: string;
  performance_status: PerformancesTable['status'];
  order_id: string | null;
  /** The named device, when it is the buyer's and not revoked. */
  device_id: string | null;
}

/** The hold with its event, performance, device and any order already made for it, in one read. */
export function holdToOrder(
  db: Trx,
  holdId: string,
  userId: string,
  deviceId: string,
): Promise<HoldToOrder | undefined> {
  return db
    .selectFrom('holds as h')
    .innerJoin('events as e', 'e.id', 'h.event_id')
    .innerJoin('performances as p', 'p.id', 'h.performance_id')
    .leftJoin('orders as o', 'o.hold_id', 'h.id')
    .leftJoin('devices as d', (join) =>
      join
        .on('d.id', '=', deviceId)
        .onRef('d.user_id', '=', 'h.user_id')
        .on('d.revoked_at', 'is', null),
    )
    .selectAll('h')
    .select([
      'e.organizer_id',
      'e.name as event_name',
      'p.status as performance_status',
      'o.id as order_id',
      'd.id as device_id',
    ])
    .where('h.id', '=', holdId)
    .where('h.user_id', '=', userId)
    .executeTakeFirst();
}

/** A hold's line with its category's price and its seat's labels. */
export interface PricedLine {
  line_no: number;
  category_id: string;
  seat_id: string | null;
  category: string;
  pricing: CategoriesTable['pricing'];
  price_asset: string;
  price_amount: string;
  section: SeatsTable['section'] | null;
  row_label: SeatsTable['row_label'] | null;
  number: SeatsTable['number'] | null;
}

export function pricedLinesOfHold(db: Trx, holdId: string): Promise<PricedLine[]> {
  return db
    .selectFrom('hold_items as h')
    .innerJoin('categories as c', 'c.id', 'h.category_id')
    .leftJoin('seats as s', 's.id', 'h.seat_id')
    .select([
      'h.line_no',
      'h.category_id',
      'h.seat_id',
      'c.name as category',
      'c.pricing',
      'c.price_asset',
      'c.price_amount',
      's.section',
      's.row_label',
      's.number',
    ])
    .where('h.hold_id', '=', holdId)
    .orderBy('h.line_no')
    .execute();
}

/** Moves an active, unexpired hold to `ordered`; false when it has ended or has an order. */
export async function markHoldOrdered(trx: Trx, holdId: string, now: number): Promise<boolean> {
  const taken = await trx
    .updateTable('holds')
    .set({ status: 'ordered' })
    .where('id', '=', holdId)
    .where('status', '=', 'active')
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return Number(taken.numUpdatedRows) === 1;
}

export async function insertOrder(trx: Trx, order: OrdersTable): Promise<void> {
  await trx.insertInto('orders').values(order).execute();
}

export async function insertOrderLines(trx: Trx, lines: readonly OrderLinesTable[]): Promise<void> {
  await trx.insertInto('order_lines').values(lines).execute();
}

export function performanceStatus(
  db: Trx,
  performanceId: string,
): Promise<Pick<PerformancesTable, 'status'>> {
  return db
    .selectFrom('performances')
    .select('status')
    .where('id', '=', performanceId)
    .executeTakeFirstOrThrow();
}

/** Records the exchange's request on a `creating` order; undefined when it was not `creating`. */
export function recordPaymentRequest(
  db: Trx,
  orderId: string,
  paymentRequestId: string,
  now: number,
): Promise<OrdersTable | undefined> {
  return db
    .updateTable('orders')
    .set({
      payment_request_id: paymentRequestId,
      status: 'awaiting_payment',
      updated_at: now,
    })
    .where('id', '=', orderId)
    .where('status', '=', 'creating')
    .returningAll()
    .executeTakeFirst();
}

// --- Orders as they are ------------------------------------------------------------------------

/** An order that must exist (Kysely's NoResultError when it does not). */
export function orderOnRecord(db: Trx, orderId: string): Promise<OrdersTable> {
  return db.selectFrom('orders').selectAll().where('id', '=', orderId).executeTakeFirstOrThrow();
}

export function findOrder(db: Trx, orderId: string): Promise<OrdersTable | undefined> {
  return db.selectFrom('orders').selectAll().where('id', '=', orderId).executeTakeFirst();
}

/** The buyer's own order (another buyer's is not found). */
export function buyersOrder(
  db: Trx,
  orderId: string,
  userId: string,
): Promise<OrdersTable | undefined> {
  return db
    .selectFrom('orders')
    .selectAll()
    .where('id', '=', orderId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

/** The buyer's orders, newest first. */
export function ordersOfBuyer(db: Trx, userId: string, limit: number): Promise<OrdersTable[]> {
  return db
    .selectFrom('orders')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
}

export function organizerOfOrder(
  db: Trx,
  orderId: string,
): Promise<Pick<OrdersTable, 'organizer_id'>> {
  return db
    .selectFrom('orders')
    .select('organizer_id')
    .where('id', '=', orderId)
    .executeTakeFirstOrThrow();
}

// --- Ending an unpaid order --------------------------------------------------------------------

/** Moves the order from `from` to `to` with its failure; false when it was not in `from`. */
export async function markOrderEnded(
  trx: Trx,
  orderId: string,
  from: OrdersTable['status'],
  to: OrdersTable['status'],
  failure: string,
  now: number,
): Promise<boolean> {
  const ended = await trx
    .updateTable('orders')
    .set({ status: to, failure, updated_at: now })
    .where('id', '=', orderId)
    .where('status', '=', from)
    .executeTakeFirst();
  return Number(ended.numUpdatedRows) === 1;
}

export function holdOfOrder(trx: Trx, orderId: string): Promise<Pick<OrdersTable, 'hold_id'>> {
  return trx
    .selectFrom('orders')
    .select('hold_id')
    .where('id', '=', orderId)
    .executeTakeFirstOrThrow();
}

// --- Settling a paid order (S150) --------------------------------------------------------------

/** An order with its hold's and performance's states and its device's key. */
export interface OrderToSettle extends OrdersTable {
  hold_status: HoldsTable['status'];
  performance_status: PerformancesTable['status'];
  public_key: string | null;
}

/** The order, its hold, its performance and its device in one read. */
export function orderToSettle(trx: Trx, orderId: string): Promise<OrderToSettle | undefined> {
  return trx
    .selectFrom('orders as o')
    .innerJoin('holds as h', 'h.id', 'o.hold_id')
    .innerJoin('performances as p', 'p.id', 'o.performance_id')
    .leftJoin('devices as d', 'd.id', 'o.device_id')
    .selectAll('o')
    .select(['h.status as hold_status', 'p.status as performance_status', 'd.public_key'])
    .where('o.id', '=', orderId)
    .executeTakeFirst();
}

export async function markOrderRefunded(
  trx: Trx,
  orderId: string,
  paid: { paymentRequestId: string; paidAt: number; failure: string },
  now: number,
): Promise<void> {
  await trx
    .updateTable('orders')
    .set({
      status: 'refunded',
      payment_request_id: paid.paymentRequestId,
      paid_at: paid.paidAt,
      failure: paid.failure,
      updated_at: now,
    })
    .where('id', '=', orderId)
    .execute();
}

export function linesOfOrder(trx: Trx, orderId: string): Promise<OrderLinesTable[]> {
  return trx
    .selectFrom('order_lines')
    .selectAll()
    .where('order_id', '=', orderId)
    .orderBy('line_no')
    .execute();
}

/** The user signed in with this phone number, if any. */
export async function userIdByPhone(trx: Trx, phone: string): Promise<string | null> {
  return (
    (await trx.selectFrom('users').select('id').where('phone', '=', phone).executeTakeFirst())
      ?.id ?? null
  );
}

/**
 * Each seat the hold still holds becomes sold to the order's ticket for it, in one statement;
 * answers how many seats it sold.
 */
export async function sellHeldSeats(
  trx: Trx,
  order: Pick<OrdersTable, 'id' | 'performance_id' | 'hold_id'>,
): Promise<number> {
  const sold = await sql`
      update inventory_seats set status = 'sold', ticket_id = t.id
      from tickets t
      where t.order_id = ${order.id} and t.seat_id = inventory_seats.seat_id
        and inventory_seats.performance_id = ${order.performance_id}
        and inventory_seats.hold_id = ${order.hold_id} and inventory_seats.status = 'held'`.execute(
    trx,
  );
  return Number(sold.numAffectedRows ?? 0n);
}

/** Moves `count` general-admission places of a category from held to sold. */
export async function moveQuotaHeldToSold(
  trx: Trx,
  performanceId: string,
  categoryId: string,
  count: number,
): Promise<void> {
  await trx
    .updateTable('inventory_quotas')
    .set((eb) => ({ held: eb('held', '-', count), sold: eb('sold', '+', count) }))
    .where('performance_id', '=', performanceId)
    .where('category_id', '=', categoryId)
    .execute();
}

export async function markHoldConverted(trx: Trx, holdId: string): Promise<void> {
  await trx.updateTable('holds').set({ status: 'converted' }).where('id', '=', holdId).execute();
}

export async function markOrderIssued(
  trx: Trx,
  orderId: string,
  paid: { paymentRequestId: string; paidAt: number },
  now: number,
): Promise<void> {
  await trx
    .updateTable('orders')
    .set({
      status: 'issued',
      payment_request_id: paid.paymentRequestId,
      paid_at: paid.paidAt,
      issued_at: now,
      updated_at: now,
    })
    .where('id', '=', orderId)
    .execute();
}

// --- Refunds -----------------------------------------------------------------------------------

export async function insertRefund(trx: Trx, refund: RefundsTable): Promise<void> {
  await trx.insertInto('refunds').values(refund).execute();
}

/** Pending refunds whose next attempt is due, the longest waiting first. */
export function dueRefunds(db: Trx, now: number, limit: number): Promise<RefundsTable[]> {
  return db
    .selectFrom('refunds')
    .selectAll()
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', now)
    .orderBy('next_attempt_at')
    .limit(limit)
    .execute();
}

/** A pending refund the exchange has confirmed. */
export async function markRefundDone(
  db: Trx,
  refundId: string,
  attempts: number,
  now: number,
): Promise<void> {
  await db
    .updateTable('refunds')
    .set({
      status: 'done',
      done_at: now,
      attempts,
      last_error: null,
    })
    .where('id', '=', refundId)
    .where('status', '=', 'pending')
    .execute();
}

/** A pending refund's failed attempt: still pending (with its next attempt), or failed. */
export async function recordRefundAttempt(
  db: Trx,
  refundId: string,
  attempt: Pick<RefundsTable, 'status' | 'attempts' | 'last_error' | 'next_attempt_at'>,
): Promise<void> {
  await db
    .updateTable('refunds')
    .set({
      status: attempt.status,
      attempts: attempt.attempts,
      last_error: attempt.last_error,
      next_attempt_at: attempt.next_attempt_at,
    })
    .where('id', '=', refundId)
    .where('status', '=', 'pending')
    .execute();
}

// --- The order as its buyer sees it ------------------------------------------------------------

/** An order's line with its category's name and its seat's labels. */
export interface OrderLineWithSeat {
  line_no: number;
  category_id: string;
  category: string;
  seat_id: string | null;
  section: string | null;
  row_label: string | null;
  number: string | null;
  amount: string;
}

export function linesWithSeats(db: Trx, orderId: string): Promise<OrderLineWithSeat[]> {
  return db
    .selectFrom('order_lines as l')
    .innerJoin('categories as c', 'c.id', 'l.category_id')
    .leftJoin('seats as s', 's.id', 'l.seat_id')
    .select([
      'l.line_no',
      'l.category_id',
      'c.name as category',
      'l.seat_id',
      's.section',
      's.row_label',
      's.number',
      'l.amount',
    ])
    .where('l.order_id', '=', orderId)
    .orderBy('l.line_no')
    .execute();
}

export function holdExpiry(
  db: Trx,
  holdId: string,
): Promise<Pick<HoldsTable, 'expires_at'> | undefined> {
  return db.selectFrom('holds').select('expires_at').where('id', '=', holdId).executeTakeFirst();
}

export type OrderTicket = Pick<
  TicketsTable,
  'id' | 'number' | 'status' | 'credential' | 'holder_user_id'
>;

export function ticketsOfOrder(db: Trx, orderId: string): Promise<OrderTicket[]> {
  return db
    .selectFrom('tickets')
    .select(['id', 'number', 'status', 'credential', 'holder_user_id'])
    .where('order_id', '=', orderId)
    .orderBy('line_no')
    .execute();
}

// --- The exchange's webhook events -------------------------------------------------------------

/** Records an event id once; false when it was already recorded (handled before). */
export async function recordWebhookEvent(db: Trx, event: WebhookEventsTable): Promise<boolean> {
  const inserted = await db
    .insertInto('webhook_events')
    .values(event)
    .onConflict((c) => c.column('event_id').doNothing())
    .executeTakeFirst();
  return Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1;
}

// --- What the reconciliation worker looks for --------------------------------------------------

/** Orders left in `creating` since before `createdBefore`. */
export function ordersCreatingSince(
  db: Trx,
  createdBefore: number,
  limit: number,
): Promise<OrdersTable[]> {
  return db
    .selectFrom('orders')
    .selectAll()
    .where('status', '=', 'creating')
    .where('created_at', '<=', createdBefore)
    .limit(limit)
    .execute();
}

/** Orders awaiting payment whose payment window has closed, the earliest first. */
export function ordersPastPaymentWindow(
  db: Trx,
  now: number,
  limit: number,
): Promise<OrdersTable[]> {
  return db
    .selectFrom('orders')
    .selectAll()
    .where('status', '=', 'awaiting_payment')
    .where('pay_expires_at', '<=', now)
    .orderBy('pay_expires_at')
    .limit(limit)
    .execute();
}

/** Orders awaiting payment not heard of since `updatedBefore`, the quietest first. */
export function ordersQuietSince(
  db: Trx,
  updatedBefore: number,
  limit: number,
): Promise<OrdersTable[]> {
  return db
    .selectFrom('orders')
    .selectAll()
    .where('status', '=', 'awaiting_payment')
    .where('updated_at', '<=', updatedBefore)
    .orderBy('updated_at')
    .limit(limit)
    .execute();
}

/** Notes that the exchange was asked about an order still awaiting payment. */
export async function touchAwaitingOrder(db: Trx, orderId: string, now: number): Promise<void> {
  await db
    .updateTable('orders')
    .set({ updated_at: now })
    .where('id', '=', orderId)
    .where('status', '=', 'awaiting_payment')
    .execute();
}
