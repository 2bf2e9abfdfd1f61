/**
 * S120 to S150: an order for held seats becomes a payment request at the exchange, in the chosen
 * crypto at a locked amount, expiring `paymentMarginS` before the hold does; a paid request turns
 * into tickets (settle.ts); an order that can no longer be paid gives its seats back.
 *
 * The invariants, whatever crashes or races happen:
 * - seats of an order are let go only after the exchange confirms its request cannot be paid any
 *   more (expired or cancelled there), so a payment never lands on seats sold to someone else;
 * - a paid request yields its tickets exactly once (one ticket per order line, by a unique
 *   index), or, if the order's seats were lost anyway, a refund row that a worker sends until the
 *   exchange confirms it;
 * - every call to the exchange that creates or moves something carries an idempotency key made
 *   from our own ids, so retries after timeouts or restarts do it once.
 *
 * Placing an order calls the exchange between database steps, so each step opens its own
 * transaction (`inTransaction`), never one across a network call.
 */

import { ApiError, badRequest, conflict, notFound } from '@tessera/service-kit/errors';
import type { Ticketing } from '../context.ts';
import { inTransaction } from '../context.ts';
import type { OrdersTable } from '../db/schema.ts';
import { ExchangeError, type PaymentRequestView } from '../exchange-client.ts';
import { releaseHold } from '../holds/service.ts';
import type { Principal } from '../identity/service.ts';
import { newId } from '../ids.ts';
import { requireStaff } from '../organizers/staff.ts';
import { walletOf } from '../organizers/wallet.ts';
import { orderPayWindowMinS } from './pay-window.ts';
import { splitInProportion } from './pricing.ts';
import {
  buyersOrder,
  findOrder,
  type HoldToOrder,
  holdOfOrder,
  holdToOrder,
  insertOrder,
  insertOrderLines,
  markHoldOrdered,
  markOrderEnded,
  orderOnRecord,
  ordersOfBuyer,
  type PricedLine,
  performanceStatus,
  pricedLinesOfHold,
  recordPaymentRequest,
} from './repository.ts';
import { settle } from './settle.ts';
import { orderView, type ViewPreload } from './view.ts';

export { queueRefund } from './refunds.ts';

export interface OrderInput {
  holdId: string;
  /** The crypto asset to pay in; for fiat-priced categories the buyer chooses it. */
  asset?: string;
  /** The device the tickets bind to (the buyer's own phone). */
  deviceId?: string;
  /** Seed 001: deliver to another phone number; the tickets wait for it to sign in. */
  deliverTo?: string;
  /** Sold at the gate (unit 404): issuance admits the tickets at the selling terminal. */
  doorSaleId?: string;
}

/** Places (or returns the existing) order for a hold. */
export async function placeOrder(
  ticketing: Ticketing,
  user: { id: string; phone: string },
  input: OrderInput,
): Promise<{ order: OrdersTable; created: boolean; preload?: ViewPreload }> {
  const db = ticketing.database.db;
  // The hold with its event, performance, device and any order already made for it, in one read.
  const hold = await holdToOrder(db, input.holdId, user.id, input.deviceId ?? '');
  if (!hold) throw notFound('hold');
  if (hold.order_id) {
    // Posted again (a retry): the same order, finished if it was left half made.
    const existing = await orderById(ticketing, hold.order_id);
    const order =
      existing.status === 'creating' ? await requestPayment(ticketing, existing) : existing;
    return { order, created: false };
  }
  if (hold.status !== 'active') throw conflict('hold_not_active', `this hold is ${hold.status}`);
  const now = ticketing.clock.now();
  const payExpiresAt = hold.expires_at - ticketing.config.paymentMarginS * 1000;
  if (payExpiresAt - now < orderPayWindowMinS * 1000) {
    throw conflict('hold_expiring', 'this hold ends too soon to pay; hold the seats again');
  }

  const deliverTo = input.deliverTo && input.deliverTo !== user.phone ? input.deliverTo : null;
  const device = deliverTo ? null : boundDevice(hold, input);
  const lines = await pricedLinesOfHold(db, hold.id);
  const event = { id: hold.event_id, organizer_id: hold.organizer_id, name: hold.event_name };
  const priceAssets = new Set(lines.map((line) => line.price_asset));
  if (priceAssets.size !== 1) {
    throw badRequest('mixed_pricing', 'hold categories priced in one currency per order');
  }
  const wallet = await walletOf(ticketing, event.organizer_id);
  const orderId = newId('ord');
  const { asset, amounts, fiatTotal, quoteId } = await priceLines(
    ticketing,
    wallet.apiKey,
    orderId,
    lines,
    input.asset,
  );
  const amount = amounts.reduce((sum, part) => sum + part, 0n);

  const order: OrdersTable = {
    id: orderId,
    user_id: user.id,
    organizer_id: event.organizer_id,
    event_id: event.id,
    performance_id: hold.performance_id,
    hold_id: hold.id,
    status: 'creating',
    asset,
    amount: amount.toString(),
    fiat_amount: fiatTotal?.toString() ?? null,
    quote_id: quoteId,
    payment_request_id: null,
    pay_expires_at: payExpiresAt,
    device_id: device?.id ?? null,
    deliver_to_phone: deliverTo ?? user.phone,
    return_url: `${ticketing.config.mobileAppUrl}/orders/${orderId}`,
    failure: null,
    created_at: now,
    paid_at: null,
    issued_at: null,
    updated_at: now,
    door_sale_id: input.doorSaleId ?? null,
  };
  await recordOrder(ticketing, order, lines, amounts);
  return {
    order: await requestPayment(ticketing, order, {
      description: `${event.name}: ${lines.length} ticket(s)`,
      performanceStatus: hold.performance_status,
      fresh: true,
    }),
    created: true,
    preload: {
      holdExpiresAt: hold.expires_at,
      lines: lines.map((line, index) => ({
        ...line,
        amount: (amounts[index] as bigint).toString(),
      })),
    },
  };
}

