/**
 * What the gate offers at the door from the package's door-sale rules (door-rules.ts): only the
 * allowed categories, at most the allowed tickets, nothing when off, and the behaviour from before
 * the rules for a package that carries none.
 */
import { describe, expect, it } from 'vitest';
import type { PackageCategory, PackagePerformance } from '../src/api.ts';
import { chosenCategory, doorChoices, quantityMaxDefault } from '../src/door-rules.ts';
import { translate } from '../src/i18n.ts';

function category(id: string): PackageCategory {
  return {
    id,
    name: id,
    kind: 'single',
    entriesAllowed: 1,
    reentryAllowed: false,
    validFromS: 0,
    validUntilS: 1,
    storedValue: '0',
    storedValueAsset: null,
    storedValueScale: null,
  };
}

function performance(doorSales?: PackagePerformance['doorSales']): PackagePerformance {
  const base = {
    id: 'perf_1',
    code: 'P1',
    eventId: 'ev_1',
    eventName: 'Night',
    status: 'scheduled',
    doorsAt: '2026-12-24T09:00:00Z',
    startsAt: '2026-12-24T10:00:00Z',
    endsAt: '2026-12-24T13:00:00Z',
    closedAt: null,
    categories: [category('cat_floor'), category('cat_club'), category('cat_bar')],
  };
  return (doorSales ? { ...base, doorSales } : base) as PackagePerformance;
}

describe('the door-sale rules of a performance', () => {
  it('offers only the allowed categories, up to the allowed tickets', () => {
    const choices = doorChoices(
      performance({ enabled: true, categoryIds: ['cat_club', 'cat_bar'], maxPerSale: 3 }),
    );
    expect(choices.enabled).toBe(true);
    expect(choices.categories.map((c) => c.id)).toEqual(['cat_club', 'cat_bar']);
    expect(choices.maxPerSale).toBe(3);
    // A category chosen before it was taken off falls back to the first allowed.
    expect(chosenCategory(choices, 'cat_floor')).toBe('cat_club');
    expect(chosenCategory(choices, 'cat_bar')).toBe('cat_bar');
    expect(chosenCategory(choices, '')).toBe('cat_club');
  });

  it('offers nothing when door sales are off, or no category is left', () => {
    const off = doorChoices(
      performance({ enabled: false, categoryIds: ['cat_floor'], maxPerSale: 2 }),
    );
    expect(off.enabled).toBe(false);
    const none = doorChoices(performance({ enabled: true, categoryIds: [], maxPerSale: 2 }));
    expect(none.enabled).toBe(false);
    expect(chosenCategory(none, 'cat_floor')).toBe('');
    expect(doorChoices(undefined).enabled).toBe(false);
    expect(translate('en', 'door.off')).toBe('Door sales are off for this performance.');
    expect(translate('ko', 'door.off')).not.toBe(translate('en', 'door.off'));
  });

  it('sells as before from a package held from before the rules', () => {
    const choices = doorChoices(performance());
    expect(choices.enabled).toBe(true);
    expect(choices.categories).toHaveLength(3);
    expect(choices.maxPerSale).toBe(quantityMaxDefault);
  });
});
