/**
 * The event form's values and how they become the server's body and back. The form holds what
 * the inputs hold (strings, wall-clock times at the venue); the body holds what the server takes
 * (numbers, UTC instants, optional fields left out). Pure, so the editor stays about the screen.
 */
import type { Availability, EventBody, EventView, SeatMap } from './api.ts';
import { type LocalDateTime, shiftLocalDays, utcToZoned, zonedToUtc } from './zone-time.ts';

export type Kind = 'single' | 'multi' | 'timed' | 'stored_value';
export const kinds: readonly Kind[] = ['single', 'multi', 'timed', 'stored_value'];

export interface CategoryValues {
  name: string;
  pricing: 'crypto' | 'fiat';
  priceAsset: string;
  price: string;
  seating: 'seated' | 'ga';
  /** Seated: every seat of these sections. */
  sections: string[];
  /** Seated: single seats ("Section/Row/Number") given elsewhere (the command line); kept. */
  seats: string[];
  area: string;
  quota: string;
  kind: Kind;
  entriesAllowed: string;
  reentryAllowed: boolean;
  validFrom: LocalDateTime;
  validUntil: LocalDateTime;
  storedValue: string;
  storedValueAsset: string;
  /** Already on the server: matched by name, so the name no longer changes. */
  existing: boolean;
}

export interface PerformanceValues {
  startsAt: LocalDateTime;
  endsAt: LocalDateTime;
  doorsAt: LocalDateTime;
  salesStart: LocalDateTime;
  salesEnd: LocalDateTime;
  /** Already on the server: matched by its start, so the start no longer changes. */
  existing: boolean;
}

export interface EventValues {
  slug: string;
  name: string;
  description: string;
  venueId: string;
  perOrderLimit: string;
  perBuyerLimit: string;
  refundPolicy: 'none' | 'until_start';
  refundCutoffHours: string;
  categories: CategoryValues[];
  performances: PerformanceValues[];
}

/** The server's limits (services/ticketing/src/events/schemas.ts, plan.ts), for the form's rules. */
export const limits = {
  slugPattern: /^[a-z0-9][a-z0-9-]{0,62}$/,
  nameCharsMax: 200,
  descriptionCharsMax: 5_000,
  perOrderMax: 50,
  perBuyerMax: 500,
  refundCutoffHoursMax: 365 * 24,
  categoryNameCharsMax: 60,
  categoriesMax: 100,
  performancesMax: 100,
  quotaMax: 1_000_000,
  entriesMax: 65_535,
} as const;

/** A slug from a name: "Winter Gala 2026!" → "winter-gala-2026"; Hangul and the like drop out. */
export function slugFrom(name: string): string {
  return name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
}

export function newCategory(fiat: string): CategoryValues {
  return {
    name: '',
    pricing: 'fiat',
    priceAsset: fiat,
    price: '',
    seating: 'seated',
    sections: [],
    seats: [],
    area: '',
    quota: '',
    kind: 'single',
    entriesAllowed: '',
    reentryAllowed: false,
    validFrom: '',
    validUntil: '',
    storedValue: '',
    storedValueAsset: '',
    existing: false,
  };
}

export function newPerformance(): PerformanceValues {
  return { startsAt: '', endsAt: '', doorsAt: '', salesStart: '', salesEnd: '', existing: false };
}

export function emptyEvent(venueId: string, fiat: string): EventValues {
  return {
    slug: '',
    name: '',
    description: '',
    venueId,
    perOrderLimit: '10',
    perBuyerLimit: '20',
    refundPolicy: 'none',
    refundCutoffHours: '24',
    categories: [newCategory(fiat)],
    performances: [newPerformance()],
  };
}

const instant = (local: LocalDateTime, timeZone: string) => {
  const at = zonedToUtc(local, timeZone);
  if (!at) throw new RangeError(`${local} is not a time at ${timeZone}`);
  return at;
};

/** Only the fields that were filled in: the server keeps its defaults for the others. */
function optional<K extends string, V>(key: K, value: V | undefined | '') {
  return value === undefined || value === '' ? {} : ({ [key]: value } as Record<K, V>);
}

type CategoryBody = NonNullable<EventBody['categories']>[number];

function categoryBody(values: CategoryValues, timeZone: string): CategoryBody {
  const seated = values.seating === 'seated';
  const terms = {
    kind: values.kind,
    ...(values.kind === 'multi' ? { entriesAllowed: Number(values.entriesAllowed) } : {}),
    ...(values.kind === 'single' || values.kind === 'timed'
      ? { reentryAllowed: values.reentryAllowed }
      : {}),
    ...(values.kind === 'timed'
      ? {
          ...optional('validFrom', values.validFrom && instant(values.validFrom, timeZone)),
          ...optional('validUntil', values.validUntil && instant(values.validUntil, timeZone)),
        }
      : {}),
    ...(values.kind === 'stored_value'
      ? {
          storedValue: values.storedValue.trim(),
          ...optional('storedValueAsset', values.storedValueAsset),
        }
      : {}),
  };
  return {
    name: values.name.trim(),
    pricing: values.pricing,
    priceAsset: values.priceAsset,
    price: values.price.trim(),
    seating: values.seating,
    ...(seated
      ? {
          ...(values.sections.length ? { sections: values.sections } : {}),
          ...(values.seats.length ? { seats: values.seats } : {}),
        }
      : { area: values.area, ...optional('quota', values.quota && Number(values.quota)) }),
    ...terms,
  };
}

