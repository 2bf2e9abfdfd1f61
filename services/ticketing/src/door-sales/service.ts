/**
 * Door sales (unit 404): selling a ticket at the gate. The terminal offers tickets of a category
 * and shows a QR of the claim URL; the buyer's app claims the offer, which holds the tickets and
 * places an ordinary order bound to the buyer's device, and pays it from its wallet like any
 * checkout; issuance then admits the tickets at the selling terminal in the same transaction
 * (`admitDoorSaleIn`), so the buyer walks in as soon as the payment lands.
 */

import { randomBytes, timingSafeEqual } from 'node:crypto';
import { ApiError, conflict, notFound } from '@tessera/service-kit/errors';
import { priceOf } from '../availability/service.ts';
import type { Ticketing } from '../context.ts';
import type { DoorSalesTable, OrdersTable } from '../db/schema.ts';
import { createHold } from '../holds/service.ts';
import type { TerminalPrincipal } from '../identity/service.ts';
import { newId } from '../ids.ts';
import { closeUnpaidOrder, orderById, placeOrder } from '../orders/service.ts';
import { orderView } from '../orders/view.ts';
import {
  doorSaleById,
  insertDoorSale,
  markDoorSaleCancelled,
  markDoorSaleClaimed,
  type OfferContext,
  offerContext,
  orderOutcome,
  reopenDoorSale,
  setDoorSaleHold,
  setDoorSaleOrder,
  soldTicketsOfOrder,
} from './repository.ts';
import { checkDoorSaleRules } from './settings.ts';

/** How long an offer waits to be claimed; the order that follows has its own payment window. */
const doorSaleClaimMs = 10 * 60_000;

interface DoorSaleInput {
  performanceId: string;
  categoryId: string;
  quantity: number;
}

const token = () => randomBytes(18).toString('base64url');

