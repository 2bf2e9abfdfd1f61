/**
 * The SQL of an event's sales report (inventory, live tickets, orders and refunds grouped by
 * amount), its sales over time per bucket, and its attendee list in keyset pages. A
 * performance's close and gate report have theirs in gate/repository.ts.
 *
 * Amounts come out as bigint and counts as numbers; nothing is summed over amounts in SQL (see
 * totals.ts). Every query reaches tickets, orders and inventory through a performance id, which
 * the tables' indexes start with. "Executor" below is the transaction (`trx`) inside one, or
 * `ticketing.database.db` outside.
 */
import { sql } from 'kysely';
import type { Trx } from '../context.ts';
import type { EventsTable, OrderStatus, PerformancesTable, TicketStatus } from '../db/schema.ts';
import { liveTicketStatuses } from '../tickets/service.ts';

const count = (n: unknown) => Number(n ?? 0);
const units = (amount: unknown) => BigInt(String(amount));

// ---------------------------------------------------------------------------------------------
// Sales

export type ReportEvent = Pick<EventsTable, 'id' | 'organizer_id' | 'name' | 'slug' | 'status'>;

export function eventOfReport(executor: Trx, eventId: string): Promise<ReportEvent | undefined> {
  return executor
    .selectFrom('events')
    .select(['id', 'organizer_id', 'name', 'slug', 'status'])
    .where('id', '=', eventId)
    .executeTakeFirst();
}

export type EventPerformance = Pick<PerformancesTable, 'id' | 'code' | 'starts_at' | 'status'>;

/** The event's performances by start. */
export function performancesOfEvent(executor: Trx, eventId: string): Promise<EventPerformance[]> {
  return executor
    .selectFrom('performances')
    .select(['id', 'code', 'starts_at', 'status'])
    .where('event_id', '=', eventId)
    .orderBy('starts_at')
    .orderBy('id')
    .execute();
}

export interface ReportCategory {
  id: string;
  name: string;
  seating: string;
  pricing: string;
  price_asset: string;
  price_amount: string;
}

/** The event's categories in their display order. */
export function categoriesOfEvent(executor: Trx, eventId: string): Promise<ReportCategory[]> {
  return executor
    .selectFrom('categories')
    .select(['id', 'name', 'seating', 'pricing', 'price_asset', 'price_amount'])
    .where('event_id', '=', eventId)
    .orderBy('sort_order')
    .orderBy('id')
    .execute();
}

/** Seats per performance, category and status. */
export async function seatCounts(executor: Trx, performanceIds: readonly string[]) {
  const rows = await executor
    .selectFrom('inventory_seats')
    .select((eb) => ['performance_id', 'category_id', 'status', eb.fn.countAll<number>().as('n')])
    .where('performance_id', 'in', performanceIds)
    .groupBy(['performance_id', 'category_id', 'status'])
    .execute();
  return rows.map((row) => ({ ...row, n: count(row.n) }));
}

/** The general-admission quotas of these performances. */
export async function quotaCounts(executor: Trx, performanceIds: readonly string[]) {
  const rows = await executor
    .selectFrom('inventory_quotas')
    .select(['performance_id', 'category_id', 'capacity', 'held', 'sold'])
    .where('performance_id', 'in', performanceIds)
    .execute();
  return rows.map((row) => ({
    performance_id: row.performance_id,
    category_id: row.category_id,
    capacity: Number(row.capacity),
    held: Number(row.held),
    sold: Number(row.sold),
  }));
}

/** Live tickets per performance, category and price (asset and amount), with how many. */
export async function liveTicketPrices(executor: Trx, performanceIds: readonly string[]) {
  const rows = await executor
    .selectFrom('tickets')
    .select((eb) => [
      'performance_id',
      'category_id',
      'asset',
      'amount',
      eb.fn.countAll<number>().as('n'),
    ])
    .where('performance_id', 'in', performanceIds)
    .where('status', 'in', liveTicketStatuses)
    .groupBy(['performance_id', 'category_id', 'asset', 'amount'])
    .execute();
  return rows.map((row) => ({ ...row, amount: units(row.amount), n: count(row.n) }));
}