export function toBody(values: EventValues, timeZone: string): EventBody {
  return {
    slug: values.slug,
    name: values.name.trim(),
    description: values.description,
    venueId: values.venueId,
    perOrderLimit: Number(values.perOrderLimit),
    perBuyerLimit: Number(values.perBuyerLimit),
    refundPolicy: values.refundPolicy,
    ...(values.refundPolicy === 'until_start'
      ? { refundCutoffS: Math.round(Number(values.refundCutoffHours) * 3600) }
      : {}),
    categories: values.categories.map((category) => categoryBody(category, timeZone)),
    performances: values.performances.map((performance) => performanceBody(performance, timeZone)),
  };
}

export function performanceBody(values: PerformanceValues, timeZone: string) {
  return {
    startsAt: instant(values.startsAt, timeZone),
    endsAt: instant(values.endsAt, timeZone),
    ...optional('doorsAt', values.doorsAt && instant(values.doorsAt, timeZone)),
    ...optional('salesStart', values.salesStart && instant(values.salesStart, timeZone)),
    ...optional('salesEnd', values.salesEnd && instant(values.salesEnd, timeZone)),
  };
}

/**
 * Where each seated category's seats are, from a performance's inventory: whole sections where
 * the category has every seat of the section, single seats elsewhere. The event itself does not
 * say (it answers capacities), and the form must send the seats again to keep them.
 */
export function seatingOf(
  availability: Availability,
  seatMap: SeatMap,
): Map<string, { sections: string[]; seats: string[] }> {
  const sectionSize = new Map(
    seatMap.sections.map((section) => [
      section.name,
      section.rows.reduce((sum, row) => sum + row.seats.length, 0),
    ]),
  );
  const bySection = new Map<string, Map<string, string[]>>();
  for (const row of availability.seats?.rows ?? []) {
    const perCategory = bySection.get(row.section) ?? new Map<string, string[]>();
    bySection.set(row.section, perCategory);
    row.numbers.forEach((number, index) => {
      const categoryId = availability.seats?.categoryIds[row.categories[index] ?? -1];
      if (!categoryId) return;
      const seats = perCategory.get(categoryId) ?? [];
      seats.push(`${row.section}/${row.row}/${number}`);
      perCategory.set(categoryId, seats);
    });
  }
  const seating = new Map<string, { sections: string[]; seats: string[] }>();
  for (const [section, perCategory] of bySection) {
    for (const [categoryId, seats] of perCategory) {
      const entry = seating.get(categoryId) ?? { sections: [], seats: [] };
      if (seats.length === sectionSize.get(section)) entry.sections.push(section);
      else entry.seats.push(...seats);
      seating.set(categoryId, entry);
    }
  }
  return seating;
}

/**
 * The form's values for an event on the server. `copy` makes a new draft of it instead: a new
 * slug, nothing marked as existing, and the performances moved by `shiftDays` (none when null).
 */
export function fromEvent(
  event: EventView,
  seating: Map<string, { sections: string[]; seats: string[] }>,
  copy?: { shiftDays: number | null },
): EventValues {
  const zone = event.venue.timeZone;
  const local = (at: string | null) => (at ? utcToZoned(at, zone) : '');
  const shift = (at: string) =>
    copy?.shiftDays ? shiftLocalDays(local(at), copy.shiftDays) : local(at);
  const existing = !copy;
  return {
    slug: copy ? `${event.slug}-copy`.slice(0, 63) : event.slug,
    name: event.name,
    description: event.description,
    venueId: event.venue.id,
    perOrderLimit: String(event.perOrderLimit),
    perBuyerLimit: String(event.perBuyerLimit),
    refundPolicy: event.refundPolicy === 'until_start' ? 'until_start' : 'none',
    refundCutoffHours: String(Math.round(event.refundCutoffS / 3600)),
    categories: event.categories.map((category) => ({
      name: category.name,
      pricing: category.pricing === 'fiat' ? 'fiat' : 'crypto',
      priceAsset: category.priceAsset,
      price: category.price,
      seating: category.seating === 'ga' ? 'ga' : 'seated',
      sections: seating.get(category.id)?.sections ?? [],
      seats: seating.get(category.id)?.seats ?? [],
      area: category.area ?? '',
      quota: category.seating === 'ga' ? String(category.capacity) : '',
      kind: (kinds as readonly string[]).includes(category.kind)
        ? (category.kind as Kind)
        : 'single',
      entriesAllowed: category.kind === 'multi' ? String(category.entriesAllowed) : '',
      reentryAllowed: category.reentryAllowed,
      validFrom: category.validFrom ? shift(category.validFrom) : '',
      validUntil: category.validUntil ? shift(category.validUntil) : '',
      storedValue: category.storedValue ?? '',
      storedValueAsset: category.storedValueAsset ?? '',
      existing,
    })),
    performances:
      copy && copy.shiftDays === null
        ? []
        : event.performances
            .filter((performance) => performance.status !== 'cancelled')
            .map((performance) => ({
              startsAt: shift(performance.startsAt),
              endsAt: shift(performance.endsAt),
              doorsAt: shift(performance.doorsAt),
              // A copy's sales open when it is saved, as a new event's do.
              salesStart: copy ? '' : local(performance.salesStart),
              salesEnd: copy ? '' : local(performance.salesEnd),
              existing,
            })),
  };
}
