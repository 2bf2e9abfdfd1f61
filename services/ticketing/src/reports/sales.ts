/**
 * What the organizer sees of an event's sales (the "reports revenue" half of event close): per
 * performance and category how much is available, held and sold and what it earned, the orders
 * by status and the refunds.
 *
 * Money is summed as bigint in code, never in SQL (totals.ts). The queries group equal amounts
 * first, so the rows read stay few (one per price, not per ticket), and reach tickets, orders
 * and inventory through a performance id, which the tables' indexes start with.
 */
import { formatAmount } from '@tessera/service-kit/amounts';
import { ApiError, notFound } from '@tessera/service-kit/errors';
import type { Ticketing, Trx } from '../context.ts';
import type { OrderStatus } from '../db/schema.ts';
import type { Principal } from '../identity/service.ts';
import { requireStaff } from '../organizers/staff.ts';
import {
  categoriesOfEvent,
  type EventPerformance,
  eventOfReport,
  liveTicketPrices,
  orderCounts,
  performancesOfEvent,
  quotaCounts,
  type ReportCategory,
  type ReportEvent,
  refundAmounts,
  seatCounts,
} from './repository.ts';
import { AssetTotals, assetScales, type ScaleOf } from './totals.ts';

/** The order statuses the report counts, every one listed even at zero. */
export const orderStatuses: readonly OrderStatus[] = [
  'creating',
  'awaiting_payment',
  'issued',
  'expired',
  'cancelled',
  'refunded',
];
const refundStatuses = ['pending', 'done', 'failed'] as const;

/**
 * The event if the caller may see its sales (view_sales at its organizer). Staff of another
 * organizer, and strangers, learn only that there is no such event.
 */
export async function requireSalesReader(
  ticketing: Ticketing,
  principal: Principal | undefined,
  eventId: string,
): Promise<ReportEvent> {
  const event = await eventOfReport(ticketing.database.db, eventId);
  if (!event) throw notFound('event');
  try {
    await requireStaff(ticketing, principal, event.organizer_id, 'view_sales');
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) throw notFound('event');
    throw error;
  }
  return event;
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

/** Inventory, revenue, orders and refunds, keyed by performance and category. */
interface SalesCells {
  counts: Map<string, Counts>;
  revenue: Map<string, AssetTotals>;
  orders: Map<string, number>;
  refunds: Map<string, AssetTotals>;
}

const cellKey = (performanceId: string, categoryId: string) => `${performanceId} ${categoryId}`;

function entryOf<V>(map: Map<string, V>, key: string, empty: () => V): V {
  let entry = map.get(key);
  if (!entry) {
    entry = empty();
    map.set(key, entry);
  }
  return entry;
}

/** Reads the sales of these performances and sums them per cell. */
async function salesOf(db: Trx, performanceIds: readonly string[]): Promise<SalesCells> {
  const cells: SalesCells = {
    counts: new Map(),
    revenue: new Map(),
    orders: new Map(orderStatuses.map((status) => [status, 0])),
    refunds: new Map(refundStatuses.map((status) => [status, new AssetTotals()])),
  };
  if (performanceIds.length === 0) return cells;
  for (const row of await seatCounts(db, performanceIds)) {
    const entry = entryOf(cells.counts, cellKey(row.performance_id, row.category_id), emptyCounts);
    entry.capacity += row.n;
    entry[row.status] += row.n;
  }
  for (const row of await quotaCounts(db, performanceIds)) {
    const entry = entryOf(cells.counts, cellKey(row.performance_id, row.category_id), emptyCounts);
    entry.capacity += row.capacity;
    entry.held += row.held;
    entry.sold += row.sold;
    entry.available += row.capacity - row.held - row.sold;
  }
  for (const row of await liveTicketPrices(db, performanceIds)) {
    const key = cellKey(row.performance_id, row.category_id);
    const totals = entryOf(cells.revenue, key, () => new AssetTotals());
    totals.add(row.asset, row.amount * BigInt(row.n), row.n);
  }
  for (const row of await orderCounts(db, performanceIds)) cells.orders.set(row.status, row.n);
  for (const row of await refundAmounts(db, performanceIds)) {
    cells.refunds.get(row.status)?.add(row.asset, row.amount * BigInt(row.n), row.n);
  }
  return cells;
}

/** The sales report of one event (GET /v1/events/:eventId/sales). */
export async function salesReport(ticketing: Ticketing, eventId: string) {
  const db = ticketing.database.db;
  const event = await eventOfReport(db, eventId);
  if (!event) throw notFound('event');
  const performances = await performancesOfEvent(db, eventId);
  const categories = await categoriesOfEvent(db, eventId);
  const scaleOf = assetScales(ticketing);
  const cells = await salesOf(
    db,
    performances.map((performance) => performance.id),
  );
  const eventCounts = emptyCounts();
  const eventRevenue = new AssetTotals();
  const performanceViews = [];
  for (const performance of performances) {
    const view = await performanceView(performance, categories, cells, scaleOf);
    addCounts(eventCounts, view.counts);
    eventRevenue.merge(view.revenue);
    performanceViews.push(view.body);
  }
  const refundViews = [];
  for (const status of refundStatuses) {
    const totals = cells.refunds.get(status) as AssetTotals;
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
    orders: orderStatuses.map((status) => ({ status, count: cells.orders.get(status) ?? 0 })),
    refunds: refundViews,
  };
}

/** One performance's categories and totals, with its counts and revenue for the event's. */
async function performanceView(
  performance: EventPerformance,
  categories: readonly ReportCategory[],
  cells: SalesCells,
  scaleOf: ScaleOf,
) {
  const counts = emptyCounts();
  const revenue = new AssetTotals();
  const categoryViews = [];
  for (const category of categories) {
    const key = cellKey(performance.id, category.id);
    const cell = cells.counts.get(key) ?? emptyCounts();
    const earned = cells.revenue.get(key) ?? new AssetTotals();
    addCounts(counts, cell);
    revenue.merge(earned);
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
  const body = {
    id: performance.id,
    code: performance.code,
    startsAt: new Date(Number(performance.starts_at)).toISOString(),
    status: performance.status,
    categories: categoryViews,
    totals: { ...counts, tickets: revenue.count, revenue: await revenue.view(scaleOf) },
  };
  return { body, counts, revenue };
}