/** Orders of these performances per status. */
export async function orderCounts(
  executor: Trx,
  performanceIds: readonly string[],
): Promise<{ status: OrderStatus; n: number }[]> {
  const rows = await executor
    .selectFrom('orders')
    .select((eb) => ['status', eb.fn.countAll<number>().as('n')])
    .where('performance_id', 'in', performanceIds)
    .groupBy('status')
    .execute();
  return rows.map((row) => ({ status: row.status, n: count(row.n) }));
}

/** Refunds of these performances' orders per status and amount, with how many. */
export async function refundAmounts(executor: Trx, performanceIds: readonly string[]) {
  const rows = await executor
    .selectFrom('refunds as r')
    .innerJoin('orders as o', 'o.id', 'r.order_id')
    .select((eb) => ['r.status', 'r.asset', 'r.amount', eb.fn.countAll<number>().as('n')])
    .where('o.performance_id', 'in', performanceIds)
    .groupBy(['r.status', 'r.asset', 'r.amount'])
    .execute();
  return rows.map((row) => ({ ...row, amount: units(row.amount), n: count(row.n) }));
}

// ---------------------------------------------------------------------------------------------
// Attendees

/** The event's performances in report order (by start), or only the one named. */
export function attendeePerformances(
  executor: Trx,
  eventId: string,
  performanceId: string | undefined,
): Promise<Pick<PerformancesTable, 'id' | 'code' | 'starts_at'>[]> {
  let query = executor
    .selectFrom('performances')
    .select(['id', 'code', 'starts_at'])
    .where('event_id', '=', eventId);
  if (performanceId !== undefined) query = query.where('id', '=', performanceId);
  return query.orderBy('starts_at').orderBy('id').execute();
}

