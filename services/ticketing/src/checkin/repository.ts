/**
 * The SQL of the check-in dashboard: a performance's admissions counted and listed up to the
 * sequence number its snapshot covers (the live feed sends what comes after, so nothing is
 * counted twice), the dashboard feed's replay, the admission log (the gate decisions with their
 * admissions, tickets and terminals) and one ticket's history.
 *
 * Amounts come out as bigint and counts as numbers; nothing is summed over amounts in SQL (see
 * ../reports/totals.ts). "Executor" is the database (`ticketing.database.db`): every read here is
 * outside a transaction.
 */
import { sql } from 'kysely';
import type { Trx } from '../context.ts';

const count = (n: unknown) => Number(n ?? 0);
const flag = (value: unknown) => Number(value) === 1;
const num = (value: unknown) => (value === null || value === undefined ? null : Number(value));

/** The venue's time zone (the gate report's performance has the rest of the venue). */
export async function venueTimeZone(executor: Trx, venueId: string): Promise<string> {
  const row = await executor
    .selectFrom('venues')
    .select('time_zone')
    .where('id', '=', venueId)
    .executeTakeFirstOrThrow();
  return row.time_zone;
}

/** The last admission sequence number of the performance (0 when none). */
export async function lastSeqOf(executor: Trx, performanceId: string): Promise<number> {
  const row = await executor
    .selectFrom('admissions')
    .select((eb) => eb.fn.max('seq').as('last'))
    .where('performance_id', '=', performanceId)
    .executeTakeFirst();
  return Number(row?.last ?? 0);
}

export interface AdmissionCell {
  gate: string;
  /** The start of the minute (epoch ms) of the terminal's scan time. */
  minute: number;
  direction: 'entry' | 'exit';
  source: 'online' | 'offline';
  duplicate: boolean;
  outsideVenue: boolean;
  n: number;
}

/**
 * The performance's admissions up to `throughSeq`, counted per gate, minute, direction, source
 * and flags: one read from which every figure of the snapshot is tallied.
 */
export async function admissionCells(
  executor: Trx,
  performanceId: string,
  throughSeq: number,
): Promise<AdmissionCell[]> {
  const minute = sql<number>`a.scanned_at / 60000`;
  const rows = await executor
    .selectFrom('admissions as a')
    .select((eb) => [
      'a.gate',
      minute.as('minute'),
      'a.direction',
      'a.source',
      'a.duplicate',
      'a.outside_venue',
      eb.fn.countAll<number>().as('n'),
    ])
    .where('a.performance_id', '=', performanceId)
    .where('a.seq', '<=', throughSeq)
    .groupBy(['a.gate', minute, 'a.direction', 'a.source', 'a.duplicate', 'a.outside_venue'])
    .execute();
  return rows.map((row) => ({
    gate: row.gate,
    minute: Math.floor(Number(row.minute)) * 60_000,
    direction: row.direction,
    source: row.source,
    duplicate: flag(row.duplicate),
    outsideVenue: flag(row.outside_venue),
    n: count(row.n),
  }));
}

/**
 * Distinct tickets with an entry, and tickets whose last admission (in their history's order)
 * is an entry, up to `throughSeq`.
 */
export async function ticketsInside(executor: Trx, performanceId: string, throughSeq: number) {
  const admitted = await executor
    .selectFrom('admissions')
    .select((eb) => eb.fn.count<number>('ticket_id').distinct().as('n'))
    .where('performance_id', '=', performanceId)
    .where('direction', '=', 'entry')
    .where('seq', '<=', throughSeq)
    .executeTakeFirstOrThrow();
  const inside = await executor
    .selectFrom('admissions as a')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('a.performance_id', '=', performanceId)
    .where('a.direction', '=', 'entry')
    .where('a.seq', '<=', throughSeq)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('admissions as b')
            .select('b.id')
            .whereRef('b.ticket_id', '=', 'a.ticket_id')
            .whereRef('b.slot', '>', 'a.slot')
            .where('b.seq', '<=', throughSeq),
        ),
      ),
    )
    .executeTakeFirstOrThrow();
  return { admitted: count(admitted.n), inside: count(inside.n) };
}

