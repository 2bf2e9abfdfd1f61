/**
 * The events' SQL: events, their categories (with the seats each sells), performances and each
 * performance's inventory (one row per seat of a seated category, one quota row per
 * general-admission category), what is held or sold of them, and the listings buyers and staff
 * browse. Category rows map to and from the plan's CategoryPlan here.
 */
import type { Dialect } from '@tessera/db';
import { type Insertable, sql } from 'kysely';
import type { Trx } from '../context.ts';
import { forUpdateOn, insertBatched } from '../db/query.ts';
import type { CategoriesTable, EventsTable, PerformancesTable, TicketingDB } from '../db/schema.ts';
import type {
  CategoryPlan,
  PerformancePlan,
  StoredCategory,
  StoredPerformance,
  Usage,
} from './plan.ts';

// ---------------------------------------------------------------------------------------------
// Events

export async function eventById(db: Trx, eventId: string): Promise<EventsTable | undefined> {
  return db.selectFrom('events').selectAll().where('id', '=', eventId).executeTakeFirst();
}

/** The event, locked against concurrent changes to it (PostgreSQL). */
export async function lockEvent(
  trx: Trx,
  dialect: Dialect,
  eventId: string,
): Promise<EventsTable | undefined> {
  return forUpdateOn(
    dialect,
    trx.selectFrom('events').selectAll().where('id', '=', eventId),
  ).executeTakeFirst();
}

/** The organizer's event with this slug, locked (PostgreSQL). */
export async function lockEventBySlug(
  trx: Trx,
  dialect: Dialect,
  organizerId: string,
  slug: string,
): Promise<EventsTable | undefined> {
  return forUpdateOn(
    dialect,
    trx
      .selectFrom('events')
      .selectAll()
      .where('organizer_id', '=', organizerId)
      .where('slug', '=', slug),
  ).executeTakeFirst();
}

export async function insertEvent(trx: Trx, row: EventsTable) {
  await trx.insertInto('events').values(row).execute();
}

/** The fields an event file sets on an existing event. */
export type EventFields = Pick<
  EventsTable,
  | 'name'
  | 'description'
  | 'per_order_limit'
  | 'per_buyer_limit'
  | 'refund_policy'
  | 'refund_cutoff_s'
  | 'updated_at'
>;

export async function updateEventFields(trx: Trx, eventId: string, fields: EventFields) {
  await trx.updateTable('events').set(fields).where('id', '=', eventId).execute();
}

export async function setEventStatus(
  trx: Trx,
  eventId: string,
  status: EventsTable['status'],
  now: number,
) {
  await trx
    .updateTable('events')
    .set({ status, updated_at: now })
    .where('id', '=', eventId)
    .execute();
}

/** Whether the organizer has linked its merchant wallet at the exchange. */
export async function walletLinked(trx: Trx, organizerId: string): Promise<boolean> {
  const wallet = await trx
    .selectFrom('wallet_links')
    .select('organizer_id')
    .where('organizer_id', '=', organizerId)
    .executeTakeFirst();
  return wallet !== undefined;
}

export async function hasCategory(trx: Trx, eventId: string): Promise<boolean> {
  const category = await trx
    .selectFrom('categories')
    .select('id')
    .where('event_id', '=', eventId)
    .limit(1)
    .executeTakeFirst();
  return category !== undefined;
}

export async function hasScheduledPerformance(trx: Trx, eventId: string): Promise<boolean> {
  const performance = await trx
    .selectFrom('performances')
    .select('id')
    .where('event_id', '=', eventId)
    .where('status', '=', 'scheduled')
    .limit(1)
    .executeTakeFirst();
  return performance !== undefined;
}

// ---------------------------------------------------------------------------------------------
// Categories

