/**
 * The catalogue: venues and their seat maps, events with their ticket categories and
 * performances, and each performance's inventory (one row per seat of a seated category, one
 * quota row per general-admission category). Seed 001's issuer answers "is it available?" from
 * this inventory (availability.ts); holds change its status.
 *
 * Every category is checked against the ticket protocol's own rules (checkTicketTerms) with the
 * windows of its performances, so an event that can be sold can also be issued and admitted.
 * Prices are stored in the smallest unit of their asset at the exchange.
 */
import {
  checkTicketTerms,
  isProtocolError,
  storedValueMax,
  type TicketKind,
} from '@tessera/protocol';
import { type Asset, formatAmount, parseAmount } from '@tessera/service-kit/amounts';
import { ApiError, badRequest, conflict, notFound } from '@tessera/service-kit/errors';
import { type Insertable, sql } from 'kysely';
import type { Ticketing, Trx } from '../context.ts';
import { forUpdateOn, insertBatched } from '../db/query.ts';
import type {
  AreasTable,
  CategoriesTable,
  EventsTable,
  PerformancesTable,
  TicketingDB,
  VenuesTable,
} from '../db/schema.ts';
import type { Principal } from '../identity/service.ts';
import { newId, newPerformanceCode } from '../ids.ts';
import { isStaffOf } from '../organizers/staff.ts';
import { seatReference } from '../venues/seat-map.ts';

export const categoriesPerEventMax = 100;
export const performancesPerRequestMax = 100;
/** Doors open this long before the start unless the organizer says otherwise. */
export const defaultDoorsBeforeStartMs = 3_600_000;

// ---------------------------------------------------------------------------------------------
// Access
// ---------------------------------------------------------------------------------------------
// Helpers
/** The exchange's assets; fetched before any transaction (network I/O never runs inside one). */
export type AssetBook = Map<string, Asset>;

export async function scaleOf(ticketing: Ticketing, code: string) {
  return (await ticketing.exchange.asset(code)).scale;
}

// ---------------------------------------------------------------------------------------------
// Venues and seat maps
// ---------------------------------------------------------------------------------------------
// Events: input, plans and the rules they must obey

export interface CategoryInput {
  name: string;
  pricing: 'fiat' | 'crypto';
  priceAsset: string;
  price: string;
  seating: 'seated' | 'ga';
  sections?: string[];
  seats?: string[];
  area?: string;
  quota?: number;
  kind: TicketKind;
  entriesAllowed?: number;
  reentryAllowed?: boolean;
  validFrom?: string;
  validUntil?: string;
  storedValue?: string;
  storedValueAsset?: string;
  reservedHex?: string;
}

export interface PerformanceInput {
  startsAt: string;
  endsAt: string;
  doorsAt?: string;
  salesStart?: string;
  salesEnd?: string;
}

export interface EventInput {
  slug: string;
  name: string;
  description?: string;
  venueId: string;
  perOrderLimit?: number;
  perBuyerLimit?: number;
  refundPolicy?: 'none' | 'until_start';
  refundCutoffS?: number;
  categories?: CategoryInput[];
  performances?: PerformanceInput[];
}

/** A category as it will be stored, whether it comes from a request or from the database. */
export interface CategoryPlan {
  name: string;
  sortOrder: number;
  pricing: 'fiat' | 'crypto';
  priceAsset: string;
  priceAmount: bigint;
  seating: 'seated' | 'ga';
  areaId: string | null;
  quota: number | null;
  /** Seated: the seats it sells, in seat-map order. */
  seatIds: string[];
  kind: TicketKind;
  entriesAllowed: number;
  reentryAllowed: boolean;
  validFrom: number | null;
  validUntil: number | null;
  storedValue: bigint;
  storedValueAsset: string | null;
  reservedHex: string;
}

export interface PerformancePlan {
  startsAt: number;
  endsAt: number;
  doorsAt: number;
  salesStart: number;
  salesEnd: number;
}

export interface Layout {
  venue: VenuesTable;
  seatByReference: Map<string, string>;
  referenceOf: Map<string, string>;
  seatsBySection: Map<string, string[]>;
  areaByName: Map<string, AreasTable>;
  areaById: Map<string, AreasTable>;
}

