/**
 * The SQL of after the sale: tickets moved to their next revision or ended, revocations, refund
 * rows, a performance's cancellation in batches, and the revocation feed (the transfers' own
 * table is read and written in transfers/repository.ts). Every conditional write answers whether
 * it changed the row, so the services (revision.ts, reissue.ts, refunds.ts, cancellation.ts)
 * decide what a lost race means.
 *
 * "Executor" below is the transaction (`trx`) inside one, or `ticketing.database.db` outside.
 */
import type { Trx } from '../context.ts';
import type {
  EventsTable,
  OrdersTable,
  PerformancesTable,
  RefundsTable,
  RevocationsTable,
  TicketsTable,
} from '../db/schema.ts';

/** Statuses in which a ticket still entitles its holder to something. */
const liveStatuses = ['valid', 'awaiting_device'] as const;

// ---------------------------------------------------------------------------------------------
// Tickets and their performance

/** The ticket as stored, if there is one. */
export function ticketById(executor: Trx, ticketId: string): Promise<TicketsTable | undefined> {
  return executor.selectFrom('tickets').selectAll().where('id', '=', ticketId).executeTakeFirst();
}

/** The ticket as stored now, which the caller knows exists (it throws otherwise). */
export function ticketOnRecord(executor: Trx, ticketId: string): Promise<TicketsTable> {
  return executor
    .selectFrom('tickets')
    .selectAll()
    .where('id', '=', ticketId)
    .executeTakeFirstOrThrow();
}

export interface AfterSalePerformance {
  id: string;
  code: string;
  status: PerformancesTable['status'];
  starts_at: number;
  ends_at: number;
  organizer_id: string;
  event_name: string;
  refund_policy: EventsTable['refund_policy'];
  refund_cutoff_s: number;
}

/** A ticket's performance with what transfers and refunds check: status, times, policy. */
export function performanceForAfterSale(
  executor: Trx,
  performanceId: string,
): Promise<AfterSalePerformance> {
  return executor
    .selectFrom('performances as p')
    .innerJoin('events as e', 'e.id', 'p.event_id')
    .select([
      'p.id',
      'p.code',
      'p.status',
      'p.starts_at',
      'p.ends_at',
      'e.organizer_id',
      'e.name as event_name',
      'e.refund_policy',
      'e.refund_cutoff_s',
    ])
    .where('p.id', '=', performanceId)
    .executeTakeFirstOrThrow();
}

/** The short event ID a performance's credentials carry, which revocations name. */
export async function performanceCode(trx: Trx, performanceId: string): Promise<string> {
  const { code } = await trx
    .selectFrom('performances')
    .select('code')
    .where('id', '=', performanceId)
    .executeTakeFirstOrThrow();
  return code;
}

export type NewRevocation = Omit<RevocationsTable, 'seq'>;

export async function insertRevocations(trx: Trx, rows: readonly NewRevocation[]) {
  await trx
    .insertInto('revocations')
    .values([...rows])
    .execute();
}

/** Where a rebound ticket goes: holder, phone and device, with the credential signed for it. */
export interface Rebinding {
  to: { userId: string; phone: string; deviceId: string };
  signed: { credential: string; keyId: string; sealedPin: string };
}

/**
 * Moves a valid ticket from its revision to the next, if it is still at that revision with that
 * holder; answers whether it did. The update locks the ticket row (PostgreSQL) until commit.
 */
export async function rebindTicket(
  trx: Trx,
  now: number,
  ticket: TicketsTable,
  { to, signed }: Rebinding,
): Promise<boolean> {
  const moved = await trx
    .updateTable('tickets')
    .set({
      revision: ticket.revision + 1,
      holder_user_id: to.userId,
      holder_phone: to.phone,
      device_id: to.deviceId,
      credential: signed.credential,
      key_id: signed.keyId,
      pin: signed.sealedPin,
      updated_at: now,
    })
    .where('id', '=', ticket.id)
    .where('status', '=', 'valid')
    .where('revision', '=', ticket.revision)
    .where('holder_user_id', '=', ticket.holder_user_id)
    .executeTakeFirst();
  return Number(moved.numUpdatedRows) === 1;
}

/** Entries recorded with the ticket (any revision, online or offline). */
export async function entriesOfTicket(trx: Trx, ticketId: string): Promise<number> {
  const row = await trx
    .selectFrom('admissions')
    .select((eb) => eb.fn.countAll<number>().as('entries'))
    .where('ticket_id', '=', ticketId)
    .where('direction', '=', 'entry')
    .executeTakeFirstOrThrow();
  return Number(row.entries);
}

