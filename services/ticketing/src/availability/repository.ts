/**
 * The SQL of availability (seed 001): inventory counted per performance and category, an event's
 * categories, a performance's seats with their states, the runs of free seats the "best seats
 * together" search weighs, and the other performances of an event on sale now.
 */
import { sql } from 'kysely';
import type { Trx } from '../context.ts';
import type {
  CategoriesTable,
  InventoryQuotasTable,
  InventorySeatsTable,
  PerformancesTable,
  SeatsTable,
} from '../db/schema.ts';

/** How many seats of a performance and category are in one state. */
export interface SeatStateCount
  extends Pick<InventorySeatsTable, 'performance_id' | 'category_id' | 'status'> {
  n: number;
}

/** Seats per performance, category and state. */
export function seatCountsByState(
  db: Trx,
  performanceIds: readonly string[],
): Promise<SeatStateCount[]> {
  return db
    .selectFrom('inventory_seats')
    .select((eb) => ['performance_id', 'category_id', 'status', eb.fn.countAll<number>().as('n')])
    .where('performance_id', 'in', performanceIds)
    .groupBy(['performance_id', 'category_id', 'status'])
    .execute();
}

/** The general-admission quotas (capacity, held, sold) of these performances. */
export function quotasOf(
  db: Trx,
  performanceIds: readonly string[],
): Promise<InventoryQuotasTable[]> {
  return db
    .selectFrom('inventory_quotas')
    .select(['performance_id', 'category_id', 'capacity', 'held', 'sold'])
    .where('performance_id', 'in', performanceIds)
    .execute();
}

export type CategoryForSale = Pick<
  CategoriesTable,
  'id' | 'name' | 'pricing' | 'price_asset' | 'price_amount' | 'seating'
>;

/** An event's categories in catalogue order. */
export function categoriesOfEvent(db: Trx, eventId: string): Promise<CategoryForSale[]> {
  return db
    .selectFrom('categories')
    .select(['id', 'name', 'pricing', 'price_asset', 'price_amount', 'seating'])
    .where('event_id', '=', eventId)
    .orderBy('sort_order')
    .orderBy('name')
    .execute();
}

/** Whether a category belongs to an event. */
export async function categoryOfEvent(
  db: Trx,
  categoryId: string,
  eventId: string,
): Promise<{ id: string } | undefined> {
  return db
    .selectFrom('categories')
    .select('id')
    .where('id', '=', categoryId)
    .where('event_id', '=', eventId)
    .executeTakeFirst();
}

/** A seat of a performance, where it is, and its state. */
export interface SeatState
  extends Pick<
    SeatsTable,
    'id' | 'section' | 'row_label' | 'row_index' | 'number' | 'x' | 'y' | 'accessible'
  > {
  category_id: string;
  status: InventorySeatsTable['status'];
}

/** Every seat of a performance in seat-map order (row by row, seat by seat). */
export function seatStatesOf(db: Trx, performanceId: string): Promise<SeatState[]> {
  return db
    .selectFrom('inventory_seats as i')
    .innerJoin('seats as s', 's.id', 'i.seat_id')
    .select([
      's.id',
      's.section',
      's.row_label',
      's.row_index',
      's.number',
      's.x',
      's.y',
      's.accessible',
      'i.category_id',
      'i.status',
    ])
    .where('i.performance_id', '=', performanceId)
    .orderBy('s.row_index')
    .orderBy('s.seat_index')
    .execute();
}

/** A run of consecutive free seats in one row. */
export interface FreeRun {
  section: string;
  row_index: number;
  first_seat: number;
  last_seat: number;
}

/**
 * The runs of at least `quantity` free seats of a category, lowest row first, at most `limit`.
 * Consecutive free seats share `seat_index - row_number()`: each value is one run (the classic
 * gaps-and-islands query; SQLite 3.25+ and PostgreSQL both have window functions).
 */
export async function freeRuns(
  trx: Trx,
  performanceId: string,
  categoryId: string,
  quantity: number,
  limit: number,
): Promise<FreeRun[]> {
  const runs = await sql<FreeRun>`
    select section, row_index, min(seat_index) as first_seat, max(seat_index) as last_seat
    from (
      select s.section, s.row_index, s.seat_index,
        s.seat_index - row_number() over (
          partition by s.section, s.row_index order by s.seat_index
        ) as run
      from inventory_seats i
      join seats s on s.id = i.seat_id
      where i.performance_id = ${performanceId}
        and i.category_id = ${categoryId}
        and i.status = 'available'
    ) free_seats
    group by section, row_index, run
    having count(*) >= ${quantity}
    order by row_index, first_seat
    limit ${limit}
  `.execute(trx);
  return runs.rows;
}

/** The highest seat index of a row of the performance's venue (the row's length). */
export function lastSeatOfRow(
  trx: Trx,
  performanceId: string,
  row: { section: string; rowIndex: number },
): Promise<{ last: number } | undefined> {
  return trx
    .selectFrom('seats as s')
    .innerJoin('events as e', 'e.venue_id', 's.venue_id')
    .innerJoin('performances as p', 'p.event_id', 'e.id')
    .select((eb) => eb.fn.max<number>('s.seat_index').as('last'))
    .where('p.id', '=', performanceId)
    .where('s.section', '=', row.section)
    .where('s.row_index', '=', row.rowIndex)
    .executeTakeFirst();
}

/** The free seats of a category in one row from seat index `start`, `quantity` of them at most. */
export function freeSeatsFrom(
  trx: Trx,
  performanceId: string,
  categoryId: string,
  row: { section: string; rowIndex: number },
  start: number,
  quantity: number,
): Promise<{ seat_id: string }[]> {
  return trx
    .selectFrom('inventory_seats as i')
    .innerJoin('seats as s', 's.id', 'i.seat_id')
    .select('i.seat_id')
    .where('i.performance_id', '=', performanceId)
    .where('i.category_id', '=', categoryId)
    .where('i.status', '=', 'available')
    .where('s.section', '=', row.section)
    .where('s.row_index', '=', row.rowIndex)
    .where('s.seat_index', '>=', start)
    .where('s.seat_index', '<', start + quantity)
    .orderBy('s.seat_index')
    .execute();
}

/** A performance's id and event. */
export function performanceOfEvent(
  db: Trx,
  performanceId: string,
): Promise<Pick<PerformancesTable, 'id' | 'event_id'> | undefined> {
  return db
    .selectFrom('performances')
    .select(['id', 'event_id'])
    .where('id', '=', performanceId)
    .executeTakeFirst();
}

/** The event's other scheduled performances whose on-sale window is open at `now`. */
export function otherPerformancesOnSale(
  db: Trx,
  eventId: string,
  exceptId: string,
  now: number,
): Promise<Pick<PerformancesTable, 'id' | 'starts_at'>[]> {
  return db
    .selectFrom('performances')
    .select(['id', 'starts_at'])
    .where('event_id', '=', eventId)
    .where('id', '!=', exceptId)
    .where('status', '=', 'scheduled')
    .where('sales_start', '<=', now)
    .where('sales_end', '>', now)
    .orderBy('starts_at')
    .execute();
}

/** Seats' labels (section, row, number), by id. */
export function seatLabelsOf(
  db: Trx,
  seatIds: readonly string[],
): Promise<Pick<SeatsTable, 'id' | 'section' | 'row_label' | 'number'>[]> {
  return db
    .selectFrom('seats')
    .select(['id', 'section', 'row_label', 'number'])
    .where('id', 'in', seatIds)
    .execute();
}
