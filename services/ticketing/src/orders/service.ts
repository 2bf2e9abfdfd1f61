/**
 * S120 to S150: an order for held seats becomes a payment request at the exchange, in the chosen
 * crypto at a locked amount, expiring `paymentMarginS` before the hold does; a paid request turns
 * into tickets; an order that can no longer be paid gives its seats back.
 *
 * The invariants, whatever crashes or races happen:
 * - seats of an order are let go only after the exchange confirms its request cannot be paid any
 *   more (expired or cancelled there), so a payment never lands on seats sold to someone else;
 * - a paid request yields its tickets exactly once (one ticket per order line, by a unique
 *   index), or, if the order's seats were lost anyway, a refund row that a worker sends until the
 *   exchange confirms it;
 * - every call to the exchange that creates or moves something carries an idempotency key made
 *   from our own ids, so retries after timeouts or restarts do it once.
 */

import { isUniqueViolation, sql } from '@tessera/db';
import { fromBase64url } from '@tessera/protocol';
import { formatAmount, parseAmount } from '@tessera/service-kit/amounts';
import { ApiError, badRequest, conflict, notFound } from '@tessera/service-kit/errors';
import { admitDoorSaleIn } from '../admission/record.ts';
import type { GateAdmission, Ticketing } from '../context.ts';
import { inTransaction, type Work } from '../context.ts';
import type { OrdersTable } from '../db/schema.ts';
import { ExchangeError, type PaymentRequestView } from '../exchange-client.ts';
import { releaseHold } from '../holds/service.ts';
import { newId } from '../ids.ts';
import { type OrganizerSigner, signerFor } from '../organizers/keys.ts';
import { walletOf } from '../organizers/wallet.ts';
import { mintTickets } from '../tickets/issuance.ts';

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
  const hold = await db
    .selectFrom('holds as h')
    .innerJoin('events as e', 'e.id', 'h.event_id')
    .innerJoin('performances as p', 'p.id', 'h.performance_id')
    .leftJoin('orders as o', 'o.hold_id', 'h.id')
    .leftJoin('devices as d', (join) =>
      join
        .on('d.id', '=', input.deviceId ?? '')
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
    .where('h.id', '=', input.holdId)
    .where('h.user_id', '=', user.id)
    .executeTakeFirst();
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
  if (payExpiresAt - now < 30_000) {
    throw conflict('hold_expiring', 'this hold ends too soon to pay; hold the seats again');
  }

  const deliverTo = input.deliverTo && input.deliverTo !== user.phone ? input.deliverTo : null;
  let device: { id: string } | null = null;
  if (!deliverTo) {
    if (!input.deviceId) {
      throw badRequest('device_required', 'name the deviceId the tickets bind to, or deliverTo');
    }
    if (!hold.device_id) throw notFound('device');
    device = { id: hold.device_id };
  }

  const lines = await db
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
    .where('h.hold_id', '=', hold.id)
    .orderBy('h.line_no')
    .execute();
  const event = { id: hold.event_id, organizer_id: hold.organizer_id, name: hold.event_name };
  const priceAssets = new Set(lines.map((line) => line.price_asset));
  if (priceAssets.size !== 1) {
    throw badRequest('mixed_pricing', 'hold categories priced in one currency per order');
  }
  const wallet = await walletOf(ticketing, event.organizer_id);
  const orderId = newId('ord');

  // The amount per line, in the asset paid. Fiat prices go through one exchange quote for the
  // whole order, split across lines in proportion (the last line takes the rounding remainder).
  const priceAsset = lines[0]?.price_asset as string;
  const fiatPriced = lines[0]?.pricing === 'fiat';
  let asset = priceAsset;
  let amounts = lines.map((line) => BigInt(line.price_amount));
  let fiatTotal: bigint | null = null;
  let quoteId: string | null = null;
  if (fiatPriced) {
    asset = input.asset ?? 'USDT';
    const crypto = await ticketing.exchange.asset(asset);
    if (crypto.kind !== 'crypto')
      throw badRequest('invalid_asset', `${asset} is not a crypto asset`);
    fiatTotal = amounts.reduce((sum, amount) => sum + amount, 0n);
    const quote = await ticketing.exchange.quoteFiat(
      wallet.apiKey,
      `quote:${orderId}`,
      asset,
      fiatTotal,
    );
    quoteId = quote.id;
    const total = quote.cryptoUnits;
    const split = amounts.map((amount) => (fiatTotal ? (total * amount) / fiatTotal : 0n));
    split[split.length - 1] = total - split.slice(0, -1).reduce((sum, part) => sum + part, 0n);
    amounts = split;
  } else if (input.asset && input.asset !== priceAsset) {
    throw badRequest('asset_mismatch', `these tickets are priced in ${priceAsset}`);
  }
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
  await inTransaction(ticketing, async ({ trx, now }) => {
    const taken = await trx
      .updateTable('holds')
      .set({ status: 'ordered' })
      .where('id', '=', hold.id)
      .where('status', '=', 'active')
      .where('expires_at', '>', now)
      .executeTakeFirst();
    if (Number(taken.numUpdatedRows) !== 1) {
      throw conflict('hold_not_active', 'this hold has ended or already has an order');
    }
    await trx.insertInto('orders').values(order).execute();
    await trx
      .insertInto('order_lines')
      .values(
        lines.map((line, index) => ({
          order_id: orderId,
          line_no: line.line_no,
          category_id: line.category_id,
          seat_id: line.seat_id,
          amount: (amounts[index] as bigint).toString(),
        })),
      )
      .execute();
  });
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
  const performance = options.performanceStatus
    ? { status: options.performanceStatus }
    : await ticketing.database.db
        .selectFrom('performances')
        .select('status')
        .where('id', '=', order.performance_id)
        .executeTakeFirstOrThrow();
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
  let request: PaymentRequestView;
  try {
    request = await ticketing.exchange.createPaymentRequest(wallet.apiKey, `order:${order.id}`, {
      asset: order.asset,
      amount: BigInt(order.amount),
      reference: order.id,
      description: options.description ?? 'Tickets',
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
  return adoptRequest(ticketing, order.id, request);
}

/** Records the exchange's request on a `creating` order; settles at once if already paid. */
export async function adoptRequest(
  ticketing: Ticketing,
  orderId: string,
  request: PaymentRequestView,
) {
  // One conditional statement: no transaction needed around it.
  const adopted = await ticketing.database.db
    .updateTable('orders')
    .set({
      payment_request_id: request.id,
      status: 'awaiting_payment',
      updated_at: ticketing.clock.now(),
    })
    .where('id', '=', orderId)
    .where('status', '=', 'creating')
    .returningAll()
    .executeTakeFirst();
  if (request.status === 'paid') await settle(ticketing, orderId, request);
  else if (adopted) return adopted;
  return orderById(ticketing, orderId);
}

export function orderById(ticketing: Ticketing, orderId: string) {
  return ticketing.database.db
    .selectFrom('orders')
    .selectAll()
    .where('id', '=', orderId)
    .executeTakeFirstOrThrow();
}

/** Ends an unpaid order and gives its seats back (the caller made sure it cannot be paid). */
async function abandonOrder(
  ticketing: Ticketing,
  orderId: string,
  from: 'creating' | 'awaiting_payment',
  to: 'expired' | 'cancelled',
  failure: string,
) {
  const ended = await inTransaction(ticketing, async ({ trx, now }) => {
    const ended = await trx
      .updateTable('orders')
      .set({ status: to, failure, updated_at: now })
      .where('id', '=', orderId)
      .where('status', '=', from)
      .executeTakeFirst();
    if (Number(ended.numUpdatedRows) !== 1) return false;
    const { hold_id } = await trx
      .selectFrom('orders')
      .select('hold_id')
      .where('id', '=', orderId)
      .executeTakeFirstOrThrow();
    await releaseHold(trx, hold_id, 'ordered', now);
    return true;
  });
  if (ended) ticketing.orders.changed(orderId);
  return ended;
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
    organizerId ??
    (
      await ticketing.database.db
        .selectFrom('orders')
        .select('organizer_id')
        .where('id', '=', orderId)
        .executeTakeFirstOrThrow()
    ).organizer_id;
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

export interface Settlement {
  readonly outcome: 'issued' | 'refunding' | 'already';
  /** A phone that now has tickets waiting for it (delivery to another number). */
  readonly notifyPhone?: string;
}

async function settleIn(
  ticketing: Ticketing,
  { trx, now }: Work,
  orderId: string,
  request: PaymentRequestView,
  path: 'issue' | 'refund',
  issuer: OrganizerSigner,
  organizerId?: string,
  admitted: GateAdmission[] = [],
): Promise<Settlement> {
  // The order, its hold, its performance and its device in one read.
  const order = await trx
    .selectFrom('orders as o')
    .innerJoin('holds as h', 'h.id', 'o.hold_id')
    .innerJoin('performances as p', 'p.id', 'o.performance_id')
    .leftJoin('devices as d', 'd.id', 'o.device_id')
    .selectAll('o')
    .select(['h.status as hold_status', 'p.status as performance_status', 'd.public_key'])
    .where('o.id', '=', orderId)
    .executeTakeFirst();
  if (!order || request.status !== 'paid') return { outcome: 'already' };
  // A webhook of one organizer's wallet can only settle that organizer's orders.
  if (organizerId !== undefined && order.organizer_id !== organizerId)
    return { outcome: 'already' };
  if (order.status === 'issued' || order.status === 'refunded') return { outcome: 'already' };
  if (
    request.asset !== order.asset ||
    request.amount !== BigInt(order.amount) ||
    (order.payment_request_id !== null && order.payment_request_id !== request.id)
  ) {
    // Cannot happen for a request we made; never issue on a payment that does not match.
    throw new ApiError(
      409,
      'payment_mismatch',
      `payment ${request.id} does not match order ${order.id}`,
    );
  }
  const intact =
    path === 'issue' &&
    order.performance_status === 'scheduled' &&
    order.hold_status === 'ordered' &&
    (order.status === 'awaiting_payment' || order.status === 'creating');
  if (!intact) {
    // The seats are gone (the order had been given up) or the performance was cancelled. The
    // buyer paid: refund in full, and free whatever the order still held.
    await releaseHold(trx, order.hold_id, 'ordered', now);
    await trx
      .updateTable('orders')
      .set({
        status: 'refunded',
        payment_request_id: request.id,
        paid_at: request.paidAt ?? now,
        failure:
          order.performance_status === 'scheduled'
            ? 'seats_lost'
            : `performance_${order.performance_status}`,
        updated_at: now,
      })
      .where('id', '=', order.id)
      .execute();
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
  const lines = await trx
    .selectFrom('order_lines')
    .selectAll()
    .where('order_id', '=', order.id)
    .orderBy('line_no')
    .execute();
  const holder = order.device_id
    ? order.user_id
    : ((
        await trx
          .selectFrom('users')
          .select('id')
          .where('phone', '=', order.deliver_to_phone)
          .executeTakeFirst()
      )?.id ?? null);
  const tickets = await mintTickets(
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
  // Each held seat becomes sold to its ticket, in one statement; all of them, or none.
  const seatTickets = tickets.filter((ticket) => ticket.seat_id !== null);
  if (seatTickets.length > 0) {
    const sold = await sql`
      update inventory_seats set status = 'sold', ticket_id = t.id
      from tickets t
      where t.order_id = ${order.id} and t.seat_id = inventory_seats.seat_id
        and inventory_seats.performance_id = ${order.performance_id}
        and inventory_seats.hold_id = ${order.hold_id} and inventory_seats.status = 'held'`.execute(
      trx,
    );
    if (Number(sold.numAffectedRows ?? 0n) !== seatTickets.length) throw new SeatsLost();
  }
  const gaByCategory = new Map<string, number>();
  for (const line of lines) {
    if (line.seat_id === null) {
      gaByCategory.set(line.category_id, (gaByCategory.get(line.category_id) ?? 0) + 1);
    }
  }
  for (const [categoryId, count] of gaByCategory) {
    await trx
      .updateTable('inventory_quotas')
      .set((eb) => ({ held: eb('held', '-', count), sold: eb('sold', '+', count) }))
      .where('performance_id', '=', order.performance_id)
      .where('category_id', '=', categoryId)
      .execute();
  }
  await trx
    .updateTable('holds')
    .set({ status: 'converted' })
    .where('id', '=', order.hold_id)
    .execute();
  await trx
    .updateTable('orders')
    .set({
      status: 'issued',
      payment_request_id: request.id,
      paid_at: request.paidAt ?? now,
      issued_at: now,
      updated_at: now,
    })
    .where('id', '=', order.id)
    .execute();
  if (order.door_sale_id !== null) {
    await admitDoorSaleIn(ticketing, trx, now, order.door_sale_id, tickets, admitted);
  }
  return order.device_id
    ? { outcome: 'issued' }
    : { outcome: 'issued', notifyPhone: order.deliver_to_phone };
}

export async function queueRefund(
  trx: Work['trx'],
  now: number,
  refund: {
    orderId: string;
    ticketId: string | null;
    paymentRequestId: string;
    organizerId: string;
    asset: string;
    amount: bigint;
    reason: string;
  },
) {
  const id = newId('rf');
  await trx
    .insertInto('refunds')
    .values({
      id,
      order_id: refund.orderId,
      ticket_id: refund.ticketId,
      payment_request_id: refund.paymentRequestId,
      organizer_id: refund.organizerId,
      asset: refund.asset,
      amount: refund.amount.toString(),
      reason: refund.reason,
      status: 'pending',
      attempts: 0,
      last_error: null,
      next_attempt_at: now,
      created_at: now,
      done_at: null,
    })
    .execute();
  return id;
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
  );
  return 'ended';
}

/** The order as its buyer sees it, with what the app needs to pay (S130) or to top up (claim 6). */
/** What the caller already read, so the view need not read it again. */
export interface ViewPreload {
  holdExpiresAt?: number;
  lines?: readonly {
    line_no: number;
    category_id: string;
    category: string;
    seat_id: string | null;
    section: string | null;
    row_label: string | null;
    number: string | null;
    amount: string;
  }[];
}

export async function orderView(
  ticketing: Ticketing,
  order: OrdersTable,
  options: ViewPreload & { forBuyer?: boolean } = {},
) {
  const db = ticketing.database.db;
  const asset = await ticketing.exchange.asset(order.asset);
  const lines =
    options.lines ??
    (await db
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
      .where('l.order_id', '=', order.id)
      .orderBy('l.line_no')
      .execute());
  // Only what the order's state needs: the hold while it is being paid, tickets once issued.
  const paying = order.status === 'creating' || order.status === 'awaiting_payment';
  const hold =
    options.holdExpiresAt !== undefined
      ? { expires_at: options.holdExpiresAt }
      : paying
        ? await db
            .selectFrom('holds')
            .select('expires_at')
            .where('id', '=', order.hold_id)
            .executeTakeFirst()
        : undefined;
  const wallet =
    order.status === 'awaiting_payment' ? await walletOf(ticketing, order.organizer_id) : null;
  const tickets = paying
    ? []
    : await db
        .selectFrom('tickets')
        .select(['id', 'number', 'status', 'credential', 'holder_user_id'])
        .where('order_id', '=', order.id)
        .orderBy('line_no')
        .execute();
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
        ? {
            requestId: order.payment_request_id,
            expiresAt: new Date(order.pay_expires_at).toISOString(),
            exchangeUrl: ticketing.exchange.publicUrl,
            payUrl: `${ticketing.exchange.publicUrl}/v1/payment-requests/${order.payment_request_id}/pay`,
            buyPageUrl: await ticketing.exchange.buyPageUrl({
              merchantId: wallet.merchantId,
              asset: order.asset,
              amount: BigInt(order.amount),
              returnUrl: order.return_url ?? `${ticketing.config.mobileAppUrl}/`,
              reference: order.id,
            }),
          }
        : null,
    // The buyer's own device gets its credentials here, so waiting for the order is enough.
    tickets: tickets.map((ticket) => ({
      id: ticket.id,
      number: ticket.number,
      status: ticket.status,
      credential:
        options.forBuyer && ticket.holder_user_id === order.user_id ? ticket.credential : null,
    })),
  };
}

/** Parses a whole-unit decimal amount of a webhook body into the asset's smallest units. */
export async function unitsOf(ticketing: Ticketing, assetCode: string, amount: string) {
  return parseAmount(amount, await ticketing.exchange.asset(assetCode));
}
