/**
 * What the organizer sees of an event's sales (the "reports revenue" half of event close): per
 * performance and category how much is available, held and sold and what it earned, the orders
 * by status and the refunds; and the attendee list, one line per ticket that admits someone.
 *
 * Money is summed as bigint in code, never in SQL: SQLite's sum() over decimal text turns into
 * floating point, and an 18-decimal asset overflows its 64-bit integers after a few whole coins.
 * The queries group equal amounts first, so the rows read stay few (one per price, not per
 * ticket). Every query reaches tickets, orders and inventory through a performance id, which the
 * tables' indexes start with.
 *
 * The attendee list is read in keyset pages (performance by start, then ticket number, the
 * tickets_number index), so an export of 50,000 attendees holds one page of rows at a time.
 */
import { formatAmount } from '@tessera/service-kit/amounts';
import { ApiError, badRequest, notFound } from '@tessera/service-kit/errors';
import type { Ticketing } from '../context.ts';
import type { OrderStatus, TicketStatus } from '../db/schema.ts';
import type { Principal } from '../identity/service.ts';
import { requireStaff } from '../organizers/staff.ts';
import { liveTicketStatuses } from '../tickets/service.ts';

/** Tickets that count as sold and admit someone: revenue and the attendee list. */
export const orderStatuses: readonly OrderStatus[] = [
  'creating',
  'awaiting_payment',
  'issued',
  'expired',
  'cancelled',
  'refunded',
];
export const refundStatuses = ['pending', 'done', 'failed'] as const;
export const attendeePageMax = 1_000;

/**
 * The event if the caller may see its sales (view_sales at its organizer). Staff of another
 * organizer, and strangers, learn only that there is no such event.
 */
export async function requireSalesReader(
  ticketing: Ticketing,
  principal: Principal | undefined,
  eventId: string,
) {
  const event = await ticketing.database.db
    .selectFrom('events')
    .select(['id', 'organizer_id', 'name', 'slug', 'status'])
    .where('id', '=', eventId)
    .executeTakeFirst();
  if (!event) throw notFound('event');
  try {
    await requireStaff(ticketing, principal, event.organizer_id, 'view_sales');
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) throw notFound('event');
    throw error;
  }
  return event;
}

/** Asset scales from the exchange, looked up once per asset per report. */
function scales(ticketing: Ticketing) {
  const known = new Map<string, number>();
  return async (code: string) => {
    let scale = known.get(code);
    if (scale === undefined) {
      scale = (await ticketing.exchange.asset(code)).scale;
      known.set(code, scale);
    }
    return scale;
  };
}

/** Sums of smallest units per asset, and how many items made them. */
class AssetTotals {
  private readonly sums = new Map<string, { units: bigint; count: number }>();

  add(asset: string, units: bigint, count: number) {
    const entry = this.sums.get(asset) ?? { units: 0n, count: 0 };
    entry.units += units;
    entry.count += count;
    this.sums.set(asset, entry);
  }

  merge(other: AssetTotals) {
    for (const [asset, entry] of other.sums) this.add(asset, entry.units, entry.count);
  }

  get count() {
    let total = 0;
    for (const entry of this.sums.values()) total += entry.count;
    return total;
  }

  /** Sorted by asset code, amounts in whole units as the API speaks them. */
  async view(scaleOf: (code: string) => Promise<number>) {
    const out: { asset: string; amount: string; count: number }[] = [];
    for (const asset of [...this.sums.keys()].sort()) {
      const entry = this.sums.get(asset) as { units: bigint; count: number };
      out.push({
        asset,
        amount: formatAmount(entry.units, await scaleOf(asset)),
        count: entry.count,
      });
    }
    return out;
  }
}

interface Counts {
  capacity: number;
  available: number;
  held: number;
  sold: number;
  blocked: number;
}

const emptyCounts = (): Counts => ({ capacity: 0, available: 0, held: 0, sold: 0, blocked: 0 });

function addCounts(into: Counts, from: Counts) {
  into.capacity += from.capacity;
  into.available += from.available;
  into.held += from.held;
  into.sold += from.sold;
  into.blocked += from.blocked;
}

