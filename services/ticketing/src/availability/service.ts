/**
 * Seed 001's availability check with the issuer: what is left of each category of a performance,
 * which seats are free, the best seats together, and, when what the buyer asked for is gone,
 * the alternatives the patent describes: another date or time (other performances), another
 * kind of seat (other categories), or the best seats still together.
 */

import { randomInt } from 'node:crypto';
import { formatAmount } from '@tessera/service-kit/amounts';
import { forbidden, notFound } from '@tessera/service-kit/errors';
import type { Ticketing, Trx } from '../context.ts';
import type { SeatStatus } from '../db/schema.ts';
import { scaleOf, visiblePerformanceEvent } from '../events/service.ts';
import { isStaffOf, optionalCaller } from '../organizers/staff.ts';
import { seatReference } from '../venues/seat-map.ts';
import {
  categoriesOfEvent,
  categoryOfEvent,
  freeRuns,
  freeSeatsFrom,
  lastSeatOfRow,
  otherPerformancesOnSale,
  performanceOfEvent,
  quotasOf,
  seatCountsByState,
  seatLabelsOf,
  seatStatesOf,
} from './repository.ts';

/** How many runs of free seats the search weighs; runs come lowest row first. */
const runsConsideredMax = 500;
/** Alternatives listed per kind at most: enough to choose from on a phone screen. */
const alternativesMax = 10;

interface Counts {
  total: number;
  available: number;
  held: number;
  sold: number;
  blocked: number;
}

const emptyCounts = (): Counts => ({ total: 0, available: 0, held: 0, sold: 0, blocked: 0 });

/** Counts per performance and category: seats by status, quotas from their counters. */
async function inventoryCounts(
  db: Trx,
  performanceIds: readonly string[],
): Promise<Map<string, Map<string, Counts>>> {
  const result = new Map<string, Map<string, Counts>>();
  if (performanceIds.length === 0) return result;
  const countsOf = (performanceId: string, categoryId: string) => {
    let byCategory = result.get(performanceId);
    if (!byCategory) {
      byCategory = new Map();
      result.set(performanceId, byCategory);
    }
    let counts = byCategory.get(categoryId);
    if (!counts) {
      counts = emptyCounts();
      byCategory.set(categoryId, counts);
    }
    return counts;
  };
  for (const row of await seatCountsByState(db, performanceIds)) {
    const counts = countsOf(row.performance_id, row.category_id);
    const n = Number(row.n);
    counts.total += n;
    counts[row.status as SeatStatus] += n;
  }
  for (const row of await quotasOf(db, performanceIds)) {
    const counts = countsOf(row.performance_id, row.category_id);
    counts.total = Number(row.capacity);
    counts.held = Number(row.held);
    counts.sold = Number(row.sold);
    counts.available = counts.total - counts.held - counts.sold;
  }
  return result;
}

export async function priceOf(ticketing: Ticketing, asset: string, amount: string) {
  return formatAmount(BigInt(amount), await scaleOf(ticketing, asset));
}

/** One row of seats as the availability answer lists it: parallel arrays, a letter per seat. */
interface SeatRowView {
  section: string;
  row: string;
  ids: string[];
  numbers: string[];
  x: (number | null)[];
  y: (number | null)[];
  categories: number[];
  accessible: number[];
  status: string;
}

/**
 * A performance's seats, compact enough for 50,000 of them: one entry per row with parallel
 * arrays (seat ids, numbers, positions, category index) and a status string with one letter per
 * seat. The public sees `a` (available) or `u` (unavailable: held, sold or blocked, which a
 * buyer need not tell apart); staff see `a`, `h` (held), `s` (sold), `b` (blocked).
 */
async function seatStates(db: Trx, performanceId: string, detail: 'public' | 'staff') {
  const rows = await seatStatesOf(db, performanceId);
  const categoryIds: string[] = [];
  const categoryIndex = new Map<string, number>();
  const out: SeatRowView[] = [];
  let current: SeatRowView | undefined;
  let currentRow = -1;
  for (const seat of rows) {
    if (!current || seat.row_index !== currentRow) {
      current = {
        section: seat.section,
        row: seat.row_label,
        ids: [],
        numbers: [],
        x: [],
        y: [],
        categories: [],
        accessible: [],
        status: '',
      };
      out.push(current);
      currentRow = seat.row_index;
    }
    let index = categoryIndex.get(seat.category_id);
    if (index === undefined) {
      index = categoryIds.length;
      categoryIds.push(seat.category_id);
      categoryIndex.set(seat.category_id, index);
    }
    if (seat.accessible === 1) current.accessible.push(current.ids.length);
    current.ids.push(seat.id);
    current.numbers.push(seat.number);
    current.x.push(seat.x === null ? null : Number(seat.x));
    current.y.push(seat.y === null ? null : Number(seat.y));
    current.categories.push(index);
    current.status += statusLetter(seat.status as SeatStatus, detail);
  }
  return { categoryIds, rows: out };
}

