import { conflict, notFound } from '@tessera/service-kit/errors';
import type { Ticketing, Trx } from '../context.ts';
import { forUpdateOn, insertBatched } from '../db/query.ts';
import type { VenuesTable } from '../db/schema.ts';
import { newId } from '../ids.ts';
import type { SeatMap } from './seat-map.ts';

// ---------------------------------------------------------------------------------------------
// Venues and seat maps

export interface VenueInput {
  name: string;
  address: string;
  latitude: number;
  longitude: number;
  radiusM: number;
}

export async function createVenue(trx: Trx, organizerId: string, input: VenueInput, now: number) {
  const organizer = await trx
    .selectFrom('organizers')
    .select('id')
    .where('id', '=', organizerId)
    .executeTakeFirst();
  if (!organizer) throw notFound('organizer');
  const row: VenuesTable = {
    id: newId('ven'),
    organizer_id: organizerId,
    name: input.name.trim(),
    address: input.address.trim(),
    latitude: input.latitude,
    longitude: input.longitude,
    radius_m: input.radiusM,
    created_at: now,
  };
  await trx.insertInto('venues').values(row).execute();
  return row;
}

export async function venueRow(ticketing: Ticketing, venueId: string) {
  const row = await ticketing.database.db
    .selectFrom('venues')
    .selectAll()
    .where('id', '=', venueId)
    .executeTakeFirst();
  if (!row) throw notFound('venue');
  return row;
}

/** A venue as anyone may see it: where it is, its sections with seat counts and its areas. */
export async function venueView(ticketing: Ticketing, venue: VenuesTable) {
  const db = ticketing.database.db;
  const sections = await db
    .selectFrom('seats')
    .select((eb) => [
      'section',
      eb.fn.count<number>('id').as('seats'),
      eb.fn.count<number>('row_index').distinct().as('rows'),
      eb.fn.min<number>('row_index').as('first_row'),
      eb.fn.sum<number>('accessible').as('accessible'),
    ])
    .where('venue_id', '=', venue.id)
    .groupBy('section')
    .orderBy('first_row')
    .execute();
  const areas = await db
    .selectFrom('areas')
    .select(['id', 'name', 'capacity'])
    .where('venue_id', '=', venue.id)
    .orderBy('name')
    .execute();
  return {
    id: venue.id,
    organizerId: venue.organizer_id,
    name: venue.name,
    address: venue.address,
    latitude: venue.latitude,
    longitude: venue.longitude,
    radiusM: venue.radius_m,
    seatCount: sections.reduce((sum, section) => sum + Number(section.seats), 0),
    sections: sections.map((section) => ({
      name: section.section,
      rows: Number(section.rows),
      seats: Number(section.seats),
      accessibleSeats: Number(section.accessible ?? 0),
    })),
    areas: areas.map((area) => ({ id: area.id, name: area.name, capacity: area.capacity })),
  };
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
  await forUpdateOn(
    ticketing,
    trx.selectFrom('venues').select('id').where('id', '=', venueId),
  ).executeTakeFirstOrThrow();
  const used = await trx
    .selectFrom('events')
    .select('id')
    .where('venue_id', '=', venueId)
    .limit(1)
    .executeTakeFirst();
  if (used) {
    throw conflict(
      'seat_map_in_use',
      'an event uses this venue; its seat map can no longer be replaced (make a new venue)',
    );
  }
  await trx.deleteFrom('seats').where('venue_id', '=', venueId).execute();
  await trx.deleteFrom('areas').where('venue_id', '=', venueId).execute();
  await insertBatched(
    trx,
    'seats',
    map.seats.map((seat) => ({
      id: newId('seat'),
      venue_id: venueId,
      section: seat.section,
      row_label: seat.row,
      number: seat.number,
      row_index: seat.rowIndex,
      seat_index: seat.seatIndex,
      x: seat.x,
      y: seat.y,
      accessible: seat.accessible ? 1 : 0,
    })),
  );
  await insertBatched(
    trx,
    'areas',
    map.areas.map((area) => ({
      id: newId('area'),
      venue_id: venueId,
      name: area.name,
      capacity: area.capacity,
    })),
  );
  return {
    venueId,
    seats: map.seats.length,
    rows: new Set(map.seats.map((seat) => seat.rowIndex)).size,
    sections: new Set(map.seats.map((seat) => seat.section)).size,
    areas: map.areas.length,
  };
}

/** The whole seat map with seat ids, sections and rows in the order of the imported file. */
export async function seatMapView(ticketing: Ticketing, venueId: string) {
  const db = ticketing.database.db;
  const seats = await db
    .selectFrom('seats')
    .select(['id', 'section', 'row_label', 'number', 'row_index', 'x', 'y', 'accessible'])
    .where('venue_id', '=', venueId)
    .orderBy('row_index')
    .orderBy('seat_index')
    .execute();
  const sections: {
    name: string;
    rows: {
      label: string;
      seats: {
        id: string;
        number: string;
        x: number | null;
        y: number | null;
        accessible: boolean;
      }[];
    }[];
  }[] = [];
  const sectionsByName = new Map<string, (typeof sections)[number]>();
  let lastRow = -1;
  let row: (typeof sections)[number]['rows'][number] | undefined;
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
  const areas = await db
    .selectFrom('areas')
    .select(['id', 'name', 'capacity'])
    .where('venue_id', '=', venueId)
    .orderBy('name')
    .execute();
  return { venueId, sections, areas };
}