export interface CategoryEntitlement {
  kind: string;
  entries_allowed: number;
}

export function categoryEntitlement(trx: Trx, categoryId: string): Promise<CategoryEntitlement> {
  return trx
    .selectFrom('categories')
    .select(['kind', 'entries_allowed'])
    .where('id', '=', categoryId)
    .executeTakeFirstOrThrow();
}

/** Ends the pending transfers of these tickets (as cancelled). */
export async function cancelPendingTransfers(trx: Trx, now: number, ticketIds: readonly string[]) {
  if (ticketIds.length === 0) return;
  await trx
    .updateTable('transfers')
    .set({ status: 'cancelled', decided_at: now })
    .where('ticket_id', 'in', ticketIds)
    .where('status', '=', 'pending')
    .execute();
}

/** Marks refunded each of these issued orders that has no live ticket left. */
export async function markOrdersRefunded(trx: Trx, now: number, orderIds: readonly string[]) {
  if (orderIds.length === 0) return;
  await trx
    .updateTable('orders')
    .set({ status: 'refunded', updated_at: now })
    .where('id', 'in', orderIds)
    .where('status', '=', 'issued')
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('tickets as t')
            .select('t.id')
            .whereRef('t.order_id', '=', 'orders.id')
            .where('t.status', 'in', liveStatuses),
        ),
      ),
    )
    .execute();
}

// ---------------------------------------------------------------------------------------------
// Refunds

export function orderOnRecord(executor: Trx, orderId: string): Promise<OrdersTable> {
  return executor
    .selectFrom('orders')
    .selectAll()
    .where('id', '=', orderId)
    .executeTakeFirstOrThrow();
}

/**
 * Marks a ticket refunded if it is still live at this revision; answers whether it did. The
 * update locks the ticket row (PostgreSQL) until commit.
 */
export async function markTicketRefunded(
  trx: Trx,
  now: number,
  ticket: Pick<TicketsTable, 'id' | 'revision'>,
): Promise<boolean> {
  const ended = await trx
    .updateTable('tickets')
    .set({ status: 'refunded', updated_at: now })
    .where('id', '=', ticket.id)
    .where('status', 'in', liveStatuses)
    .where('revision', '=', ticket.revision)
    .executeTakeFirst();
  return Number(ended.numUpdatedRows) === 1;
}

/** Puts the ticket's seat back on sale (if the seat is still the ticket's). */
export async function releaseSeatOfTicket(
  trx: Trx,
  ticket: Pick<TicketsTable, 'id' | 'performance_id'> & { seat_id: string },
) {
  await trx
    .updateTable('inventory_seats')
    .set({ status: 'available', hold_id: null, ticket_id: null })
    .where('performance_id', '=', ticket.performance_id)
    .where('seat_id', '=', ticket.seat_id)
    .where('ticket_id', '=', ticket.id)
    .execute();
}

/** Gives one place back to the category's general-admission quota. */
export async function returnQuotaPlace(
  trx: Trx,
  ticket: Pick<TicketsTable, 'performance_id' | 'category_id'>,
) {
  await trx
    .updateTable('inventory_quotas')
    .set((eb) => ({ sold: eb('sold', '-', 1) }))
    .where('performance_id', '=', ticket.performance_id)
    .where('category_id', '=', ticket.category_id)
    .where('sold', '>', 0)
    .execute();
}

/** One ticket fewer against the buyer's per-event limit. */
export async function decrementBuyerCount(trx: Trx, eventId: string, userId: string) {
  await trx
    .updateTable('buyer_counts')
    .set((eb) => ({ count: eb('count', '-', 1) }))
    .where('event_id', '=', eventId)
    .where('user_id', '=', userId)
    .where('count', '>', 0)
    .execute();
}

/** `count` tickets fewer against the buyer's per-event limit (not below zero). */
export async function reduceBuyerCount(trx: Trx, eventId: string, userId: string, count: number) {
  await trx
    .updateTable('buyer_counts')
    .set((eb) => ({ count: eb('count', '-', count) }))
    .where('event_id', '=', eventId)
    .where('user_id', '=', userId)
    .where('count', '>=', count)
    .execute();
}

export type RefundRow = Pick<
  RefundsTable,
  'id' | 'status' | 'asset' | 'amount' | 'reason' | 'created_at' | 'done_at'
>;