function statusLetter(status: SeatStatus, detail: 'public' | 'staff') {
  if (status === 'available') return 'a';
  if (detail === 'public') return 'u';
  return status === 'held' ? 'h' : status === 'sold' ? 's' : 'b';
}

/** The performance and its event, if the caller may see them (drafts are for staff). */
async function visiblePerformance(
  ticketing: Ticketing,
  performanceId: string,
  authorization: string | undefined,
) {
  const performance = await performanceOfEvent(ticketing.database.db, performanceId);
  if (!performance) throw notFound('performance');
  const caller = await optionalCaller(ticketing, authorization);
  const event = await visiblePerformanceEvent(ticketing, caller, performance.event_id);
  return { performance, event, caller };
}

/**
 * `GET /v1/performances/:id/availability`: what the caller may see of a performance; every
 * seat's real status (`detail` staff) only for the organizer's staff.
 */
export async function availabilityFor(
  ticketing: Ticketing,
  performanceId: string,
  authorization: string | undefined,
  detail: 'public' | 'staff',
) {
  const { performance, event, caller } = await visiblePerformance(
    ticketing,
    performanceId,
    authorization,
  );
  if (detail === 'staff' && !(await isStaffOf(ticketing, caller, event.organizer_id))) {
    throw forbidden("seat statuses are for the organizer's staff");
  }
  return performanceAvailability(ticketing, performance, detail);
}

/** Availability of one performance per category, with its seats when it has seated ones. */
async function performanceAvailability(
  ticketing: Ticketing,
  performance: { id: string; event_id: string },
  detail: 'public' | 'staff',
) {
  const db = ticketing.database.db;
  const categories = await categoriesOfEvent(db, performance.event_id);
  const counts = (await inventoryCounts(db, [performance.id])).get(performance.id) ?? new Map();
  const views = [];
  for (const category of categories) {
    const count: Counts = counts.get(category.id) ?? emptyCounts();
    views.push({
      id: category.id,
      name: category.name,
      pricing: category.pricing,
      price: await priceOf(ticketing, category.price_asset, category.price_amount),
      asset: category.price_asset,
      seating: category.seating,
      ...count,
    });
  }
  const seated = categories.some((category) => category.seating === 'seated');
  return {
    performanceId: performance.id,
    eventId: performance.event_id,
    categories: views,
    seats: seated ? await seatStates(db, performance.id, detail) : null,
  };
}

/**
 * The best `quantity` available seats of a category next to each other: consecutive seat
 * indexes in one row, in the lowest row that has such a run (rows are in seat-map order, front
 * first), as near the middle of that row as the run allows. Null when no row has that many
 * together. Runs inside the caller's transaction; the caller still takes the seats with a
 * conditional update, so a race loses cleanly.
 */
export async function bestSeatsTogether(
  trx: Trx,
  performanceId: string,
  categoryId: string,
  quantity: number,
  /**
   * 0: the best seats. A buyer who just lost the best seats to another passes the attempt
   * number: everyone who lost would otherwise pick the same next-best seats and all but one
   * lose again, so each takes a random place among the first few runs instead.
   */
  spread = 0,
): Promise<string[] | null> {
  if (!Number.isInteger(quantity) || quantity < 1) return null;
  const runs = await freeRuns(trx, performanceId, categoryId, quantity, runsConsideredMax);
  if (runs.length === 0) return null;
  const first = spread > 0 ? runs[randomInt(Math.min(runs.length, 1 + 4 * spread))] : runs[0];
  if (!first) return null;
  const row = { section: first.section, rowIndex: Number(first.row_index) };
  const length = await lastSeatOfRow(trx, performanceId, row);
  const middle = Number(length?.last ?? 0) / 2;
  let best: { start: number; distance: number } | undefined;
  for (const run of spread > 0 ? [first] : runs) {
    if (run.section !== row.section || Number(run.row_index) !== row.rowIndex) continue;
    const runFirst = Number(run.first_seat);
    const runLast = Number(run.last_seat);
    const ideal =
      spread > 0
        ? runFirst + randomInt(runLast - quantity + 2 - runFirst)
        : Math.round(middle - (quantity - 1) / 2);
    const start = Math.min(Math.max(ideal, runFirst), runLast - quantity + 1);
    const distance = Math.abs(start + (quantity - 1) / 2 - middle);
    if (!best || distance < best.distance) best = { start, distance };
  }
  if (!best) return null;
  const seats = await freeSeatsFrom(trx, performanceId, categoryId, row, best.start, quantity);
  return seats.length === quantity ? seats.map((seat) => seat.seat_id) : null;
}