/** The buyer's own device the tickets bind to, when they are not delivered to another phone. */
function boundDevice(hold: HoldToOrder, input: OrderInput): { id: string } {
  if (!input.deviceId) {
    throw badRequest('device_required', 'name the deviceId the tickets bind to, or deliverTo');
  }
  if (!hold.device_id) throw notFound('device');
  return { id: hold.device_id };
}

/**
 * The amount per line, in the asset paid. Fiat prices go through one exchange quote for the
 * whole order (idempotent by the order id), split across lines in proportion (the last line
 * takes the rounding remainder).
 */
async function priceLines(
  ticketing: Ticketing,
  apiKey: string,
  orderId: string,
  lines: readonly PricedLine[],
  wanted: string | undefined,
) {
  const priceAsset = lines[0]?.price_asset as string;
  const fiatPriced = lines[0]?.pricing === 'fiat';
  let asset = priceAsset;
  let amounts = lines.map((line) => BigInt(line.price_amount));
  let fiatTotal: bigint | null = null;
  let quoteId: string | null = null;
  if (fiatPriced) {
    asset = wanted ?? 'USDT';
    const crypto = await ticketing.exchange.asset(asset);
    if (crypto.kind !== 'crypto')
      throw badRequest('invalid_asset', `${asset} is not a crypto asset`);
    fiatTotal = amounts.reduce((sum, amount) => sum + amount, 0n);
    const quote = await ticketing.exchange.quoteFiat(apiKey, `quote:${orderId}`, asset, fiatTotal);
    quoteId = quote.id;
    amounts = splitInProportion(quote.cryptoUnits, amounts);
  } else if (wanted && wanted !== priceAsset) {
    throw badRequest('asset_mismatch', `these tickets are priced in ${priceAsset}`);
  }
  return { asset, amounts, fiatTotal, quoteId };
}

/**
 * Records the order and its lines, `creating`, in one transaction that takes the hold: a hold
 * has one order, and only while it is active and unexpired.
 */
async function recordOrder(
  ticketing: Ticketing,
  order: OrdersTable,
  lines: readonly PricedLine[],
  amounts: readonly bigint[],
) {
  await inTransaction(ticketing, async ({ trx, now }) => {
    if (!(await markHoldOrdered(trx, order.hold_id, now))) {
      throw conflict('hold_not_active', 'this hold has ended or already has an order');
    }
    await insertOrder(trx, order);
    await insertOrderLines(
      trx,
      lines.map((line, index) => ({
        order_id: order.id,
        line_no: line.line_no,
        category_id: line.category_id,
        seat_id: line.seat_id,
        amount: (amounts[index] as bigint).toString(),
      })),
    );
  });
}

/**
 * Asks the exchange for the order's payment request (idempotent by the order id, so a retry
 * after a crash or timeout gets the same request) and records it. A refusal by the exchange
 * cancels the order and frees its seats; an unreachable exchange leaves the order `creating`
 * for the reconciliation worker.
 */
export async function requestPayment(
  ticketing: Ticketing,
  order: OrdersTable,
  options: {
    description?: string;
    /** The performance's status when the caller has just read it. */
    performanceStatus?: string;
    /** The order was made just now: no earlier call can have reached the exchange. */
    fresh?: boolean;
  } = {},
): Promise<OrdersTable> {
  const wallet = await walletOf(ticketing, order.organizer_id);
  if (!options.fresh) {
    // A retry (by the buyer or the worker): an earlier call may have reached the exchange and
    // made the request before its answer was lost. Take that one; never make a second.
    const [known] = await ticketing.exchange.paymentRequestsFor(wallet.apiKey, order.id);
    if (known) return adoptRequest(ticketing, order.id, known);
  }
  const expiresInS = await payableFor(ticketing, order, options.performanceStatus);
  const request = await createPaymentRequest(
    ticketing,
    wallet.apiKey,
    order,
    options.description ?? 'Tickets',
    expiresInS,
  );
  return adoptRequest(ticketing, order.id, request);
}