/** Live tickets of these performances. */
export async function liveTicketCount(executor: Trx, performanceIds: readonly string[]) {
  const row = await executor
    .selectFrom('tickets')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('performance_id', 'in', performanceIds)
    .where('status', 'in', liveTicketStatuses)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export interface AttendeeRow {
  id: string;
  number: string;
  seat_id: string | null;
  holder_phone: string;
  status: TicketStatus;
  revision: number;
  order_id: string;
  amount: string;
  asset: string;
  category: string;
  section: string | null;
  row_label: string | null;
  seat_number: string | null;
  area: string | null;
  first_name: string | null;
}

/** A performance's live tickets by number after `afterNumber`, at most `limit`. */
export function attendeeRows(
  executor: Trx,
  performanceId: string,
  afterNumber: string | undefined,
  limit: number,
): Promise<AttendeeRow[]> {
  let query = executor
    .selectFrom('tickets as t')
    .innerJoin('categories as c', 'c.id', 't.category_id')
    .leftJoin('seats as s', 's.id', 't.seat_id')
    .leftJoin('areas as a', 'a.id', 'c.area_id')
    // The holder is whoever has the phone now (tickets sent to a number may have no user yet).
    .leftJoin('users as u', 'u.phone', 't.holder_phone')
    .select([
      't.id',
      't.number',
      't.seat_id',
      't.holder_phone',
      't.status',
      't.revision',
      't.order_id',
      't.amount',
      't.asset',
      'c.name as category',
      's.section',
      's.row_label',
      's.number as seat_number',
      'a.name as area',
      'u.first_name',
    ])
    .where('t.performance_id', '=', performanceId)
    .where('t.status', 'in', liveTicketStatuses);
  if (afterNumber !== undefined) query = query.where('t.number', '>', afterNumber);
  return query.orderBy('t.number').limit(limit).execute();
}

// ---------------------------------------------------------------------------------------------
// Orders

/** What the orders list is narrowed to; every search term given widens the match (OR). */
export interface OrderFilter {
  performanceIds: readonly string[];
  status?: OrderStatus;
  search?: { orderId?: string; ticketNumber?: string; phone?: string };
}

/** Where a page of orders ends: newest first, so the next page is older. */
export interface OrderCursor {
  createdAt: number;
  id: string;
}

export interface OrderRow {
  id: string;
  performance_id: string;
  status: OrderStatus;
  asset: string;
  amount: string;
  fiat_amount: string | null;
  created_at: number;
  paid_at: number | null;
  issued_at: number | null;
  buyer_phone: string;
  buyer_first_name: string | null;
}

/**
 * The orders matching the filter, reached through the performance ids (the orders_performance
 * index); a search term matches an order id, a ticket's 10-digit number (unique server-wide) or a
 * phone number, the buyer's or a holder's (tickets_phone index).
 */
function matchingOrders(executor: Trx, filter: OrderFilter) {
  let query = executor
    .selectFrom('orders as o')
    .innerJoin('users as u', 'u.id', 'o.user_id')
    .where('o.performance_id', 'in', filter.performanceIds);
  if (filter.status !== undefined) query = query.where('o.status', '=', filter.status);
  const search = filter.search;
  if (search) {
    query = query.where((eb) => {
      const terms = [];
      if (search.orderId !== undefined) terms.push(eb('o.id', '=', search.orderId));
      if (search.ticketNumber !== undefined) {
        const numbered = eb
          .selectFrom('tickets')
          .select('order_id')
          .where('manual_number', '=', search.ticketNumber);
        terms.push(eb('o.id', 'in', numbered));
      }
      if (search.phone !== undefined) {
        const held = eb
          .selectFrom('tickets')
          .select('order_id')
          .where('holder_phone', '=', search.phone)
          .where('performance_id', 'in', filter.performanceIds);
        terms.push(eb('u.phone', '=', search.phone), eb('o.id', 'in', held));
      }
      return eb.or(terms);
    });
  }
  return query;
}

/** One page of matching orders, newest first, after the cursor; `limit` at most. */
export function orderRows(
  executor: Trx,
  filter: OrderFilter,
  after: OrderCursor | undefined,
  limit: number,
): Promise<OrderRow[]> {
  let query = matchingOrders(executor, filter).select([
    'o.id',
    'o.performance_id',
    'o.status',
    'o.asset',
    'o.amount',
    'o.fiat_amount',
    'o.created_at',
    'o.paid_at',
    'o.issued_at',
    'u.phone as buyer_phone',
    'u.first_name as buyer_first_name',
  ]);
  if (after) {
    query = query.where((eb) =>
      eb.or([
        eb('o.created_at', '<', after.createdAt),
        eb.and([eb('o.created_at', '=', after.createdAt), eb('o.id', '<', after.id)]),
      ]),
    );
  }
  return query.orderBy('o.created_at', 'desc').orderBy('o.id', 'desc').limit(limit).execute();
}

/** How many orders match the filter. */
export async function orderCount(executor: Trx, filter: OrderFilter) {
  const row = await matchingOrders(executor, filter)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return count(row.n);
}

export interface OrderTicketRow {
  id: string;
  order_id: string;
  number: string;
  manual_number: string;
  performance_id: string;
  category_id: string;
  seat_id: string | null;
  holder_phone: string;
  status: TicketStatus;
  asset: string;
  amount: string;
  category: string;
  section: string | null;
  row_label: string | null;
  seat_number: string | null;
  area: string | null;
}

/** Every ticket of these orders, whatever its status, in the order's line order. */
export function ticketsOfOrders(
  executor: Trx,
  orderIds: readonly string[],
): Promise<OrderTicketRow[]> {
  return executor
    .selectFrom('tickets as t')
    .innerJoin('categories as c', 'c.id', 't.category_id')
    .leftJoin('seats as s', 's.id', 't.seat_id')
    .leftJoin('areas as a', 'a.id', 'c.area_id')
    .select([
      't.id',
      't.order_id',
      't.number',
      't.manual_number',
      't.performance_id',
      't.category_id',
      't.seat_id',
      't.holder_phone',
      't.status',
      't.asset',
      't.amount',
      'c.name as category',
      's.section',
      's.row_label',
      's.number as seat_number',
      'a.name as area',
    ])
    .where('t.order_id', 'in', orderIds)
    .orderBy('t.order_id')
    .orderBy('t.line_no')
    .execute();
}

/** The refunds of these orders, oldest first (the refunds_order index). */
export function refundsOfOrders(executor: Trx, orderIds: readonly string[]) {
  return executor
    .selectFrom('refunds')
    .select(['id', 'order_id', 'ticket_id', 'status', 'asset', 'amount', 'reason', 'created_at'])
    .select('done_at')
    .where('order_id', 'in', orderIds)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

// ---------------------------------------------------------------------------------------------
// Sales over time (timeline.ts)
//
// Live tickets, their orders and refunded tickets per time bucket, the buckets made in SQL
// (`at / step`, an integer division on both databases, so a bucket is a whole multiple of the
// step since the Unix epoch): 10,000 orders come back as one row per bucket and price.

/** A moment in ms and the step in ms, both whole numbers the caller checked. */
interface TimelineWindow {
  from: number;
  to: number;
  stepMs: number;
}

/** When a ticket was sold: its order's payment (issuance, for an order with none recorded). */
const soldAt = sql<number>`coalesce(o.paid_at, o.issued_at)`;

/** The first payment of an order of these performances, or null before any. */
export async function firstPaidAt(executor: Trx, performanceIds: readonly string[]) {
  const row = await executor
    .selectFrom('orders')
    .select((eb) => eb.fn.min<number | null>('paid_at').as('first'))
    .where('performance_id', 'in', performanceIds)
    .where('paid_at', 'is not', null)
    .executeTakeFirst();
  return row?.first == null ? null : Number(row.first);
}

/** Live tickets sold in the window, per bucket and price. */
export async function ticketsPerBucket(
  executor: Trx,
  performanceIds: readonly string[],
  window: TimelineWindow,
) {
  const bucket = sql<number>`${soldAt} / ${sql.lit(window.stepMs)}`;
  const rows = await executor
    .selectFrom('tickets as t')
    .innerJoin('orders as o', 'o.id', 't.order_id')
    .select((eb) => [bucket.as('bucket'), 't.asset', 't.amount', eb.fn.countAll<number>().as('n')])
    .where('t.performance_id', 'in', performanceIds)
    .where('t.status', 'in', liveTicketStatuses)
    .where(soldAt, '>=', window.from)
    .where(soldAt, '<=', window.to)
    .groupBy([bucket, 't.asset', 't.amount'])
    .execute();
  return rows.map((row) => ({
    at: Math.floor(Number(row.bucket)) * window.stepMs,
    asset: row.asset,
    amount: BigInt(String(row.amount)),
    n: count(row.n),
  }));
}

/** Orders paid in the window that hold a live ticket, per bucket. */
export async function ordersPerBucket(
  executor: Trx,
  performanceIds: readonly string[],
  window: TimelineWindow,
) {
  const bucket = sql<number>`${soldAt} / ${sql.lit(window.stepMs)}`;
  const rows = await executor
    .selectFrom('tickets as t')
    .innerJoin('orders as o', 'o.id', 't.order_id')
    .select([bucket.as('bucket'), sql<number>`count(distinct o.id)`.as('n')])
    .where('t.performance_id', 'in', performanceIds)
    .where('t.status', 'in', liveTicketStatuses)
    .where(soldAt, '>=', window.from)
    .where(soldAt, '<=', window.to)
    .groupBy(bucket)
    .execute();
  return rows.map((row) => ({
    at: Math.floor(Number(row.bucket)) * window.stepMs,
    n: count(row.n),
  }));
}

/** Tickets refunded in the window (by when the refund was made), per bucket. */
export async function refundedTicketsPerBucket(
  executor: Trx,
  performanceIds: readonly string[],
  window: TimelineWindow,
) {
  const bucket = sql<number>`r.created_at / ${sql.lit(window.stepMs)}`;
  const rows = await executor
    .selectFrom('refunds as r')
    .innerJoin('orders as o', 'o.id', 'r.order_id')
    .select([bucket.as('bucket'), sql<number>`count(distinct r.ticket_id)`.as('n')])
    .where('o.performance_id', 'in', performanceIds)
    .where('r.ticket_id', 'is not', null)
    .where('r.created_at', '>=', window.from)
    .where('r.created_at', '<=', window.to)
    .groupBy(bucket)
    .execute();
  return rows.map((row) => ({
    at: Math.floor(Number(row.bucket)) * window.stepMs,
    n: count(row.n),
  }));
}