export interface Alternatives {
  /** Other performances of the event on sale now with enough left. */
  performances: { id: string; startsAt: string; available: number }[];
  /** Other categories of this performance with enough left. */
  categories: { id: string; name: string; price: string; asset: string; available: number }[];
  /** The best seats together: in the asked category, or else in another seated one. */
  bestAvailable: { categoryId: string; seatIds: string[]; labels: string[] } | null;
}

/**
 * `GET /v1/performances/:id/alternatives`: the alternatives to a request, for a caller who may
 * see the performance; a category that is not the event's is not found.
 */
export async function alternativesForCaller(
  ticketing: Ticketing,
  performanceId: string,
  authorization: string | undefined,
  request: { categoryId?: string; quantity: number },
): Promise<Alternatives> {
  const { performance } = await visiblePerformance(ticketing, performanceId, authorization);
  const { categoryId, quantity } = request;
  if (categoryId) {
    const category = await categoryOfEvent(ticketing.database.db, categoryId, performance.event_id);
    if (!category) throw notFound('category');
  }
  return alternativesFor(ticketing, performance.id, {
    ...(categoryId ? { categoryId } : {}),
    quantity,
  });
}

/**
 * What to offer instead when a buyer's request cannot be met (seed 001: "another date, time or
 * seat"). With a category, other performances are weighed by that category; without, by all
 * categories together.
 */
export async function alternativesFor(
  ticketing: Ticketing,
  performanceId: string,
  options: { categoryId?: string; quantity: number; now?: number },
): Promise<Alternatives> {
  const db = ticketing.database.db;
  const now = options.now ?? ticketing.clock.now();
  const none: Alternatives = { performances: [], categories: [], bestAvailable: null };
  const performance = await performanceOfEvent(db, performanceId);
  if (!performance) return none;
  const others = await otherPerformancesOnSale(db, performance.event_id, performanceId, now);
  const counts = await inventoryCounts(db, [performanceId, ...others.map((other) => other.id)]);
  const availableIn = (id: string, categoryId?: string) => {
    const byCategory = counts.get(id);
    if (!byCategory) return 0;
    if (categoryId) return byCategory.get(categoryId)?.available ?? 0;
    let total = 0;
    for (const count of byCategory.values()) total += count.available;
    return total;
  };

  const performances = others
    .map((other) => ({
      id: other.id,
      startsAt: new Date(Number(other.starts_at)).toISOString(),
      available: availableIn(other.id, options.categoryId),
    }))
    .filter((other) => other.available >= options.quantity)
    .slice(0, alternativesMax);

  const categories = await categoriesOfEvent(db, performance.event_id);
  const otherCategories = [];
  for (const category of categories) {
    if (category.id === options.categoryId) continue;
    const available = availableIn(performanceId, category.id);
    if (available < options.quantity) continue;
    otherCategories.push({
      id: category.id,
      name: category.name,
      price: await priceOf(ticketing, category.price_asset, category.price_amount),
      asset: category.price_asset,
      available,
    });
    if (otherCategories.length >= alternativesMax) break;
  }

  // The asked category first, then the other seated ones in their catalogue order.
  const seated = categories.filter((category) => category.seating === 'seated');
  seated.sort((a, b) => Number(b.id === options.categoryId) - Number(a.id === options.categoryId));
  let bestAvailable: Alternatives['bestAvailable'] = null;
  for (const category of seated) {
    const seatIds = await bestSeatsTogether(db, performanceId, category.id, options.quantity);
    if (!seatIds) continue;
    const seats = await seatLabelsOf(db, seatIds);
    const byId = new Map(seats.map((seat) => [seat.id, seat]));
    bestAvailable = {
      categoryId: category.id,
      seatIds,
      labels: seatIds.map((id) => {
        const seat = byId.get(id);
        return seat
          ? seatReference({ section: seat.section, row: seat.row_label, number: seat.number })
          : id;
      }),
    };
    break;
  }
  return { performances, categories: otherCategories, bestAvailable };
}