/** Stored value debited up to `throughSeq`, per asset and amount, with how many debits. */
export async function debitsByAsset(executor: Trx, performanceId: string, throughSeq: number) {
  const rows = await executor
    .selectFrom('admissions as a')
    .innerJoin('tickets as t', 't.id', 'a.ticket_id')
    .select((eb) => ['t.asset', 'a.debit', eb.fn.countAll<number>().as('n')])
    .where('a.performance_id', '=', performanceId)
    .where('a.seq', '<=', throughSeq)
    .where('a.debit', '!=', '0')
    .groupBy(['t.asset', 'a.debit'])
    .execute();
  return rows.map((row) => ({
    asset: row.asset,
    amount: BigInt(String(row.debit)),
    n: count(row.n),
  }));
}

/** One admission as the dashboard lists it, with its ticket's number. */
export interface LiveAdmissionRow {
  seq: number;
  id: string;
  number: string;
  gate: string;
  terminal_id: string;
  direction: 'entry' | 'exit';
  source: 'online' | 'offline';
  scanned_at: number;
  recorded_at: number;
  duplicate: number;
  outside_venue: number;
  latitude: number | null;
  longitude: number | null;
  accuracy_m: number | null;
  debit: string;
}

function liveAdmissions(executor: Trx, performanceId: string) {
  return executor
    .selectFrom('admissions as a')
    .innerJoin('tickets as t', 't.id', 'a.ticket_id')
    .select([
      'a.seq',
      'a.id',
      't.number',
      'a.gate',
      'a.terminal_id',
      'a.direction',
      'a.source',
      'a.scanned_at',
      'a.recorded_at',
      'a.duplicate',
      'a.outside_venue',
      'a.latitude',
      'a.longitude',
      'a.accuracy_m',
      'a.debit',
    ])
    .where('a.performance_id', '=', performanceId);
}

/** The newest admissions up to `throughSeq` (all, or only the flagged ones), newest first. */
export function newestAdmissions(
  executor: Trx,
  performanceId: string,
  throughSeq: number,
  options: { flaggedOnly: boolean; limit: number },
): Promise<LiveAdmissionRow[]> {
  let query = liveAdmissions(executor, performanceId).where('a.seq', '<=', throughSeq);
  if (options.flaggedOnly) {
    query = query.where((eb) => eb.or([eb('a.duplicate', '=', 1), eb('a.outside_venue', '=', 1)]));
  }
  return query.orderBy('a.seq', 'desc').limit(options.limit).execute() as Promise<
    LiveAdmissionRow[]
  >;
}

/** The admissions after `since`, in sequence order: the dashboard feed's replay. */
export function admissionsAfter(
  executor: Trx,
  performanceId: string,
  since: number,
  limit: number,
): Promise<LiveAdmissionRow[]> {
  return liveAdmissions(executor, performanceId)
    .where('a.seq', '>', since)
    .orderBy('a.seq')
    .limit(limit)
    .execute() as Promise<LiveAdmissionRow[]>;
}

/** Every admission with a position up to `throughSeq`, newest first, at most `limit`. */
export async function positionedAdmissions(
  executor: Trx,
  performanceId: string,
  throughSeq: number,
  limit: number,
) {
  const rows = await executor
    .selectFrom('admissions')
    .select(['latitude', 'longitude', 'outside_venue', 'gate', 'duplicate'])
    .where('performance_id', '=', performanceId)
    .where('seq', '<=', throughSeq)
    .where('latitude', 'is not', null)
    .where('longitude', 'is not', null)
    .orderBy('seq', 'desc')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    latitude: Number(row.latitude),
    longitude: Number(row.longitude),
    outsideVenue: flag(row.outside_venue),
    gate: row.gate,
    duplicate: flag(row.duplicate),
  }));
}

/**
 * Each terminal's newest admission of the performance that has a position, by terminal id: one
 * read for every terminal of the dashboard rather than one each.
 */