/** The sales report of one event (GET /v1/events/:eventId/sales). */
export async function salesReport(ticketing: Ticketing, eventId: string) {
  const db = ticketing.database.db;
  const event = await db
    .selectFrom('events')
    .select(['id', 'name', 'slug', 'status'])
    .where('id', '=', eventId)
    .executeTakeFirstOrThrow();
  const performances = await db
    .selectFrom('performances')
    .select(['id', 'code', 'starts_at', 'status'])
    .where('event_id', '=', eventId)
    .orderBy('starts_at')
    .orderBy('id')
    .execute();
  const categories = await db
    .selectFrom('categories')
    .select(['id', 'name', 'seating', 'pricing', 'price_asset', 'price_amount'])
    .where('event_id', '=', eventId)
    .orderBy('sort_order')
    .orderBy('id')
    .execute();
  const performanceIds = performances.map((performance) => performance.id);
  const scaleOf = scales(ticketing);

  // Inventory, revenue, orders and refunds, keyed by performance and category.
  const cellKey = (performanceId: string, categoryId: string) => `${performanceId} ${categoryId}`;
  const counts = new Map<string, Counts>();
  const revenue = new Map<string, AssetTotals>();
  const orders = new Map<string, number>(orderStatuses.map((status) => [status, 0]));
  const refunds = new Map<string, AssetTotals>(
    refundStatuses.map((status) => [status, new AssetTotals()]),
  );
  const countsOf = (key: string) => {
    let entry = counts.get(key);
    if (!entry) {
      entry = emptyCounts();
      counts.set(key, entry);
    }
    return entry;
  };

  if (performanceIds.length > 0) {
    const seats = await db
      .selectFrom('inventory_seats')
      .select((eb) => ['performance_id', 'category_id', 'status', eb.fn.countAll<number>().as('n')])
      .where('performance_id', 'in', performanceIds)
      .groupBy(['performance_id', 'category_id', 'status'])
      .execute();
    for (const row of seats) {
      const entry = countsOf(cellKey(row.performance_id, row.category_id));
      const n = Number(row.n);
      entry.capacity += n;
      entry[row.status] += n;
    }
    const quotas = await db
      .selectFrom('inventory_quotas')
      .select(['performance_id', 'category_id', 'capacity', 'held', 'sold'])
      .where('performance_id', 'in', performanceIds)
      .execute();
    for (const row of quotas) {
      const entry = countsOf(cellKey(row.performance_id, row.category_id));
      const [capacity, held, sold] = [Number(row.capacity), Number(row.held), Number(row.sold)];
      entry.capacity += capacity;
      entry.held += held;
      entry.sold += sold;
      entry.available += capacity - held - sold;
    }
    const sales = await db
      .selectFrom('tickets')
      .select((eb) => [
        'performance_id',
        'category_id',
        'asset',
        'amount',
        eb.fn.countAll<number>().as('n'),
      ])
      .where('performance_id', 'in', performanceIds)
      .where('status', 'in', liveTicketStatuses)
      .groupBy(['performance_id', 'category_id', 'asset', 'amount'])
      .execute();
    for (const row of sales) {
      const key = cellKey(row.performance_id, row.category_id);
      let totals = revenue.get(key);
      if (!totals) {
        totals = new AssetTotals();
        revenue.set(key, totals);
      }
      const n = Number(row.n);
      totals.add(row.asset, BigInt(String(row.amount)) * BigInt(n), n);
    }
    const orderRows = await db
      .selectFrom('orders')
      .select((eb) => ['status', eb.fn.countAll<number>().as('n')])
      .where('performance_id', 'in', performanceIds)
      .groupBy('status')
      .execute();
    for (const row of orderRows) orders.set(row.status, Number(row.n));
    const refundRows = await db
      .selectFrom('refunds as r')
      .innerJoin('orders as o', 'o.id', 'r.order_id')
      .select((eb) => ['r.status', 'r.asset', 'r.amount', eb.fn.countAll<number>().as('n')])
      .where('o.performance_id', 'in', performanceIds)
      .groupBy(['r.status', 'r.asset', 'r.amount'])
      .execute();
    for (const row of refundRows) {
      const n = Number(row.n);
      refunds.get(row.status)?.add(row.asset, BigInt(String(row.amount)) * BigInt(n), n);
    }
  }

  const eventCounts = emptyCounts();
  const eventRevenue = new AssetTotals();
  const performanceViews = [];
  for (const performance of performances) {
    const performanceCounts = emptyCounts();
    const performanceRevenue = new AssetTotals();
    const categoryViews = [];
    for (const category of categories) {
      const key = cellKey(performance.id, category.id);
      const cell = counts.get(key) ?? emptyCounts();
      const earned = revenue.get(key) ?? new AssetTotals();
      addCounts(performanceCounts, cell);
      performanceRevenue.merge(earned);
      categoryViews.push({
        id: category.id,
        name: category.name,
        seating: category.seating,
        price: {
          asset: category.price_asset,
          amount: formatAmount(
            BigInt(String(category.price_amount)),
            await scaleOf(category.price_asset),
          ),
        },
        ...cell,
        tickets: earned.count,
        revenue: await earned.view(scaleOf),
      });
    }
    addCounts(eventCounts, performanceCounts);
    eventRevenue.merge(performanceRevenue);
    performanceViews.push({
      id: performance.id,
      code: performance.code,
      startsAt: new Date(Number(performance.starts_at)).toISOString(),
      status: performance.status,
      categories: categoryViews,
      totals: {
        ...performanceCounts,
        tickets: performanceRevenue.count,
        revenue: await performanceRevenue.view(scaleOf),
      },
    });
  }
  const refundViews = [];
  for (const status of refundStatuses) {
    const totals = refunds.get(status) as AssetTotals;
    refundViews.push({ status, count: totals.count, amounts: await totals.view(scaleOf) });
  }
  return {
    eventId: event.id,
    slug: event.slug,
    name: event.name,
    status: event.status,
    generatedAt: new Date(ticketing.clock.now()).toISOString(),
    performances: performanceViews,
    totals: {
      ...eventCounts,
      tickets: eventRevenue.count,
      revenue: await eventRevenue.view(scaleOf),
    },
    orders: orderStatuses.map((status) => ({ status, count: orders.get(status) ?? 0 })),
    refunds: refundViews,
  };
}

