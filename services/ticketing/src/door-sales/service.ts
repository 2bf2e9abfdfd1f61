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

/** How long an offer waits to be claimed; the order that follows has its own payment window. */
export const doorSaleClaimMs = 10 * 60_000;

export interface DoorSaleInput {
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

/** The offer's performance and category, if the terminal may sell them. */
async function offerContext(ticketing: Ticketing, performanceId: string, categoryId: string) {
  return ticketing.database.db
    .selectFrom('performances as p')
    .innerJoin('events as e', 'e.id', 'p.event_id')
    .innerJoin('venues as v', 'v.id', 'e.venue_id')
    .innerJoin('categories as c', (join) =>
      join.onRef('c.event_id', '=', 'e.id').on('c.id', '=', categoryId),
    )
    .select([
      'p.id as performance_id',
      'p.status',
      'p.starts_at',
      'p.ends_at',
      'p.closed_at',
      'e.id as event_id',
      'e.name as event_name',
      'e.per_order_limit',
      'e.organizer_id',
      'v.name as venue_name',
      'c.id as category_id',
      'c.name as category',
      'c.pricing',
      'c.price_asset',
      'c.price_amount',
    ])
    .where('p.id', '=', performanceId)
    .executeTakeFirst();
}

type OfferContext = NonNullable<Awaited<ReturnType<typeof offerContext>>>;

export async function createDoorSale(
  ticketing: Ticketing,
  terminal: TerminalPrincipal,
  input: DoorSaleInput,
) {
  const context = terminal.performanceIds.includes(input.performanceId)
    ? await offerContext(ticketing, input.performanceId, input.categoryId)
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
  await ticketing.database.db.insertInto('door_sales').values(sale).execute();
  return doorSaleView(ticketing, sale, context);
}

async function saleOf(ticketing: Ticketing, id: string) {
  return ticketing.database.db
    .selectFrom('door_sales')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
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
export async function claimableDoorSale(ticketing: Ticketing, id: string, claimToken: string) {
  const sale = await saleOf(ticketing, id);
  if (!sale || !sameToken(sale.claim_token, claimToken)) throw notFound('door sale');
  return sale;
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
  const context = known ?? (await offerContext(ticketing, sale.performance_id, sale.category_id));
  if (!context) throw notFound('door sale');
  const now = ticketing.clock.now();
  const order = sale.order_id
    ? await db
        .selectFrom('orders')
        .select(['status', 'failure'])
        .where('id', '=', sale.order_id)
        .executeTakeFirst()
    : undefined;
  let status: string = sale.status;
  if (sale.status === 'open' && now >= sale.expires_at) status = 'expired';
  if (
    sale.status === 'claimed' &&
    order &&
    ['expired', 'cancelled', 'refunded'].includes(order.status)
  ) {
    status = 'failed';
  }
  const tickets = sale.order_id
    ? await db
        .selectFrom('tickets as t')
        .leftJoin('seats as s', 's.id', 't.seat_id')
        .select(['t.id', 't.number', 't.seat_id', 's.section', 's.row_label', 's.number as seat'])
        .where('t.order_id', '=', sale.order_id)
        .orderBy('t.line_no')
        .execute()
    : [];
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
  const db = ticketing.database.db;
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
  await db
    .updateTable('door_sales')
    .set({ status: 'cancelled' })
    .where('id', '=', sale.id)
    .where('status', 'in', ['open', 'claimed'])
    .execute();
  return (await saleOf(ticketing, sale.id)) as DoorSalesTable;
}

/**
 * The buyer's app claims the offer: first come, first served on the sale row (two phones that
 * scan the same QR race there, not on the seats), then a hold and an ordinary order bound to the
 * buyer's device. Claiming again (a retry) finishes and answers the same order.
 */
export async function claimDoorSale(
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
    const claimed = await db
      .updateTable('door_sales')
      .set({ claimed_by: user.id, status: 'claimed' })
      .where('id', '=', sale.id)
      .where('status', '=', 'open')
      .where('claimed_by', 'is', null)
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) {
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
      await db
        .updateTable('door_sales')
        .set({ claimed_by: null, status: 'open' })
        .where('id', '=', sale.id)
        .where('claimed_by', '=', user.id)
        .where('hold_id', 'is', null)
        .execute();
      throw error;
    }
    await db.updateTable('door_sales').set({ hold_id: holdId }).where('id', '=', sale.id).execute();
  }
  const placed = await placeOrder(ticketing, user, {
    holdId,
    deviceId: input.deviceId,
    ...(input.asset ? { asset: input.asset } : {}),
    doorSaleId: sale.id,
  });
  if (sale.order_id !== placed.order.id) {
    await db
      .updateTable('door_sales')
      .set({ order_id: placed.order.id })
      .where('id', '=', sale.id)
      .execute();
  }
  return { order: placed.order, created: placed.created };
}