function categoryRow(eventId: string, id: string, plan: CategoryPlan): CategoriesTable {
  return {
    id,
    event_id: eventId,
    name: plan.name,
    sort_order: plan.sortOrder,
    pricing: plan.pricing,
    price_asset: plan.priceAsset,
    price_amount: plan.priceAmount.toString(),
    seating: plan.seating,
    area_id: plan.areaId,
    quota: plan.quota,
    kind: plan.kind,
    entries_allowed: plan.entriesAllowed,
    reentry_allowed: plan.reentryAllowed ? 1 : 0,
    valid_from: plan.validFrom,
    valid_until: plan.validUntil,
    stored_value: plan.storedValue.toString(),
    stored_value_asset: plan.storedValueAsset,
    reserved_hex: plan.reservedHex,
  };
}

function planOfRow(row: CategoriesTable, seatIds: string[]): CategoryPlan {
  return {
    name: row.name,
    sortOrder: row.sort_order,
    pricing: row.pricing,
    priceAsset: row.price_asset,
    priceAmount: BigInt(row.price_amount),
    seating: row.seating,
    areaId: row.area_id,
    quota: row.quota,
    seatIds,
    kind: row.kind,
    entriesAllowed: row.entries_allowed,
    reentryAllowed: row.reentry_allowed === 1,
    validFrom: row.valid_from === null ? null : Number(row.valid_from),
    validUntil: row.valid_until === null ? null : Number(row.valid_until),
    storedValue: BigInt(row.stored_value),
    storedValueAsset: row.stored_value_asset,
    reservedHex: row.reserved_hex,
  };
}

/** The event's categories in their order, each with the seats it sells. */
export async function storedCategories(trx: Trx, eventId: string): Promise<StoredCategory[]> {
  const rows = await trx
    .selectFrom('categories')
    .selectAll()
    .where('event_id', '=', eventId)
    .orderBy('sort_order')
    .execute();
  const seats = await trx
    .selectFrom('category_seats')
    .select(['seat_id', 'category_id'])
    .where('event_id', '=', eventId)
    .execute();
  const byCategory = new Map<string, string[]>();
  for (const seat of seats) {
    const list = byCategory.get(seat.category_id) ?? [];
    list.push(seat.seat_id);
    byCategory.set(seat.category_id, list);
  }
  return rows.map((row) => ({ id: row.id, plan: planOfRow(row, byCategory.get(row.id) ?? []) }));
}

export async function insertCategories(
  trx: Trx,
  eventId: string,
  categories: readonly StoredCategory[],
) {
  await insertBatched(
    trx,
    'categories',
    categories.map((category) => categoryRow(eventId, category.id, category.plan)),
  );
}

export async function insertCategorySeats(trx: Trx, eventId: string, category: StoredCategory) {
  await insertBatched(
    trx,
    'category_seats',
    category.plan.seatIds.map((seatId) => ({
      event_id: eventId,
      seat_id: seatId,
      category_id: category.id,
    })),
  );
}

/** Every field of the category but its id and event, from its plan. */
export async function updateCategory(trx: Trx, eventId: string, category: StoredCategory) {
  const { id: _id, event_id: _event, ...fields } = categoryRow(eventId, category.id, category.plan);
  await trx.updateTable('categories').set(fields).where('id', '=', category.id).execute();
}

/** The category's inventory at every performance and its seat rows, gone. */
export async function deleteCategorySeatsAndInventory(trx: Trx, categoryId: string) {
  await trx.deleteFrom('inventory_seats').where('category_id', '=', categoryId).execute();
  await trx.deleteFrom('inventory_quotas').where('category_id', '=', categoryId).execute();
  await trx.deleteFrom('category_seats').where('category_id', '=', categoryId).execute();
}

/** A GA category's quota at every performance. */
export async function setQuotaCapacity(trx: Trx, categoryId: string, capacity: number) {
  await trx
    .updateTable('inventory_quotas')
    .set({ capacity })
    .where('category_id', '=', categoryId)
    .execute();
}

// ---------------------------------------------------------------------------------------------
// Performances and inventory