export type SalesReport = Awaited<ReturnType<typeof salesReport>>;

// ---------------------------------------------------------------------------------------------
// Attendees

export interface Attendee {
  ticketId: string;
  performanceId: string;
  performanceCode: string;
  performanceStart: string;
  category: string;
  section: string | null;
  row: string | null;
  seat: string | null;
  area: string | null;
  ticketNumber: string;
  holderPhone: string;
  holderFirstName: string | null;
  status: TicketStatus;
  revision: number;
  orderId: string;
  price: string;
  asset: string;
}

/** Where a page of attendees ends: the performance and the last ticket number in it. */
export interface AttendeeCursor {
  performanceId: string;
  number: string;
}

export const attendeeCursorPattern = '^perf_[0-9a-z]{8,40}:[0-9a-z]{1,20}$';

export const encodeAttendeeCursor = (cursor: AttendeeCursor) =>
  `${cursor.performanceId}:${cursor.number}`;

export function decodeAttendeeCursor(text: string): AttendeeCursor {
  if (!new RegExp(attendeeCursorPattern).test(text)) {
    throw badRequest('invalid_cursor', 'after must be a cursor from a previous page');
  }
  const at = text.indexOf(':');
  return { performanceId: text.slice(0, at), number: text.slice(at + 1) };
}

/** The event's performances in report order (by start), optionally only one of them. */
async function attendeePerformances(
  ticketing: Ticketing,
  eventId: string,
  performanceId: string | undefined,
) {
  let query = ticketing.database.db
    .selectFrom('performances')
    .select(['id', 'code', 'starts_at'])
    .where('event_id', '=', eventId);
  if (performanceId !== undefined) query = query.where('id', '=', performanceId);
  const rows = await query.orderBy('starts_at').orderBy('id').execute();
  if (performanceId !== undefined && rows.length === 0) throw notFound('performance');
  return rows;
}