/** The newest refund row of a ticket. */
export function latestRefundOfTicket(
  executor: Trx,
  ticketId: string,
): Promise<RefundRow | undefined> {
  return executor
    .selectFrom('refunds')
    .select(['id', 'status', 'asset', 'amount', 'reason', 'created_at', 'done_at'])
    .where('ticket_id', '=', ticketId)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function insertRefunds(trx: Trx, rows: readonly RefundsTable[]) {
  await trx
    .insertInto('refunds')
    .values([...rows])
    .execute();
}

// ---------------------------------------------------------------------------------------------
// Cancelling a performance

export async function performanceStatus(trx: Trx, performanceId: string) {
  const { status } = await trx
    .selectFrom('performances')
    .select('status')
    .where('id', '=', performanceId)
    .executeTakeFirstOrThrow();
  return status;
}

/** A scheduled performance becomes cancelled (one that is not scheduled stays as it is). */
export async function markPerformanceCancelled(trx: Trx, performanceId: string) {
  await trx
    .updateTable('performances')
    .set({ status: 'cancelled' })
    .where('id', '=', performanceId)
    .where('status', '=', 'scheduled')
    .execute();
}

export async function activeHoldIds(
  executor: Trx,
  performanceId: string,
  limit: number,
): Promise<string[]> {
  const rows = await executor
    .selectFrom('holds')
    .select('id')
    .where('performance_id', '=', performanceId)
    .where('status', '=', 'active')
    .limit(limit)
    .execute();
  return rows.map((row) => row.id);
}

export function unpaidOrdersOf(executor: Trx, performanceId: string): Promise<OrdersTable[]> {
  return executor
    .selectFrom('orders')
    .selectAll()
    .where('performance_id', '=', performanceId)
    .where('status', 'in', ['creating', 'awaiting_payment'])
    .execute();
}

/** The first `limit` live tickets of a performance, by id. */
export async function liveTicketIds(
  executor: Trx,
  performanceId: string,
  limit: number,
): Promise<string[]> {
  const rows = await executor
    .selectFrom('tickets')
    .select('id')
    .where('performance_id', '=', performanceId)
    .where('status', 'in', liveStatuses)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((row) => row.id);
}

export type CancelledTicket = Pick<
  TicketsTable,
  'id' | 'number' | 'revision' | 'order_id' | 'organizer_id' | 'performance_id' | 'asset' | 'amount'
>;

/**
 * Cancels those of these tickets that are still live. RETURNING gives exactly the rows this
 * transaction changed, at their current revision.
 */
export function cancelLiveTickets(
  trx: Trx,
  now: number,
  ticketIds: readonly string[],
): Promise<CancelledTicket[]> {
  return trx
    .updateTable('tickets')
    .set({ status: 'cancelled', updated_at: now })
    .where('id', 'in', ticketIds)
    .where('status', 'in', liveStatuses)
    .returning([
      'id',
      'number',
      'revision',
      'order_id',
      'organizer_id',
      'performance_id',
      'asset',
      'amount',
    ])
    .execute();
}

export type OrderPayment = Pick<OrdersTable, 'id' | 'payment_request_id' | 'user_id' | 'event_id'>;

/** Who paid these orders and how: their payment request, buyer and event. */
export function paymentsOfOrders(trx: Trx, orderIds: readonly string[]): Promise<OrderPayment[]> {
  return trx
    .selectFrom('orders')
    .select(['id', 'payment_request_id', 'user_id', 'event_id'])
    .where('id', 'in', orderIds)
    .execute();
}

// ---------------------------------------------------------------------------------------------
// Revocation feed

export interface RevocationEntry {
  seq: number;
  ticketId: string;
  throughRevision: number;
  reason: RevocationsTable['reason'];
  at: string;
}

/** The revocations of a performance after `after` (a `seq`), oldest first, at most `limit`. */
export async function revocationsOfPerformance(
  executor: Trx,
  performanceId: string,
  after: number,
  limit: number,
): Promise<RevocationEntry[]> {
  const rows = await executor
    .selectFrom('revocations')
    .select(['seq', 'ticket_number', 'through_revision', 'reason', 'created_at'])
    .where('performance_id', '=', performanceId)
    .where('seq', '>', after)
    .orderBy('seq')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    seq: Number(row.seq),
    ticketId: row.ticket_number,
    throughRevision: row.through_revision,
    reason: row.reason,
    at: new Date(row.created_at).toISOString(),
  }));
}

export interface PerformanceOrganizer {
  organizer_id: string;
  code: string;
}

/** The organizer (and the code) of a performance, if there is one. */
export function organizerOfPerformanceRow(
  executor: Trx,
  performanceId: string,
): Promise<PerformanceOrganizer | undefined> {
  return executor
    .selectFrom('performances as p')
    .innerJoin('events as e', 'e.id', 'p.event_id')
    .select(['e.organizer_id', 'p.code'])
    .where('p.id', '=', performanceId)
    .executeTakeFirst();
}