const planOfPerformanceRow = (row: PerformancesTable): PerformancePlan => ({
  startsAt: Number(row.starts_at),
  endsAt: Number(row.ends_at),
  doorsAt: Number(row.doors_at),
  salesStart: Number(row.sales_start),
  salesEnd: Number(row.sales_end),
});

/** The event's performances with their windows, in no particular order. */
export async function storedPerformances(trx: Trx, eventId: string): Promise<StoredPerformance[]> {
  const rows = await trx
    .selectFrom('performances')
    .selectAll()
    .where('event_id', '=', eventId)
    .execute();
  return rows.map((row) => ({ id: row.id, plan: planOfPerformanceRow(row) }));
}

export async function performanceById(
  db: Trx,
  performanceId: string,
): Promise<PerformancesTable | undefined> {
  return db
    .selectFrom('performances')
    .selectAll()
    .where('id', '=', performanceId)
    .executeTakeFirst();
}

/** The event's performances, soonest first. */
export async function performancesByStart(db: Trx, eventId: string): Promise<PerformancesTable[]> {
  return db
    .selectFrom('performances')
    .selectAll()
    .where('event_id', '=', eventId)
    .orderBy('starts_at')
    .execute();
}

export async function performanceStartsAt(
  trx: Trx,
  eventId: string,
  startsAt: number,
): Promise<boolean> {
  const clash = await trx
    .selectFrom('performances')
    .select('id')
    .where('event_id', '=', eventId)
    .where('starts_at', '=', startsAt)
    .executeTakeFirst();
  return clash !== undefined;
}

/**
 * A scheduled performance under this short code (claim 8's event ID). A taken code inserts
 * nothing (ON CONFLICT DO NOTHING, which keeps a PostgreSQL transaction usable): false.
 */
