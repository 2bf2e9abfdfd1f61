/**
 * S120: holding seats or general-admission quota for a buyer, atomically and for a bounded time.
 *
 * Nothing is ever sold twice because every seat changes state with one conditional UPDATE
 * (`available` → `held` only where it is still `available`) and every quota with one conditional
 * UPDATE (`held + n` only where `capacity − held − sold ≥ n`, and a CHECK constraint behind it),
 * inside one write transaction that is rolled back whole when any part falls short. This is
 * atomic on SQLite (one writer) and on PostgreSQL (the row lock serialises the updates; the
 * second sees the first's result), whatever the concurrency.
 */
import { ApiError, conflict, notFound } from '@tessera/service-kit/errors';
import { iso } from '@tessera/service-kit/schemas';
import { alternativesFor, bestSeatsTogether } from '../availability/service.ts';
import type { Ticketing, Trx } from '../context.ts';
import { inTransaction, type Work } from '../context.ts';
import type { HoldsTable } from '../db/schema.ts';
import { newId } from '../ids.ts';
import { capacityOf, countUnpaid, type HoldCooldown, holdLimitFor, uncountHold } from './limits.ts';
import {
  availableSeatCount,
  buyersHold,
  buyersHoldId,
  categoryOfEvent,
  expiredActiveHolds,
  freeHeldSeats,
  heldPlacesByCategory,
  holdById,
  holdItemsWithSeats,
  holdToRelease,
  insertHold,
  insertHoldItems,
  lowerBuyerCount,
  lowerQuotaHeld,
  markHoldReleased,
  raiseBuyerCount,
  type SaleContext,
  saleContext,
  takeQuota,
  takeSeats,
} from './repository.ts';

export interface HoldInput {
  performanceId: string;
  /** Exact seats, by id. */
  seats?: readonly string[];
  /** Or a category and a quantity: GA quota, or the best seats together of a seated category. */
  categoryId?: string;
  quantity?: number;
  /**
   * `door`: sold at the gate (unit 404), where selling goes on after the on-sale window has
   * ended, for as long as the performance runs and has not been closed.
   */
  channel?: 'online' | 'door';
}

class Shortfall extends Error {
  constructor(
    readonly code: 'seats_unavailable' | 'sold_out' | 'not_together',
    message: string,
    /** The seats were picked for the buyer and someone else took them first: pick again. */
    readonly picked = false,
  ) {
    super(message);
  }
}

/** Picks that lose a race are retried: each retry sees the seats the winners took. */
const pickAttemptsMax = 25;

/** Holds what the buyer asked for, or answers 409 with the alternatives (seed 001). */
export async function createHold(ticketing: Ticketing, userId: string, input: HoldInput) {
  const quantity = input.seats ? input.seats.length : (input.quantity ?? 0);
  // A door sale is made by staff at the gate: counted, never refused (see limits.ts).
  const limit =
    input.channel === 'door'
      ? null
      : holdLimitFor(ticketing.config.holdLimits, await capacityOf(ticketing, input.performanceId));
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        return await inTransaction(ticketing, (work) =>
          holdIn(ticketing, work, userId, input, { quantity, limit }, attempt - 1),
        );
      } catch (error) {
        const limit =
          error instanceof Shortfall && error.code === 'not_together' ? 5 : pickAttemptsMax;
        if (!(error instanceof Shortfall && error.picked && attempt < limit)) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
      }
    }
  } catch (error) {
    if (!(error instanceof Shortfall)) throw error;
    const alternatives = await recentAlternatives(
      ticketing,
      input.performanceId,
      input.categoryId,
      Math.max(1, quantity),
    );
    throw conflict(error.code, error.message, { alternatives });
  }
}

/**
 * Alternatives are computed over the whole performance (counts per category, the best seats
 * together), which is too much to do again for every buyer who loses a seat in a stampede. They
 * are advisory (a hold on them is checked like any other), so one computation serves everyone
 * asking the same question for a second.
 */
const alternativesTtlMs = 1_000;

type AlternativesAnswer = Awaited<ReturnType<typeof alternativesFor>>;

function alternativesCache(ticketing: Ticketing) {
  return ticketing.caches.cache<AlternativesAnswer>(
    'alternatives',
    { ttlMs: alternativesTtlMs, max: 1_000 },
    (key) => {
      const [performanceId, categoryId, quantity] = key.split(':') as [string, string, string];
      return alternativesFor(ticketing, performanceId, {
        ...(categoryId ? { categoryId } : {}),
        quantity: Number(quantity),
      });
    },
  );
}

async function recentAlternatives(
  ticketing: Ticketing,
  performanceId: string,
  categoryId: string | undefined,
  quantity: number,
): Promise<AlternativesAnswer> {
  const key = `${performanceId}:${categoryId ?? ''}:${quantity}`;
  return (await alternativesCache(ticketing).get(key)) as AlternativesAnswer;
}

