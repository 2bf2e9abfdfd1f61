/**
 * The SQL of event close and the gate reconciliation report: the performance with its venue,
 * the terminals enrolled for it, the close itself, stored-value tickets with their debits and
 * their remainder refunds, and the admissions read every way the report counts them (by kind,
 * per gate and quarter hour, duplicates with each ticket's first entry, outside the venue).
 *
 * Amounts come out as bigint and counts as numbers; nothing is summed over amounts in SQL (see
 * ../totals.ts). "Executor" below is the transaction (`trx`) inside one, or
 * `ticketing.database.db` outside.
 */
import { sql } from 'kysely';
import type { Trx } from '../../context.ts';
import type { AdmissionsTable, PerformancesTable, RefundsTable } from '../../db/schema.ts';
import { liveTicketStatuses } from '../../tickets/service.ts';

const count = (n: unknown) => Number(n ?? 0);
const units = (amount: unknown) => BigInt(String(amount));
const flag = (value: unknown) => Number(value) === 1;

// ---------------------------------------------------------------------------------------------
// The performance, its terminals, the close

export interface ReportPerformance {
  id: string;
  code: string;
  status: PerformancesTable['status'];
  doors_at: number;
  starts_at: number;
  ends_at: number;
  closed_at: number | null;
  closed_by: string | null;
  close_reason: string | null;
  forced_at: number | null;
  forced_by: string | null;
  forced_reason: string | null;
  event_id: string;
  event_name: string;
  event_slug: string;
  organizer_id: string;
  venue_id: string;
  venue_name: string;
  latitude: number;
  longitude: number;
  radius_m: number;
}

/** The performance with its event and venue, if there is one. */
export function reportPerformance(
  executor: Trx,
  performanceId: string,
): Promise<ReportPerformance | undefined> {
  return executor
    .selectFrom('performances as p')
    .innerJoin('events as e', 'e.id', 'p.event_id')
    .innerJoin('venues as v', 'v.id', 'e.venue_id')
    .select([
      'p.id',
      'p.code',
      'p.status',
      'p.doors_at',
      'p.starts_at',
      'p.ends_at',
      'p.closed_at',
      'p.closed_by',
      'p.close_reason',
      'p.forced_at',
      'p.forced_by',
      'p.forced_reason',
      'e.id as event_id',
      'e.name as event_name',
      'e.slug as event_slug',
      'e.organizer_id',
      'v.id as venue_id',
      'v.name as venue_name',
      'v.latitude',
      'v.longitude',
      'v.radius_m',
    ])
    .where('p.id', '=', performanceId)
    .executeTakeFirst();
}

export interface VenueTerminal {
  id: string;
  name: string;
  gate: string;
  performanceIds: string[];
  lastSeenAt: number | null;
  revokedAt: number | null;
  pendingUploads: number;
}

/** A terminal's stored list of performance ids, checked as it is read. */
function performanceIdsOf(stored: string, terminalId: string): string[] {
  const ids: unknown = JSON.parse(stored);
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) {
    throw new Error(`terminal ${terminalId}: performance_ids is not a list of ids`);
  }
  return ids;
}

/**
 * The organizer's terminals at the venue that are live, or revoked while they said they held
 * unsent admissions; by gate and name.
 */
export async function terminalsAtVenue(
  executor: Trx,
  organizerId: string,
  venueId: string,
): Promise<VenueTerminal[]> {
  const rows = await executor
    .selectFrom('terminals')
    .select([
      'id',
      'name',
      'gate',
      'performance_ids',
      'last_seen_at',
      'revoked_at',
      'pending_uploads',
    ])
    .where('organizer_id', '=', organizerId)
    .where('venue_id', '=', venueId)
    .where((eb) => eb.or([eb('revoked_at', 'is', null), eb('pending_uploads', '>', 0)]))
    .orderBy('gate')
    .orderBy('name')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    gate: row.gate,
    performanceIds: performanceIdsOf(row.performance_ids, row.id),
    lastSeenAt: row.last_seen_at === null ? null : Number(row.last_seen_at),
    revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
    pendingUploads: Number(row.pending_uploads),
  }));
}

/** The names of the organizer's terminals (revoked ones too), by id. */
export async function terminalNamesOf(
  executor: Trx,
  organizerId: string,
): Promise<Map<string, string>> {
  const rows = await executor
    .selectFrom('terminals')
    .select(['id', 'name'])
    .where('organizer_id', '=', organizerId)
    .execute();
  return new Map(rows.map((row) => [row.id, row.name]));
}

