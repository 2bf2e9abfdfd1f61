/**
 * The books after a sale, read straight from both servers' databases (never through their
 * APIs, which could hide what they hold): what the issue's crash-safety clause asks, each
 * violation named with the rows it concerns.
 *
 * - No seat sold twice: at most one live ticket per seat, and the seat inventory agrees (a sold
 *   seat points at the live ticket on it, a live ticket's seat is sold to it).
 * - Every paid payment request has its tickets or its refund: its order is issued or refunded;
 *   each ticket is live or given back with a refund the exchange confirmed; an order whose seats
 *   were lost has a confirmed refund of the whole amount; what the ticketing server refunded
 *   equals what the exchange's request records as refunded.
 * - No ticket without payment: every ticket's order names a request the exchange has paid, for
 *   the order's asset and amount.
 * - The exchange's ledger audit passes (`auditLedger`).
 * - No webhook lost: every paid request has its `payment_request.paid` notification; every
 *   webhook delivery ended delivered (none pending, none given up); every notification the
 *   organizer's wallet received was recorded by the ticketing server.
 * - Nothing left half done: no order still `creating`, no refund still pending or failed.
 */
import { auditLedger } from '../services/exchange/src/ledger/audit.ts';
import type { SaleDatabases } from './onsale-setup.ts';

export interface BooksScope {
  readonly performanceId: string;
  /** The organizer's merchant subscriber at the exchange. */
  readonly merchantId: string;
}

export interface BooksReport {
  readonly violations: string[];
  readonly paidRequests: number;
  readonly liveTickets: number;
  readonly refunds: number;
  readonly webhookDeliveries: number;
}

const liveStatuses = new Set(['valid', 'awaiting_device']);