/** The venue (locked against a concurrent seat-map replacement) and its seats and areas. */
export async function loadLayout(
  ticketing: Ticketing,
  trx: Trx,
  organizerId: string,
  venueId: string,
): Promise<Layout> {
  const venue = await forUpdateOn(
    ticketing,
    trx.selectFrom('venues').selectAll().where('id', '=', venueId),
  ).executeTakeFirst();
  if (!venue || venue.organizer_id !== organizerId) throw notFound('venue');
  const seats = await trx
    .selectFrom('seats')
    .select(['id', 'section', 'row_label', 'number'])
    .where('venue_id', '=', venueId)
    .orderBy('row_index')
    .orderBy('seat_index')
    .execute();
  const areas = await trx.selectFrom('areas').selectAll().where('venue_id', '=', venueId).execute();
  const layout: Layout = {
    venue,
    seatByReference: new Map(),
    referenceOf: new Map(),
    seatsBySection: new Map(),
    areaByName: new Map(areas.map((area) => [area.name, area])),
    areaById: new Map(areas.map((area) => [area.id, area])),
  };
  for (const seat of seats) {
    const reference = seatReference({
      section: seat.section,
      row: seat.row_label,
      number: seat.number,
    });
    layout.seatByReference.set(reference, seat.id);
    layout.referenceOf.set(seat.id, reference);
    let section = layout.seatsBySection.get(seat.section);
    if (!section) {
      section = [];
      layout.seatsBySection.set(seat.section, section);
    }
    section.push(seat.id);
  }
  return layout;
}

export const invalidCategory = (name: string, message: string, field?: string) =>
  badRequest('invalid_category', `category "${name}": ${message}`, {
    category: name,
    ...(field ? { field } : {}),
  });

export function assetFor(assets: AssetBook, code: string, category: string, field: string): Asset {
  const asset = assets.get(code);
  if (!asset) {
    throw badRequest('unknown_asset', `category "${category}": the exchange has no asset ${code}`, {
      category,
      field,
    });
  }
  return asset;
}

export function seatsOf(input: CategoryInput, layout: Layout): string[] {
  const chosen = new Set<string>();
  for (const section of input.sections ?? []) {
    const seats = layout.seatsBySection.get(section);
    if (!seats)
      throw invalidCategory(input.name, `the venue has no section "${section}"`, 'sections');
    for (const seat of seats) chosen.add(seat);
  }
  for (const reference of input.seats ?? []) {
    const seat = layout.seatByReference.get(reference);
    if (!seat) {
      throw invalidCategory(
        input.name,
        `the venue has no seat "${reference}" (write Section/Row/Number)`,
        'seats',
      );
    }
    chosen.add(seat);
  }
  return [...chosen];
}

/** A request's category, checked against the venue and the exchange's assets. */
export function planCategory(
  input: CategoryInput,
  sortOrder: number,
  layout: Layout,
  assets: AssetBook,
): CategoryPlan {
  const name = input.name.trim();
  if (name.length === 0) throw badRequest('invalid_category', 'a category needs a name');
  const price = assetFor(assets, input.priceAsset, name, 'priceAsset');
  if (input.pricing === 'fiat' && price.kind !== 'fiat') {
    throw invalidCategory(
      name,
      `fiat pricing takes the exchange's fiat currency, not ${price.code}`,
    );
  }
  if (input.pricing === 'crypto' && price.kind !== 'crypto') {
    throw invalidCategory(name, `crypto pricing takes a crypto asset, not ${price.code}`);
  }
  const priceAmount = parseAmount(input.price, price, `category "${name}" price`);
  if (priceAmount <= 0n) throw invalidCategory(name, 'the price must be more than 0', 'price');

  let seatIds: string[] = [];
  let areaId: string | null = null;
  let quota: number | null = null;
  if (input.seating === 'seated') {
    if (input.area !== undefined || input.quota !== undefined) {
      throw invalidCategory(name, 'a seated category takes sections or seats, not area or quota');
    }
    seatIds = seatsOf(input, layout);
    if (seatIds.length === 0) {
      throw invalidCategory(name, 'a seated category needs sections or seats', 'sections');
    }
  } else {
    if (input.sections !== undefined || input.seats !== undefined) {
      throw invalidCategory(name, 'a general-admission category takes an area, not seats');
    }
    if (input.area === undefined) {
      throw invalidCategory(name, 'a general-admission category needs an area', 'area');
    }
    const area = layout.areaByName.get(input.area);
    if (!area) throw invalidCategory(name, `the venue has no area "${input.area}"`, 'area');
    areaId = area.id;
    quota = input.quota ?? area.capacity;
    if (quota > area.capacity) {
      throw badRequest(
        'quota_over_capacity',
        `category "${name}": quota ${quota} is more than area "${area.name}" holds (${area.capacity})`,
        { category: name },
      );
    }
  }

  let storedValue = 0n;
  let storedValueAsset: string | null = null;
  if (input.kind === 'stored_value') {
    if (input.storedValue === undefined) {
      throw invalidCategory(name, 'a stored-value ticket needs storedValue', 'storedValue');
    }
    storedValueAsset = input.storedValueAsset ?? input.priceAsset;
    const asset = assetFor(assets, storedValueAsset, name, 'storedValueAsset');
    storedValue = parseAmount(input.storedValue, asset, `category "${name}" storedValue`);
    if (storedValue > storedValueMax) {
      throw invalidCategory(
        name,
        'storedValue is larger than a credential can carry',
        'storedValue',
      );
    }
  } else if (input.storedValue !== undefined || input.storedValueAsset !== undefined) {
    throw invalidCategory(name, 'only a stored_value ticket carries a stored value', 'storedValue');
  }

  const entriesAllowed =
    input.entriesAllowed ?? (input.kind === 'single' ? 1 : input.kind === 'multi' ? -1 : 0);
  if (entriesAllowed < 0) {
    throw invalidCategory(name, 'a multi-entry ticket needs entriesAllowed', 'entriesAllowed');
  }
  return {
    name,
    sortOrder,
    pricing: input.pricing,
    priceAsset: input.priceAsset,
    priceAmount,
    seating: input.seating,
    areaId,
    quota,
    seatIds,
    kind: input.kind,
    entriesAllowed,
    reentryAllowed: input.reentryAllowed ?? false,
    validFrom: input.validFrom === undefined ? null : Date.parse(input.validFrom),
    validUntil: input.validUntil === undefined ? null : Date.parse(input.validUntil),
    storedValue,
    storedValueAsset,
    reservedHex: (input.reservedHex ?? '').toLowerCase(),
  };
}