export interface CloseState {
  status: PerformancesTable['status'];
  startsAt: number;
  closedAt: number | null;
}

export async function closeStateOf(trx: Trx, performanceId: string): Promise<CloseState> {
  const row = await trx
    .selectFrom('performances')
    .select(['status', 'starts_at', 'closed_at'])
    .where('id', '=', performanceId)
    .executeTakeFirstOrThrow();
  return {
    status: row.status,
    startsAt: Number(row.starts_at),
    closedAt: row.closed_at === null ? null : Number(row.closed_at),
  };
}

/**
 * Closes a scheduled performance at `now`; answers whether it did. The update locks the row
 * (PostgreSQL), so a close or cancellation racing it is read back after it commits.
 */
export async function markPerformanceClosed(
  trx: Trx,
  now: number,
  performanceId: string,
  by: { closedBy: string; reason: string | null },
) {
  const updated = await trx
    .updateTable('performances')
    .set({ status: 'closed', closed_at: now, closed_by: by.closedBy, close_reason: by.reason })
    .where('id', '=', performanceId)
    .where('status', '=', 'scheduled')
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1;
}

/**
 * Records the first close forced while terminals were outstanding: who, when and why. A later
 * force keeps the first one's record (the refunds went then).
 */
export async function markPerformanceForced(
  db: Trx,
  performanceId: string,
  forced: { at: number; by: string; reason: string },
) {
  await db
    .updateTable('performances')
    .set({ forced_at: forced.at, forced_by: forced.by, forced_reason: forced.reason })
    .where('id', '=', performanceId)
    .where('forced_at', 'is', null)
    .execute();
}

// ---------------------------------------------------------------------------------------------
// Stored value

export interface StoredValueTicket {
  id: string;
  number: string;
  order_id: string;
  organizer_id: string;
  asset: string;
  amount: bigint;
  storedValue: bigint;
  payment_request_id: string | null;
}

/** The performance's live stored-value tickets with an id after `after`, by id, at most `limit`. */
export async function storedValueTicketsAfter(
  executor: Trx,
  performanceId: string,
  after: string,
  limit: number,
): Promise<StoredValueTicket[]> {
  const rows = await executor
    .selectFrom('tickets as t')
    .innerJoin('categories as c', 'c.id', 't.category_id')
    .innerJoin('orders as o', 'o.id', 't.order_id')
    .select([
      't.id',
      't.number',
      't.order_id',
      't.organizer_id',
      't.asset',
      't.amount',
      'c.stored_value',
      'o.payment_request_id',
    ])
    .where('t.performance_id', '=', performanceId)
    .where('t.status', 'in', liveTicketStatuses)
    .where('c.kind', '=', 'stored_value')
    .where('t.id', '>', after)
    .orderBy('t.id')
    .limit(limit)
    .execute();
  return rows.map(({ stored_value, ...row }) => ({
    ...row,
    amount: units(row.amount),
    storedValue: units(stored_value),
  }));
}

/** Every debit recorded against these tickets (every admission, uploads included). */
export async function debitsOfTickets(
  executor: Trx,
  ticketIds: readonly string[],
): Promise<{ ticketId: string; debit: bigint }[]> {
  const rows = await executor
    .selectFrom('admissions')
    .select(['ticket_id', 'debit'])
    .where('ticket_id', 'in', ticketIds)
    .execute();
  return rows.map((row) => ({ ticketId: row.ticket_id, debit: units(row.debit) }));
}

/**
 * Ordinary refund ids are `rf_…` (newId); a stored-value remainder's is this prefix, an
 * underscore and its ticket's id without `tkt_` (close.ts), which the report counts apart.
 */
export const remainderRefundPrefix = 'rfsv';
const remainderIds = `${remainderRefundPrefix}%`;
const isRemainder = sql<number>`case when r.id like ${sql.lit(remainderIds)} then 1 else 0 end`;

/** Inserts the refund rows whose id is not taken yet; answers how many it inserted. */
export async function insertNewRefunds(trx: Trx, rows: readonly RefundsTable[]) {
  const inserted = await trx
    .insertInto('refunds')
    .values([...rows])
    .onConflict((conflict) => conflict.column('id').doNothing())
    .returning('id')
    .execute();
  return inserted.length;
}

// ---------------------------------------------------------------------------------------------
// Sales and money