export async function checkBooks(
  { exchangeDb, ticketingDb }: Pick<SaleDatabases, 'exchangeDb' | 'ticketingDb'>,
  scope: BooksScope,
): Promise<BooksReport> {
  const violations: string[] = [];
  const violation = (text: string) => violations.push(text);

  const orders = await ticketingDb.db
    .selectFrom('orders')
    .select(['id', 'status', 'payment_request_id', 'asset', 'amount', 'failure'])
    .where('performance_id', '=', scope.performanceId)
    .execute();
  const orderById = new Map(orders.map((order) => [order.id, order]));
  const lineCounts = new Map<string, number>();
  for (const line of await ticketingDb.db.selectFrom('order_lines').select('order_id').execute())
    lineCounts.set(line.order_id, (lineCounts.get(line.order_id) ?? 0) + 1);
  const tickets = await ticketingDb.db
    .selectFrom('tickets')
    .select(['id', 'order_id', 'seat_id', 'status'])
    .where('performance_id', '=', scope.performanceId)
    .execute();
  const ticketsByOrder = new Map<string, typeof tickets>();
  for (const ticket of tickets)
    ticketsByOrder.set(ticket.order_id, [...(ticketsByOrder.get(ticket.order_id) ?? []), ticket]);
  const refunds = await ticketingDb.db
    .selectFrom('refunds')
    .select(['id', 'order_id', 'ticket_id', 'payment_request_id', 'amount', 'status', 'last_error'])
    .execute();
  const received = new Set(
    (await ticketingDb.db.selectFrom('webhook_events').select('event_id').execute()).map(
      (row) => row.event_id,
    ),
  );

  // --- Nothing left half done -----------------------------------------------------------------
  for (const order of orders) {
    if (order.status === 'creating') violation(`order ${order.id} is still creating`);
  }
  for (const refund of refunds) {
    if (refund.status !== 'done')
      violation(
        `refund ${refund.id} of order ${refund.order_id} is ${refund.status}` +
          (refund.last_error ? ` (${refund.last_error})` : ''),
      );
  }

  // --- No seat sold twice -------------------------------------------------------------------------
  const live = tickets.filter((ticket) => liveStatuses.has(ticket.status));
  const liveBySeat = new Map<string, string[]>();
  for (const ticket of live) {
    if (ticket.seat_id === null) continue;
    liveBySeat.set(ticket.seat_id, [...(liveBySeat.get(ticket.seat_id) ?? []), ticket.id]);
  }
  for (const [seat, holders] of liveBySeat) {
    if (holders.length > 1)
      violation(`seat ${seat} sold twice: live tickets ${holders.join(', ')}`);
  }
  const inventory = await ticketingDb.db
    .selectFrom('inventory_seats')
    .select(['seat_id', 'status', 'ticket_id'])
    .where('performance_id', '=', scope.performanceId)
    .execute();
  const liveById = new Map(live.map((ticket) => [ticket.id, ticket]));
  const inventoryBySeat = new Map(inventory.map((seat) => [seat.seat_id, seat]));
  for (const seat of inventory) {
    if (seat.status !== 'sold') continue;
    const ticket = seat.ticket_id ? liveById.get(seat.ticket_id) : undefined;
    if (!ticket || ticket.seat_id !== seat.seat_id)
      violation(`seat ${seat.seat_id} is sold to ${seat.ticket_id}, which is no live ticket on it`);
  }
  for (const ticket of live) {
    if (ticket.seat_id === null) continue;
    const seat = inventoryBySeat.get(ticket.seat_id);
    if (seat?.status !== 'sold' || seat.ticket_id !== ticket.id)
      violation(
        `live ticket ${ticket.id} has seat ${ticket.seat_id}, which the inventory has ${seat?.status ?? 'missing'} for ${seat?.ticket_id ?? 'nobody'}`,
      );
  }

  // --- Every paid request has its tickets or its refund ---------------------------------------
  const requests = await exchangeDb.db
    .selectFrom('payment_requests')
    .select(['id', 'reference', 'status', 'asset', 'amount', 'refunded_amount'])
    .where('merchant_id', '=', scope.merchantId)
    .execute();
  const requestById = new Map(requests.map((request) => [request.id, request]));
  const exchangeRefunded = new Map<string, bigint>();
  for (const row of await exchangeDb.db
    .selectFrom('refunds')
    .select(['payment_request_id', 'amount'])
    .execute())
    exchangeRefunded.set(
      row.payment_request_id,
      (exchangeRefunded.get(row.payment_request_id) ?? 0n) + BigInt(row.amount),
    );
  const refundsByRequest = new Map<string, typeof refunds>();
  for (const refund of refunds)
    refundsByRequest.set(refund.payment_request_id, [
      ...(refundsByRequest.get(refund.payment_request_id) ?? []),
      refund,
    ]);
  const paid = requests.filter((request) => request.status === 'paid');
  for (const request of paid) {
    const what = `paid request ${request.id} (order ${request.reference})`;
    const order = orderById.get(request.reference);
    if (!order) {
      violation(`${what}: no such order`);
      continue;
    }
    if (order.status !== 'issued' && order.status !== 'refunded') {
      violation(`${what}: the order is ${order.status}, with neither tickets nor a refund`);
      continue;
    }
    if (order.payment_request_id !== request.id)
      violation(`${what}: the order names request ${order.payment_request_id}`);
    const ownRefunds = refundsByRequest.get(request.id) ?? [];
    const orderTickets = ticketsByOrder.get(order.id) ?? [];
    if (orderTickets.length === 0) {
      // Seats lost (or the performance cancelled) before issuance: the whole amount goes back.
      const whole = ownRefunds.find(
        (refund) => refund.ticket_id === null && BigInt(refund.amount) === BigInt(request.amount),
      );
      if (order.status !== 'refunded' || whole?.status !== 'done')
        violation(`${what}: no tickets and no confirmed refund of ${request.amount}`);
    } else if (orderTickets.length !== (lineCounts.get(order.id) ?? 0)) {
      violation(
        `${what}: ${orderTickets.length} tickets for ${lineCounts.get(order.id) ?? 0} order lines`,
      );
    }
    for (const ticket of orderTickets) {
      if (liveStatuses.has(ticket.status)) continue;
      const refund = ownRefunds.find((row) => row.ticket_id === ticket.id);
      if (refund?.status !== 'done')
        violation(`${what}: ticket ${ticket.id} is ${ticket.status} without a confirmed refund`);
    }
    const refundedHere = ownRefunds
      .filter((refund) => refund.status === 'done')
      .reduce((sum, refund) => sum + BigInt(refund.amount), 0n);
    const refundedThere = exchangeRefunded.get(request.id) ?? 0n;
    if (refundedHere !== refundedThere || BigInt(request.refunded_amount) !== refundedThere)
      violation(
        `${what}: refunded ${refundedHere} by the ticketing server, ${refundedThere} in the exchange's refunds, ${request.refunded_amount} on the request`,
      );
  }
  for (const [requestId, refunded] of exchangeRefunded) {
    if (requestById.has(requestId) && !refundsByRequest.has(requestId))
      violation(`request ${requestId}: the exchange refunded ${refunded} that no refund row asked`);
  }

  // --- No ticket without payment --------------------------------------------------------------
  for (const ticket of tickets) {
    const order = orderById.get(ticket.order_id);
    const request = order?.payment_request_id
      ? requestById.get(order.payment_request_id)
      : undefined;
    if (!order || !request || request.status !== 'paid') {
      violation(
        `ticket ${ticket.id} (order ${ticket.order_id}, ${order?.status ?? 'missing'}) has no paid request: ${request?.status ?? 'none'}`,
      );
    } else if (request.asset !== order.asset || BigInt(request.amount) !== BigInt(order.amount)) {
      violation(
        `ticket ${ticket.id}: order ${order.id} is ${order.amount} ${order.asset}, its request ${request.amount} ${request.asset}`,
      );
    }
  }

  // --- The exchange's audit -------------------------------------------------------------------
  const audit = await auditLedger(exchangeDb);
  for (const problem of audit.problems) violation(`exchange audit: ${problem}`);
  if (!audit.ok && audit.problems.length === 0) violation('exchange audit failed');

  // --- No webhook lost ------------------------------------------------------------------------
  const deliveries = await exchangeDb.db
    .selectFrom('webhook_deliveries')
    .select(['id', 'notification_id', 'subscriber_id', 'status', 'attempts', 'last_error'])
    .execute();
  for (const delivery of deliveries) {
    if (delivery.status !== 'delivered')
      violation(
        `webhook delivery ${delivery.id} is ${delivery.status} after ${delivery.attempts} attempts` +
          (delivery.last_error ? ` (${delivery.last_error})` : ''),
      );
  }
  const delivered = new Set(deliveries.map((delivery) => delivery.notification_id));
  const notifications = await exchangeDb.db
    .selectFrom('notifications')
    .select(['id', 'type', 'payload'])
    .where('subscriber_id', '=', scope.merchantId)
    .execute();
  const paidNotices = new Set<string>();
  for (const notice of notifications) {
    if (!delivered.has(notice.id))
      violation(`notification ${notice.id} (${notice.type}) has no webhook delivery`);
    if (!received.has(notice.id))
      violation(`notification ${notice.id} (${notice.type}) never reached the ticketing server`);
    if (notice.type === 'payment_request.paid') {
      const data = (JSON.parse(notice.payload) as { data?: { paymentRequestId?: string } }).data;
      if (data?.paymentRequestId) paidNotices.add(data.paymentRequestId);
    }
  }
  for (const request of paid) {
    if (!paidNotices.has(request.id))
      violation(`paid request ${request.id} has no payment_request.paid notification`);
  }

  return {
    violations,
    paidRequests: paid.length,
    liveTickets: live.length,
    refunds: refunds.length,
    webhookDeliveries: deliveries.length,
  };
}
