/**
 * Cancelling a performance: sales stop, holds are released, unpaid orders are closed at the
 * exchange, and every live ticket is cancelled, revoked and refunded, in batches. Each step
 * selects what is still to do, so the whole is resumable.
 */
import { ApiError, conflict } from '@tessera/service-kit/errors';
import type { Ticketing, Work } from '../context.ts';
import { inTransaction } from '../context.ts';
import type { RefundsTable } from '../db/schema.ts';
import { releaseHold } from '../holds/service.ts';
import { newId } from '../ids.ts';
import { closeUnpaidOrder } from '../orders/service.ts';
import {
  activeHoldIds,
  type CancelledTicket,
  cancelLiveTickets,
  cancelPendingTransfers,
  insertRefunds,
  insertRevocations,
  liveTicketIds,
  markOrdersRefunded,
  markPerformanceCancelled,
  type NewRevocation,
  type OrderPayment,
  paymentsOfOrders,
  performanceCode,
  performanceStatus,
  reduceBuyerCount,
  unpaidOrdersOf,
} from './repository.ts';

export interface CancellationSummary {
  ticketsCancelled: number;
  refundsQueued: number;
  ordersClosed: number;
  holdsReleased: number;
  /** Unpaid orders the exchange could not close yet; running the cancellation again retries. */
  ordersPending: number;
}

/** Tickets per transaction: short write locks, and a crash loses at most one batch's work. */
const cancelBatchSize = 200;

/**
 * Cancels a performance and refunds every ticket of it. Resumable: each step selects what is
 * still to do, so running it again (after a crash, or for a payment that landed late) continues
 * where it stopped and does nothing twice.
 *
 * 1. The performance becomes 'cancelled': no new holds.
 * 2. Active holds are released.
 * 3. Unpaid orders are closed at the exchange (a payment that landed first is settled into
 *    tickets, which step 4 then cancels and refunds).
 * 4. Every live ticket becomes 'cancelled', revoked ('cancelled'), with a refund row of its
 *    price; in batches of `cancelBatchSize` per transaction.
 */
export async function cancelPerformance(
  ticketing: Ticketing,
  performanceId: string,
  batchSize = cancelBatchSize,
): Promise<CancellationSummary> {
  await inTransaction(ticketing, (work) => stopSalesIn(work, performanceId));
  const holdsReleased = await releaseActiveHolds(ticketing, performanceId, batchSize);
  const orders = await closeUnpaidOrders(ticketing, performanceId);
  const ticketsCancelled = await cancelLiveTicketsOf(ticketing, performanceId, batchSize);
  return {
    ticketsCancelled,
    refundsQueued: ticketsCancelled,
    ordersClosed: orders.closed,
    holdsReleased,
    ordersPending: orders.pending,
  };
}

/** Step 1: a scheduled performance becomes cancelled; a closed one cannot be. */
async function stopSalesIn({ trx }: Work, performanceId: string) {
  if ((await performanceStatus(trx, performanceId)) === 'closed') {
    throw conflict('performance_closed', 'this performance is closed; refund tickets one by one');
  }
  await markPerformanceCancelled(trx, performanceId);
}

/** Step 2: every active hold released, a batch per transaction; returns how many. */
async function releaseActiveHolds(ticketing: Ticketing, performanceId: string, batchSize: number) {
  let released = 0;
  for (;;) {
    const holds = await activeHoldIds(ticketing.database.db, performanceId, batchSize);
    if (holds.length === 0) return released;
    released += await inTransaction(ticketing, async ({ trx, now }) => {
      let count = 0;
      for (const holdId of holds) if (await releaseHold(trx, holdId, 'active', now)) count += 1;
      return count;
    });
  }
}

/** Step 3: every unpaid order closed at the exchange, or left pending for the next run. */
async function closeUnpaidOrders(ticketing: Ticketing, performanceId: string) {
  const outcome = { closed: 0, pending: 0 };
  for (const order of await unpaidOrdersOf(ticketing.database.db, performanceId)) {
    // An exchange that does not answer leaves the order for the next run; the tickets go on.
    const closing = await closeUnpaidOrder(ticketing, order, 'cancelled').catch(
      () => 'pending' as const,
    );
    if (closing === 'pending') outcome.pending += 1;
    else outcome.closed += 1;
  }
  return outcome;
}