/** What a hold holds: one line per ticket, a seat or a general-admission place. */
interface HoldItem {
  category_id: string;
  seat_id: string | null;
}

async function holdIn(
  ticketing: Ticketing,
  { trx, now }: Work,
  userId: string,
  input: HoldInput,
  /** How many tickets, and the most the buyer may hold unpaid (null: no limit). */
  { quantity, limit }: { quantity: number; limit: number | null },
  /** How many picks this buyer already lost (see `bestSeatsTogether`). */
  spread: number,
) {
  const sale = await saleContext(trx, input.performanceId);
  checkOnSale(sale, now, input.channel, quantity);
  await countForBuyer(trx, sale, userId, quantity);
  await countUnpaid(trx, now, { performanceId: input.performanceId, userId, quantity }, limit);
  const holdId = newId('hld');
  const items: HoldItem[] = input.seats
    ? await holdSeats(trx, holdId, input.performanceId, input.seats)
    : await holdFromCategory(trx, holdId, input, sale.event_id, quantity, spread);
  const hold: HoldsTable = {
    id: holdId,
    performance_id: input.performanceId,
    event_id: sale.event_id,
    user_id: userId,
    status: 'active',
    quantity,
    expires_at: now + ticketing.config.holdTtlS * 1000,
    created_at: now,
    released_at: null,
  };
  await insertHold(trx, hold);
  await insertHoldItems(
    trx,
    items.map((item, line) => ({ hold_id: holdId, line_no: line, ...item })),
  );
  return { hold, items };
}

/** The performance is on sale on this channel now, and the quantity within the order limit. */
function checkOnSale(
  sale: SaleContext | undefined,
  now: number,
  channel: HoldInput['channel'],
  quantity: number,
): asserts sale is SaleContext {
  if (sale?.event_status !== 'published') throw notFound('performance');
  if (sale.status !== 'scheduled') {
    throw conflict('not_on_sale', `this performance is ${sale.status}`);
  }
  if (now < sale.sales_start) throw conflict('not_on_sale', 'sales have not started yet');
  if (channel === 'door') {
    if (sale.closed_at !== null || now >= sale.ends_at) {
      throw conflict('not_on_sale', 'this performance has ended');
    }
  } else if (now >= sale.sales_end) {
    throw conflict('not_on_sale', 'sales have ended');
  }
  if (quantity < 1 || quantity > sale.per_order_limit) {
    throw new ApiError(400, 'order_limit', `an order holds 1 to ${sale.per_order_limit} tickets`, {
      limit: sale.per_order_limit,
    });
  }
}

/**
 * The per-buyer limit, race-free: one counter row per buyer and event, raised conditionally in
 * one statement (a first hold inserts the row; the order limit keeps it under the cap).
 */
async function countForBuyer(trx: Trx, sale: SaleContext, userId: string, quantity: number) {
  if (!(await raiseBuyerCount(trx, sale.event_id, userId, quantity, sale.per_buyer_limit))) {
    throw conflict(
      'buyer_limit',
      `at most ${sale.per_buyer_limit} tickets per buyer for this event`,
      { limit: sale.per_buyer_limit },
    );
  }
}

/** A quantity of a category: general-admission places, or the best seats together. */
async function holdFromCategory(
  trx: Trx,
  holdId: string,
  input: HoldInput,
  eventId: string,
  quantity: number,
  spread: number,
): Promise<HoldItem[]> {
  const category = await categoryOfEvent(trx, input.categoryId ?? '', eventId);
  if (!category) throw notFound('category');
  if (category.seating === 'ga') {
    if (!(await takeQuota(trx, input.performanceId, category.id, quantity))) {
      throw new Shortfall('sold_out', `fewer than ${quantity} places are left in this category`);
    }
    const items: HoldItem[] = [];
    for (let line = 0; line < quantity; line++)
      items.push({ category_id: category.id, seat_id: null });
    return items;
  }
  const seats = await bestSeatsTogether(trx, input.performanceId, category.id, quantity, spread);
  if (!seats) {
    if ((await availableSeatCount(trx, input.performanceId, category.id)) < quantity) {
      throw new Shortfall('sold_out', `fewer than ${quantity} seats are left in this category`);
    }
    // Too few together, or (on PostgreSQL, whose statements each see the latest
    // commits) the run it found was taken between its two reads: look again a few times.
    throw new Shortfall(
      'not_together',
      `no ${quantity} seats together are left in this category`,
      true,
    );
  }
  return holdSeats(trx, holdId, input.performanceId, seats, true);
}