function sameToken(a: string, b: string) {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** The terminal offers tickets of a category of one of its performances, while it is not over. */
export async function createDoorSale(
  ticketing: Ticketing,
  terminal: TerminalPrincipal,
  input: DoorSaleInput,
) {
  const context = terminal.performanceIds.includes(input.performanceId)
    ? await offerContext(ticketing.database.db, input.performanceId, input.categoryId)
    : undefined;
  if (!context || context.organizer_id !== terminal.organizerId) {
    throw notFound('performance or category');
  }
  const now = ticketing.clock.now();
  if (context.closed_at !== null || context.status !== 'scheduled' || now >= context.ends_at) {
    throw conflict('performance_closed', 'this performance is over; the gate cannot sell for it');
  }
  if (input.quantity > context.per_order_limit) {
    throw new ApiError(
      400,
      'order_limit',
      `an order holds 1 to ${context.per_order_limit} tickets`,
    );
  }
  // What the organizer lets the gates sell of this performance (settings.ts).
  await checkDoorSaleRules(ticketing.database.db, {
    performanceId: context.performance_id,
    categoryId: context.category_id,
    quantity: input.quantity,
    perOrderLimit: context.per_order_limit,
  });
  const sale: DoorSalesTable = {
    id: newId('ds'),
    organizer_id: terminal.organizerId,
    terminal_id: terminal.id,
    performance_id: context.performance_id,
    category_id: context.category_id,
    quantity: input.quantity,
    claim_token: token(),
    status: 'open',
    created_at: now,
    expires_at: now + doorSaleClaimMs,
    claimed_by: null,
    hold_id: null,
    order_id: null,
    admitted_at: null,
  };
  await insertDoorSale(ticketing.database.db, sale);
  return doorSaleView(ticketing, sale, context);
}

function saleOf(ticketing: Ticketing, id: string) {
  return doorSaleById(ticketing.database.db, id);
}

/** The terminal's own sale; another terminal's is not found. */
export async function terminalDoorSale(
  ticketing: Ticketing,
  terminal: TerminalPrincipal,
  id: string,
) {
  const sale = await saleOf(ticketing, id);
  if (!sale || sale.terminal_id !== terminal.id) throw notFound('door sale');
  return sale;
}

/** A claim QR's sale: an unknown id and a wrong token answer alike. */
async function claimableDoorSale(ticketing: Ticketing, id: string, claimToken: string) {
  const sale = await saleOf(ticketing, id);
  if (!sale || !sameToken(sale.claim_token, claimToken)) throw notFound('door sale');
  return sale;
}

/**
 * The sale's state as the gate and the console say it: `expired` when an open offer's time is
 * up, `failed` when the order it led to ended without tickets (unpaid, or refunded because the
 * seats were gone).
 */
export function saleStatus(
  sale: Pick<DoorSalesTable, 'status' | 'expires_at'>,
  orderStatus: OrdersTable['status'] | null,
  now: number,
): string {
  if (sale.status === 'open' && now >= Number(sale.expires_at)) return 'expired';
  if (
    sale.status === 'claimed' &&
    orderStatus !== null &&
    ['expired', 'cancelled', 'refunded'].includes(orderStatus)
  ) {
    return 'failed';
  }
  return sale.status;
}

/**
 * The sale's state as the gate sees it: `failed` when the order it led to ended without
 * tickets (unpaid, or refunded because the seats were gone).
 */
export async function doorSaleView(
  ticketing: Ticketing,
  sale: DoorSalesTable,
  known?: OfferContext,
) {
  const db = ticketing.database.db;
  const context = known ?? (await offerContext(db, sale.performance_id, sale.category_id));
  if (!context) throw notFound('door sale');
  const now = ticketing.clock.now();
  const order = sale.order_id ? await orderOutcome(db, sale.order_id) : undefined;
  const status = saleStatus(sale, order?.status ?? null, now);
  const tickets = sale.order_id ? await soldTicketsOfOrder(db, sale.order_id) : [];
  const amount = await priceOf(ticketing, context.price_asset, context.price_amount);
  return {
    id: sale.id,
    status,
    performanceId: sale.performance_id,
    categoryId: sale.category_id,
    category: context.category,
    quantity: sale.quantity,
    price:
      context.pricing === 'fiat'
        ? { fiat: context.price_asset, amount }
        : { asset: context.price_asset, amount },
    event: { id: context.event_id, name: context.event_name },
    venue: context.venue_name,
    startsAt: new Date(context.starts_at).toISOString(),
    timeZone: context.venue_time_zone,
    claimUrl: `${ticketing.config.mobileAppUrl}/door/${sale.id}?t=${sale.claim_token}`,
    expiresAt: new Date(sale.expires_at).toISOString(),
    orderId: sale.order_id,
    orderFailure: status === 'failed' ? (order?.failure ?? order?.status ?? null) : null,
    tickets: tickets.map((ticket) => ({
      id: ticket.id,
      number: ticket.number,
      seat: ticket.seat_id
        ? { section: ticket.section ?? '', row: ticket.row_label ?? '', number: ticket.seat ?? '' }
        : null,
      category: context.category,
    })),
    admittedAt: sale.admitted_at === null ? null : new Date(sale.admitted_at).toISOString(),
  };
}

/** Withdraws an offer nobody has paid for. A claimed one ends its order first (asking the exchange). */
export async function cancelDoorSale(ticketing: Ticketing, sale: DoorSalesTable) {
  if (sale.status === 'cancelled') return sale;
  if (sale.status === 'admitted') throw conflict('door_sale_paid', 'this sale is paid');
  if (sale.order_id) {
    const order = await orderById(ticketing, sale.order_id);
    if (order.status === 'awaiting_payment' || order.status === 'creating') {
      const outcome = await closeUnpaidOrder(ticketing, order, 'cancelled');
      if (outcome !== 'ended') {
        throw conflict(
          outcome === 'settled' ? 'door_sale_paid' : 'door_sale_paying',
          outcome === 'settled' ? 'this sale is paid' : 'the payment is being made; try again',
        );
      }
    } else if (order.status === 'issued') {
      throw conflict('door_sale_paid', 'this sale is paid');
    }
  }
  await markDoorSaleCancelled(ticketing.database.db, sale.id);
  return (await saleOf(ticketing, sale.id)) as DoorSalesTable;
}

/**
 * The buyer's app claims the offer: first come, first served on the sale row (two phones that
 * scan the same QR race there, not on the seats), then a hold and an ordinary order bound to the
 * buyer's device. Claiming again (a retry) finishes and answers the same order.
 */
async function claimDoorSale(
  ticketing: Ticketing,
  user: { id: string; phone: string },
  sale: DoorSalesTable,
  input: { deviceId: string; asset?: string },
): Promise<{ order: OrdersTable; created: boolean }> {
  const db = ticketing.database.db;
  if (sale.claimed_by !== null && sale.claimed_by !== user.id) {
    throw conflict('door_sale_claimed', 'another buyer has taken this sale');
  }
  if (sale.status === 'cancelled') {
    throw conflict('door_sale_cancelled', 'the gate has withdrawn this sale');
  }
  if (sale.claimed_by === null) {
    if (ticketing.clock.now() >= sale.expires_at) {
      throw conflict('door_sale_expired', 'this sale has expired; ask the gate for a new one');
    }
    if (!(await markDoorSaleClaimed(db, sale.id, user.id))) {
      const now = await saleOf(ticketing, sale.id);
      if (now?.claimed_by !== user.id) {
        throw conflict('door_sale_claimed', 'another buyer has taken this sale');
      }
    }
  }
  let holdId = sale.hold_id;
  if (holdId === null) {
    try {
      const { hold } = await createHold(ticketing, user.id, {
        performanceId: sale.performance_id,
        categoryId: sale.category_id,
        quantity: sale.quantity,
        channel: 'door',
      });
      holdId = hold.id;
    } catch (error) {
      // Nothing held (sold out, over the buyer's limit): the gate may offer the sale again.
      await reopenDoorSale(db, sale.id, user.id);
      throw error;
    }
    await setDoorSaleHold(db, sale.id, holdId);
  }
  const placed = await placeOrder(ticketing, user, {
    holdId,
    deviceId: input.deviceId,
    ...(input.asset ? { asset: input.asset } : {}),
    doorSaleId: sale.id,
  });
  if (sale.order_id !== placed.order.id) {
    await setDoorSaleOrder(db, sale.id, placed.order.id);
  }
  return { order: placed.order, created: placed.created };
}

/** `GET /v1/door-sales/:id?t=`: what the offer is, as the buyer sees it before claiming. */
export async function doorOfferForBuyer(ticketing: Ticketing, id: string, claimToken: string) {
  const sale = await claimableDoorSale(ticketing, id, claimToken);
  const {
    claimUrl: _url,
    tickets: _tickets,
    orderFailure: _failure,
    ...offer
  } = await doorSaleView(ticketing, sale);
  return offer;
}

/**
 * `POST /v1/door-sales/:id/claim`: the buyer's claim by the QR's token, answered as the order it
 * made (`created` false on a retry).
 */
export async function claimDoorSaleByToken(
  ticketing: Ticketing,
  user: { id: string; phone: string },
  id: string,
  input: { token: string; deviceId: string; asset?: string },
) {
  const sale = await claimableDoorSale(ticketing, id, input.token);
  const { order, created } = await claimDoorSale(ticketing, user, sale, {
    deviceId: input.deviceId,
    ...(input.asset ? { asset: input.asset } : {}),
  });
  return { created, view: await orderView(ticketing, order, { forBuyer: true }) };
}
