/**
 * Venues and their seat maps: creating a venue, importing (or replacing) its seat map until an
 * event uses it, the layout an event's plan reads, and the public views of both.
 */
import { badRequest, conflict, notFound } from '@tessera/service-kit/errors';
import { inTransaction, type Ticketing, type Trx } from '../context.ts';
import type { VenuesTable } from '../db/schema.ts';
import type { Principal } from '../identity/service.ts';
import { newId } from '../ids.ts';
import { requireStaffFor } from '../organizers/staff.ts';
import { type Layout, layoutOf } from './layout.ts';
import {
  areaSummaries,
  areasOfVenue,
  eventUsesVenue,
  insertVenue,
  layoutSeats,
  lockVenue,
  type MapSeat,
  organizerOnRecord,
  replaceSeatsAndAreas,
  seatsInMapOrder,
  sectionCounts,
  updateVenue,
  venueById,
  venuesOfOrganizer,
} from './repository.ts';
import { type SeatMap, type SeatMapInput, seatMapFromCsv, seatMapFromJson } from './seat-map.ts';
import { canonicalTimeZone, defaultTimeZone } from './time-zone.ts';

export interface VenueInput {
  name: string;
  address: string;
  latitude: number;
  longitude: number;
  radiusM: number;
  /** IANA name; the default zone when left out (time-zone.ts). */
  timeZone?: string;
}

export async function createVenue(trx: Trx, organizerId: string, input: VenueInput, now: number) {
  if (!(await organizerOnRecord(trx, organizerId))) throw notFound('organizer');
  const row: VenuesTable = {
    id: newId('ven'),
    organizer_id: organizerId,
    name: input.name.trim(),
    address: input.address.trim(),
    latitude: input.latitude,
    longitude: input.longitude,
    radius_m: input.radiusM,
    time_zone: canonicalTimeZone(input.timeZone ?? defaultTimeZone),
    created_at: now,
  };
  await insertVenue(trx, row);
  return row;
}

/** A venue created in its own transaction, as venueView shows it. */
export async function addVenue(ticketing: Ticketing, organizerId: string, input: VenueInput) {
  const venue = await inTransaction(ticketing, ({ trx, now }) =>
    createVenue(trx, organizerId, input, now),
  );
  return venueView(ticketing, venue);
}

/**
 * Changes a venue's name, address, position, radius or time zone (manage_catalogue), checked as
 * on creation. Performances are stored as instants, so a new zone changes only how their times
 * read, which is the point: a venue made before zones existed got Asia/Seoul.
 */
export async function changeVenue(
  ticketing: Ticketing,
  principal: Principal | undefined,
  venueId: string,
  input: Partial<VenueInput>,
) {
  const venue = await venueRow(ticketing, venueId);
  await requireStaffFor(ticketing, principal, venue.organizer_id, 'venue');
  const changes: Partial<VenuesTable> = {
    ...(input.name !== undefined ? { name: input.name.trim() } : {}),
    ...(input.address !== undefined ? { address: input.address.trim() } : {}),
    ...(input.latitude !== undefined ? { latitude: input.latitude } : {}),
    ...(input.longitude !== undefined ? { longitude: input.longitude } : {}),
    ...(input.radiusM !== undefined ? { radius_m: input.radiusM } : {}),
    ...(input.timeZone !== undefined ? { time_zone: canonicalTimeZone(input.timeZone) } : {}),
  };
  const changed = await inTransaction(ticketing, async ({ trx }) => {
    const locked = await lockVenue(trx, ticketing.database.dialect, venueId);
    if (!locked) throw notFound('venue');
    await updateVenue(trx, venueId, changes);
    return { ...locked, ...changes };
  });
  return venueView(ticketing, changed);
}

export async function venueRow(ticketing: Ticketing, venueId: string) {
  const row = await venueById(ticketing.database.db, venueId);
  if (!row) throw notFound('venue');
  return row;
}

/** A venue as anyone may see it: where it is, its sections with seat counts and its areas. */
export async function venueView(ticketing: Ticketing, venue: VenuesTable) {
  const db = ticketing.database.db;
  const sections = await sectionCounts(db, venue.id);
  const areas = await areaSummaries(db, venue.id);
  return {
    id: venue.id,
    organizerId: venue.organizer_id,
    name: venue.name,
    address: venue.address,
    latitude: venue.latitude,
    longitude: venue.longitude,
    radiusM: venue.radius_m,
    timeZone: venue.time_zone,
    seatCount: sections.reduce((sum, section) => sum + section.seats, 0),
    sections: sections.map((section) => ({
      name: section.section,
      rows: section.rows,
      seats: section.seats,
      accessibleSeats: section.accessible,
    })),
    areas: areas.map((area) => ({ id: area.id, name: area.name, capacity: area.capacity })),
  };
}

