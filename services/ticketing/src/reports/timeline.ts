/**
 * An event's sales over time (issue 20 item 6): live tickets, the orders that hold them, the
 * tickets refunded, and the revenue per asset paid, per time bucket from the first sale. The
 * console asks the whole span at the default step (at most `timelinePointsDefault` points) and
 * the on-sale's first minutes at stepS=1.
 *
 * The same rules as the sales report (sales.ts): a ticket counts while it is live, at its price
 * in the asset it was paid in, so the points of a whole span add up to the report's totals. A
 * ticket is placed at its order's payment; a refund at the moment it was made. Only buckets with
 * something in them are answered.
 */
import { badRequest, notFound } from '@tessera/service-kit/errors';
import type { Ticketing } from '../context.ts';
import {
  firstPaidAt,
  ordersPerBucket,
  performancesOfEvent,
  refundedTicketsPerBucket,
  ticketsPerBucket,
} from './repository.ts';
import { AssetTotals, assetScales } from './totals.ts';

/** The default step keeps a span within this many points. */
export const timelinePointsDefault = 1_500;
/** A span may hold at most this many steps (a day at one second). */
export const timelineStepsMax = 86_400;
export const timelineStepMaxS = 86_400;

/** Steps that read well on a chart's axis, in seconds; the default is the first that fits. */
const niceStepsS = [
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1_800, 3_600, 7_200, 10_800, 21_600, 43_200, 86_400,
];

export interface TimelineQuery {
  performanceId?: string;
  from?: string;
  to?: string;
  stepS?: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The smallest nice step that keeps from..to within `timelinePointsDefault` points. */
export function defaultStepS(spanMs: number): number {
  const fitting = niceStepsS.find((step) => spanMs / (step * 1000) < timelinePointsDefault);
  return fitting ?? timelineStepMaxS;
}

function parseTime(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw badRequest('invalid_time', `${name} is not a time`);
  return ms;
}

/** The span asked, with its defaults: from the first sale (before any, now or `to`) to now. */
function windowOf(query: TimelineQuery, opened: number | null, now: number) {
  const askedTo = parseTime(query.to, 'to');
  const from = parseTime(query.from, 'from') ?? opened ?? Math.min(askedTo ?? now, now);
  const to = askedTo ?? Math.max(now, from);
  if (to < from) throw badRequest('invalid_time', 'from is after to');
  const stepS = query.stepS ?? defaultStepS(to - from);
  if ((to - from) / (stepS * 1000) > timelineStepsMax) {
    throw badRequest(
      'invalid_time',
      `from..to holds more than ${timelineStepsMax} steps of ${stepS} s: narrow it or take a longer step`,
    );
  }
  return { from, to, stepS, stepMs: stepS * 1000 };
}

interface Bucket {
  tickets: number;
  orders: number;
  refunds: number;
  revenue: AssetTotals;
}

/** `GET /v1/events/:eventId/sales/timeline`. */
export async function salesTimeline(ticketing: Ticketing, eventId: string, query: TimelineQuery) {
  const db = ticketing.database.db;
  let performanceIds = (await performancesOfEvent(db, eventId)).map((p) => p.id);
  if (query.performanceId !== undefined) {
    if (!performanceIds.includes(query.performanceId)) throw notFound('performance');
    performanceIds = [query.performanceId];
  }
  const opened = performanceIds.length === 0 ? null : await firstPaidAt(db, performanceIds);
  const window = windowOf(query, opened, ticketing.clock.now());
  const buckets = new Map<number, Bucket>();
  const at = (ms: number) => {
    let bucket = buckets.get(ms);
    if (!bucket) {
      bucket = { tickets: 0, orders: 0, refunds: 0, revenue: new AssetTotals() };
      buckets.set(ms, bucket);
    }
    return bucket;
  };
  if (performanceIds.length > 0) {
    for (const row of await ticketsPerBucket(db, performanceIds, window)) {
      const bucket = at(row.at);
      bucket.tickets += row.n;
      bucket.revenue.add(row.asset, row.amount * BigInt(row.n), row.n);
    }
    for (const row of await ordersPerBucket(db, performanceIds, window)) at(row.at).orders += row.n;
    for (const row of await refundedTicketsPerBucket(db, performanceIds, window)) {
      at(row.at).refunds += row.n;
    }
  }
  const scaleOf = assetScales(ticketing);
  const points = [];
  for (const ms of [...buckets.keys()].sort((a, b) => a - b)) {
    const bucket = buckets.get(ms) as Bucket;
    const revenue = await bucket.revenue.view(scaleOf);
    points.push({
      at: iso(ms),
      tickets: bucket.tickets,
      orders: bucket.orders,
      refunds: bucket.refunds,
      revenue: revenue.map(({ asset, amount }) => ({ asset, amount })),
    });
  }
  return {
    salesOpenedAt: opened === null ? null : iso(opened),
    from: iso(window.from),
    to: iso(window.to),
    stepS: window.stepS,
    points,
  };
}
