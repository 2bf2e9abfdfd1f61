/**
 * S150: a paid payment request becomes the order's tickets, exactly once (one ticket per order
 * line, by a unique index), in one transaction: read the order, check the payment matches, mint
 * the tickets, mark the seats sold, move the quotas from held to sold, convert the hold, mark the
 * order issued and, for a door sale, admit the tickets at the selling terminal. Seats lost
 * meanwhile (or a performance cancelled) become a refund instead.
 */
import { isUniqueViolation } from '@tessera/db';
import { fromBase64url } from '@tessera/protocol';
import { ApiError } from '@tessera/service-kit/errors';
import { admitDoorSaleIn } from '../admission/record.ts';
import type { GateAdmission, Ticketing, Trx } from '../context.ts';
import { inTransaction, type Work } from '../context.ts';
import type { OrderLinesTable, TicketsTable } from '../db/schema.ts';
import type { PaymentRequestView } from '../exchange-client.ts';
import { holdPaid, releaseHold } from '../holds/service.ts';
import { type OrganizerSigner, signerFor } from '../organizers/keys.ts';
import { mintTickets } from '../tickets/issuance.ts';
import { queueRefund } from './refunds.ts';
import {
  linesOfOrder,
  markHoldConverted,
  markOrderIssued,
  markOrderRefunded,
  moveQuotaHeldToSold,
  type OrderToSettle,
  orderToSettle,
  organizerOfOrder,
  sellHeldSeats,
  userIdByPhone,
} from './repository.ts';

export interface Settlement {
  readonly outcome: 'issued' | 'refunding' | 'already';
  /** A phone that now has tickets waiting for it (delivery to another number). */
  readonly notifyPhone?: string;
}

/** The held seats were not all there any more: roll back and take the refund path. */
class SeatsLost extends Error {}

/**
 * S150: a paid request becomes tickets, once; seats lost meanwhile (or a performance cancelled)
 * become a refund. `organizerId`, when the caller knows it, saves a lookup; `before` runs first
 * in the same transaction (the webhook records its event id there) and may say "already done".
 */
export async function settle(
  ticketing: Ticketing,
  orderId: string,
  request: PaymentRequestView,
  before?: (work: Work) => Promise<boolean>,
  organizerId?: string,
): Promise<Settlement> {
  // The organizer's signing key is unsealed before the transaction: inside it only `trx` may
  // touch the database (SQLite has one writer, and it is ours until COMMIT).
  const organizer =
    organizerId ?? (await organizerOfOrder(ticketing.database.db, orderId)).organizer_id;
  const issuer = await signerFor(ticketing, organizer);
  // A door sale's tickets are admitted as they are issued; the gates hear of it after COMMIT.
  const admitted: GateAdmission[] = [];
  let settlement: Settlement;
  for (let attempt = 1; ; attempt++) {
    try {
      settlement = await inTransaction(ticketing, async (work) => {
        admitted.length = 0;
        if (before && !(await before(work))) return { outcome: 'already' as const };
        return settleIn(ticketing, work, orderId, request, 'issue', issuer, organizerId, admitted);
      });
      break;
    } catch (error) {
      if (error instanceof SeatsLost) {
        settlement = await inTransaction(ticketing, async (work) => {
          if (before && !(await before(work))) return { outcome: 'already' as const };
          return settleIn(ticketing, work, orderId, request, 'refund', issuer, organizerId);
        });
        break;
      }
      // Two issuances drew the same ticket or manual number (rare): draw again.
      if (attempt < 5 && isUniqueViolation(error, 'tickets')) continue;
      throw error;
    }
  }
  ticketing.orders.changed(orderId);
  for (const admission of admitted) ticketing.gates.publish(admission);
  if (settlement.notifyPhone) {
    await ticketing.sms
      .send(
        settlement.notifyPhone,
        'Tessera tickets: tickets are waiting for this number. Sign in with it to receive them.',
      )
      .catch(() => {});
  }
  return settlement;
}