/**
 * How many seconds the payment request may stay open; an order whose performance is no longer
 * on sale, or whose payment window is (nearly) closed, is ended instead.
 */
async function payableFor(
  ticketing: Ticketing,
  order: OrdersTable,
  knownStatus: string | undefined,
): Promise<number> {
  const performance = knownStatus
    ? { status: knownStatus }
    : await performanceStatus(ticketing.database.db, order.performance_id);
  if (performance.status !== 'scheduled') {
    // Cancelled (or closed) while the order was being made: nothing may be paid for it now.
    await abandonOrder(
      ticketing,
      order.id,
      'creating',
      'cancelled',
      `performance ${performance.status}`,
    );
    throw conflict('not_on_sale', `this performance is ${performance.status}`);
  }
  const expiresInS = Math.floor((order.pay_expires_at - ticketing.clock.now()) / 1000);
  if (expiresInS < 10) {
    await abandonOrder(ticketing, order.id, 'creating', 'expired', 'payment window closed');
    throw conflict('hold_expiring', 'the payment window closed before the request was made');
  }
  return expiresInS;
}

/** S130: the exchange makes the payment request, once per order (`order:<id>`). */
async function createPaymentRequest(
  ticketing: Ticketing,
  apiKey: string,
  order: OrdersTable,
  description: string,
  expiresInS: number,
): Promise<PaymentRequestView> {
  try {
    return await ticketing.exchange.createPaymentRequest(apiKey, `order:${order.id}`, {
      asset: order.asset,
      amount: BigInt(order.amount),
      reference: order.id,
      description,
      expiresInS,
    });
  } catch (error) {
    if (error instanceof ExchangeError && error.code === 'idempotency_conflict') {
      // Another call for this order is making the request at this moment: look again later
      // (the buyer's retry or the worker adopts it by its reference).
      throw new ApiError(503, 'order_in_progress', 'this order is being made; retry shortly');
    }
    if (error instanceof ExchangeError) {
      await abandonOrder(ticketing, order.id, 'creating', 'cancelled', `exchange: ${error.code}`);
      throw conflict(
        'payment_request_refused',
        `the exchange refused the payment request: ${error.message}`,
      );
    }
    throw error;
  }
}

/** Records the exchange's request on a `creating` order; settles at once if already paid. */
async function adoptRequest(ticketing: Ticketing, orderId: string, request: PaymentRequestView) {
  // One conditional statement: no transaction needed around it.
  const adopted = await recordPaymentRequest(
    ticketing.database.db,
    orderId,
    request.id,
    ticketing.clock.now(),
  );
  if (request.status === 'paid') await settle(ticketing, orderId, request);
  else if (adopted) return adopted;
  return orderById(ticketing, orderId);
}

export function orderById(ticketing: Ticketing, orderId: string) {
  return orderOnRecord(ticketing.database.db, orderId);
}

/** Ends an unpaid order and gives its seats back (the caller made sure it cannot be paid). */
async function abandonOrder(
  ticketing: Ticketing,
  orderId: string,
  from: 'creating' | 'awaiting_payment',
  to: 'expired' | 'cancelled',
  failure: string,
  /** What the end counts against the buyer (holds/limits.ts); by default what `to` says. */
  why: 'expired' | 'let_go' | undefined = to === 'expired' ? 'expired' : undefined,
) {
  const cooldown = why && ({ why, limits: ticketing.config.holdLimits } as const);
  const ended = await inTransaction(ticketing, async ({ trx, now }) => {
    if (!(await markOrderEnded(trx, orderId, from, to, failure, now))) return false;
    const { hold_id } = await holdOfOrder(trx, orderId);
    await releaseHold(trx, hold_id, 'ordered', now, cooldown);
    return true;
  });
  if (ended) ticketing.orders.changed(orderId);
  return ended;
}

/**
 * Brings an unpaid order to an end once its payment window has closed, or when the buyer
 * cancels: asks the exchange first, so a payment that did land is honoured (settled), and only
 * a request the exchange has cancelled or expired lets the seats go.
 */