/** A request's performance with its defaults filled in. */
export function planPerformance(
  input: PerformanceInput,
  defaults: { salesStart: number },
): PerformancePlan {
  const startsAt = Date.parse(input.startsAt);
  const endsAt = Date.parse(input.endsAt);
  const doorsAt = input.doorsAt ? Date.parse(input.doorsAt) : startsAt - defaultDoorsBeforeStartMs;
  const salesStart = input.salesStart ? Date.parse(input.salesStart) : defaults.salesStart;
  const salesEnd = input.salesEnd ? Date.parse(input.salesEnd) : startsAt;
  const at = `performance at ${input.startsAt}`;
  const invalid = (message: string) =>
    badRequest('invalid_performance', `${at}: ${message}`, { startsAt: input.startsAt });
  if (endsAt <= startsAt) throw invalid('endsAt must be after startsAt');
  if (doorsAt > startsAt) throw invalid('doorsAt must not be after startsAt');
  if (salesEnd <= salesStart) throw invalid('salesEnd must be after salesStart');
  if (salesEnd > endsAt) throw invalid('salesEnd must not be after endsAt');
  return { startsAt, endsAt, doorsAt, salesStart, salesEnd };
}

/**
 * The protocol's rules for ticket terms (kind, entries, re-entry, window, value), checked with
 * the window this category would have at this performance: what issuance will sign later.
 */
export function checkTerms(category: CategoryPlan, window: { doorsAt: number; endsAt: number }) {
  const seconds = (ms: number) => Math.floor(ms / 1000);
  try {
    checkTicketTerms({
      eventId: 'sample',
      ticketId: 'sample01',
      kind: category.kind,
      reentryAllowed: category.reentryAllowed,
      entriesAllowed: category.entriesAllowed,
      validFromS: seconds(category.validFrom ?? window.doorsAt),
      validUntilS: seconds(category.validUntil ?? window.endsAt),
      storedValue: category.storedValue,
      revision: 0,
    });
  } catch (error) {
    if (!isProtocolError(error)) throw error;
    const field = error.field.replace(/^credential\./, '');
    throw badRequest(
      'invalid_ticket_terms',
      `category "${category.name}": ${error.message.replace(/^credential\./, '')}`,
      { category: category.name, field },
    );
  }
}

/**
 * The rules an event's whole catalogue obeys: unique category names and performance starts, a
 * seat in one category at most, GA quotas within their area, and terms valid at every
 * performance.
 */
export function checkCatalogue(
  categories: readonly CategoryPlan[],
  performances: readonly PerformancePlan[],
  layout: Layout,
  now: number,
) {
  if (categories.length > categoriesPerEventMax) {
    throw badRequest(
      'too_many_categories',
      `an event has at most ${categoriesPerEventMax} categories`,
    );
  }
  const names = new Set<string>();
  const owner = new Map<string, string>();
  const quotas = new Map<string, number>();
  for (const category of categories) {
    if (names.has(category.name)) {
      throw badRequest('duplicate_category', `category "${category.name}" appears twice`);
    }
    names.add(category.name);
    for (const seat of category.seatIds) {
      const other = owner.get(seat);
      if (other !== undefined) {
        throw badRequest(
          'seat_in_two_categories',
          `seat ${layout.referenceOf.get(seat) ?? seat} is in both "${other}" and "${category.name}"`,
          { seat: layout.referenceOf.get(seat) ?? seat, categories: [other, category.name] },
        );
      }
      owner.set(seat, category.name);
    }
    if (category.areaId !== null) {
      const total = (quotas.get(category.areaId) ?? 0) + (category.quota ?? 0);
      const area = layout.areaById.get(category.areaId);
      if (area && total > area.capacity) {
        throw badRequest(
          'quota_over_capacity',
          `the quotas on area "${area.name}" add up to ${total}, more than its capacity ${area.capacity}`,
          { area: area.name },
        );
      }
      quotas.set(category.areaId, total);
    }
  }
  const starts = new Set<number>();
  for (const performance of performances) {
    if (starts.has(performance.startsAt)) {
      throw badRequest(
        'duplicate_performance',
        `two performances start at ${new Date(performance.startsAt).toISOString()}`,
      );
    }
    starts.add(performance.startsAt);
  }
  // Without performances yet, a sample window still checks kind, entries and re-entry.
  const windows =
    performances.length > 0
      ? performances
      : [{ doorsAt: now, endsAt: now + defaultDoorsBeforeStartMs }];
  for (const category of categories) {
    for (const window of windows) checkTerms(category, window);
  }
}