async function settleIn(
  ticketing: Ticketing,
  work: Work,
  orderId: string,
  request: PaymentRequestView,
  path: 'issue' | 'refund',
  issuer: OrganizerSigner,
  organizerId?: string,
  admitted: GateAdmission[] = [],
): Promise<Settlement> {
  const { trx, now } = work;
  const order = await orderToSettle(trx, orderId);
  if (!order || request.status !== 'paid') return { outcome: 'already' };
  // A webhook of one organizer's wallet can only settle that organizer's orders.
  if (organizerId !== undefined && order.organizer_id !== organizerId)
    return { outcome: 'already' };
  if (order.status === 'issued' || order.status === 'refunded') return { outcome: 'already' };
  checkPaymentMatches(order, request);
  const intact =
    path === 'issue' &&
    order.performance_status === 'scheduled' &&
    order.hold_status === 'ordered' &&
    (order.status === 'awaiting_payment' || order.status === 'creating');
  if (!intact) return refundInstead(work, order, request);
  const lines = await linesOfOrder(trx, order.id);
  const tickets = await mintOrderTickets(ticketing, work, order, lines, issuer);
  // The buyer's hold count first, in the order a hold takes its locks (holds/service.ts).
  await holdPaid(trx, order.hold_id, now);
  await markSeatsSold(trx, order, tickets);
  await markQuotasSold(trx, order, lines);
  await markHoldConverted(trx, order.hold_id);
  await markOrderIssued(
    trx,
    order.id,
    { paymentRequestId: request.id, paidAt: request.paidAt ?? now },
    now,
  );
  if (order.door_sale_id !== null) {
    await admitDoorSaleIn(ticketing, trx, now, order.door_sale_id, tickets, admitted);
  }
  return order.device_id
    ? { outcome: 'issued' }
    : { outcome: 'issued', notifyPhone: order.deliver_to_phone };
}

/** Cannot happen for a request we made; never issue on a payment that does not match. */
function checkPaymentMatches(order: OrderToSettle, request: PaymentRequestView) {
  if (
    request.asset !== order.asset ||
    request.amount !== BigInt(order.amount) ||
    (order.payment_request_id !== null && order.payment_request_id !== request.id)
  ) {
    throw new ApiError(
      409,
      'payment_mismatch',
      `payment ${request.id} does not match order ${order.id}`,
    );
  }
}

/**
 * The seats are gone (the order had been given up) or the performance was cancelled. The buyer
 * paid: refund in full, and free whatever the order still held.
 */
async function refundInstead(
  { trx, now }: Work,
  order: OrderToSettle,
  request: PaymentRequestView,
): Promise<Settlement> {
  await releaseHold(trx, order.hold_id, 'ordered', now);
  await markOrderRefunded(
    trx,
    order.id,
    {
      paymentRequestId: request.id,
      paidAt: request.paidAt ?? now,
      failure:
        order.performance_status === 'scheduled'
          ? 'seats_lost'
          : `performance_${order.performance_status}`,
    },
    now,
  );
  await queueRefund(trx, now, {
    orderId: order.id,
    ticketId: null,
    paymentRequestId: request.id,
    organizerId: order.organizer_id,
    asset: order.asset,
    amount: BigInt(order.amount),
    reason:
      order.performance_status === 'scheduled'
        ? 'tickets could not be issued: the hold had ended'
        : `tickets could not be issued: the performance is ${order.performance_status}`,
  });
  return { outcome: 'refunding' };
}

/** One ticket per line, bound to the buyer's device or waiting for the phone it goes to. */
async function mintOrderTickets(
  ticketing: Ticketing,
  { trx, now }: Work,
  order: OrderToSettle,
  lines: readonly OrderLinesTable[],
  issuer: OrganizerSigner,
) {
  const holder = order.device_id ? order.user_id : await userIdByPhone(trx, order.deliver_to_phone);
  return mintTickets(
    ticketing,
    trx,
    now,
    {
      id: order.id,
      organizer_id: order.organizer_id,
      event_id: order.event_id,
      performance_id: order.performance_id,
      asset: order.asset,
      holder_user_id: holder,
      holder_phone: order.deliver_to_phone,
      device:
        order.device_id && order.public_key
          ? { id: order.device_id, publicKey: fromBase64url(order.public_key) }
          : null,
    },
    lines,
    issuer,
  );
}

/** Each held seat becomes sold to its ticket, in one statement; all of them, or none. */
async function markSeatsSold(trx: Trx, order: OrderToSettle, tickets: readonly TicketsTable[]) {
  const seatTickets = tickets.filter((ticket) => ticket.seat_id !== null);
  if (seatTickets.length > 0) {
    if ((await sellHeldSeats(trx, order)) !== seatTickets.length) throw new SeatsLost();
  }
}

/** General-admission places move from held to sold, one statement per category. */
async function markQuotasSold(trx: Trx, order: OrderToSettle, lines: readonly OrderLinesTable[]) {
  const gaByCategory = new Map<string, number>();
  for (const line of lines) {
    if (line.seat_id === null) {
      gaByCategory.set(line.category_id, (gaByCategory.get(line.category_id) ?? 0) + 1);
    }
  }
  for (const [categoryId, count] of gaByCategory) {
    await moveQuotaHeldToSold(trx, order.performance_id, categoryId, count);
  }
}
