/** The event plan's rules, without a database: limits, seats and quotas, changes after sales. */
import { ApiError } from '@tessera/service-kit/errors';
import { describe, expect, it } from 'vitest';
import type { AreasTable, VenuesTable } from '../db/schema.ts';
import { layoutOf } from '../venues/layout.ts';
import {
  type AssetBook,
  type CategoryInput,
  type CategoryPlan,
  categoriesPerEventMax,
  categoryChanges,
  checkCatalogue,
  checkLimits,
  checkTerms,
  type PerformanceInput,
  performanceChanges,
  planCategory,
  planPerformance,
  type StoredCategory,
  type StoredPerformance,
  type Usage,
} from './plan.ts';

/** The ApiError a call throws, or fails the test. */
function refusal(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

const venue: VenuesTable = {
  id: 'ven_1',
  organizer_id: 'org_1',
  name: 'Hall',
  address: 'Somewhere',
  latitude: 0,
  longitude: 0,
  radius_m: 100,
  time_zone: 'Asia/Seoul',
  created_at: 0,
};

const standing: AreasTable = { id: 'area_1', venue_id: venue.id, name: 'Standing', capacity: 100 };

/** Floor: rows A and B of 3 seats; Balcony: row A of 2 seats; a standing area of 100. */
const layout = layoutOf(
  venue,
  [
    ...['A', 'B'].flatMap((row) =>
      ['1', '2', '3'].map((number) => ({
        id: `seat_floor_${row}${number}`,
        section: 'Floor',
        row_label: row,
        number,
      })),
    ),
    ...['1', '2'].map((number) => ({
      id: `seat_balcony_A${number}`,
      section: 'Balcony',
      row_label: 'A',
      number,
    })),
  ],
  [standing],
);

const assets: AssetBook = new Map([
  ['USDT', { code: 'USDT', scale: 6, kind: 'crypto' as const }],
  ['KRW', { code: 'KRW', scale: 0, kind: 'fiat' as const }],
]);

const seated = (extra: Partial<CategoryInput> = {}): CategoryInput => ({
  name: 'Floor',
  pricing: 'crypto',
  priceAsset: 'USDT',
  price: '25.5',
  seating: 'seated',
  sections: ['Floor'],
  kind: 'single',
  ...extra,
});

const ga = (extra: Partial<CategoryInput> = {}): CategoryInput => ({
  name: 'Standing',
  pricing: 'fiat',
  priceAsset: 'KRW',
  price: '50000',
  seating: 'ga',
  area: 'Standing',
  kind: 'single',
  ...extra,
});

const startsAt = Date.parse('2026-12-24T19:00:00Z');
const performance: PerformanceInput = {
  startsAt: '2026-12-24T19:00:00Z',
  endsAt: '2026-12-24T22:00:00Z',
};
const now = Date.parse('2026-11-01T00:00:00Z');

const plan = (input: CategoryInput, sortOrder = 0) =>
  planCategory(input, sortOrder, layout, assets);

const noUsage = (): Usage => ({
  categories: new Set(),
  performances: new Set(),
  quotaTaken: new Map(),
});

describe('an event’s limits', () => {
  const event = { slug: 'gala', name: 'Gala', venueId: venue.id };

  it('needs a name and a per-order limit within the per-buyer one', () => {
    expect(() => checkLimits({ ...event, perOrderLimit: 20, perBuyerLimit: 20 })).not.toThrow();
    expect(refusal(() => checkLimits({ ...event, name: '  ' })).code).toBe('invalid_event');
    expect(refusal(() => checkLimits({ ...event, perOrderLimit: 21 })).code).toBe('invalid_limits');
  });

  it('holds at most so many categories, each name once', () => {
    const many = Array.from({ length: categoriesPerEventMax + 1 }, (_, index) =>
      plan(ga({ name: `GA ${index}`, quota: 1 }), index),
    );
    expect(refusal(() => checkCatalogue(many, [], layout, now)).code).toBe('too_many_categories');
    const twice = [plan(ga({ quota: 10 })), plan(ga({ quota: 10 }))];
    expect(refusal(() => checkCatalogue(twice, [], layout, now)).code).toBe('duplicate_category');
  });
});

describe('a category’s seats and quota', () => {
  it('sells every seat of its sections and the seats it names, each once, in map order', () => {
    const category = plan(seated({ sections: ['Balcony'], seats: ['Floor/B/2', 'Balcony/A/1'] }));
    expect(category.seatIds).toEqual(['seat_balcony_A1', 'seat_balcony_A2', 'seat_floor_B2']);
    expect(category.priceAmount).toBe(25_500_000n);
    expect(category.areaId).toBeNull();
    expect(category.entriesAllowed).toBe(1);
  });

  it('refuses seats the venue does not have and seated categories without seats', () => {
    expect(refusal(() => plan(seated({ sections: ['Stalls'] }))).details).toMatchObject({
      field: 'sections',
    });
    expect(
      refusal(() => plan(seated({ sections: [], seats: ['Floor/C/1'] }))).details,
    ).toMatchObject({ field: 'seats' });
    expect(refusal(() => plan(seated({ sections: [] }))).message).toMatch(/needs sections/);
    expect(refusal(() => plan(seated({ quota: 5 }))).code).toBe('invalid_category');
  });

  it('gives a GA category the area’s capacity unless a smaller quota is asked', () => {
    expect(plan(ga())).toMatchObject({ areaId: standing.id, quota: 100, seatIds: [] });
    expect(plan(ga({ quota: 40 })).quota).toBe(40);
    expect(refusal(() => plan(ga({ quota: 101 }))).code).toBe('quota_over_capacity');
    expect(refusal(() => plan(ga({ area: 'Garden' }))).details).toMatchObject({ field: 'area' });
    expect(refusal(() => plan(ga({ sections: ['Floor'] }))).code).toBe('invalid_category');
  });

  it('keeps GA quotas on one area within its capacity, and a seat in one category', () => {
    const quotas = [plan(ga({ name: 'Early', quota: 60 })), plan(ga({ name: 'Late', quota: 41 }))];
    expect(refusal(() => checkCatalogue(quotas, [], layout, now)).code).toBe('quota_over_capacity');
    const overlap = [
      plan(seated()),
      plan(seated({ name: 'Front', sections: [], seats: ['Floor/A/1'] })),
    ];
    const error = refusal(() => checkCatalogue(overlap, [], layout, now));
    expect(error.code).toBe('seat_in_two_categories');
    expect(error.details).toMatchObject({ seat: 'Floor/A/1', categories: ['Floor', 'Front'] });
  });

  it('prices fiat in fiat and crypto in crypto, above zero, in assets the exchange has', () => {
    expect(refusal(() => plan(seated({ pricing: 'fiat' }))).code).toBe('invalid_category');
    expect(refusal(() => plan(ga({ pricing: 'crypto' }))).code).toBe('invalid_category');
    expect(refusal(() => plan(seated({ price: '0' }))).details).toMatchObject({ field: 'price' });
    expect(refusal(() => plan(seated({ priceAsset: 'DOGE' }))).code).toBe('unknown_asset');
  });

  it('carries a stored value only on a stored_value ticket, in the price asset by default', () => {
    const credit = plan(ga({ kind: 'stored_value', storedValue: '20000' }));
    expect(credit).toMatchObject({ storedValue: 20_000n, storedValueAsset: 'KRW' });
    expect(refusal(() => plan(ga({ storedValue: '1' }))).details).toMatchObject({
      field: 'storedValue',
    });
    expect(refusal(() => plan(ga({ kind: 'stored_value' }))).details).toMatchObject({
      field: 'storedValue',
    });
    expect(refusal(() => plan(ga({ kind: 'multi' }))).details).toMatchObject({
      field: 'entriesAllowed',
    });
  });
});

describe('performances', () => {
  it('open doors an hour before the start and sell from now until the start by default', () => {
    expect(planPerformance(performance, { salesStart: now })).toEqual({
      startsAt,
      endsAt: Date.parse(performance.endsAt),
      doorsAt: startsAt - 3_600_000,
      salesStart: now,
      salesEnd: startsAt,
    });
  });

  it('refuses windows in the wrong order, and two performances at one start', () => {
    const wrong = { ...performance, endsAt: performance.startsAt };
    expect(refusal(() => planPerformance(wrong, { salesStart: now })).code).toBe(
      'invalid_performance',
    );
    const late = { ...performance, salesEnd: '2026-12-25T00:00:00Z' };
    expect(refusal(() => planPerformance(late, { salesStart: now })).message).toMatch(
      /salesEnd must not be after endsAt/,
    );
    const twice = [0, 1].map(() => planPerformance(performance, { salesStart: now }));
    expect(refusal(() => checkCatalogue([], twice, layout, now)).code).toBe(
      'duplicate_performance',
    );
  });

  it('checks each category’s ticket terms with the window of every performance', () => {
    const window = planPerformance(performance, { salesStart: now });
    const early: CategoryPlan = {
      ...plan(ga({ kind: 'timed' })),
      validFrom: startsAt,
      validUntil: startsAt - 1,
    };
    expect(refusal(() => checkTerms(early, window)).code).toBe('invalid_ticket_terms');
    expect(() => checkTerms(plan(ga()), window)).not.toThrow();
  });
});

describe('an update after sales', () => {
  const floor: StoredCategory = { id: 'cat_floor', plan: plan(seated()) };
  const standingCategory: StoredCategory = { id: 'cat_ga', plan: plan(ga({ quota: 50 }), 1) };
  const stored = [floor, standingCategory];
  const sold: Usage = {
    categories: new Set([floor.id, standingCategory.id]),
    performances: new Set(['perf_1']),
    quotaTaken: new Map([[standingCategory.id, 30]]),
  };

  it('sorts categories into changed, updated, added and kept before any sale', () => {
    const changes = categoryChanges(
      [plan(seated({ sections: ['Balcony'] })), plan(ga({ name: 'Late', quota: 10 }), 1)],
      stored,
      noUsage(),
    );
    expect(changes.changed.map((category) => category.id)).toEqual([floor.id]);
    expect(changes.updated).toEqual([]);
    expect(changes.added.map((category) => category.plan.name)).toEqual(['Late']);
    expect(changes.kept).toEqual([standingCategory]);
  });

  it('changes the price and the quota of a sold category, not its seats or terms', () => {
    const cheaper = categoryChanges([plan(seated({ price: '20' }))], stored, sold);
    expect(cheaper.updated.map((category) => category.id)).toEqual([floor.id]);
    const moved = refusal(() =>
      categoryChanges([plan(seated({ sections: ['Balcony'] }))], stored, sold),
    );
    expect(moved.code).toBe('category_in_use');
    expect(moved.status).toBe(409);
    const reentry = refusal(() =>
      categoryChanges([plan(seated({ reentryAllowed: true }))], stored, sold),
    );
    expect(reentry.code).toBe('category_in_use');
  });

  it('keeps a quota at or above what is held or sold', () => {
    expect(categoryChanges([plan(ga({ quota: 30 }), 1)], stored, sold).updated).toHaveLength(1);
    expect(refusal(() => categoryChanges([plan(ga({ quota: 29 }), 1)], stored, sold)).code).toBe(
      'quota_below_sales',
    );
  });

  it('moves a sold performance’s sales window, not its doors or end', () => {
    const before: StoredPerformance = {
      id: 'perf_1',
      plan: planPerformance(performance, { salesStart: now - 1_000 }),
    };
    const salesEarlier = { ...performance, salesEnd: '2026-12-24T18:00:00Z' };
    const changes = performanceChanges([salesEarlier], [before], sold, now);
    expect(changes.fresh).toEqual([]);
    // A matched performance keeps its stored sales start unless the input gives one.
    expect(changes.updated).toEqual([
      { id: before.id, plan: { ...before.plan, salesEnd: Date.parse(salesEarlier.salesEnd) } },
    ]);
    const later = { ...performance, endsAt: '2026-12-24T23:00:00Z' };
    expect(refusal(() => performanceChanges([later], [before], sold, now)).code).toBe(
      'performance_in_use',
    );
    expect(performanceChanges([later], [before], noUsage(), now).updated).toHaveLength(1);
    const another = { startsAt: '2026-12-25T19:00:00Z', endsAt: '2026-12-25T22:00:00Z' };
    const added = performanceChanges([another], [before], sold, now);
    expect(added.fresh).toHaveLength(1);
    expect(added.all).toHaveLength(2);
  });
});
