/**
 * The SQL of door sales (unit 404): the offer's performance and category, the sale rows and their
 * first-come-first-served claim, and what the gate shows of the order a sale led to.
 */
import type { Trx } from '../context.ts';
import type {
  CategoriesTable,
  DoorSaleSettingsTable,
  DoorSalesTable,
  OrdersTable,
  PerformancesTable,
} from '../db/schema.ts';

/** The offer's performance, event, venue and category: what a door sale sells and shows. */
export interface OfferContext
  extends Pick<PerformancesTable, 'status' | 'starts_at' | 'ends_at' | 'closed_at'> {
  performance_id: string;
  event_id: string;
  event_name: string;
  per_order_limit: number;
  organizer_id: string;
  venue_name: string;
  venue_time_zone: string;
  category_id: string;
  category: string;
  pricing: CategoriesTable['pricing'];
  price_asset: string;
  price_amount: string;
}

/** The performance with the category, when the category is the performance's event's. */
export function offerContext(
  db: Trx,
  performanceId: string,
  categoryId: string,
): Promise<OfferContext | undefined> {
  return db
    .selectFrom('performances as p')
    .innerJoin('events as e', 'e.id', 'p.event_id')
    .innerJoin('venues as v', 'v.id', 'e.venue_id')
    .innerJoin('categories as c', (join) =>
      join.onRef('c.event_id', '=', 'e.id').on('c.id', '=', categoryId),
    )
    .select([
      'p.id as performance_id',
      'p.status',
      'p.starts_at',
      'p.ends_at',
      'p.closed_at',
      'e.id as event_id',
      'e.name as event_name',
      'e.per_order_limit',
      'e.organizer_id',
      'v.name as venue_name',
      'v.time_zone as venue_time_zone',
      'c.id as category_id',
      'c.name as category',
      'c.pricing',
      'c.price_asset',
      'c.price_amount',
    ])
    .where('p.id', '=', performanceId)
    .executeTakeFirst();
}

export async function insertDoorSale(db: Trx, sale: DoorSalesTable): Promise<void> {
  await db.insertInto('door_sales').values(sale).execute();
}

export function doorSaleById(db: Trx, id: string): Promise<DoorSalesTable | undefined> {
  return db.selectFrom('door_sales').selectAll().where('id', '=', id).executeTakeFirst();
}

/** How the sale's order stands (for the gate: a failed sale says why). */
export function orderOutcome(
  db: Trx,
  orderId: string,
): Promise<Pick<OrdersTable, 'status' | 'failure'> | undefined> {
  return db
    .selectFrom('orders')
    .select(['status', 'failure'])
    .where('id', '=', orderId)
    .executeTakeFirst();
}

/** A ticket of the sale's order with its seat's labels. */
export interface SoldTicket {
  id: string;
  number: string;
  seat_id: string | null;
  section: string | null;
  row_label: string | null;
  seat: string | null;
}

export function soldTicketsOfOrder(db: Trx, orderId: string): Promise<SoldTicket[]> {
  return db
    .selectFrom('tickets as t')
    .leftJoin('seats as s', 's.id', 't.seat_id')
    .select(['t.id', 't.number', 't.seat_id', 's.section', 's.row_label', 's.number as seat'])
    .where('t.order_id', '=', orderId)
    .orderBy('t.line_no')
    .execute();
}

/** Withdraws an open or claimed sale. */
export async function markDoorSaleCancelled(db: Trx, id: string): Promise<void> {
  await db
    .updateTable('door_sales')
    .set({ status: 'cancelled' })
    .where('id', '=', id)
    .where('status', 'in', ['open', 'claimed'])
    .execute();
}

/** The buyer claims an open, unclaimed sale; false when someone (maybe they) got there first. */
export async function markDoorSaleClaimed(db: Trx, id: string, userId: string): Promise<boolean> {
  const claimed = await db
    .updateTable('door_sales')
    .set({ claimed_by: userId, status: 'claimed' })
    .where('id', '=', id)
    .where('status', '=', 'open')
    .where('claimed_by', 'is', null)
    .executeTakeFirst();
  return Number(claimed.numUpdatedRows) === 1;
}

/** Offers the sale again when the buyer's claim held nothing. */
export async function reopenDoorSale(db: Trx, id: string, userId: string): Promise<void> {
  await db
    .updateTable('door_sales')
    .set({ claimed_by: null, status: 'open' })
    .where('id', '=', id)
    .where('claimed_by', '=', userId)
    .where('hold_id', 'is', null)
    .execute();
}