export function checkLimits(input: EventInput) {
  if (input.name.trim().length === 0) throw badRequest('invalid_event', 'the event needs a name');
  const perOrder = input.perOrderLimit ?? 10;
  const perBuyer = input.perBuyerLimit ?? 20;
  if (perOrder > perBuyer) {
    throw badRequest('invalid_limits', 'perOrderLimit must not be more than perBuyerLimit');
  }
}

export function categoryRow(eventId: string, id: string, plan: CategoryPlan): CategoriesTable {
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

export function planOfRow(row: CategoriesTable, seatIds: string[]): CategoryPlan {
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

export interface StoredCategory {
  id: string;
  plan: CategoryPlan;
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

/**
 * A performance with a fresh short code (claim 8's event ID). A taken code inserts nothing
 * (ON CONFLICT DO NOTHING, which keeps a PostgreSQL transaction usable) and another is drawn.
 */
export async function insertPerformance(
  trx: Trx,
  eventId: string,
  plan: PerformancePlan,
  now: number,
): Promise<string> {
  const id = newId('perf');
  for (let attempt = 0; attempt < 8; attempt++) {
    const result = await trx
      .insertInto('performances')
      .values({
        id,
        event_id: eventId,
        code: newPerformanceCode(),
        starts_at: plan.startsAt,
        ends_at: plan.endsAt,
        doors_at: plan.doorsAt,
        sales_start: plan.salesStart,
        sales_end: plan.salesEnd,
        status: 'scheduled',
        created_at: now,
      })
      .onConflict((c) => c.column('code').doNothing())
      .executeTakeFirst();
    if (Number(result.numInsertedOrUpdatedRows ?? 0n) === 1) return id;
  }
  throw new Error('no free performance code after 8 draws');
}

export async function eventBySlug(
  ticketing: Ticketing,
  trx: Trx,
  organizerId: string,
  slug: string,
) {
  return forUpdateOn(
    ticketing,
    trx
      .selectFrom('events')
      .selectAll()
      .where('organizer_id', '=', organizerId)
      .where('slug', '=', slug),
  ).executeTakeFirst();
}

/** Creates a draft event with its categories, performances and their inventory. */
export async function createEvent(
  ticketing: Ticketing,
  trx: Trx,
  organizerId: string,
  input: EventInput,
  assets: AssetBook,
  now: number,
): Promise<string> {
  checkLimits(input);
  const layout = await loadLayout(ticketing, trx, organizerId, input.venueId);
  if (await eventBySlug(ticketing, trx, organizerId, input.slug)) {
    throw conflict(
      'slug_taken',
      `an event with slug "${input.slug}" exists; PUT by slug updates it`,
    );
  }
  const categories = (input.categories ?? []).map((category, index) =>
    planCategory(category, index, layout, assets),
  );
  const performances = (input.performances ?? []).map((performance) =>
    planPerformance(performance, { salesStart: now }),
  );
  checkCatalogue(categories, performances, layout, now);

  const eventId = newId('ev');
  const row: EventsTable = {
    id: eventId,
    organizer_id: organizerId,
    venue_id: input.venueId,
    slug: input.slug,
    name: input.name.trim(),
    description: input.description ?? '',
    status: 'draft',
    per_order_limit: input.perOrderLimit ?? 10,
    per_buyer_limit: input.perBuyerLimit ?? 20,
    refund_policy: input.refundPolicy ?? 'none',
    refund_cutoff_s: input.refundCutoffS ?? 86_400,
    created_at: now,
    updated_at: now,
  };
  await trx.insertInto('events').values(row).execute();
  const stored: StoredCategory[] = categories.map((plan) => ({ id: newId('cat'), plan }));
  await insertBatched(
    trx,
    'categories',
    stored.map((category) => categoryRow(eventId, category.id, category.plan)),
  );
  for (const category of stored) await insertCategorySeats(trx, eventId, category);
  for (const performance of performances) {
    const performanceId = await insertPerformance(trx, eventId, performance, now);
    await insertInventory(trx, eventId, performanceId, stored);
  }
  return eventId;
}

/** Categories with anything held or sold at any performance, and the most sold+held of each quota. */
export async function usage(trx: Trx, eventId: string) {
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

export const sameSeats = (a: readonly string[], b: readonly string[]) => {
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((seat) => set.has(seat));
};

export const sameTerms = (a: CategoryPlan, b: CategoryPlan) =>
  a.kind === b.kind &&
  a.entriesAllowed === b.entriesAllowed &&
  a.reentryAllowed === b.reentryAllowed &&
  a.validFrom === b.validFrom &&
  a.validUntil === b.validUntil &&
  a.storedValue === b.storedValue &&
  a.storedValueAsset === b.storedValueAsset &&
  a.reservedHex === b.reservedHex;

export interface CategoryChanges {
  /** Seats or area changed: their seat rows and inventory are made again. */
  changed: StoredCategory[];
  /** Same seats and area: price, quota or terms updated in place. */
  updated: StoredCategory[];
  added: StoredCategory[];
  /** Left out of the input: kept as they are. */
  kept: StoredCategory[];
}

/** Matches the input's categories to the stored ones by name and sorts out what changes. */
export function categoryChanges(
  wanted: readonly CategoryPlan[],
  stored: readonly StoredCategory[],
  used: Awaited<ReturnType<typeof usage>>,
): CategoryChanges {
  const byName = new Map(stored.map((category) => [category.plan.name, category]));
  const wantedNames = new Set(wanted.map((plan) => plan.name));
  const changes: CategoryChanges = {
    changed: [],
    updated: [],
    added: [],
    kept: stored.filter((category) => !wantedNames.has(category.plan.name)),
  };
  for (const plan of wanted) {
    const before = byName.get(plan.name);
    if (!before) {
      changes.added.push({ id: newId('cat'), plan });
      continue;
    }
    const structural =
      plan.seating !== before.plan.seating ||
      plan.areaId !== before.plan.areaId ||
      !sameSeats(plan.seatIds, before.plan.seatIds);
    // Tickets held or sold carry (or will carry) these seats and terms: they stay.
    if (used.categories.has(before.id) && (structural || !sameTerms(plan, before.plan))) {
      throw conflict(
        'category_in_use',
        `category "${plan.name}" has tickets held or sold; its seats, area and ticket terms can no longer change`,
        { category: plan.name },
      );
    }
    if (plan.quota !== null && plan.quota < (used.quotaTaken.get(before.id) ?? 0)) {
      throw conflict(
        'quota_below_sales',
        `category "${plan.name}": quota ${plan.quota} is below what is already held or sold`,
        { category: plan.name },
      );
    }
    (structural ? changes.changed : changes.updated).push({ id: before.id, plan });
  }
  return changes;
}

export const planOfPerformanceRow = (row: PerformancesTable): PerformancePlan => ({
  startsAt: Number(row.starts_at),
  endsAt: Number(row.ends_at),
  doorsAt: Number(row.doors_at),
  salesStart: Number(row.sales_start),
  salesEnd: Number(row.sales_end),
});

/** Matches the input's performances to the stored ones by start: new ones and updated ones. */
export function performanceChanges(
  inputs: readonly PerformanceInput[],
  stored: readonly PerformancesTable[],
  used: Awaited<ReturnType<typeof usage>>,
  now: number,
) {
  const byStart = new Map(stored.map((row) => [Number(row.starts_at), row]));
  const fresh: PerformancePlan[] = [];
  const updated: { id: string; plan: PerformancePlan }[] = [];
  for (const input of inputs) {
    const before = byStart.get(Date.parse(input.startsAt));
    const plan = planPerformance(input, {
      salesStart: before ? Number(before.sales_start) : now,
    });
    if (!before) {
      fresh.push(plan);
      continue;
    }
    // Credentials already issued carry the admission window (doors to end) in them.
    const admissionMoved =
      plan.doorsAt !== Number(before.doors_at) || plan.endsAt !== Number(before.ends_at);
    if (admissionMoved && used.performances.has(before.id)) {
      throw conflict(
        'performance_in_use',
        `the performance at ${input.startsAt} has tickets held or sold; its doors and end can no longer change`,
      );
    }
    updated.push({ id: before.id, plan });
  }
  const updatedIds = new Set(updated.map((performance) => performance.id));
  const all = [
    ...stored.filter((row) => !updatedIds.has(row.id)).map(planOfPerformanceRow),
    ...updated.map((performance) => performance.plan),
    ...fresh,
  ];
  return { fresh, updated, all };
}

export async function applyCategoryChanges(
  trx: Trx,
  eventId: string,
  changes: CategoryChanges,
  performanceIds: readonly string[],
) {
  // Changed categories give their seats back first, so seats may move between categories.
  for (const category of changes.changed) {
    await trx.deleteFrom('inventory_seats').where('category_id', '=', category.id).execute();
    await trx.deleteFrom('inventory_quotas').where('category_id', '=', category.id).execute();
    await trx.deleteFrom('category_seats').where('category_id', '=', category.id).execute();
  }
  for (const category of [...changes.changed, ...changes.updated]) {
    const {
      id: _id,
      event_id: _event,
      ...fields
    } = categoryRow(eventId, category.id, category.plan);
    await trx.updateTable('categories').set(fields).where('id', '=', category.id).execute();
  }
  for (const category of changes.updated) {
    if (category.plan.quota === null) continue;
    await trx
      .updateTable('inventory_quotas')
      .set({ capacity: category.plan.quota })
      .where('category_id', '=', category.id)
      .execute();
  }
  await insertBatched(
    trx,
    'categories',
    changes.added.map((category) => categoryRow(eventId, category.id, category.plan)),
  );
  const fresh = [...changes.changed, ...changes.added];
  for (const category of fresh) await insertCategorySeats(trx, eventId, category);
  for (const performanceId of performanceIds) {
    await insertInventory(trx, eventId, performanceId, fresh);
  }
}

/**
 * Creates the event or brings it in line with the input (the organizer's file): event fields,
 * categories matched by name, performances matched by start. Nothing is ever deleted; what has
 * been held or sold keeps its seats, area, terms and admission window (409 otherwise).
 */
export async function upsertEvent(
  ticketing: Ticketing,
  trx: Trx,
  organizerId: string,
  input: EventInput,
  assets: AssetBook,
  now: number,
): Promise<{ eventId: string; created: boolean }> {
  const existing = await eventBySlug(ticketing, trx, organizerId, input.slug);
  if (!existing) {
    return {
      eventId: await createEvent(ticketing, trx, organizerId, input, assets, now),
      created: true,
    };
  }
  checkLimits(input);
  if (existing.status === 'cancelled') {
    throw conflict('event_cancelled', 'this event is cancelled; it cannot change');
  }
  if (existing.venue_id !== input.venueId) {
    throw conflict('venue_change', 'an event keeps its venue; make a new event for another venue');
  }
  const eventId = existing.id;
  const layout = await loadLayout(ticketing, trx, organizerId, input.venueId);
  const storedPerformances = await trx
    .selectFrom('performances')
    .selectAll()
    .where('event_id', '=', eventId)
    .execute();
  const used = await usage(trx, eventId);
  const wanted = (input.categories ?? []).map((category, index) =>
    planCategory(category, index, layout, assets),
  );
  const categories = categoryChanges(wanted, await storedCategories(trx, eventId), used);
  const performances = performanceChanges(input.performances ?? [], storedPerformances, used, now);
  checkCatalogue(
    [...wanted, ...categories.kept.map((category) => category.plan)],
    performances.all,
    layout,
    now,
  );

  await trx
    .updateTable('events')
    .set({
      name: input.name.trim(),
      description: input.description ?? '',
      per_order_limit: input.perOrderLimit ?? 10,
      per_buyer_limit: input.perBuyerLimit ?? 20,
      refund_policy: input.refundPolicy ?? 'none',
      refund_cutoff_s: input.refundCutoffS ?? 86_400,
      updated_at: now,
    })
    .where('id', '=', eventId)
    .execute();
  await applyCategoryChanges(
    trx,
    eventId,
    categories,
    storedPerformances.map((row) => row.id),
  );
  for (const performance of performances.updated) {
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
  const everyCategory = [
    ...categories.changed,
    ...categories.updated,
    ...categories.added,
    ...categories.kept,
  ];
  for (const plan of performances.fresh) {
    const performanceId = await insertPerformance(trx, eventId, plan, now);
    await insertInventory(trx, eventId, performanceId, everyCategory);
  }
  return { eventId, created: false };
}

export async function lockedEvent(ticketing: Ticketing, trx: Trx, eventId: string) {
  const event = await forUpdateOn(
    ticketing,
    trx.selectFrom('events').selectAll().where('id', '=', eventId),
  ).executeTakeFirst();
  if (!event) throw notFound('event');
  return event;
}

/** Adds one performance to an event, with inventory for every category. */
export async function addPerformance(
  ticketing: Ticketing,
  trx: Trx,
  eventId: string,
  input: PerformanceInput,
  now: number,
): Promise<string> {
  const event = await lockedEvent(ticketing, trx, eventId);
  if (event.status === 'cancelled') {
    throw conflict('event_cancelled', 'this event is cancelled; it cannot change');
  }
  const plan = planPerformance(input, { salesStart: now });
  const clash = await trx
    .selectFrom('performances')
    .select('id')
    .where('event_id', '=', event.id)
    .where('starts_at', '=', plan.startsAt)
    .executeTakeFirst();
  if (clash) {
    throw conflict('duplicate_performance', `a performance already starts at ${input.startsAt}`);
  }
  const categories = await storedCategories(trx, event.id);
  for (const category of categories) checkTerms(category.plan, plan);
  const performanceId = await insertPerformance(trx, event.id, plan, now);
  await insertInventory(trx, event.id, performanceId, categories);
  return performanceId;
}

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

/**
 * Publishing puts the event on sale. It needs something to sell (a category and a scheduled
 * performance) and somewhere for the money to go (S100: a linked merchant wallet).
 */
export async function publishEvent(ticketing: Ticketing, trx: Trx, eventId: string, now: number) {
  const event = await lockedEvent(ticketing, trx, eventId);
  if (event.status === 'cancelled') throw conflict('event_cancelled', 'this event is cancelled');
  const wallet = await trx
    .selectFrom('wallet_links')
    .select('organizer_id')
    .where('organizer_id', '=', event.organizer_id)
    .executeTakeFirst();
  if (!wallet) {
    throw conflict(
      'wallet_not_linked',
      "link the organizer's merchant wallet at the exchange before publishing",
    );
  }
  const category = await trx
    .selectFrom('categories')
    .select('id')
    .where('event_id', '=', event.id)
    .limit(1)
    .executeTakeFirst();
  if (!category) throw conflict('no_categories', 'add a ticket category before publishing');
  const performance = await trx
    .selectFrom('performances')
    .select('id')
    .where('event_id', '=', event.id)
    .where('status', '=', 'scheduled')
    .limit(1)
    .executeTakeFirst();
  if (!performance) throw conflict('no_performances', 'add a performance before publishing');
  await trx
    .updateTable('events')
    .set({ status: 'published', updated_at: now })
    .where('id', '=', event.id)
    .execute();
}

/** Back to draft: hidden from buyers and not on sale; tickets already sold stay valid. */
export async function unpublishEvent(ticketing: Ticketing, trx: Trx, eventId: string, now: number) {
  const event = await lockedEvent(ticketing, trx, eventId);
  if (event.status === 'cancelled') throw conflict('event_cancelled', 'this event is cancelled');
  await trx
    .updateTable('events')
    .set({ status: 'draft', updated_at: now })
    .where('id', '=', event.id)
    .execute();
}

// ---------------------------------------------------------------------------------------------
// Views

export async function eventRow(ticketing: Ticketing, eventId: string) {
  return ticketing.database.db
    .selectFrom('events')
    .selectAll()
    .where('id', '=', eventId)
    .executeTakeFirst();
}

/**
 * A published event is public; a draft (or cancelled one) only to its organizer's staff. To
 * anyone else it does not exist.
 */
export async function visibleEvent(
  ticketing: Ticketing,
  principal: Principal | undefined,
  eventId: string,
) {
  const event = await eventRow(ticketing, eventId);
  if (!event) throw notFound('event');
  if (
    event.status !== 'published' &&
    !(await isStaffOf(ticketing, principal, event.organizer_id))
  ) {
    throw notFound('event');
  }
  return event;
}

/** The event of a performance, if the caller may see it; otherwise the performance is not found. */
export async function visiblePerformanceEvent(
  ticketing: Ticketing,
  principal: Principal | undefined,
  eventId: string,
) {
  try {
    return await visibleEvent(ticketing, principal, eventId);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) throw notFound('performance');
    throw error;
  }
}

export const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

export function performanceView(row: PerformancesTable, event: { status: string }, now: number) {
  return {
    id: row.id,
    eventId: row.event_id,
    code: row.code,
    startsAt: iso(row.starts_at) as string,
    endsAt: iso(row.ends_at) as string,
    doorsAt: iso(row.doors_at) as string,
    salesStart: iso(row.sales_start) as string,
    salesEnd: iso(row.sales_end) as string,
    status: row.status,
    onSale:
      event.status === 'published' &&
      row.status === 'scheduled' &&
      now >= Number(row.sales_start) &&
      now < Number(row.sales_end),
  };
}

export async function categoryViews(ticketing: Ticketing, eventId: string) {
  const db = ticketing.database.db;
  const rows = await db
    .selectFrom('categories as c')
    .leftJoin('areas as a', 'a.id', 'c.area_id')
    .selectAll('c')
    .select('a.name as area_name')
    .where('c.event_id', '=', eventId)
    .orderBy('c.sort_order')
    .orderBy('c.name')
    .execute();
  const counts = await db
    .selectFrom('category_seats')
    .select((eb) => ['category_id', eb.fn.countAll<number>().as('seats')])
    .where('event_id', '=', eventId)
    .groupBy('category_id')
    .execute();
  const seatCount = new Map(counts.map((row) => [row.category_id, Number(row.seats)]));
  const views = [];
  for (const row of rows) {
    const priceScale = await scaleOf(ticketing, row.price_asset);
    const valueScale = row.stored_value_asset
      ? await scaleOf(ticketing, row.stored_value_asset)
      : 0;
    views.push({
      id: row.id,
      name: row.name,
      pricing: row.pricing,
      priceAsset: row.price_asset,
      price: formatAmount(BigInt(row.price_amount), priceScale),
      seating: row.seating,
      area: row.area_name ?? null,
      capacity: row.seating === 'seated' ? (seatCount.get(row.id) ?? 0) : (row.quota ?? 0),
      kind: row.kind,
      entriesAllowed: row.entries_allowed,
      reentryAllowed: row.reentry_allowed === 1,
      validFrom: iso(row.valid_from),
      validUntil: iso(row.valid_until),
      storedValue: row.stored_value_asset
        ? formatAmount(BigInt(row.stored_value), valueScale)
        : null,
      storedValueAsset: row.stored_value_asset,
      reservedHex: row.reserved_hex,
    });
  }
  return views;
}

export async function eventView(ticketing: Ticketing, event: EventsTable) {
  const db = ticketing.database.db;
  const now = ticketing.clock.now();
  const venue = await db
    .selectFrom('venues')
    .selectAll()
    .where('id', '=', event.venue_id)
    .executeTakeFirstOrThrow();
  const performances = await db
    .selectFrom('performances')
    .selectAll()
    .where('event_id', '=', event.id)
    .orderBy('starts_at')
    .execute();
  return {
    id: event.id,
    organizerId: event.organizer_id,
    slug: event.slug,
    name: event.name,
    description: event.description,
    status: event.status,
    perOrderLimit: event.per_order_limit,
    perBuyerLimit: event.per_buyer_limit,
    refundPolicy: event.refund_policy,
    refundCutoffS: event.refund_cutoff_s,
    venue: {
      id: venue.id,
      name: venue.name,
      address: venue.address,
      latitude: venue.latitude,
      longitude: venue.longitude,
      radiusM: venue.radius_m,
    },
    categories: await categoryViews(ticketing, event.id),
    performances: performances.map((row) => performanceView(row, event, now)),
    createdAt: iso(event.created_at) as string,
    updatedAt: iso(event.updated_at) as string,
  };
}

/** Cursor of a listing: `<ms>:<event id>`. */
export const listCursorPattern = '^[0-9]{1,15}:ev_[0-9a-z]{8,40}$';

export function parseCursor(after: string | undefined) {
  if (!after) return undefined;
  const [ms, id] = after.split(':');
  return { ms: Number(ms), id: id as string };
}

/**
 * Published events with a performance still to come, soonest first: what a buyer browses.
 * Each event is placed by its next scheduled performance that has not ended by `from`.
 */
export async function listPublicEvents(
  ticketing: Ticketing,
  query: { organizerId?: string; from: number; limit: number; after?: string },
) {
  const cursor = parseCursor(query.after);
  let select = ticketing.database.db
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
    ])
    .select((eb) => [
      eb.fn.min<number>('p.starts_at').as('next_starts_at'),
      eb.fn.count<number>('p.id').as('performances'),
    ])
    .where('e.status', '=', 'published')
    .where('p.status', '=', 'scheduled')
    .where('p.ends_at', '>', query.from)
    .groupBy(['e.id', 'e.organizer_id', 'e.slug', 'e.name', 'v.id', 'v.name', 'v.address']);
  if (query.organizerId) select = select.where('e.organizer_id', '=', query.organizerId);
  if (cursor) {
    select = select.having((eb) =>
      eb.or([
        eb(eb.fn.min('p.starts_at'), '>', cursor.ms),
        eb.and([eb(eb.fn.min('p.starts_at'), '=', cursor.ms), eb('e.id', '>', cursor.id)]),
      ]),
    );
  }
  const rows = await select
    .orderBy('next_starts_at')
    .orderBy('e.id')
    .limit(query.limit + 1)
    .execute();
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    events: page.map((row) => ({
      id: row.id,
      organizerId: row.organizer_id,
      slug: row.slug,
      name: row.name,
      venue: { id: row.venue_id, name: row.venue_name, address: row.venue_address },
      nextStartsAt: iso(Number(row.next_starts_at)) as string,
      performances: Number(row.performances),
    })),
    next: rows.length > query.limit && last ? `${Number(last.next_starts_at)}:${last.id}` : null,
  };
}

/** Every event of the organizer, newest first, whatever its status. */
export async function listOrganizerEvents(
  ticketing: Ticketing,
  organizerId: string,
  query: { limit: number; after?: string },
) {
  const cursor = parseCursor(query.after);
  let select = ticketing.database.db
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
    ])
    .select((eb) => [
      eb
        .selectFrom('performances as p')
        .select((inner) => inner.fn.countAll<number>().as('n'))
        .whereRef('p.event_id', '=', 'e.id')
        .as('performances'),
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
    .limit(query.limit + 1)
    .execute();
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    events: page.map((row) => ({
      id: row.id,
      slug: row.slug,
      name: row.name,
      status: row.status,
      venue: { id: row.venue_id, name: row.venue_name },
      performances: Number(row.performances ?? 0),
      createdAt: iso(row.created_at) as string,
      updatedAt: iso(row.updated_at) as string,
    })),
    next: rows.length > query.limit && last ? `${Number(last.created_at)}:${last.id}` : null,
  };
}
