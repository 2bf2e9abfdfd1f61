/**
 * The venues' SQL: venues, their seats and standing areas. Seats are read in map order (row
 * index, then seat index), the order the imported file gave them.
 */
import type { Dialect } from '@tessera/db';
import type { Trx } from '../context.ts';
import { forUpdateOn, insertBatched } from '../db/query.ts';
import type { AreasTable, VenuesTable } from '../db/schema.ts';
import { newId } from '../ids.ts';
import type { LayoutSeat } from './layout.ts';
import type { SeatMap } from './seat-map.ts';

/** One section of a seat map, counted. */
export interface SectionCount {
  section: string;
  seats: number;
  rows: number;
  accessible: number;
}

/** An area as views show it. */
export interface AreaSummary {
  id: string;
  name: string;
  capacity: number;
}

/** A seat as the seat-map view shows it, in map order. */
export interface MapSeat {
  id: string;
  section: string;
  row_label: string;
  number: string;
  row_index: number;
  x: number | null;
  y: number | null;
  accessible: number;
}

export async function organizerOnRecord(trx: Trx, organizerId: string): Promise<boolean> {
  const organizer = await trx
    .selectFrom('organizers')
    .select('id')
    .where('id', '=', organizerId)
    .executeTakeFirst();
  return organizer !== undefined;
}

export async function insertVenue(trx: Trx, row: VenuesTable) {
  await trx.insertInto('venues').values(row).execute();
}

/** Sets the given columns of the venue (never its id, organizer or creation time). */
export async function updateVenue(
  trx: Trx,
  venueId: string,
  changes: Partial<Omit<VenuesTable, 'id' | 'organizer_id' | 'created_at'>>,
) {
  if (Object.keys(changes).length === 0) return;
  await trx.updateTable('venues').set(changes).where('id', '=', venueId).execute();
}

export async function venueById(db: Trx, venueId: string): Promise<VenuesTable | undefined> {
  return db.selectFrom('venues').selectAll().where('id', '=', venueId).executeTakeFirst();
}

/** The venue, locked against a concurrent seat-map replacement or event plan (PostgreSQL). */
export async function lockVenue(
  trx: Trx,
  dialect: Dialect,
  venueId: string,
): Promise<VenuesTable | undefined> {
  return forUpdateOn(
    dialect,
    trx.selectFrom('venues').selectAll().where('id', '=', venueId),
  ).executeTakeFirst();
}

/** The organizer's venues, oldest first, 500 at most. */
export async function venuesOfOrganizer(db: Trx, organizerId: string): Promise<VenuesTable[]> {
  return db
    .selectFrom('venues')
    .selectAll()
    .where('organizer_id', '=', organizerId)
    .orderBy('created_at')
    .limit(500)
    .execute();
}

/** Each section's seats, rows and accessible seats, sections in map order. */
export async function sectionCounts(db: Trx, venueId: string): Promise<SectionCount[]> {
  const rows = await db
    .selectFrom('seats')
    .select((eb) => [
      'section',
      eb.fn.count<number>('id').as('seats'),
      eb.fn.count<number>('row_index').distinct().as('rows'),
      eb.fn.min<number>('row_index').as('first_row'),
      eb.fn.sum<number>('accessible').as('accessible'),
    ])
    .where('venue_id', '=', venueId)
    .groupBy('section')
    .orderBy('first_row')
    .execute();
  return rows.map((row) => ({
    section: row.section,
    seats: Number(row.seats),
    rows: Number(row.rows),
    accessible: Number(row.accessible ?? 0),
  }));
}

/** The venue's areas by name. */
export async function areaSummaries(db: Trx, venueId: string): Promise<AreaSummary[]> {
  return db
    .selectFrom('areas')
    .select(['id', 'name', 'capacity'])
    .where('venue_id', '=', venueId)
    .orderBy('name')
    .execute();
}

/** Every seat with its position, in map order. */
export async function seatsInMapOrder(db: Trx, venueId: string): Promise<MapSeat[]> {
  return db
    .selectFrom('seats')
    .select(['id', 'section', 'row_label', 'number', 'row_index', 'x', 'y', 'accessible'])
    .where('venue_id', '=', venueId)
    .orderBy('row_index')
    .orderBy('seat_index')
    .execute();
}

/** What an event's plan needs of the seats, in map order. */
export async function layoutSeats(trx: Trx, venueId: string): Promise<LayoutSeat[]> {
  return trx
    .selectFrom('seats')
    .select(['id', 'section', 'row_label', 'number'])
    .where('venue_id', '=', venueId)
    .orderBy('row_index')
    .orderBy('seat_index')
    .execute();
}

export async function areasOfVenue(trx: Trx, venueId: string): Promise<AreasTable[]> {
  return trx.selectFrom('areas').selectAll().where('venue_id', '=', venueId).execute();
}

export async function eventUsesVenue(trx: Trx, venueId: string): Promise<boolean> {
  const used = await trx
    .selectFrom('events')
    .select('id')
    .where('venue_id', '=', venueId)
    .limit(1)
    .executeTakeFirst();
  return used !== undefined;
}

/** Deletes the venue's seats and areas, then stores the map's, with fresh ids. */
export async function replaceSeatsAndAreas(trx: Trx, venueId: string, map: SeatMap) {
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
}
