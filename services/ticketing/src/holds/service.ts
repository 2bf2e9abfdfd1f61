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
import { alternativesFor, bestSeatsTogether } from '../availability/service.ts';
import type { Ticketing, Trx } from '../context.ts';
import { inTransaction, type Work } from '../context.ts';
import type { HoldsTable } from '../db/schema.ts';
import { newId } from '../ids.ts';

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

async function saleContext(trx: Trx, performanceId: string) {
  return trx
    .selectFrom('performances as p')
    .innerJoin('events as e', 'e.id', 'p.event_id')
    .select([
      'p.id',
      'p.event_id',
      'p.status',
      'p.sales_start',
      'p.sales_end',
      'p.ends_at',
      'p.closed_at',
      'e.status as event_status',
      'e.per_order_limit',
      'e.per_buyer_limit',
      'e.organizer_id',
    ])
    .where('p.id', '=', performanceId)
    .executeTakeFirst();
}

/** Holds what the buyer asked for, or answers 409 with the alternatives (seed 001). */
export async function createHold(ticketing: Ticketing, userId: string, input: HoldInput) {
  const quantity = input.seats ? input.seats.length : (input.quantity ?? 0);
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        return await inTransaction(ticketing, (work) =>
          holdIn(ticketing, work, userId, input, quantity, attempt - 1),
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

async function holdIn(
  ticketing: Ticketing,
  { trx, now }: Work,
  userId: string,
  input: HoldInput,
  quantity: number,
  /** How many picks this buyer already lost (see `bestSeatsTogether`). */
  spread: number,
) {
  const sale = await saleContext(trx, input.performanceId);
  if (sale?.event_status !== 'published') throw notFound('performance');
  if (sale.status !== 'scheduled') {
    throw conflict('not_on_sale', `this performance is ${sale.status}`);
  }
  if (now < sale.sales_start) throw conflict('not_on_sale', 'sales have not started yet');
  if (input.channel === 'door') {
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

  // The per-buyer limit, race-free: one counter row per buyer and event, raised conditionally
  // in one statement (a first hold inserts the row; the order limit keeps it under the cap).
  const counted = await trx
    .insertInto('buyer_counts')
    .values({ event_id: sale.event_id, user_id: userId, count: quantity })
    .onConflict((c) =>
      c
        .columns(['event_id', 'user_id'])
        .doUpdateSet((eb) => ({ count: eb('buyer_counts.count', '+', quantity) }))
        .where((eb) => eb(eb('buyer_counts.count', '+', quantity), '<=', sale.per_buyer_limit)),
    )
    .executeTakeFirst();
  if (Number(counted.numInsertedOrUpdatedRows ?? 0n) !== 1) {
    throw conflict(
      'buyer_limit',
      `at most ${sale.per_buyer_limit} tickets per buyer for this event`,
      { limit: sale.per_buyer_limit },
    );
  }

  const holdId = newId('hld');
  const items: { category_id: string; seat_id: string | null }[] = [];
  if (input.seats) {
    items.push(...(await holdSeats(trx, holdId, input.performanceId, input.seats)));
  } else {
    const category = await trx
      .selectFrom('categories')
      .select(['id', 'seating'])
      .where('id', '=', input.categoryId ?? '')
      .where('event_id', '=', sale.event_id)
      .executeTakeFirst();
    if (!category) throw notFound('category');
    if (category.seating === 'ga') {
      const taken = await trx
        .updateTable('inventory_quotas')
        .set((eb) => ({ held: eb('held', '+', quantity) }))
        .where('performance_id', '=', input.performanceId)
        .where('category_id', '=', category.id)
        .where((eb) =>
          eb(eb(eb('capacity', '-', eb.ref('held')), '-', eb.ref('sold')), '>=', quantity),
        )
        .executeTakeFirst();
      if (Number(taken.numUpdatedRows) !== 1) {
        throw new Shortfall('sold_out', `fewer than ${quantity} places are left in this category`);
      }
      for (let line = 0; line < quantity; line++)
        items.push({ category_id: category.id, seat_id: null });
    } else {
      const seats = await bestSeatsTogether(
        trx,
        input.performanceId,
        category.id,
        quantity,
        spread,
      );
      if (!seats) {
        const free = await trx
          .selectFrom('inventory_seats')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('performance_id', '=', input.performanceId)
          .where('category_id', '=', category.id)
          .where('status', '=', 'available')
          .executeTakeFirstOrThrow();
        if (Number(free.n) < quantity) {
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
      items.push(...(await holdSeats(trx, holdId, input.performanceId, seats, true)));
    }
  }

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
  await trx.insertInto('holds').values(hold).execute();
  await trx
    .insertInto('hold_items')
    .values(items.map((item, line) => ({ hold_id: holdId, line_no: line, ...item })))
    .execute();
  return { hold, items };
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
  const taken = await trx
    .updateTable('inventory_seats')
    .set({ status: 'held', hold_id: holdId })
    .where('performance_id', '=', performanceId)
    .where('seat_id', 'in', unique)
    .where('status', '=', 'available')
    .returning(['seat_id', 'category_id'])
    .execute();
  if (taken.length !== unique.length) {
    throw new Shortfall('seats_unavailable', 'some of these seats are no longer available', picked);
  }
  const category = new Map(taken.map((row) => [row.seat_id, row.category_id]));
  return unique.map((seatId) => ({ category_id: category.get(seatId) as string, seat_id: seatId }));
}

/**
 * Gives a hold's seats and quota back and lowers the buyer's count. Only from `active` (never
 * ordered) or `ordered` when the caller has made sure the payment request can no longer be paid.
 */
export async function releaseHold(
  trx: Trx,
  holdId: string,
  from: 'active' | 'ordered',
  now: number,
): Promise<boolean> {
  const released = await trx
    .updateTable('holds')
    .set({ status: 'released', released_at: now })
    .where('id', '=', holdId)
    .where('status', '=', from)
    .executeTakeFirst();
  if (Number(released.numUpdatedRows) !== 1) return false;
  const hold = await trx
    .selectFrom('holds')
    .select(['performance_id', 'event_id', 'user_id', 'quantity'])
    .where('id', '=', holdId)
    .executeTakeFirstOrThrow();
  await trx
    .updateTable('inventory_seats')
    .set({ status: 'available', hold_id: null })
    .where('hold_id', '=', holdId)
    .where('status', '=', 'held')
    .execute();
  const quota = await trx
    .selectFrom('hold_items')
    .select(['category_id', (eb) => eb.fn.countAll<number>().as('count')])
    .where('hold_id', '=', holdId)
    .where('seat_id', 'is', null)
    .groupBy('category_id')
    .execute();
  for (const row of quota) {
    await trx
      .updateTable('inventory_quotas')
      .set((eb) => ({ held: eb('held', '-', Number(row.count)) }))
      .where('performance_id', '=', hold.performance_id)
      .where('category_id', '=', row.category_id)
      .execute();
  }
  await trx
    .updateTable('buyer_counts')
    .set((eb) => ({ count: eb('count', '-', hold.quantity) }))
    .where('event_id', '=', hold.event_id)
    .where('user_id', '=', hold.user_id)
    .execute();
  return true;
}

/** Releases active holds whose time is up (no order was made for them). */
export async function releaseExpiredHolds(ticketing: Ticketing, limit = 200) {
  const now = ticketing.clock.now();
  const due = await ticketing.database.db
    .selectFrom('holds')
    .select('id')
    .where('status', '=', 'active')
    .where('expires_at', '<=', now)
    .orderBy('expires_at')
    .limit(limit)
    .execute();
  let released = 0;
  for (const { id } of due) {
    if (await inTransaction(ticketing, ({ trx, now }) => releaseHold(trx, id, 'active', now))) {
      released += 1;
    }
  }
  return released;
}
