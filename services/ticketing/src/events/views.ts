/**
 * What the event routes answer: an event with its venue, categories (prices and ticket terms in
 * whole units) and performances; a performance (on sale or not) with its event and venue; and the
 * listings buyers and staff page through.
 */
import { formatAmount } from '@tessera/service-kit/amounts';
import type { Ticketing } from '../context.ts';
import type { EventsTable, PerformancesTable, VenuesTable } from '../db/schema.ts';
import { venueRow } from '../venues/service.ts';
import {
  type CategoryWithArea,
  categoriesWithArea,
  type ListCursor,
  organizerEventRows,
  performancesByStart,
  publicEventRows,
  seatCountsByCategory,
} from './repository.ts';
import { scaleOf } from './service.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

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
  const rows = await categoriesWithArea(db, eventId);
  const seatCount = await seatCountsByCategory(db, eventId);
  const views = [];
  for (const row of rows) views.push(await categoryView(ticketing, row, seatCount));
  return views;
}

async function categoryView(
  ticketing: Ticketing,
  row: CategoryWithArea,
  seatCount: ReadonlyMap<string, number>,
) {
  const priceScale = await scaleOf(ticketing, row.price_asset);
  const valueScale = row.stored_value_asset ? await scaleOf(ticketing, row.stored_value_asset) : 0;
  return {
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
    storedValue: row.stored_value_asset ? formatAmount(BigInt(row.stored_value), valueScale) : null,
    storedValueAsset: row.stored_value_asset,
    reservedHex: row.reserved_hex,
  };
}

/** Where a venue is and how far from it a gate terminal may be. */
function venuePlace(venue: VenuesTable) {
  return {
    id: venue.id,
    name: venue.name,
    address: venue.address,
    latitude: venue.latitude,
    longitude: venue.longitude,
    radiusM: venue.radius_m,
    timeZone: venue.time_zone,
  };
}

export async function eventView(ticketing: Ticketing, event: EventsTable) {
  const now = ticketing.clock.now();
  const venue = await venueRow(ticketing, event.venue_id);
  const performances = await performancesByStart(ticketing.database.db, event.id);
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
    venue: venuePlace(venue),
    categories: await categoryViews(ticketing, event.id),
    performances: performances.map((row) => performanceView(row, event, now)),
    createdAt: iso(event.created_at) as string,
    updatedAt: iso(event.updated_at) as string,
  };
}

/** A performance as buyers see it: on sale or not, with its event and venue. */
export async function performancePageView(
  ticketing: Ticketing,
  performance: PerformancesTable,
  event: EventsTable,
) {
  const venue = await venueRow(ticketing, event.venue_id);
  return {
    ...performanceView(performance, event, ticketing.clock.now()),
    event: {
      id: event.id,
      organizerId: event.organizer_id,
      slug: event.slug,
      name: event.name,
      status: event.status,
      perOrderLimit: event.per_order_limit,
    },
    venue: venuePlace(venue),
  };
}

/** Cursor of a listing: `<ms>:<event id>`. */
export const listCursorPattern = '^[0-9]{1,15}:ev_[0-9a-z]{8,40}$';

function parseCursor(after: string | undefined): ListCursor | undefined {
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
  const rows = await publicEventRows(ticketing.database.db, {
    ...(query.organizerId ? { organizerId: query.organizerId } : {}),
    from: query.from,
    limit: query.limit + 1,
    cursor: parseCursor(query.after),
  });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    events: page.map((row) => ({ ...row, nextStartsAt: iso(row.nextStartsAt) as string })),
    next: rows.length > query.limit && last ? `${last.nextStartsAt}:${last.id}` : null,
  };
}

/** Every event of the organizer, newest first, whatever its status. */
export async function listOrganizerEvents(
  ticketing: Ticketing,
  organizerId: string,
  query: { limit: number; after?: string },
) {
  const rows = await organizerEventRows(ticketing.database.db, organizerId, {
    limit: query.limit + 1,
    cursor: parseCursor(query.after),
    now: ticketing.clock.now(),
  });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    events: page.map((row) => ({
      ...row,
      nextStartsAt: row.nextStartsAt === null ? null : (iso(row.nextStartsAt) as string),
      createdAt: iso(row.createdAt) as string,
      updatedAt: iso(row.updatedAt) as string,
    })),
    next: rows.length > query.limit && last ? `${last.createdAt}:${last.id}` : null,
  };
}
