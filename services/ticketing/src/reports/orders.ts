/**
 * An event's orders as the organizer's staff look them up (issue 19 item 6): newest first, in
 * keyset pages, narrowed to a performance or a status, or found by what a buyer at the desk can
 * tell: the order id, the 10-digit ticket number of the manual code, or a phone number typed
 * any way people type it (the buyer's, or the holder's of one of its tickets). Each order comes
 * with every ticket it issued, their state, what the gates have used of them (the usage the
 * holder's own view computes, tickets/usage.ts) and their newest refund.
 */
import { parseTicketNumber } from '@tessera/protocol';
import { formatAmount } from '@tessera/service-kit/amounts';
import { badRequest, notFound } from '@tessera/service-kit/errors';
import type { Ticketing } from '../context.ts';
import type { OrderStatus } from '../db/schema.ts';
import { admissionsOfTickets, type TicketSetting, ticketSetting } from '../tickets/repository.ts';
import { usageView } from '../tickets/service.ts';
import {
  attendeePerformances,
  type OrderCursor,
  type OrderFilter,
  type OrderRow,
  type OrderTicketRow,
  orderCount,
  orderRows,
  refundsOfOrders,
  ticketsOfOrders,
} from './repository.ts';
import { assetScales, type ScaleOf } from './totals.ts';

/** At most this many orders a page: each brings its tickets, their usage and refunds. */
export const orderPageMax = 200;
export const orderPageDefault = 50;
/** Longer than any order id, ticket number or phone number typed with spaces and dashes. */
export const orderSearchCharsMax = 60;

export const orderCursorPattern = '^[0-9]{1,15}:ord_[0-9a-z]{8,40}$';

export const encodeOrderCursor = (cursor: OrderCursor) => `${cursor.createdAt}:${cursor.id}`;

export function decodeOrderCursor(text: string): OrderCursor {
  if (!new RegExp(orderCursorPattern).test(text)) {
    throw badRequest('invalid_cursor', 'after must be a cursor from a previous page');
  }
  const at = text.indexOf(':');
  return { createdAt: Number(text.slice(0, at)), id: text.slice(at + 1) };
}

/**
 * `+821012345678` from what people type (`010-1234-5678`, `+82 10 1234 5678`): the same rule as
 * the apps' (packages/web-kit/src/phone.ts), which the server cannot import (a browser package).
 */
export function normalizePhone(input: string): string | undefined {
  const compact = input.replace(/[\s().-]/g, '');
  const e164 = compact.startsWith('+')
    ? compact
    : compact.startsWith('0')
      ? `+82${compact.slice(1)}`
      : `+${compact}`;
  return /^\+[1-9][0-9]{6,14}$/.test(e164) ? e164 : undefined;
}

function ticketNumberOf(input: string): string | undefined {
  try {
    return parseTicketNumber(input);
  } catch {
    return undefined;
  }
}

/**
 * What a search text can mean. Ten digits grouped 3-3-4 read as a ticket number and as a phone
 * number alike (`010-123-4567`), so every reading that parses is searched; a text that is none
 * of the three is refused rather than answered with nothing.
 */
export function searchTerms(text: string): NonNullable<OrderFilter['search']> {
  const trimmed = text.trim();
  if (/^ord_[0-9a-z]{8,40}$/.test(trimmed)) return { orderId: trimmed };
  const ticketNumber = ticketNumberOf(trimmed);
  const phone = normalizePhone(trimmed);
  if (ticketNumber === undefined && phone === undefined) {
    throw badRequest(
      'invalid_request',
      'q must be an order id (ord_…), a 10-digit ticket number or a phone number',
    );
  }
  return {
    ...(ticketNumber !== undefined ? { ticketNumber } : {}),
    ...(phone !== undefined ? { phone } : {}),
  };
}

export interface OrderQuery {
  performanceId?: string;
  status?: OrderStatus;
  q?: string;
  after?: string;
  limit?: number;
}

