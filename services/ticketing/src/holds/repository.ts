/**
 * The SQL of holds (S120): the performance's sale window, the buyer's counter, seats and quota
 * taken and given back with conditional updates, and the hold rows themselves. Each function is
 * one statement, as the race-freedom argument in service.ts counts them.
 */
import { sql } from '@tessera/db';
import type { Trx } from '../context.ts';
import type {
  CategoriesTable,
  EventsTable,
  HoldItemsTable,
  HoldLimitsTable,
  HoldsTable,
  PerformancesTable,
  SeatsTable,
} from '../db/schema.ts';

/** A performance as a hold needs it: its state, sale window, and its event's limits. */
export interface SaleContext
  extends Pick<
    PerformancesTable,
    'id' | 'event_id' | 'status' | 'sales_start' | 'sales_end' | 'ends_at' | 'closed_at'
  > {
  event_status: EventsTable['status'];
  per_order_limit: number;
  per_buyer_limit: number;
  organizer_id: string;
}

export function saleContext(trx: Trx, performanceId: string): Promise<SaleContext | undefined> {
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

/**
 * Raises the buyer's count for the event by `quantity` where it stays within `limit`, in one
 * statement (a first hold inserts the row). False when it would pass the limit.
 */
export async function raiseBuyerCount(
  trx: Trx,
  eventId: string,
  userId: string,
  quantity: number,
  limit: number,
): Promise<boolean> {
  const counted = await trx
    .insertInto('buyer_counts')
    .values({ event_id: eventId, user_id: userId, count: quantity })
    .onConflict((c) =>
      c
        .columns(['event_id', 'user_id'])
        .doUpdateSet((eb) => ({ count: eb('buyer_counts.count', '+', quantity) }))
        .where((eb) => eb(eb('buyer_counts.count', '+', quantity), '<=', limit)),
    )
    .executeTakeFirst();
  return Number(counted.numInsertedOrUpdatedRows ?? 0n) === 1;
}

/** A category of the event, with how it is sold. */
export function categoryOfEvent(
  trx: Trx,
  categoryId: string,
  eventId: string,
): Promise<Pick<CategoriesTable, 'id' | 'seating'> | undefined> {
  return trx
    .selectFrom('categories')
    .select(['id', 'seating'])
    .where('id', '=', categoryId)
    .where('event_id', '=', eventId)
    .executeTakeFirst();
}

/** Raises a quota's `held` by `quantity` where that many are left; false when they are not. */
export async function takeQuota(
  trx: Trx,
  performanceId: string,
  categoryId: string,
  quantity: number,
): Promise<boolean> {
  const taken = await trx
    .updateTable('inventory_quotas')
    .set((eb) => ({ held: eb('held', '+', quantity) }))
    .where('performance_id', '=', performanceId)
    .where('category_id', '=', categoryId)
    .where((eb) => eb(eb(eb('capacity', '-', eb.ref('held')), '-', eb.ref('sold')), '>=', quantity))
    .executeTakeFirst();
  return Number(taken.numUpdatedRows) === 1;
}

/** How many seats of a category are available. */
export async function availableSeatCount(
  trx: Trx,
  performanceId: string,
  categoryId: string,
): Promise<number> {
  const free = await trx
    .selectFrom('inventory_seats')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('performance_id', '=', performanceId)
    .where('category_id', '=', categoryId)
    .where('status', '=', 'available')
    .executeTakeFirstOrThrow();
  return Number(free.n);
}

/** Marks the seats held by the hold where they are still available; answers those it took. */
export function takeSeats(
  trx: Trx,
  holdId: string,
  performanceId: string,
  seatIds: readonly string[],
): Promise<{ seat_id: string; category_id: string }[]> {
  return trx
    .updateTable('inventory_seats')
    .set({ status: 'held', hold_id: holdId })
    .where('performance_id', '=', performanceId)
    .where('seat_id', 'in', seatIds)
    .where('status', '=', 'available')
    .returning(['seat_id', 'category_id'])
    .execute();
}

export async function insertHold(trx: Trx, hold: HoldsTable): Promise<void> {
  await trx.insertInto('holds').values(hold).execute();
}

export async function insertHoldItems(trx: Trx, items: readonly HoldItemsTable[]): Promise<void> {
  await trx.insertInto('hold_items').values(items).execute();
}

/** Moves a hold from `from` to released; false when it was not in that state. */
export async function markHoldReleased(
  trx: Trx,
  holdId: string,
  from: HoldsTable['status'],
  now: number,
): Promise<boolean> {
  const released = await trx
    .updateTable('holds')
    .set({ status: 'released', released_at: now })
    .where('id', '=', holdId)
    .where('status', '=', from)
    .executeTakeFirst();
  return Number(released.numUpdatedRows) === 1;
}

/** What a release gives back to: the hold's performance, event, buyer and size. */
export function holdToRelease(
  trx: Trx,
  holdId: string,
): Promise<Pick<HoldsTable, 'performance_id' | 'event_id' | 'user_id' | 'quantity'>> {
  return trx
    .selectFrom('holds')
    .select(['performance_id', 'event_id', 'user_id', 'quantity'])
    .where('id', '=', holdId)
    .executeTakeFirstOrThrow();
}

/** Makes the seats the hold still holds available again. */
export async function freeHeldSeats(trx: Trx, holdId: string): Promise<void> {
  await trx
    .updateTable('inventory_seats')
    .set({ status: 'available', hold_id: null })
    .where('hold_id', '=', holdId)
    .where('status', '=', 'held')
    .execute();
}

/** The hold's general-admission places, counted per category. */
export function heldPlacesByCategory(
  trx: Trx,
  holdId: string,
): Promise<{ category_id: string; count: number }[]> {
  return trx
    .selectFrom('hold_items')
    .select(['category_id', (eb) => eb.fn.countAll<number>().as('count')])
    .where('hold_id', '=', holdId)
    .where('seat_id', 'is', null)
    .groupBy('category_id')
    .execute();
}

/** Lowers a quota's `held` by `count`. */
export async function lowerQuotaHeld(
  trx: Trx,
  performanceId: string,
  categoryId: string,
  count: number,
): Promise<void> {
  await trx
    .updateTable('inventory_quotas')
    .set((eb) => ({ held: eb('held', '-', count) }))
    .where('performance_id', '=', performanceId)
    .where('category_id', '=', categoryId)
    .execute();
}

/** Lowers the buyer's count for the event by `quantity`. */
export async function lowerBuyerCount(
  trx: Trx,
  eventId: string,
  userId: string,
  quantity: number,
): Promise<void> {
  await trx
    .updateTable('buyer_counts')
    .set((eb) => ({ count: eb('count', '-', quantity) }))
    .where('event_id', '=', eventId)
    .where('user_id', '=', userId)
    .execute();
}

/** Active holds whose time is up, the oldest first. */
export function expiredActiveHolds(db: Trx, now: number, limit: number): Promise<{ id: string }[]> {
  return db
    .selectFrom('holds')
    .select('id')
    .where('status', '=', 'active')
    .where('expires_at', '<=', now)
    .orderBy('expires_at')
    .limit(limit)
    .execute();
}

export function holdById(db: Trx, holdId: string): Promise<HoldsTable> {
  return db.selectFrom('holds').selectAll().where('id', '=', holdId).executeTakeFirstOrThrow();
}

/** The buyer's own hold's id (another buyer's is not found). */
export async function buyersHoldId(
  db: Trx,
  holdId: string,
  userId: string,
): Promise<string | undefined> {
  const hold = await db
    .selectFrom('holds')
    .select('id')
    .where('id', '=', holdId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return hold?.id;
}

/** The buyer's own hold, with its state (another buyer's is not found). */
export function buyersHold(
  db: Trx,
  holdId: string,
  userId: string,
): Promise<Pick<HoldsTable, 'id' | 'status' | 'expires_at'> | undefined> {
  return db
    .selectFrom('holds')
    .select(['id', 'status', 'expires_at'])
    .where('id', '=', holdId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

/** A hold's lines with their seats' labels, in line order. */
export interface HoldItemWithSeat
  extends Pick<HoldItemsTable, 'line_no' | 'category_id' | 'seat_id'> {
  section: SeatsTable['section'] | null;
  row_label: SeatsTable['row_label'] | null;
  number: SeatsTable['number'] | null;
}

export function holdItemsWithSeats(db: Trx, holdId: string): Promise<HoldItemWithSeat[]> {
  return db
    .selectFrom('hold_items as h')
    .leftJoin('seats as s', 's.id', 'h.seat_id')
    .select(['h.line_no', 'h.category_id', 'h.seat_id', 's.section', 's.row_label', 's.number'])
    .where('h.hold_id', '=', holdId)
    .orderBy('h.line_no')
    .execute();
}

// --- Hold limits (docs/ticketing.md, "Hold limits") ---------------------------------------------

/** The performance's capacity: its seats not blocked, and its general-admission places. */
export async function performanceCapacity(db: Trx, performanceId: string): Promise<number> {
  const seats = await db
    .selectFrom('inventory_seats')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('performance_id', '=', performanceId)
    .where('status', '!=', 'blocked')
    .executeTakeFirstOrThrow();
  const places = await db
    .selectFrom('inventory_quotas')
    .select((eb) => eb.fn.sum<number>('capacity').as('n'))
    .where('performance_id', '=', performanceId)
    .executeTakeFirstOrThrow();
  return Number(seats.n) + Number(places.n ?? 0);
}

/**
 * Raises what the buyer holds unpaid of the performance by `quantity`, in one statement, where it
 * stays within `limit` and no cool-down runs at `now` (a first hold inserts the row; its caller
 * has checked `quantity ≤ limit`). No `limit`: raised unconditionally (door sales). False when
 * refused. On PostgreSQL the upsert locks the row and checks the latest committed count, so
 * concurrent holds of one buyer are counted one after another, as the seats are.
 */
export async function raiseHeldCount(
  trx: Trx,
  performanceId: string,
  userId: string,
  quantity: number,
  check: { limit: number; now: number } | null,
): Promise<boolean> {
  const counted = await trx
    .insertInto('hold_limits')
    .values({
      performance_id: performanceId,
      user_id: userId,
      held: quantity,
      releases: 0,
      released_at: null,
      blocked_until: 0,
    })
    .onConflict((c) => {
      const update = c
        .columns(['performance_id', 'user_id'])
        .doUpdateSet((eb) => ({ held: eb('hold_limits.held', '+', quantity) }));
      if (!check) return update;
      return update.where((eb) =>
        eb.and([
          eb(eb('hold_limits.held', '+', quantity), '<=', check.limit),
          eb('hold_limits.blocked_until', '<=', check.now),
        ]),
      );
    })
    .executeTakeFirst();
  return Number(counted.numInsertedOrUpdatedRows ?? 0n) === 1;
}

/** What the buyer holds unpaid of the performance, and until when they are cooling down. */
export function heldCount(
  trx: Trx,
  performanceId: string,
  userId: string,
): Promise<Pick<HoldLimitsTable, 'held' | 'blocked_until'> | undefined> {
  return trx
    .selectFrom('hold_limits')
    .select(['held', 'blocked_until'])
    .where('performance_id', '=', performanceId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

/**
 * Lowers what the buyer holds unpaid by a hold that ended. `cooldown`: the hold ran out unpaid
 * (`expired`: the cool-down starts) or the buyer let it go (`let_go`: one more in a row, and the
 * `releasesMax`-th in a row starts the cool-down). Without it (paid, or ended by the organizer or
 * the exchange) nothing counts against the buyer. One statement: every SET reads the old row.
 */
export async function lowerHeldCount(
  trx: Trx,
  performanceId: string,
  userId: string,
  quantity: number,
  cooldown?: { why: 'expired' | 'let_go'; now: number; ms: number; releasesMax: number },
): Promise<void> {
  // Never below zero, even for a hold an instance older than this count made during a rolling
  // deploy: a release must never fail (the seats would stay held).
  const held = sql<number>`case when held > ${quantity} then held - ${quantity} else 0 end`;
  let set: Record<string, unknown> = { held };
  if (cooldown?.why === 'expired') {
    const until = cooldown.now + cooldown.ms;
    set = {
      held,
      releases: 0,
      blocked_until: sql<number>`case when blocked_until > ${until} then blocked_until else ${until} end`,
    };
  } else if (cooldown?.why === 'let_go') {
    const { now, ms, releasesMax } = cooldown;
    const until = now + ms;
    const streak = sql<number>`(case when released_at is not null and released_at > ${now - ms}
      then releases + 1 else 1 end)`;
    set = {
      held,
      releases: sql<number>`case when ${streak} >= ${releasesMax} then 0 else ${streak} end`,
      released_at: now,
      blocked_until: sql<number>`case when ${streak} >= ${releasesMax} and blocked_until < ${until}
        then ${until} else blocked_until end`,
    };
  }
  await trx
    .updateTable('hold_limits')
    .set(set)
    .where('performance_id', '=', performanceId)
    .where('user_id', '=', userId)
    .execute();
}