/** How many attendees the list will have (for a progress bar; the list itself may move on). */
export async function countAttendees(
  ticketing: Ticketing,
  eventId: string,
  performanceId?: string,
) {
  const performances = await attendeePerformances(ticketing, eventId, performanceId);
  if (performances.length === 0) return 0;
  const row = await ticketing.database.db
    .selectFrom('tickets')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where(
      'performance_id',
      'in',
      performances.map((performance) => performance.id),
    )
    .where('status', 'in', liveTicketStatuses)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * One keyset page of attendees after `after` (or from the start): at most `limit` rows, and the
 * cursor of the next page, null after the last.
 */
export async function attendeePage(
  ticketing: Ticketing,
  eventId: string,
  options: { performanceId?: string; after?: AttendeeCursor; limit?: number } = {},
): Promise<{ attendees: Attendee[]; next: AttendeeCursor | null }> {
  const limit = Math.max(1, Math.min(options.limit ?? attendeePageMax, attendeePageMax));
  const performances = await attendeePerformances(ticketing, eventId, options.performanceId);
  let start = 0;
  if (options.after) {
    const after = options.after;
    start = performances.findIndex((performance) => performance.id === after.performanceId);
    if (start < 0) throw badRequest('invalid_cursor', 'the cursor is not of this list');
  }
  const scaleOf = scales(ticketing);
  const attendees: Attendee[] = [];
  for (let index = start; index < performances.length; index++) {
    const performance = performances[index] as (typeof performances)[number];
    const afterNumber = index === start && options.after ? options.after.number : undefined;
    const rows = await ticketRows(ticketing, performance.id, afterNumber, limit - attendees.length);
    for (const row of rows) {
      attendees.push({
        ticketId: row.id,
        performanceId: performance.id,
        performanceCode: performance.code,
        performanceStart: new Date(Number(performance.starts_at)).toISOString(),
        category: row.category,
        section: row.section,
        row: row.row_label,
        seat: row.seat_number,
        area: row.seat_id === null ? row.area : null,
        ticketNumber: row.number,
        holderPhone: row.holder_phone,
        holderFirstName: row.first_name,
        status: row.status,
        revision: Number(row.revision),
        orderId: row.order_id,
        price: formatAmount(BigInt(String(row.amount)), await scaleOf(row.asset)),
        asset: row.asset,
      });
    }
    if (attendees.length >= limit) {
      const last = attendees[attendees.length - 1] as Attendee;
      return {
        attendees,
        next: { performanceId: last.performanceId, number: last.ticketNumber },
      };
    }
  }
  return { attendees, next: null };
}

function ticketRows(
  ticketing: Ticketing,
  performanceId: string,
  afterNumber: string | undefined,
  limit: number,
) {
  let query = ticketing.database.db
    .selectFrom('tickets as t')
    .innerJoin('categories as c', 'c.id', 't.category_id')
    .leftJoin('seats as s', 's.id', 't.seat_id')
    .leftJoin('areas as a', 'a.id', 'c.area_id')
    // The holder is whoever has the phone now (tickets sent to a number may have no user yet).
    .leftJoin('users as u', 'u.phone', 't.holder_phone')
    .select([
      't.id',
      't.number',
      't.seat_id',
      't.holder_phone',
      't.status',
      't.revision',
      't.order_id',
      't.amount',
      't.asset',
      'c.name as category',
      's.section',
      's.row_label',
      's.number as seat_number',
      'a.name as area',
      'u.first_name',
    ])
    .where('t.performance_id', '=', performanceId)
    .where('t.status', 'in', liveTicketStatuses);
  if (afterNumber !== undefined) query = query.where('t.number', '>', afterNumber);
  return query.orderBy('t.number').limit(limit).execute();
}

/** Every attendee, page by page: what the CSV export streams. */
export async function* allAttendees(
  ticketing: Ticketing,
  eventId: string,
  options: { performanceId?: string; pageSize?: number } = {},
): AsyncGenerator<Attendee[]> {
  let after: AttendeeCursor | undefined;
  for (;;) {
    const page = await attendeePage(ticketing, eventId, {
      ...(options.performanceId !== undefined ? { performanceId: options.performanceId } : {}),
      ...(after ? { after } : {}),
      limit: options.pageSize ?? attendeePageMax,
    });
    if (page.attendees.length > 0) yield page.attendees;
    if (!page.next) return;
    after = page.next;
  }
}

// ---------------------------------------------------------------------------------------------
// CSV (RFC 4180)

export const attendeeCsvColumns = [
  'performance_start',
  'performance_code',
  'category',
  'section',
  'row',
  'seat',
  'area',
  'ticket_number',
  'holder_phone',
  'holder_first_name',
  'status',
  'revision',
  'order_id',
  'price',
  'asset',
] as const;

/**
 * One CSV cell. A cell a spreadsheet would read as a formula (it starts with = + - @, or a tab
 * or carriage return that some programs skip first) gets a leading apostrophe, so a buyer's
 * first name such as `=HYPERLINK(...)` stays text. Cells with a comma, a quote or a line break
 * are quoted, quotes doubled.
 */
export function csvCell(value: string | number | null | undefined): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export const csvLine = (cells: readonly (string | number | null | undefined)[]) =>
  `${cells.map(csvCell).join(',')}\r\n`;

export const attendeeCsvHeader = () => csvLine(attendeeCsvColumns);

export function attendeeCsvLine(attendee: Attendee) {
  return csvLine([
    attendee.performanceStart,
    attendee.performanceCode,
    attendee.category,
    attendee.section,
    attendee.row,
    attendee.seat,
    attendee.area,
    attendee.ticketNumber,
    attendee.holderPhone,
    attendee.holderFirstName,
    attendee.status,
    attendee.revision,
    attendee.orderId,
    attendee.price,
    attendee.asset,
  ]);
}

/** The whole attendee CSV as text chunks, one per page (a header first). */
export async function* attendeeCsv(
  ticketing: Ticketing,
  eventId: string,
  options: { performanceId?: string; pageSize?: number } = {},
): AsyncGenerator<string> {
  yield attendeeCsvHeader();
  for await (const page of allAttendees(ticketing, eventId, options)) {
    yield page.map(attendeeCsvLine).join('');
  }
}