/** Live tickets sold, distinct tickets with an entry, and live tickets never entered. */
export async function ticketCounts(executor: Trx, performanceId: string) {
  const sold = await executor
    .selectFrom('tickets')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('performance_id', '=', performanceId)
    .where('status', 'in', liveTicketStatuses)
    .executeTakeFirstOrThrow();
  const admitted = await executor
    .selectFrom('admissions')
    .select((eb) => eb.fn.count<number>('ticket_id').distinct().as('n'))
    .where('performance_id', '=', performanceId)
    .where('direction', '=', 'entry')
    .executeTakeFirstOrThrow();
  const noShows = await executor
    .selectFrom('tickets as t')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('t.performance_id', '=', performanceId)
    .where('t.status', 'in', liveTicketStatuses)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('admissions as a')
            .select('a.id')
            .whereRef('a.ticket_id', '=', 't.id')
            .where('a.direction', '=', 'entry'),
        ),
      ),
    )
    .executeTakeFirstOrThrow();
  return { sold: count(sold.n), admitted: count(admitted.n), noShows: count(noShows.n) };
}

export interface OrderOfRequest {
  id: string;
  payment_request_id: string;
  asset: string;
  amount: bigint;
  paid_at: number | null;
  created_at: number;
}

/** The performance's orders that have a payment request at the exchange. */
export async function ordersWithRequests(
  executor: Trx,
  performanceId: string,
): Promise<OrderOfRequest[]> {
  const rows = await executor
    .selectFrom('orders')
    .select(['id', 'payment_request_id', 'asset', 'amount', 'paid_at', 'created_at'])
    .where('performance_id', '=', performanceId)
    .where('payment_request_id', 'is not', null)
    .execute();
  return rows.map((row) => ({
    ...row,
    payment_request_id: row.payment_request_id as string,
    amount: units(row.amount),
    created_at: Number(row.created_at),
  }));
}

/** Paid orders of the performance per asset and amount, with how many. */
export async function paidOrderAmounts(executor: Trx, performanceId: string) {
  const rows = await executor
    .selectFrom('orders')
    .select((eb) => ['asset', 'amount', eb.fn.countAll<number>().as('n')])
    .where('performance_id', '=', performanceId)
    .where('paid_at', 'is not', null)
    .groupBy(['asset', 'amount'])
    .execute();
  return rows.map((row) => ({ asset: row.asset, amount: units(row.amount), n: count(row.n) }));
}

/** Refunds of the performance's orders per asset, amount, status and kind, with how many. */
export async function refundsByKind(executor: Trx, performanceId: string) {
  const rows = await executor
    .selectFrom('refunds as r')
    .innerJoin('orders as o', 'o.id', 'r.order_id')
    .select((eb) => [
      'r.asset',
      'r.amount',
      'r.status',
      isRemainder.as('remainder'),
      eb.fn.countAll<number>().as('n'),
    ])
    .where('o.performance_id', '=', performanceId)
    .groupBy(['r.asset', 'r.amount', 'r.status', isRemainder])
    .execute();
  return rows.map((row) => ({
    asset: row.asset,
    amount: units(row.amount),
    status: row.status,
    remainder: flag(row.remainder),
    n: count(row.n),
  }));
}

// ---------------------------------------------------------------------------------------------
// Admissions

/** Admissions per kind (direction, source and flags), with how many. */
export async function admissionKinds(executor: Trx, performanceId: string) {
  const rows = await executor
    .selectFrom('admissions')
    .select((eb) => [
      'direction',
      'source',
      'duplicate',
      'outside_venue',
      'revoked_revision',
      eb.fn.countAll<number>().as('n'),
    ])
    .where('performance_id', '=', performanceId)
    .groupBy(['direction', 'source', 'duplicate', 'outside_venue', 'revoked_revision'])
    .execute();
  return rows.map((row) => ({
    direction: row.direction,
    source: row.source,
    duplicate: flag(row.duplicate),
    outsideVenue: flag(row.outside_venue),
    revokedRevision: flag(row.revoked_revision),
    n: count(row.n),
  }));
}

/** What the gates refused (the audit log), per reason. */
export async function refusalCounts(executor: Trx, performanceId: string) {
  const rows = await executor
    .selectFrom('gate_decisions')
    .select((eb) => ['reason', eb.fn.countAll<number>().as('n')])
    .where('performance_id', '=', performanceId)
    .where('admitted', '=', 0)
    .groupBy('reason')
    .orderBy('reason')
    .execute();
  return rows.map((row) => ({ reason: row.reason, count: count(row.n) }));
}

