/**
 * An event's plan: the organizer's input (event fields, categories, performances) checked against
 * the venue's layout and the exchange's assets, and turned into what will be stored: each
 * category's seats or quota, price and ticket terms, each performance's windows. Updating an
 * event from its file diffs the plan against what is stored, refusing what would change tickets
 * already held or sold. Pure: the service reads and writes, this decides.
 *
 * Every category is checked against the ticket protocol's own rules (checkTicketTerms) with the
 * windows of its performances, so an event that can be sold can also be issued and admitted.
 * Prices are kept in the smallest unit of their asset at the exchange.
 */
import {
  checkTicketTerms,
  isProtocolError,
  storedValueMax,
  type TicketKind,
} from '@tessera/protocol';
import { type Asset, parseAmount } from '@tessera/service-kit/amounts';
import { badRequest, conflict } from '@tessera/service-kit/errors';
import { newId } from '../ids.ts';
import type { Layout } from '../venues/layout.ts';

export const categoriesPerEventMax = 100;
export const performancesPerRequestMax = 100;
/** Doors open this long before the start unless the organizer says otherwise. */
const defaultDoorsBeforeStartMs = 3_600_000;

/** The exchange's assets; fetched before any transaction (network I/O never runs inside one). */
export type AssetBook = Map<string, Asset>;

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

/** A category on record: its id and its plan. */
export interface StoredCategory {
  id: string;
  plan: CategoryPlan;
}

/** A performance on record: its id and its windows. */
export interface StoredPerformance {
  id: string;
  plan: PerformancePlan;
}

/** What is held or sold at an event: it fixes what may still change. */
export interface Usage {
  /** Categories with a seat or a place held or sold at any performance. */
  categories: Set<string>;
  /** Performances with anything held or sold. */
  performances: Set<string>;
  /** Per GA category, the most held and sold at one performance. */
  quotaTaken: Map<string, number>;
}

const invalidCategory = (name: string, message: string, field?: string) =>
  badRequest('invalid_category', `category "${name}": ${message}`, {
    category: name,
    ...(field ? { field } : {}),
  });

function assetFor(assets: AssetBook, code: string, category: string, field: string): Asset {
  const asset = assets.get(code);
  if (!asset) {
    throw badRequest('unknown_asset', `category "${category}": the exchange has no asset ${code}`, {
      category,
      field,
    });
  }
  return asset;
}

function seatsOf(input: CategoryInput, layout: Layout): string[] {
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
  const priceAmount = priceOf(input, name, assets);
  const { seatIds, areaId, quota } = seatingOf(input, name, layout);
  const { storedValue, storedValueAsset } = storedValueOf(input, name, assets);
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

/** The price in the smallest unit of its asset: fiat pricing in fiat, crypto in crypto, above 0. */
function priceOf(input: CategoryInput, name: string, assets: AssetBook): bigint {
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
  return priceAmount;
}

/** A seated category's seats, or a general-admission category's area and quota. */
function seatingOf(
  input: CategoryInput,
  name: string,
  layout: Layout,
): { seatIds: string[]; areaId: string | null; quota: number | null } {
  if (input.seating === 'seated') {
    if (input.area !== undefined || input.quota !== undefined) {
      throw invalidCategory(name, 'a seated category takes sections or seats, not area or quota');
    }
    const seatIds = seatsOf(input, layout);
    if (seatIds.length === 0) {
      throw invalidCategory(name, 'a seated category needs sections or seats', 'sections');
    }
    return { seatIds, areaId: null, quota: null };
  }
  if (input.sections !== undefined || input.seats !== undefined) {
    throw invalidCategory(name, 'a general-admission category takes an area, not seats');
  }
  if (input.area === undefined) {
    throw invalidCategory(name, 'a general-admission category needs an area', 'area');
  }
  const area = layout.areaByName.get(input.area);
  if (!area) throw invalidCategory(name, `the venue has no area "${input.area}"`, 'area');
  const quota = input.quota ?? area.capacity;
  if (quota > area.capacity) {
    throw badRequest(
      'quota_over_capacity',
      `category "${name}": quota ${quota} is more than area "${area.name}" holds (${area.capacity})`,
      { category: name },
    );
  }
  return { seatIds: [], areaId: area.id, quota };
}

/** A stored-value ticket's value (within what a credential carries); nothing for other kinds. */
function storedValueOf(
  input: CategoryInput,
  name: string,
  assets: AssetBook,
): { storedValue: bigint; storedValueAsset: string | null } {
  if (input.kind !== 'stored_value') {
    if (input.storedValue !== undefined || input.storedValueAsset !== undefined) {
      throw invalidCategory(
        name,
        'only a stored_value ticket carries a stored value',
        'storedValue',
      );
    }
    return { storedValue: 0n, storedValueAsset: null };
  }
  if (input.storedValue === undefined) {
    throw invalidCategory(name, 'a stored-value ticket needs storedValue', 'storedValue');
  }
  const storedValueAsset = input.storedValueAsset ?? input.priceAsset;
  const asset = assetFor(assets, storedValueAsset, name, 'storedValueAsset');
  const storedValue = parseAmount(input.storedValue, asset, `category "${name}" storedValue`);
  if (storedValue > storedValueMax) {
    throw invalidCategory(name, 'storedValue is larger than a credential can carry', 'storedValue');
  }
  return { storedValue, storedValueAsset };
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

const sameSeats = (a: readonly string[], b: readonly string[]) => {
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((seat) => set.has(seat));
};

const sameTerms = (a: CategoryPlan, b: CategoryPlan) =>
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
  used: Usage,
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

/** Matches the input's performances to the stored ones by start: new ones and updated ones. */
export function performanceChanges(
  inputs: readonly PerformanceInput[],
  stored: readonly StoredPerformance[],
  used: Usage,
  now: number,
) {
  const byStart = new Map(stored.map((performance) => [performance.plan.startsAt, performance]));
  const fresh: PerformancePlan[] = [];
  const updated: StoredPerformance[] = [];
  for (const input of inputs) {
    const before = byStart.get(Date.parse(input.startsAt));
    const plan = planPerformance(input, {
      salesStart: before ? before.plan.salesStart : now,
    });
    if (!before) {
      fresh.push(plan);
      continue;
    }
    // Credentials already issued carry the admission window (doors to end) in them.
    const admissionMoved =
      plan.doorsAt !== before.plan.doorsAt || plan.endsAt !== before.plan.endsAt;
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
    ...stored
      .filter((performance) => !updatedIds.has(performance.id))
      .map((performance) => performance.plan),
    ...updated.map((performance) => performance.plan),
    ...fresh,
  ];
  return { fresh, updated, all };
}