export async function lastFixesOf(
  executor: Trx,
  performanceId: string,
  terminalIds: readonly string[],
) {
  const fixes = new Map<
    string,
    {
      latitude: number;
      longitude: number;
      accuracyM: number | null;
      at: number;
      outsideVenue: boolean;
    }
  >();
  if (terminalIds.length === 0) return fixes;
  const newest = executor
    .selectFrom('admissions')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .where('performance_id', '=', performanceId)
    .where('terminal_id', 'in', terminalIds)
    .where('latitude', 'is not', null)
    .where('longitude', 'is not', null)
    .groupBy('terminal_id');
  const rows = await executor
    .selectFrom('admissions')
    .select(['terminal_id', 'latitude', 'longitude', 'accuracy_m', 'scanned_at', 'outside_venue'])
    .where('seq', 'in', newest)
    .execute();
  for (const row of rows) {
    fixes.set(row.terminal_id, {
      latitude: Number(row.latitude),
      longitude: Number(row.longitude),
      accuracyM: num(row.accuracy_m),
      at: Number(row.scanned_at),
      outsideVenue: flag(row.outside_venue),
    });
  }
  return fixes;
}

/** The last fix each terminal reported with its calls (the Tessera-Position header), by id. */
export async function reportedFixesOf(executor: Trx, terminalIds: readonly string[]) {
  const fixes = new Map<
    string,
    { latitude: number; longitude: number; accuracyM: number | null; at: number }
  >();
  if (terminalIds.length === 0) return fixes;
  const rows = await executor
    .selectFrom('terminals')
    .select(['id', 'last_latitude', 'last_longitude', 'last_accuracy_m', 'last_fix_at'])
    .where('id', 'in', terminalIds)
    .where('last_fix_at', 'is not', null)
    .execute();
  for (const row of rows) {
    if (row.last_latitude === null || row.last_longitude === null) continue;
    fixes.set(row.id, {
      latitude: Number(row.last_latitude),
      longitude: Number(row.last_longitude),
      accuracyM: num(row.last_accuracy_m),
      at: Number(row.last_fix_at),
    });
  }
  return fixes;
}

// ---------------------------------------------------------------------------------------------
// The admission log

export interface LogFilter {
  performanceId: string;
  search?: { ticketNumber?: string; manualNumber?: string; phone?: string };
  gate?: string;
  decision?: 'admitted' | 'refused' | 'duplicate' | 'outside';
  from?: number;
  to?: number;
  /** Decisions before this sequence number (the previous page's last). */
  before?: number;
}

export interface LogRow {
  seq: number;
  scanned_at: number;
  recorded_at: number;
  gate: string;
  terminal_id: string;
  terminal_name: string | null;
  input: string;
  admitted: number;
  reason: string;
  ticket_id: string | null;
  ticket_number: string | null;
  holder_phone: string | null;
  source: 'online' | 'offline' | null;
  direction: 'entry' | 'exit' | null;
  duplicate: number | null;
  outside_venue: number | null;
  latitude: number | null;
  longitude: number | null;
}

/** The gate decisions with their admission, ticket (by its number) and terminal. */
function decisionsJoined(executor: Trx) {
  return executor
    .selectFrom('gate_decisions as d')
    .leftJoin('admissions as a', 'a.id', 'd.admission_id')
    .leftJoin('tickets as t', (join) =>
      join
        .onRef('t.performance_id', '=', 'd.performance_id')
        .onRef('t.number', '=', 'd.ticket_number'),
    )
    .leftJoin('terminals as m', 'm.id', 'd.terminal_id')
    .select([
      'd.seq',
      'd.scanned_at',
      'd.recorded_at',
      sql<string>`coalesce(a.gate, m.gate, '')`.as('gate'),
      'd.terminal_id',
      'm.name as terminal_name',
      'd.input',
      'd.admitted',
      'd.reason',
      't.id as ticket_id',
      'd.ticket_number',
      't.holder_phone',
      'a.source',
      'a.direction',
      'a.duplicate',
      'a.outside_venue',
      'a.latitude',
      'a.longitude',
    ]);
}

type Joined = ReturnType<typeof decisionsJoined>;

function searched(query: Joined, search: NonNullable<LogFilter['search']>): Joined {
  return query.where((eb) => {
    const terms = [];
    if (search.ticketNumber !== undefined) {
      terms.push(eb('d.ticket_number', '=', search.ticketNumber));
    }
    if (search.manualNumber !== undefined) {
      terms.push(eb('t.manual_number', '=', search.manualNumber));
    }
    if (search.phone !== undefined) terms.push(eb('t.holder_phone', '=', search.phone));
    return eb.or(terms);
  });
}

