/**
 * Refunds of one ticket: by its buyer while the event's policy allows, or by the organizer's
 * staff with the refund permission at any time. The ticket is revoked, its place goes back on
 * sale and a refund row is queued, which the refund worker (orders/) sends to the exchange.
 */
import { formatAmount } from '@tessera/service-kit/amounts';
import { ApiError, conflict, notFound } from '@tessera/service-kit/errors';
import type { Ticketing, Trx, Work } from '../context.ts';
import { inTransaction } from '../context.ts';
import type { OrdersTable, TicketsTable } from '../db/schema.ts';
import { queueRefund } from '../orders/service.ts';
import {
  type AfterSalePerformance,
  cancelPendingTransfers,
  decrementBuyerCount,
  latestRefundOfTicket,
  markOrdersRefunded,
  markTicketRefunded,
  orderOnRecord,
  performanceForAfterSale,
  releaseSeatOfTicket,
  returnQuotaPlace,
  ticketById,
  ticketOnRecord,
} from './repository.ts';
import { requireNotEntered, revoke } from './revision.ts';

type User = { readonly id: string; readonly phone: string };

export type RefundActor =
  | { readonly kind: 'buyer'; readonly user: User }
  | {
      readonly kind: 'staff';
      readonly organizerId: string;
      /** Why staff refunded it, kept with the refund and sent to the exchange with it. */
      readonly reason?: string;
    };

/**
 * Refunds one ticket: the ticket is revoked ('refunded'), its seat or GA place goes back on sale,
 * the buyer's per-event count goes down, and a refund row for the ticket's price is queued (the
 * refund worker sends it to the exchange). A buyer may do it while the event's policy allows;
 * staff with the refund permission any time. A ticket already refunded is answered as it is.
 */
export async function refundTicket(
  ticketing: Ticketing,
  actor: RefundActor,
  ticketId: string,
): Promise<TicketsTable> {
  const db = ticketing.database.db;
  const ticket = await ticketById(db, ticketId);
  if (!ticket) throw notFound('ticket');
  const order = await orderOnRecord(db, ticket.order_id);
  if (actor.kind === 'buyer') {
    if (order.user_id !== actor.user.id || ticket.holder_user_id !== actor.user.id) {
      throw notFound('ticket');
    }
  } else if (ticket.organizer_id !== actor.organizerId) {
    throw notFound('ticket');
  }
  if (ticket.status === 'refunded') return ticket;
  if (ticket.status === 'cancelled') {
    throw conflict(
      'ticket_cancelled',
      'this ticket was cancelled with its performance and refunded then',
    );
  }
  if (actor.kind === 'buyer') {
    requireRefundAllowed(await performanceForAfterSale(db, ticket.performance_id), ticketing);
  }
  const reason = actor.kind === 'staff' ? actor.reason : undefined;
  return inTransaction(ticketing, (work) =>
    refundIn(work, ticket, order, { byBuyer: actor.kind === 'buyer', reason }),
  );
}

/** The buyer's own refund: only under 'until_start', and only before the cutoff. */
function requireRefundAllowed(performance: AfterSalePerformance, ticketing: Ticketing) {
  if (performance.refund_policy !== 'until_start') {
    throw conflict(
      'refund_not_allowed',
      "the organizer's policy for this event allows no refunds; ask the organizer",
    );
  }
  if (performance.status !== 'scheduled') {
    throw conflict('refund_not_allowed', `this performance is ${performance.status}`);
  }
  const deadline = performance.starts_at - performance.refund_cutoff_s * 1000;
  if (ticketing.clock.now() >= deadline) {
    throw conflict(
      'refund_not_allowed',
      `refunds for this performance closed at ${new Date(deadline).toISOString()}`,
      { refundDeadline: new Date(deadline).toISOString() },
    );
  }
}

async function refundIn(
  work: Work,
  ticket: TicketsTable,
  order: OrdersTable,
  how: {
    /** A buyer's own refund; staff may refund a ticket that was used (their decision). */
    byBuyer: boolean;
    /** Staff's words; without them the refund says which ticket it was. */
    reason: string | undefined;
  },
) {
  const { trx, now } = work;
  // At the revision whose holder was checked: a transfer accepted meanwhile (the buyer no longer
  // holds it) makes this a conflict, never a refund of someone else's ticket.
  const ended = await markTicketRefunded(trx, now, ticket);
  const current = await ticketOnRecord(trx, ticket.id);
  if (!ended) {
    // Refunded by someone else at this moment: no second refund.
    if (current.status === 'refunded') return current;
    throw conflict('ticket_changed', 'this ticket changed meanwhile; look at it again');
  }
  if (how.byBuyer) await requireNotEntered(trx, current.id);
  if (!order.payment_request_id) {
    throw new ApiError(500, 'no_payment', `order ${order.id} has tickets but no payment`);
  }
  await revoke(work, current, current.revision, 'refunded');
  await putBackOnSale(trx, current);
  await decrementBuyerCount(trx, current.event_id, order.user_id);
  await queueRefund(trx, now, {
    orderId: order.id,
    ticketId: current.id,
    paymentRequestId: order.payment_request_id,
    organizerId: current.organizer_id,
    asset: current.asset,
    amount: BigInt(current.amount),
    reason: how.reason ?? `ticket ${current.number} refunded`,
  });
  await cancelPendingTransfers(trx, now, [current.id]);
  await markOrdersRefunded(trx, now, [order.id]);
  return current;
}

/** The refunded ticket's seat, or its place in the GA quota, is for sale again. */
async function putBackOnSale(trx: Trx, ticket: TicketsTable) {
  if (ticket.seat_id !== null) {
    await releaseSeatOfTicket(trx, { ...ticket, seat_id: ticket.seat_id });
  } else {
    await returnQuotaPlace(trx, ticket);
  }
}

/** The newest refund row of a ticket, in whole units, for the answer. */
export async function refundOfTicket(ticketing: Ticketing, ticketId: string) {
  const row = await latestRefundOfTicket(ticketing.database.db, ticketId);
  if (!row) return null;
  const asset = await ticketing.exchange.asset(row.asset);
  return {
    id: row.id,
    status: row.status,
    asset: row.asset,
    amount: formatAmount(BigInt(row.amount), asset.scale),
    reason: row.reason,
    createdAt: new Date(row.created_at).toISOString(),
    doneAt: row.done_at === null ? null : new Date(row.done_at).toISOString(),
  };
}