/** Step 4: every live ticket cancelled and refunded, a batch per transaction; how many. */
async function cancelLiveTicketsOf(ticketing: Ticketing, performanceId: string, batchSize: number) {
  let cancelled = 0;
  for (;;) {
    const batch = await liveTicketIds(ticketing.database.db, performanceId, batchSize);
    if (batch.length === 0) return cancelled;
    cancelled += await inTransaction(ticketing, (work) => cancelTicketsIn(work, batch));
  }
}

/** Cancels, revokes and refunds the given tickets that are still live; returns how many. */
async function cancelTicketsIn(work: Work, ticketIds: readonly string[]) {
  const { trx, now } = work;
  const cancelled = await cancelLiveTickets(trx, now, ticketIds);
  if (cancelled.length === 0) return 0;
  const first = cancelled[0] as CancelledTicket;
  const code = await performanceCode(trx, first.performance_id);
  const orderIds = [...new Set(cancelled.map((ticket) => ticket.order_id))];
  const orders = new Map((await paymentsOfOrders(trx, orderIds)).map((order) => [order.id, order]));
  await insertRevocations(
    trx,
    cancelled.map((ticket) => revocationOf(ticket, code, now)),
  );
  // One row per ticket, the same rows queueRefund writes, inserted together.
  await insertRefunds(
    trx,
    cancelled.map((ticket) => refundOf(ticket, orders, code, now)),
  );
  await cancelPendingTransfers(
    trx,
    now,
    cancelled.map((ticket) => ticket.id),
  );
  await markOrdersRefunded(trx, now, orderIds);
  // Tickets of a cancelled performance no longer count against the buyer's per-event limit
  // (the event may have other performances to buy instead).
  for (const { eventId, userId, count } of ticketsPerBuyer(cancelled, orders)) {
    await reduceBuyerCount(trx, eventId, userId, count);
  }
  return cancelled.length;
}

function revocationOf(ticket: CancelledTicket, code: string, now: number): NewRevocation {
  return {
    performance_id: ticket.performance_id,
    performance_code: code,
    ticket_number: ticket.number,
    through_revision: ticket.revision,
    reason: 'cancelled',
    created_at: now,
  };
}

/** The refund row of a cancelled ticket's price, to the payment its order was paid with. */
function refundOf(
  ticket: CancelledTicket,
  orders: ReadonlyMap<string, OrderPayment>,
  code: string,
  now: number,
): RefundsTable {
  const paymentRequestId = orders.get(ticket.order_id)?.payment_request_id;
  if (!paymentRequestId) {
    throw new ApiError(500, 'no_payment', `order ${ticket.order_id} has no payment`);
  }
  return {
    id: newId('rf'),
    order_id: ticket.order_id,
    ticket_id: ticket.id,
    payment_request_id: paymentRequestId,
    organizer_id: ticket.organizer_id,
    asset: ticket.asset,
    amount: ticket.amount,
    reason: `performance ${code} cancelled: ticket ${ticket.number}`,
    status: 'pending',
    attempts: 0,
    last_error: null,
    next_attempt_at: now,
    created_at: now,
    done_at: null,
  };
}

/** How many of the cancelled tickets each buyer held, per event. */
function ticketsPerBuyer(
  cancelled: readonly CancelledTicket[],
  orders: ReadonlyMap<string, OrderPayment>,
) {
  const perBuyer = new Map<string, { eventId: string; userId: string; count: number }>();
  for (const ticket of cancelled) {
    const order = orders.get(ticket.order_id);
    if (!order) continue;
    const key = `${order.event_id} ${order.user_id}`;
    const entry = perBuyer.get(key) ?? { eventId: order.event_id, userId: order.user_id, count: 0 };
    entry.count += 1;
    perBuyer.set(key, entry);
  }
  return perBuyer.values();
}