/** One page of the performance's decisions, newest first, at most `limit`. */
export async function logRows(executor: Trx, filter: LogFilter, limit: number): Promise<LogRow[]> {
  let query = decisionsJoined(executor).where('d.performance_id', '=', filter.performanceId);
  if (filter.search) query = searched(query, filter.search);
  if (filter.gate !== undefined) {
    const gate = filter.gate;
    query = query.where(sql<boolean>`coalesce(a.gate, m.gate) = ${gate}`);
  }
  if (filter.decision === 'admitted') query = query.where('d.admitted', '=', 1);
  if (filter.decision === 'refused') query = query.where('d.admitted', '=', 0);
  if (filter.decision === 'duplicate') query = query.where('a.duplicate', '=', 1);
  if (filter.decision === 'outside') query = query.where('a.outside_venue', '=', 1);
  if (filter.from !== undefined) query = query.where('d.recorded_at', '>=', filter.from);
  if (filter.to !== undefined) query = query.where('d.recorded_at', '<', filter.to);
  if (filter.before !== undefined) query = query.where('d.seq', '<', filter.before);
  return (await query.orderBy('d.seq', 'desc').limit(limit).execute()) as LogRow[];
}

// ---------------------------------------------------------------------------------------------
// One ticket's history

export interface HistoryTicket {
  id: string;
  number: string;
  performance_id: string;
  organizer_id: string;
  order_id: string;
  event_name: string;
  category: string;
  section: string | null;
  row_label: string | null;
  seat_number: string | null;
  status: string;
  holder_phone: string;
  revision: number;
  created_at: number;
  paid_at: number | null;
  /** Where the order delivered the tickets: the first holder's phone number. */
  deliver_to_phone: string;
}

/** The ticket with its event, category, seat and order, if there is one. */
export function historyTicket(executor: Trx, ticketId: string): Promise<HistoryTicket | undefined> {
  return executor
    .selectFrom('tickets as t')
    .innerJoin('events as e', 'e.id', 't.event_id')
    .innerJoin('categories as c', 'c.id', 't.category_id')
    .innerJoin('orders as o', 'o.id', 't.order_id')
    .leftJoin('seats as s', 's.id', 't.seat_id')
    .select([
      't.id',
      't.number',
      't.performance_id',
      't.organizer_id',
      't.order_id',
      'e.name as event_name',
      'c.name as category',
      's.section',
      's.row_label',
      's.number as seat_number',
      't.status',
      't.holder_phone',
      't.revision',
      't.created_at',
      'o.paid_at',
      'o.deliver_to_phone',
    ])
    .where('t.id', '=', ticketId)
    .executeTakeFirst();
}

/** The ticket's accepted transfers, oldest first, with the sender's phone number. */
export function acceptedTransfers(executor: Trx, ticketId: string) {
  return executor
    .selectFrom('transfers as x')
    .innerJoin('users as u', 'u.id', 'x.from_user_id')
    .select(['x.id', 'u.phone as from_phone', 'x.to_phone', 'x.decided_at', 'x.created_at'])
    .where('x.ticket_id', '=', ticketId)
    .where('x.status', '=', 'accepted')
    .orderBy('x.decided_at')
    .orderBy('x.id')
    .execute();
}

/** The ticket's revisions revoked, oldest first. */
export function revocationsOf(executor: Trx, ticket: { performance_id: string; number: string }) {
  return executor
    .selectFrom('revocations')
    .select(['seq', 'through_revision', 'reason', 'created_at'])
    .where('performance_id', '=', ticket.performance_id)
    .where('ticket_number', '=', ticket.number)
    .orderBy('seq')
    .execute();
}

/** Every gate decision about the ticket (by its number), oldest first, with its admission. */
export async function decisionsOfTicket(
  executor: Trx,
  ticket: { performance_id: string; number: string },
  limit: number,
): Promise<LogRow[]> {
  return (await decisionsJoined(executor)
    .where('d.performance_id', '=', ticket.performance_id)
    .where('d.ticket_number', '=', ticket.number)
    .orderBy('d.seq')
    .limit(limit)
    .execute()) as LogRow[];
}