export type AdmissionScan = Pick<
  AdmissionsTable,
  | 'id'
  | 'ticket_id'
  | 'scanned_at'
  | 'recorded_at'
  | 'gate'
  | 'terminal_id'
  | 'source'
  | 'direction'
  | 'latitude'
  | 'longitude'
  | 'accuracy_m'
>;

const admissionColumns = [
  'a.id',
  'a.ticket_id',
  'a.scanned_at',
  'a.recorded_at',
  'a.gate',
  'a.terminal_id',
  'a.source',
  'a.direction',
  'a.latitude',
  'a.longitude',
  'a.accuracy_m',
] as const;

export type DuplicateScan = AdmissionScan & {
  number: string;
  category: string;
  section: string | null;
  row_label: string | null;
  seat_number: string | null;
};

/** The performance's duplicate admissions with their ticket and seat, oldest first. */
export function duplicateScans(
  executor: Trx,
  performanceId: string,
  limit: number,
): Promise<DuplicateScan[]> {
  return executor
    .selectFrom('admissions as a')
    .innerJoin('tickets as t', 't.id', 'a.ticket_id')
    .innerJoin('categories as c', 'c.id', 't.category_id')
    .leftJoin('seats as s', 's.id', 't.seat_id')
    .select([
      ...admissionColumns,
      't.number',
      'c.name as category',
      's.section',
      's.row_label',
      's.number as seat_number',
    ])
    .where('a.performance_id', '=', performanceId)
    .where('a.duplicate', '=', 1)
    .orderBy('a.scanned_at')
    .orderBy('a.seq')
    .limit(limit)
    .execute();
}

/** Tickets per query of first entries: well under every database's parameter limit. */
const ticketsPerQuery = 500;

/** Each ticket's first entry that was not a duplicate (by scan time), for those that have one. */
export async function firstEntriesOf(
  executor: Trx,
  ticketIds: readonly string[],
): Promise<Map<string, AdmissionScan>> {
  const firsts = new Map<string, AdmissionScan>();
  for (let start = 0; start < ticketIds.length; start += ticketsPerQuery) {
    const entries = await executor
      .selectFrom('admissions as a')
      .select(admissionColumns)
      .where('a.ticket_id', 'in', ticketIds.slice(start, start + ticketsPerQuery))
      .where('a.direction', '=', 'entry')
      .where('a.duplicate', '=', 0)
      .orderBy('a.scanned_at')
      .orderBy('a.seq')
      .execute();
    for (const entry of entries) {
      if (!firsts.has(entry.ticket_id)) firsts.set(entry.ticket_id, entry);
    }
  }
  return firsts;
}

/** The performance's admissions scanned outside the venue, with their ticket, oldest first. */
export function scansOutsideVenue(
  executor: Trx,
  performanceId: string,
  limit: number,
): Promise<(AdmissionScan & { number: string })[]> {
  return executor
    .selectFrom('admissions as a')
    .innerJoin('tickets as t', 't.id', 'a.ticket_id')
    .select([...admissionColumns, 't.number'])
    .where('a.performance_id', '=', performanceId)
    .where('a.outside_venue', '=', 1)
    .orderBy('a.scanned_at')
    .orderBy('a.seq')
    .limit(limit)
    .execute();
}

export interface GatePeriodCount {
  gate: string;
  /** The period's start, a multiple of the period length (UTC-aligned by the scan time). */
  from: number;
  direction: 'entry' | 'exit';
  duplicate: boolean;
  n: number;
}

/** Admissions per gate, period of `periodMs` (by the terminal's scan time), direction and kind. */
export async function admissionsPerGatePeriod(
  executor: Trx,
  performanceId: string,
  periodMs: number,
): Promise<GatePeriodCount[]> {
  const bucket = sql<number>`a.scanned_at / ${sql.lit(periodMs)}`;
  const rows = await executor
    .selectFrom('admissions as a')
    .select((eb) => [
      'a.gate',
      bucket.as('bucket'),
      'a.direction',
      'a.duplicate',
      eb.fn.countAll<number>().as('n'),
    ])
    .where('a.performance_id', '=', performanceId)
    .groupBy(['a.gate', bucket, 'a.direction', 'a.duplicate'])
    .execute();
  return rows.map((row) => ({
    gate: row.gate,
    from: Math.floor(Number(row.bucket)) * periodMs,
    direction: row.direction,
    duplicate: flag(row.duplicate),
    n: count(row.n),
  }));
}