export async function insertPerformanceWithCode(
  trx: Trx,
  row: { id: string; eventId: string; code: string; plan: PerformancePlan; now: number },
): Promise<boolean> {
  const result = await trx
    .insertInto('performances')
    .values({
      id: row.id,
      event_id: row.eventId,
      code: row.code,
      starts_at: row.plan.startsAt,
      ends_at: row.plan.endsAt,
      doors_at: row.plan.doorsAt,
      sales_start: row.plan.salesStart,
      sales_end: row.plan.salesEnd,
      status: 'scheduled',
      created_at: row.now,
    })
    .onConflict((c) => c.column('code').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
}

export async function updatePerformanceWindows(trx: Trx, performance: StoredPerformance) {
  await trx
    .updateTable('performances')
    .set({
      ends_at: performance.plan.endsAt,
      doors_at: performance.plan.doorsAt,
      sales_start: performance.plan.salesStart,
      sales_end: performance.plan.salesEnd,
    })
    .where('id', '=', performance.id)
    .execute();
}

/**
 * Inventory of these categories at one performance: every seat available, every quota empty.
 * Seats are copied from the categories' seat rows in one INSERT … SELECT, so a performance of
 * 100,000 seats costs one statement, not a round trip per batch.
 */
export async function insertInventory(
  trx: Trx,
  eventId: string,
  performanceId: string,
  categories: readonly StoredCategory[],
) {
  const seated = categories
    .filter((category) => category.plan.seating === 'seated')
    .map((category) => category.id);
  if (seated.length > 0) {
    await trx
      .insertInto('inventory_seats')
      .columns(['performance_id', 'seat_id', 'category_id', 'status', 'hold_id', 'ticket_id'])
      .expression((eb) =>
        eb
          .selectFrom('category_seats')
          .select([
            sql<string>`${performanceId}`.as('performance_id'),
            'seat_id',
            'category_id',
            sql<string>`'available'`.as('status'),
            sql<null>`null`.as('hold_id'),
            sql<null>`null`.as('ticket_id'),
          ])
          .where('event_id', '=', eventId)
          .where('category_id', 'in', seated),
      )
      .execute();
  }
  const quotas: Insertable<TicketingDB['inventory_quotas']>[] = categories
    .filter((category) => category.plan.seating === 'ga')
    .map((category) => ({
      performance_id: performanceId,
      category_id: category.id,
      capacity: category.plan.quota ?? 0,
      held: 0,
      sold: 0,
    }));
  await insertBatched(trx, 'inventory_quotas', quotas);
}

/** Categories with anything held or sold at any performance, and the most sold+held of each quota. */
export async function eventUsage(trx: Trx, eventId: string): Promise<Usage> {
  const seatRows = await trx
    .selectFrom('inventory_seats as i')
    .innerJoin('performances as p', 'p.id', 'i.performance_id')
    .select(['i.category_id', 'i.performance_id'])
    .where('p.event_id', '=', eventId)
    .where('i.status', 'in', ['held', 'sold'])
    .groupBy(['i.category_id', 'i.performance_id'])
    .execute();
  const quotaRows = await trx
    .selectFrom('inventory_quotas as q')
    .innerJoin('performances as p', 'p.id', 'q.performance_id')
    .select(['q.category_id', 'q.performance_id', 'q.held', 'q.sold'])
    .where('p.event_id', '=', eventId)
    .where((eb) => eb(eb('q.held', '+', eb.ref('q.sold')), '>', 0))
    .execute();
  const categories = new Set<string>();
  const performances = new Set<string>();
  const quotaTaken = new Map<string, number>();
  for (const row of seatRows) {
    categories.add(row.category_id);
    performances.add(row.performance_id);
  }
  for (const row of quotaRows) {
    categories.add(row.category_id);
    performances.add(row.performance_id);
    const taken = Number(row.held) + Number(row.sold);
    quotaTaken.set(row.category_id, Math.max(quotaTaken.get(row.category_id) ?? 0, taken));
  }
  return { categories, performances, quotaTaken };
}

// ---------------------------------------------------------------------------------------------
// What views read

/** A category row with its area's name. */
export type CategoryWithArea = CategoriesTable & { area_name: string | null };

/** The event's categories in their order (then by name), each with its area's name. */
export async function categoriesWithArea(db: Trx, eventId: string): Promise<CategoryWithArea[]> {
  return db
    .selectFrom('categories as c')
    .leftJoin('areas as a', 'a.id', 'c.area_id')
    .selectAll('c')
    .select('a.name as area_name')
    .where('c.event_id', '=', eventId)
    .orderBy('c.sort_order')
    .orderBy('c.name')
    .execute();
}

/** How many seats each seated category of the event sells. */
export async function seatCountsByCategory(db: Trx, eventId: string): Promise<Map<string, number>> {
  const counts = await db
    .selectFrom('category_seats')
    .select((eb) => ['category_id', eb.fn.countAll<number>().as('seats')])
    .where('event_id', '=', eventId)
    .groupBy('category_id')
    .execute();
  return new Map(counts.map((row) => [row.category_id, Number(row.seats)]));
}

/** A listing's cursor: `<ms>:<event id>`, parsed. */
export interface ListCursor {
  ms: number;
  id: string;
}

/** A published event as buyers browse it, placed by its next performance. */
export interface PublicEventRow {
  id: string;
  organizerId: string;
  slug: string;
  name: string;
  venue: { id: string; name: string; address: string; timeZone: string };
  nextStartsAt: number;
  performances: number;
}

/**
 * Published events with a scheduled performance that has not ended by `from`, by their next
 * such start (then id), after the cursor: `limit` rows at most.
 */
export async function publicEventRows(
  db: Trx,
  query: { organizerId?: string; from: number; limit: number; cursor: ListCursor | undefined },
): Promise<PublicEventRow[]> {
  const { cursor } = query;
  let select = db
    .selectFrom('events as e')
    .innerJoin('performances as p', 'p.event_id', 'e.id')
    .innerJoin('venues as v', 'v.id', 'e.venue_id')
    .select([
      'e.id',
      'e.organizer_id',
      'e.slug',
      'e.name',
      'v.id as venue_id',
      'v.name as venue_name',
      'v.address as venue_address',
      'v.time_zone as venue_time_zone',
    ])
    .select((eb) => [
      eb.fn.min<number>('p.starts_at').as('next_starts_at'),
      eb.fn.count<number>('p.id').as('performances'),
    ])
    .where('e.status', '=', 'published')
    .where('p.status', '=', 'scheduled')
    .where('p.ends_at', '>', query.from)
    .groupBy([
      'e.id',
      'e.organizer_id',
      'e.slug',
      'e.name',
      'v.id',
      'v.name',
      'v.address',
      'v.time_zone',
    ]);
  if (query.organizerId) select = select.where('e.organizer_id', '=', query.organizerId);
  if (cursor) {
    select = select.having((eb) =>
      eb.or([
        eb(eb.fn.min('p.starts_at'), '>', cursor.ms),
        eb.and([eb(eb.fn.min('p.starts_at'), '=', cursor.ms), eb('e.id', '>', cursor.id)]),
      ]),
    );
  }
  const rows = await select.orderBy('next_starts_at').orderBy('e.id').limit(query.limit).execute();
  return rows.map((row) => ({
    id: row.id,
    organizerId: row.organizer_id,
    slug: row.slug,
    name: row.name,
    venue: {
      id: row.venue_id,
      name: row.venue_name,
      address: row.venue_address,
      timeZone: row.venue_time_zone,
    },
    nextStartsAt: Number(row.next_starts_at),
    performances: Number(row.performances),
  }));
}

/** An event as its organizer's staff list it. */
export interface OrganizerEventRow {
  id: string;
  slug: string;
  name: string;
  status: EventsTable['status'];
  venue: { id: string; name: string; timeZone: string };
  performances: number;
  /** The start of the first scheduled performance that has not ended by `now`, if any. */
  nextStartsAt: number | null;
  createdAt: number;
  updatedAt: number;
}

/** The organizer's events, newest first (then by id), after the cursor: `limit` rows at most. */
export async function organizerEventRows(
  db: Trx,
  organizerId: string,
  query: { limit: number; cursor: ListCursor | undefined; now: number },
): Promise<OrganizerEventRow[]> {
  const { cursor } = query;
  let select = db
    .selectFrom('events as e')
    .innerJoin('venues as v', 'v.id', 'e.venue_id')
    .select([
      'e.id',
      'e.slug',
      'e.name',
      'e.status',
      'e.created_at',
      'e.updated_at',
      'v.id as venue_id',
      'v.name as venue_name',
      'v.time_zone as venue_time_zone',
    ])
    .select((eb) => [
      eb
        .selectFrom('performances as p')
        .select((inner) => inner.fn.countAll<number>().as('n'))
        .whereRef('p.event_id', '=', 'e.id')
        .as('performances'),
      eb
        .selectFrom('performances as p')
        .select((inner) => inner.fn.min('p.starts_at').as('next'))
        .whereRef('p.event_id', '=', 'e.id')
        .where('p.status', '=', 'scheduled')
        .where('p.ends_at', '>', query.now)
        .as('next_starts_at'),
    ])
    .where('e.organizer_id', '=', organizerId);
  if (cursor) {
    select = select.where((eb) =>
      eb.or([
        eb('e.created_at', '<', cursor.ms),
        eb.and([eb('e.created_at', '=', cursor.ms), eb('e.id', '<', cursor.id)]),
      ]),
    );
  }
  const rows = await select
    .orderBy('e.created_at', 'desc')
    .orderBy('e.id', 'desc')
    .limit(query.limit)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    slug: row.slug,
    name: row.name,
    status: row.status,
    venue: { id: row.venue_id, name: row.venue_name, timeZone: row.venue_time_zone },
    performances: Number(row.performances ?? 0),
    nextStartsAt: row.next_starts_at == null ? null : Number(row.next_starts_at),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  }));
}
