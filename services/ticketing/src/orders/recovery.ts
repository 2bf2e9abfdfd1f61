/**
 * What the reconciliation worker (workers/reconcile.ts) asks of orders: the orders it must take
 * over (left `creating`, past their payment window, not heard of for a while), and what to do
 * with the exchange's answer about a quiet one. The worker then calls `requestPayment`,
 * `closeUnpaidOrder` or `settle`, each of which is safe to race with a buyer or a webhook.
 */
import type { Ticketing } from '../context.ts';
import type { OrdersTable } from '../db/schema.ts';
import type { PaymentRequestView } from '../exchange-client.ts';
import { walletOf } from '../organizers/wallet.ts';
import {
  ordersCreatingSince,
  ordersPastPaymentWindow,
  ordersQuietSince,
  touchAwaitingOrder,
} from './repository.ts';
import { settle } from './settle.ts';

/** Orders still `creating` that were made at or before `createdBefore`. */
export function ordersLeftCreating(ticketing: Ticketing, createdBefore: number, limit: number) {
  return ordersCreatingSince(ticketing.database.db, createdBefore, limit);
}

/** Orders awaiting payment whose payment window closed at or before `now`, earliest first. */
export function ordersLapsed(ticketing: Ticketing, now: number, limit: number) {
  return ordersPastPaymentWindow(ticketing.database.db, now, limit);
}

/** Orders awaiting payment not heard of since `updatedBefore`, quietest first. */
export function ordersQuiet(ticketing: Ticketing, updatedBefore: number, limit: number) {
  return ordersQuietSince(ticketing.database.db, updatedBefore, limit);
}

/** The exchange's payment request of an order, asked for now; undefined when it has none yet. */
export async function paymentRequestOfOrder(
  ticketing: Ticketing,
  order: OrdersTable,
): Promise<PaymentRequestView | undefined> {
  if (!order.payment_request_id) return undefined;
  const wallet = await walletOf(ticketing, order.organizer_id);
  return ticketing.exchange.paymentRequest(wallet.apiKey, order.payment_request_id);
}

/**
 * A paid request is settled (a webhook was lost); any other answer marks the order as heard of
 * now, so it is not asked about again for a while.
 */
export async function settleIfPaid(
  ticketing: Ticketing,
  order: OrdersTable,
  request: PaymentRequestView,
) {
  if (request.status === 'paid') {
    await settle(ticketing, order.id, request);
  } else {
    await touchAwaitingOrder(ticketing.database.db, order.id, ticketing.clock.now());
  }
}
