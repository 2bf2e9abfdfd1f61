/**
 * The order as its buyer (or the organizer's staff) sees it: its lines and seats, what the app
 * needs to pay (S130) or to top up the wallet first (claim 6), and its tickets once issued. Reads
 * only what the order's state needs, and nothing the caller already read.
 */
import { formatAmount } from '@tessera/service-kit/amounts';
import type { Ticketing } from '../context.ts';
import type { OrdersTable } from '../db/schema.ts';
import { walletOf } from '../organizers/wallet.ts';
import {
  holdExpiry,
  linesWithSeats,
  type OrderLineWithSeat,
  type OrderTicket,
  ticketsOfOrder,
} from './repository.ts';

/** What the caller already read, so the view need not read it again. */
export interface ViewPreload {
  holdExpiresAt?: number;
  lines?: readonly OrderLineWithSeat[];
}

/** The order as its buyer sees it, with what the app needs to pay (S130) or to top up (claim 6). */
export async function orderView(
  ticketing: Ticketing,
  order: OrdersTable,
  options: ViewPreload & { forBuyer?: boolean } = {},
) {
  const db = ticketing.database.db;
  const asset = await ticketing.exchange.asset(order.asset);
  const lines = options.lines ?? (await linesWithSeats(db, order.id));
  // Only what the order's state needs: the hold while it is being paid, tickets once issued.
  const paying = order.status === 'creating' || order.status === 'awaiting_payment';
  const hold =
    options.holdExpiresAt !== undefined
      ? { expires_at: options.holdExpiresAt }
      : paying
        ? await holdExpiry(db, order.hold_id)
        : undefined;
  const wallet =
    order.status === 'awaiting_payment' ? await walletOf(ticketing, order.organizer_id) : null;
  const tickets = paying ? [] : await ticketsOfOrder(db, order.id);
  return {
    id: order.id,
    status: order.status,
    performanceId: order.performance_id,
    eventId: order.event_id,
    asset: order.asset,
    amount: formatAmount(BigInt(order.amount), asset.scale),
    fiatAmount: order.fiat_amount,
    quoteId: order.quote_id,
    deliverTo: order.deliver_to_phone,
    deviceId: order.device_id,
    holdExpiresAt: hold ? new Date(hold.expires_at).toISOString() : null,
    failure: order.failure,
    createdAt: new Date(order.created_at).toISOString(),
    paidAt: order.paid_at === null ? null : new Date(order.paid_at).toISOString(),
    lines: lines.map((line) => ({
      lineNo: line.line_no,
      categoryId: line.category_id,
      category: line.category,
      seat: line.seat_id
        ? {
            id: line.seat_id,
            section: line.section ?? '',
            row: line.row_label ?? '',
            number: line.number ?? '',
          }
        : null,
      amount: formatAmount(BigInt(line.amount), asset.scale),
    })),
    payment:
      order.payment_request_id && wallet
        ? await paymentView(ticketing, order, order.payment_request_id, wallet.merchantId)
        : null,
    // The buyer's own device gets its credentials here, so waiting for the order is enough.
    tickets: tickets.map((ticket) => ticketView(order, ticket, options.forBuyer)),
  };
}

/** Where and how the buyer pays: the exchange's pay URL, and its buy page for what is lacking. */
async function paymentView(
  ticketing: Ticketing,
  order: OrdersTable,
  requestId: string,
  merchantId: string,
) {
  return {
    requestId,
    expiresAt: new Date(order.pay_expires_at).toISOString(),
    exchangeUrl: ticketing.exchange.publicUrl,
    payUrl: `${ticketing.exchange.publicUrl}/v1/payment-requests/${requestId}/pay`,
    buyPageUrl: await ticketing.exchange.buyPageUrl({
      merchantId,
      asset: order.asset,
      amount: BigInt(order.amount),
      returnUrl: order.return_url ?? `${ticketing.config.mobileAppUrl}/`,
      reference: order.id,
    }),
  };
}

/** A ticket of the order; its credential only for the buyer's own tickets. */
function ticketView(order: OrdersTable, ticket: OrderTicket, forBuyer: boolean | undefined) {
  return {
    id: ticket.id,
    number: ticket.number,
    status: ticket.status,
    credential: forBuyer && ticket.holder_user_id === order.user_id ? ticket.credential : null,
  };
}