/** One page of the event's orders (GET /v1/events/:eventId/orders). */
export async function eventOrders(ticketing: Ticketing, eventId: string, query: OrderQuery) {
  const db = ticketing.database.db;
  const performances = await attendeePerformances(db, eventId, query.performanceId);
  if (query.performanceId !== undefined && performances.length === 0) {
    throw notFound('performance');
  }
  const after = query.after !== undefined ? decodeOrderCursor(query.after) : undefined;
  const search = query.q !== undefined ? searchTerms(query.q) : undefined;
  if (performances.length === 0) return { orders: [], next: null, total: 0 };
  const filter: OrderFilter = {
    performanceIds: performances.map((performance) => performance.id),
    ...(query.status !== undefined ? { status: query.status } : {}),
    ...(search ? { search } : {}),
  };
  const limit = Math.max(1, Math.min(query.limit ?? orderPageDefault, orderPageMax));
  // One more than the page tells whether another page follows.
  const rows = await orderRows(db, filter, after, limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const orders = await orderViews(ticketing, page);
  return {
    orders,
    next:
      rows.length > limit && last
        ? encodeOrderCursor({ createdAt: Number(last.created_at), id: last.id })
        : null,
    total: await orderCount(db, filter),
  };
}

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

/** The orders with their tickets, each ticket's usage and newest refund. */
async function orderViews(ticketing: Ticketing, rows: readonly OrderRow[]) {
  if (rows.length === 0) return [];
  const db = ticketing.database.db;
  const orderIds = rows.map((row) => row.id);
  const tickets = await ticketsOfOrders(db, orderIds);
  const admissions = await admissionsOfTickets(
    db,
    tickets.map((ticket) => ticket.id),
  );
  const newestRefund = new Map<string, Awaited<ReturnType<typeof refundsOfOrders>>[number]>();
  // Oldest first: the last one seen of a ticket is its newest.
  for (const refund of await refundsOfOrders(db, orderIds)) {
    if (refund.ticket_id !== null) newestRefund.set(refund.ticket_id, refund);
  }
  const scaleOf = assetScales(ticketing);
  const settings = new Map<string, TicketSetting>();
  const settingOf = async (ticket: OrderTicketRow) => {
    const key = `${ticket.performance_id} ${ticket.category_id}`;
    let setting = settings.get(key);
    if (!setting) {
      setting = await ticketSetting(db, ticket.performance_id, ticket.category_id);
      settings.set(key, setting);
    }
    return setting;
  };
  const views = [];
  for (const row of rows) {
    const ticketViews = [];
    for (const ticket of tickets.filter((t) => t.order_id === row.id)) {
      const setting = await settingOf(ticket);
      const storedAsset = setting.stored_value_asset
        ? { code: setting.stored_value_asset, scale: await scaleOf(setting.stored_value_asset) }
        : null;
      const refund = newestRefund.get(ticket.id);
      ticketViews.push({
        ...(await ticketLine(ticket, scaleOf)),
        usage: usageView(setting, admissions.get(ticket.id) ?? [], storedAsset),
        refund: refund
          ? {
              id: refund.id,
              status: refund.status,
              asset: refund.asset,
              amount: formatAmount(BigInt(String(refund.amount)), await scaleOf(refund.asset)),
              reason: refund.reason,
              createdAt: iso(refund.created_at) as string,
              doneAt: iso(refund.done_at),
            }
          : null,
      });
    }
    views.push({
      id: row.id,
      performanceId: row.performance_id,
      status: row.status,
      createdAt: iso(row.created_at) as string,
      paidAt: iso(row.paid_at),
      buyerPhone: row.buyer_phone,
      buyerFirstName: row.buyer_first_name,
      total: {
        asset: row.asset,
        amount: formatAmount(BigInt(String(row.amount)), await scaleOf(row.asset)),
      },
      fiatTotal: row.fiat_amount,
      tickets: ticketViews,
    });
  }
  return views;
}

async function ticketLine(ticket: OrderTicketRow, scaleOf: ScaleOf) {
  return {
    id: ticket.id,
    number: ticket.manual_number,
    category: ticket.category,
    seat:
      ticket.seat_id !== null
        ? {
            section: ticket.section as string,
            row: ticket.row_label as string,
            number: ticket.seat_number as string,
          }
        : null,
    area: ticket.seat_id === null ? ticket.area : null,
    status: ticket.status,
    holderPhone: ticket.holder_phone,
    price: {
      asset: ticket.asset,
      amount: formatAmount(BigInt(String(ticket.amount)), await scaleOf(ticket.asset)),
    },
  };
}