async function holdSeats(
  trx: Trx,
  holdId: string,
  performanceId: string,
  seatIds: readonly string[],
  picked = false,
) {
  const unique = [...new Set(seatIds)];
  if (unique.length !== seatIds.length) {
    throw new ApiError(400, 'duplicate_seats', 'a seat is listed twice');
  }
  const taken = await takeSeats(trx, holdId, performanceId, unique);
  if (taken.length !== unique.length) {
    throw new Shortfall('seats_unavailable', 'some of these seats are no longer available', picked);
  }
  const category = new Map(taken.map((row) => [row.seat_id, row.category_id]));
  return unique.map((seatId) => ({ category_id: category.get(seatId) as string, seat_id: seatId }));
}

/**
 * Gives a hold's seats and quota back and lowers the buyer's counts. Only from `active` (never
 * ordered) or `ordered` when the caller has made sure the payment request can no longer be paid.
 * `cooldown`: the hold ran out unpaid or the buyer let it go (limits.ts); none when the organizer
 * or the exchange ended it.
 */
export async function releaseHold(
  trx: Trx,
  holdId: string,
  from: 'active' | 'ordered',
  now: number,
  cooldown?: HoldCooldown,
): Promise<boolean> {
  if (!(await markHoldReleased(trx, holdId, from, now))) return false;
  const hold = await holdToRelease(trx, holdId);
  // The buyer's counters before the inventory, in the order a hold takes them, so a release and
  // a new hold of the same buyer on PostgreSQL wait for each other instead of deadlocking.
  await lowerBuyerCount(trx, hold.event_id, hold.user_id, hold.quantity);
  await uncountHold(trx, hold, now, cooldown);
  await freeHeldSeats(trx, holdId);
  const quota = await heldPlacesByCategory(trx, holdId);
  for (const row of quota) {
    await lowerQuotaHeld(trx, hold.performance_id, row.category_id, Number(row.count));
  }
  return true;
}

/** The hold was paid for: its tickets no longer count as held unpaid (limits.ts). */
export async function holdPaid(trx: Trx, holdId: string, now: number): Promise<void> {
  await uncountHold(trx, await holdToRelease(trx, holdId), now);
}

/** Releases active holds whose time is up (no order was made for them). */
export async function releaseExpiredHolds(ticketing: Ticketing, limit = 200) {
  const now = ticketing.clock.now();
  const due = await expiredActiveHolds(ticketing.database.db, now, limit);
  let released = 0;
  for (const { id } of due) {
    const cooldown = { why: 'expired', limits: ticketing.config.holdLimits } as const;
    if (
      await inTransaction(ticketing, ({ trx, now }) =>
        releaseHold(trx, id, 'active', now, cooldown),
      )
    ) {
      released += 1;
    }
  }
  return released;
}

/** A hold as its buyer sees it, with its lines' seats. */
async function holdView(ticketing: Ticketing, holdId: string, known?: HoldsTable) {
  const db = ticketing.database.db;
  const hold = known ?? (await holdById(db, holdId));
  const items = await holdItemsWithSeats(db, holdId);
  return {
    id: hold.id,
    performanceId: hold.performance_id,
    status: hold.status,
    expiresAt: iso(hold.expires_at) as string,
    items: items.map((item) => ({
      lineNo: item.line_no,
      categoryId: item.category_id,
      seat: item.seat_id
        ? {
            id: item.seat_id,
            section: item.section ?? '',
            row: item.row_label ?? '',
            number: item.number ?? '',
          }
        : null,
    })),
  };
}

/** `POST /v1/holds`: holds what the buyer asked for and answers the hold as they see it. */
export async function createHoldView(ticketing: Ticketing, userId: string, input: HoldInput) {
  const { hold } = await createHold(ticketing, userId, input);
  return holdView(ticketing, hold.id, hold);
}

/** One of the buyer's own holds; another buyer's is not found. */
export async function buyersHoldView(ticketing: Ticketing, userId: string, holdId: string) {
  const id = await buyersHoldId(ticketing.database.db, holdId, userId);
  if (!id) throw notFound('hold');
  return holdView(ticketing, id);
}

/** The buyer lets a hold go at once; one with an order is cancelled through the order. */
export async function letHoldGo(ticketing: Ticketing, userId: string, holdId: string) {
  const hold = await buyersHold(ticketing.database.db, holdId, userId);
  if (!hold) throw notFound('hold');
  if (hold.status === 'ordered') throw conflict('hold_ordered', 'cancel the order instead');
  await inTransaction(ticketing, ({ trx, now }) =>
    // Let go after its time was up (before the worker came by) it ran out unpaid all the same.
    releaseHold(trx, hold.id, 'active', now, {
      why: hold.expires_at <= now ? 'expired' : 'let_go',
      limits: ticketing.config.holdLimits,
    }),
  );
}