export async function closeUnpaidOrder(
  ticketing: Ticketing,
  order: OrdersTable,
  to: 'expired' | 'cancelled',
  /** The buyer cancels (a release that counts against them), not the organizer or staff. */
  byBuyer = false,
): Promise<'settled' | 'ended' | 'pending'> {
  if (!order.payment_request_id) return 'pending';
  const wallet = await walletOf(ticketing, order.organizer_id);
  let request = await ticketing.exchange.paymentRequest(wallet.apiKey, order.payment_request_id);
  if (request.status === 'open') {
    try {
      request = await ticketing.exchange.cancelPaymentRequest(wallet.apiKey, request.id);
    } catch (error) {
      // Paid or expired between our two calls: look again.
      if (!(error instanceof ExchangeError) || error.code !== 'not_open') throw error;
      request = await ticketing.exchange.paymentRequest(wallet.apiKey, request.id);
    }
  }
  if (request.status === 'paid') {
    await settle(ticketing, order.id, request);
    return 'settled';
  }
  if (request.status === 'open') return 'pending';
  await abandonOrder(
    ticketing,
    order.id,
    'awaiting_payment',
    to,
    `payment request ${request.status}`,
    countsAs(to, byBuyer, request.status),
  );
  return 'ended';
}

/**
 * What an unpaid order's end counts against its buyer (holds/limits.ts): run out unpaid, or let
 * go by the buyer (unless its payment window had closed already); nothing when the organizer,
 * staff or the exchange ended it.
 */
function countsAs(to: 'expired' | 'cancelled', byBuyer: boolean, requestStatus: string) {
  if (to === 'expired' || (byBuyer && requestStatus === 'expired')) return 'expired';
  return byBuyer ? 'let_go' : undefined;
}

// --- What the order routes answer --------------------------------------------------------------

/** `POST /v1/orders`: the buyer's order for a hold, as they see it; `created` false on a retry. */
export async function placeOrderView(
  ticketing: Ticketing,
  user: { id: string; phone: string },
  input: OrderInput,
) {
  const { order, created, preload } = await placeOrder(ticketing, user, input);
  return { created, view: await orderView(ticketing, order, { ...preload, forBuyer: true }) };
}

const pending = (status: string) => status === 'creating' || status === 'awaiting_payment';

/**
 * `GET /v1/orders/:id`: an order for its buyer, or for staff of its organizer who may view sales
 * (to anyone else it is not found). With `waitS`, an order still being paid is answered when it
 * changes or after that many seconds.
 */
export async function orderForCaller(
  ticketing: Ticketing,
  caller: Principal | undefined,
  orderId: string,
  waitS: number | undefined,
) {
  let order = await findOrder(ticketing.database.db, orderId);
  if (!order) throw notFound('order');
  if (caller?.type !== 'user' || caller.id !== order.user_id) {
    await requireStaff(ticketing, caller, order.organizer_id, 'view_sales').catch(() => {
      throw notFound('order');
    });
  }
  if (waitS && pending(order.status)) order = await untilChanged(ticketing, order, waitS);
  return orderView(ticketing, order, {
    forBuyer: caller?.type === 'user' && caller.id === order.user_id,
  });
}

/**
 * The order once it is no longer being paid, or as it is after `waitS` seconds. The deadline is
 * wall time (`Date.now()`), not the injected clock: it bounds how long a real request is held
 * open, which a test clock standing still must not stretch.
 */
async function untilChanged(ticketing: Ticketing, order: OrdersTable, waitS: number) {
  let current = order;
  const deadline = Date.now() + waitS * 1000;
  // Woken at once by a change in this process; re-read every second for other instances.
  while (pending(current.status) && Date.now() < deadline) {
    await ticketing.orders.wait(current.id, Math.min(1_000, deadline - Date.now()));
    current = (await findOrder(ticketing.database.db, current.id)) ?? current;
  }
  return current;
}

/** `GET /v1/me/orders`: the buyer's orders, newest first. */
export async function buyersOrders(ticketing: Ticketing, userId: string, limit: number) {
  const rows = await ordersOfBuyer(ticketing.database.db, userId, limit);
  return Promise.all(rows.map((row) => orderView(ticketing, row, { forBuyer: true })));
}

/**
 * `POST /v1/orders/:id/cancel`: the buyer cancels an unpaid order (the exchange's request is
 * cancelled and the seats freed, or, if the payment landed first, the order is settled).
 */
export async function cancelOrder(ticketing: Ticketing, userId: string, orderId: string) {
  const db = ticketing.database.db;
  const order = await buyersOrder(db, orderId, userId);
  if (!order) throw notFound('order');
  if (order.status !== 'awaiting_payment') {
    throw conflict('not_cancellable', `this order is ${order.status}`);
  }
  await closeUnpaidOrder(ticketing, order, 'cancelled', true);
  return orderView(ticketing, await orderOnRecord(db, order.id), { forBuyer: true });
}