/** The organizer's venues, oldest first (500 at most), as venueView shows each. */
export async function organizerVenueViews(ticketing: Ticketing, organizerId: string) {
  const rows = await venuesOfOrganizer(ticketing.database.db, organizerId);
  const venues = [];
  for (const row of rows) venues.push(await venueView(ticketing, row));
  return { venues };
}

/**
 * Replaces a venue's seats and areas. Refused once an event uses the venue: its categories and
 * inventory point at these seats, and sold tickets name them.
 */
export async function replaceSeatMap(
  ticketing: Ticketing,
  trx: Trx,
  venueId: string,
  map: SeatMap,
) {
  if (!(await lockVenue(trx, ticketing.database.dialect, venueId))) throw notFound('venue');
  if (await eventUsesVenue(trx, venueId)) {
    throw conflict(
      'seat_map_in_use',
      'an event uses this venue; its seat map can no longer be replaced (make a new venue)',
    );
  }
  await replaceSeatsAndAreas(trx, venueId, map);
  return {
    venueId,
    seats: map.seats.length,
    rows: new Set(map.seats.map((seat) => seat.rowIndex)).size,
    sections: new Set(map.seats.map((seat) => seat.section)).size,
    areas: map.areas.length,
  };
}

/**
 * A seat map sent by the venue's staff (manage_catalogue), as CSV text or as JSON, checked and
 * stored in place of the venue's.
 */
export async function importSeatMap(
  ticketing: Ticketing,
  principal: Principal | undefined,
  venueId: string,
  body: unknown,
) {
  const venue = await venueRow(ticketing, venueId);
  await requireStaffFor(ticketing, principal, venue.organizer_id, 'venue');
  const map =
    typeof body === 'string'
      ? seatMapFromCsv(body)
      : body && typeof body === 'object'
        ? seatMapFromJson(body as SeatMapInput)
        : badRequestSeatMap();
  return inTransaction(ticketing, ({ trx }) => replaceSeatMap(ticketing, trx, venue.id, map));
}

function badRequestSeatMap(): never {
  throw badRequest('invalid_seat_map', 'send the seat map as JSON or as text/csv');
}

interface MapRow {
  label: string;
  seats: { id: string; number: string; x: number | null; y: number | null; accessible: boolean }[];
}

/** The whole seat map with seat ids, sections and rows in the order of the imported file. */
export async function seatMapView(ticketing: Ticketing, venueId: string) {
  const db = ticketing.database.db;
  const venue = await venueRow(ticketing, venueId);
  const sections = sectionsOf(await seatsInMapOrder(db, venue.id));
  const areas = await areaSummaries(db, venue.id);
  return { venueId: venue.id, sections, areas };
}

/** Seats in map order grouped into sections and rows: a new row starts where the row index moves. */
function sectionsOf(seats: readonly MapSeat[]) {
  const sections: { name: string; rows: MapRow[] }[] = [];
  const sectionsByName = new Map<string, (typeof sections)[number]>();
  let lastRow = -1;
  let row: MapRow | undefined;
  for (const seat of seats) {
    if (seat.row_index !== lastRow || !row) {
      let section = sectionsByName.get(seat.section);
      if (!section) {
        section = { name: seat.section, rows: [] };
        sectionsByName.set(seat.section, section);
        sections.push(section);
      }
      row = { label: seat.row_label, seats: [] };
      section.rows.push(row);
      lastRow = seat.row_index;
    }
    row.seats.push({
      id: seat.id,
      number: seat.number,
      x: seat.x === null ? null : Number(seat.x),
      y: seat.y === null ? null : Number(seat.y),
      accessible: seat.accessible === 1,
    });
  }
  return sections;
}

/**
 * The venue (locked against a concurrent seat-map replacement) and its seats and areas, as an
 * event of this organizer plans on it. Another organizer's venue is not found.
 */
export async function loadLayout(
  ticketing: Ticketing,
  trx: Trx,
  organizerId: string,
  venueId: string,
): Promise<Layout> {
  const venue = await lockVenue(trx, ticketing.database.dialect, venueId);
  if (!venue || venue.organizer_id !== organizerId) throw notFound('venue');
  const seats = await layoutSeats(trx, venueId);
  const areas = await areasOfVenue(trx, venueId);
  return layoutOf(venue, seats, areas);
}