export async function setDoorSaleHold(db: Trx, id: string, holdId: string): Promise<void> {
  await db.updateTable('door_sales').set({ hold_id: holdId }).where('id', '=', id).execute();
}

export async function setDoorSaleOrder(db: Trx, id: string, orderId: string): Promise<void> {
  await db.updateTable('door_sales').set({ order_id: orderId }).where('id', '=', id).execute();
}

// ---------------------------------------------------------------------------------------------
// Settings (issue 20 item 5)

export function doorSaleSettingsOf(
  db: Trx,
  performanceId: string,
): Promise<DoorSaleSettingsTable | undefined> {
  return db
    .selectFrom('door_sale_settings')
    .selectAll()
    .where('performance_id', '=', performanceId)
    .executeTakeFirst();
}

/** Writes the performance's settings whole, whether it had some or not. */
export async function saveDoorSaleSettings(db: Trx, row: DoorSaleSettingsTable): Promise<void> {
  await db
    .insertInto('door_sale_settings')
    .values(row)
    .onConflict((conflict) =>
      conflict.column('performance_id').doUpdateSet({
        enabled: row.enabled,
        category_ids: row.category_ids,
        max_per_sale: row.max_per_sale,
        updated_by: row.updated_by,
        updated_at: row.updated_at,
      }),
    )
    .execute();
}

/** The event's categories and its per-order limit: what the settings choose from. */
export async function doorSaleChoices(db: Trx, eventId: string) {
  const categories = await db
    .selectFrom('categories')
    .select(['id', 'name'])
    .where('event_id', '=', eventId)
    .orderBy('sort_order')
    .orderBy('id')
    .execute();
  const event = await db
    .selectFrom('events')
    .select('per_order_limit')
    .where('id', '=', eventId)
    .executeTakeFirstOrThrow();
  return { categories, perOrderLimit: Number(event.per_order_limit) };
}

// ---------------------------------------------------------------------------------------------
// The console's list of a performance's door sales (issue 20 item 5)

export interface ListedDoorSale {
  id: string;
  terminal_id: string;
  terminal_name: string;
  gate: string;
  category_id: string;
  category: string;
  quantity: number;
  status: DoorSalesTable['status'];
  expires_at: number;
  created_at: number;
  admitted_at: number | null;
  order_id: string | null;
  order_status: OrdersTable['status'] | null;
  order_asset: string | null;
  order_amount: string | null;
  order_created_at: number | null;
}

/** The newest `limit` sales of the performance, with their terminal, category and order. */
export function doorSalesOfPerformance(
  db: Trx,
  performanceId: string,
  limit: number,
): Promise<ListedDoorSale[]> {
  return db
    .selectFrom('door_sales as d')
    .innerJoin('terminals as t', 't.id', 'd.terminal_id')
    .innerJoin('categories as c', 'c.id', 'd.category_id')
    .leftJoin('orders as o', 'o.id', 'd.order_id')
    .select([
      'd.id',
      'd.terminal_id',
      't.name as terminal_name',
      't.gate',
      'd.category_id',
      'c.name as category',
      'd.quantity',
      'd.status',
      'd.expires_at',
      'd.created_at',
      'd.admitted_at',
      'd.order_id',
      'o.status as order_status',
      'o.asset as order_asset',
      'o.amount as order_amount',
      'o.created_at as order_created_at',
    ])
    .where('d.performance_id', '=', performanceId)
    .orderBy('d.created_at', 'desc')
    .orderBy('d.id', 'desc')
    .limit(limit)
    .execute();
}

/** Every sale of the performance per status and order outcome, for the list's totals. */
export async function doorSaleCounts(db: Trx, performanceId: string) {
  const rows = await db
    .selectFrom('door_sales as d')
    .leftJoin('orders as o', 'o.id', 'd.order_id')
    .select((eb) => [
      'd.status',
      'o.status as order_status',
      'o.asset',
      'o.amount',
      eb.fn.countAll<number>().as('n'),
      eb.fn.sum<number>('d.quantity').as('tickets'),
    ])
    .where('d.performance_id', '=', performanceId)
    .groupBy(['d.status', 'o.status', 'o.asset', 'o.amount'])
    .execute();
  return rows.map((row) => ({
    status: row.status,
    order_status: row.order_status,
    asset: row.asset,
    amount: row.amount === null ? null : BigInt(String(row.amount)),
    n: Number(row.n),
    tickets: Number(row.tickets ?? 0),
  }));
}
