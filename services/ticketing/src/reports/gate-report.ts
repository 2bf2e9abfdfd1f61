/**
 * Event close (the patent's end-of-event collection): staff close a performance once it has
 * started; the server tells which terminals may still hold admissions they have not uploaded,
 * refunds what stored-value tickets have left, and reports the admissions against the sales.
 *
 * Closing is resumable and may be repeated: the first call sets `closed_at`, every call answers
 * the terminals still outstanding and the report as it stands. A terminal is outstanding while
 * it said it holds unsent admissions (`pending_uploads` > 0, from its last upload or package
 * call) or has not been heard from since the close: only a contact after the close proves it
 * has nothing left. Uploads that arrive after the close are recorded (they happened) and show
 * in the report. A terminal revoked while it said it held unsent admissions can never deliver
 * them (it is refused): it is listed as lost, so staff know the report misses them, and does not
 * hold back the refunds.
 *
 * Stored-value remainders are refunded when no terminal is outstanding (or when staff force
 * it): a debit still sitting on an offline terminal would otherwise be refunded as unspent. The
 * refund of a ticket is `price × remaining / stored value`, rounded down, in the asset the
 * ticket was paid in. Its row has an id derived from the ticket, so whatever repeats or races
 * a ticket's remainder is refunded once; the refund worker sends it to the exchange.
 *
 * Amounts are summed as bigint in code, never in SQL (see reports.ts).
 */
import { formatAmount } from '@tessera/service-kit/amounts';
import { ApiError, conflict, notFound } from '@tessera/service-kit/errors';
import { sql } from 'kysely';
import { distanceM } from '../admission/geometry.ts';
import type { Ticketing } from '../context.ts';
import { inTransaction } from '../context.ts';
import type { Principal, TerminalPrincipal } from '../identity/service.ts';
import { type Permission, requireStaff } from '../organizers/staff.ts';
import { walletOf } from '../organizers/wallet.ts';
import { liveTicketStatuses } from '../tickets/service.ts';
import { csvLine } from './service.ts';

/** The report's time buckets: admissions per gate per quarter hour. */
export const gateBucketMs = 15 * 60_000;
/** Duplicates and scans outside the venue listed one by one (all are counted). */
export const reportListMax = 5_000;
/** Stored-value tickets refunded per transaction: short write locks. */
export const remainderBatchSize = 200;

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

/** The refund id of a ticket's stored-value remainder: one per ticket, by construction. */
export const remainderRefundId = (ticketId: string) => `rfsv_${ticketId.slice('tkt_'.length)}`;
/** Ordinary refund ids are `rf_…` (newId), so `rfsv` marks a remainder's refund. */
const isRemainder = sql<number>`case when r.id like ${sql.lit('rfsv%')} then 1 else 0 end`;

/**
 * The performance if the caller has `permission` at its organizer; staff of other organizers
 * and strangers learn only that there is no such performance.
 */
export async function requirePerformanceStaff(
  ticketing: Ticketing,
  principal: Principal | undefined,
  performanceId: string,
  permission: Permission,
) {
  const performance = await performanceRow(ticketing, performanceId);
  if (!performance) throw notFound('performance');
  try {
    await requireStaff(ticketing, principal, performance.organizer_id, permission);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) throw notFound('performance');
    throw error;
  }
  return performance;
}

/** The performance if the terminal checks tickets for it (end of event on the gate app). */
export async function requirePerformanceOfTerminal(
  ticketing: Ticketing,
  terminal: TerminalPrincipal,
  performanceId: string,
) {
  const performance = terminal.performanceIds.includes(performanceId)
    ? await performanceRow(ticketing, performanceId)
    : undefined;
  if (!performance || performance.organizer_id !== terminal.organizerId) {
    throw notFound('performance');
  }
  return performance;
}

function performanceRow(ticketing: Ticketing, performanceId: string) {
  return ticketing.database.db
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

type PerformanceRow = Awaited<ReturnType<typeof requirePerformanceStaff>>;

// ---------------------------------------------------------------------------------------------
// Terminals

export interface TerminalStanding {
  id: string;
  name: string;
  gate: string;
  lastSeenAt: string | null;
  revokedAt: string | null;
  pendingUploads: number;
  /**
   * Why it may still hold admissions; null when it has delivered everything.
   * `revoked_with_unsent`: revoked while it said it held some, which can no longer come.
   */
  outstanding: 'pending_uploads' | 'not_seen_since_close' | 'revoked_with_unsent' | null;
}

/**
 * The terminals enrolled for this performance and whether each has delivered: the live ones,
 * and the revoked ones that still held admissions when last heard from.
 */
async function terminalsOf(ticketing: Ticketing, performance: PerformanceRow) {
  const rows = await ticketing.database.db
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
    .where('organizer_id', '=', performance.organizer_id)
    .where('venue_id', '=', performance.venue_id)
    .where((eb) => eb.or([eb('revoked_at', 'is', null), eb('pending_uploads', '>', 0)]))
    .orderBy('gate')
    .orderBy('name')
    .execute();
  const closedAt = performance.closed_at === null ? null : Number(performance.closed_at);
  const standings: TerminalStanding[] = [];
  for (const row of rows) {
    if (!(JSON.parse(row.performance_ids) as string[]).includes(performance.id)) continue;
    const lastSeen = row.last_seen_at === null ? null : Number(row.last_seen_at);
    const pending = Number(row.pending_uploads);
    let outstanding: TerminalStanding['outstanding'] = null;
    if (row.revoked_at !== null) outstanding = 'revoked_with_unsent';
    else if (pending > 0) outstanding = 'pending_uploads';
    else if (closedAt !== null && (lastSeen === null || lastSeen < closedAt)) {
      outstanding = 'not_seen_since_close';
    }
    standings.push({
      id: row.id,
      name: row.name,
      gate: row.gate,
      lastSeenAt: iso(lastSeen),
      revokedAt: iso(row.revoked_at),
      pendingUploads: pending,
      outstanding,
    });
  }
  return standings;
}

// ---------------------------------------------------------------------------------------------
// Closing

/**
 * Closes a performance (once; later calls answer again and finish the refunds). Refused for a
 * cancelled performance and before it starts (cancel it instead).
 */
export async function closePerformance(
  ticketing: Ticketing,
  performance: PerformanceRow,
  options: { force: boolean },
) {
  const closedAt = await inTransaction(ticketing, async ({ trx, now }) => {
    const current = await trx
      .selectFrom('performances')
      .select(['status', 'starts_at', 'closed_at'])
      .where('id', '=', performance.id)
      .executeTakeFirstOrThrow();
    if (current.status === 'cancelled') {
      throw conflict('performance_cancelled', 'a cancelled performance cannot be closed');
    }
    if (current.status === 'closed') return Number(current.closed_at ?? now);
    if (now < Number(current.starts_at)) {
      throw conflict(
        'performance_not_started',
        `this performance starts at ${iso(current.starts_at)}; to call it off before, cancel it`,
        { startsAt: iso(current.starts_at) },
      );
    }
    const updated = await trx
      .updateTable('performances')
      .set({ status: 'closed', closed_at: now })
      .where('id', '=', performance.id)
      .where('status', '=', 'scheduled')
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 1) return now;
    // Another close (or a cancellation) committed between our read and our update: its
    // outcome stands, read back after the row lock let us through.
    const after = await trx
      .selectFrom('performances')
      .select(['status', 'closed_at'])
      .where('id', '=', performance.id)
      .executeTakeFirstOrThrow();
    if (after.status !== 'closed' || after.closed_at === null) {
      throw conflict('performance_cancelled', 'a cancelled performance cannot be closed');
    }
    return Number(after.closed_at);
  });
  const closed = { ...performance, status: 'closed' as const, closed_at: closedAt };
  const terminals = await terminalsOf(ticketing, closed);
  const lost = terminals.filter((terminal) => terminal.outstanding === 'revoked_with_unsent');
  const outstanding = terminals.filter(
    (terminal) => terminal.outstanding !== null && terminal.outstanding !== 'revoked_with_unsent',
  );
  let storedValue: { refunds: 'queued' | 'waiting_for_terminals'; queuedNow: number };
  if (outstanding.length === 0 || options.force) {
    storedValue = {
      refunds: 'queued',
      queuedNow: await refundStoredValueRemainders(ticketing, performance.id),
    };
  } else {
    storedValue = { refunds: 'waiting_for_terminals', queuedNow: 0 };
  }
  return {
    performanceId: performance.id,
    status: 'closed' as const,
    closedAt: iso(closedAt) as string,
    terminalsOutstanding: outstanding,
    terminalsLost: lost,
    storedValue,
    report: await gateReport(ticketing, closed, terminals),
  };
}

/**
 * Queues the refund of every live stored-value ticket's unspent value; returns how many refunds
 * this call queued (a ticket refunded before is skipped, by its refund id).
 */
export async function refundStoredValueRemainders(
  ticketing: Ticketing,
  performanceId: string,
  batchSize = remainderBatchSize,
) {
  const db = ticketing.database.db;
  let queued = 0;
  let after = '';
  for (;;) {
    const tickets = await db
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
      .limit(batchSize)
      .execute();
    if (tickets.length === 0) return queued;
    after = (tickets[tickets.length - 1] as (typeof tickets)[number]).id;
    const spent = await debitsOf(
      ticketing,
      tickets.map((ticket) => ticket.id),
    );
    queued += await inTransaction(ticketing, async ({ trx, now }) => {
      const rows = [];
      for (const ticket of tickets) {
        const value = BigInt(String(ticket.stored_value));
        if (value <= 0n) continue;
        const debited = spent.get(ticket.id) ?? 0n;
        const remaining = debited >= value ? 0n : value - debited;
        // Rounded down: the organizer never refunds more than the share left unspent.
        const amount = (BigInt(String(ticket.amount)) * remaining) / value;
        if (amount <= 0n) continue;
        if (!ticket.payment_request_id) {
          throw new ApiError(500, 'no_payment', `order ${ticket.order_id} has no payment`);
        }
        rows.push({
          // The row queueRefund (orders.ts) writes, with an id that makes it once per ticket.
          id: remainderRefundId(ticket.id),
          order_id: ticket.order_id,
          ticket_id: ticket.id,
          payment_request_id: ticket.payment_request_id,
          organizer_id: ticket.organizer_id,
          asset: ticket.asset,
          amount: amount.toString(),
          reason: `stored value left on ticket ${ticket.number}: ${remaining} of ${value}`,
          status: 'pending' as const,
          attempts: 0,
          last_error: null,
          next_attempt_at: now,
          created_at: now,
          done_at: null,
        });
      }
      if (rows.length === 0) return 0;
      const inserted = await trx
        .insertInto('refunds')
        .values(rows)
        .onConflict((conflict) => conflict.column('id').doNothing())
        .returning('id')
        .execute();
      return inserted.length;
    });
  }
}

/** Smallest units debited per ticket, summed exactly (every admission, uploads included). */
async function debitsOf(ticketing: Ticketing, ticketIds: readonly string[]) {
  const spent = new Map<string, bigint>();
  if (ticketIds.length === 0) return spent;
  const rows = await ticketing.database.db
    .selectFrom('admissions')
    .select(['ticket_id', 'debit'])
    .where('ticket_id', 'in', ticketIds)
    .execute();
  for (const row of rows) {
    spent.set(row.ticket_id, (spent.get(row.ticket_id) ?? 0n) + BigInt(String(row.debit)));
  }
  return spent;
}

// ---------------------------------------------------------------------------------------------
// The reconciliation report

export interface Scan {
  admissionId: string;
  at: string;
  recordedAt: string;
  gate: string;
  terminalId: string;
  terminalName: string | null;
  source: 'online' | 'offline';
  direction: 'entry' | 'exit';
  latitude: number | null;
  longitude: number | null;
  accuracyM: number | null;
}

/** Sums of smallest units per asset (see reports.ts). */
/** Pages of the exchange's payment requests read for one report, at most (200 each). */
const exchangePagesMax = 500;
/** The two servers' clocks may differ; the walk back goes this much past the first order. */
const exchangeClockMarginMs = 3_600_000;
const exchangeListMax = 100;

/**
 * Revenue as the exchange has it: the organizer's payment requests are read back from the
 * exchange, page by page from the newest to the performance's first order, and those of this
 * performance's orders are summed per asset: paid, and refunded (ticket refunds and stored-value
 * remainders alike). A request the exchange does not list, or lists unpaid or at another amount
 * while the order is paid here, is named, so the two books can be reconciled.
 */
async function exchangeRevenue(
  ticketing: Ticketing,
  performance: PerformanceRow,
  scaleOf: (asset: string) => Promise<number>,
) {
  const orders = await ticketing.database.db
    .selectFrom('orders')
    .select(['id', 'payment_request_id', 'asset', 'amount', 'paid_at', 'created_at'])
    .where('performance_id', '=', performance.id)
    .where('payment_request_id', 'is not', null)
    .execute();
  const ours = new Map(orders.map((order) => [order.payment_request_id as string, order]));
  const paid = new Totals();
  const refunded = new Totals();
  const mismatched: { requestId: string; orderId: string; problem: string }[] = [];
  let status: 'checked' | 'incomplete' | 'unavailable' = 'checked';
  if (ours.size > 0) {
    const earliest =
      Math.min(...orders.map((order) => Number(order.created_at))) - exchangeClockMarginMs;
    try {
      const wallet = await walletOf(ticketing, performance.organizer_id);
      let before: number | undefined;
      for (let page = 0; ; page++) {
        if (page === exchangePagesMax) {
          status = 'incomplete';
          break;
        }
        const { requests, nextBefore } = await ticketing.exchange.paymentRequestPage(
          wallet.apiKey,
          before,
        );
        for (const request of requests) {
          const order = ours.get(request.id);
          if (!order) continue;
          ours.delete(request.id);
          if (request.status === 'paid') {
            paid.add(request.asset, request.amount, 1);
            refunded.add(
              request.asset,
              request.refundedAmount,
              request.refundedAmount > 0n ? 1 : 0,
            );
          }
          const problem =
            order.paid_at !== null && request.status !== 'paid'
              ? `paid here, ${request.status} at the exchange`
              : order.paid_at === null && request.status === 'paid'
                ? 'paid at the exchange, not here'
                : request.asset !== order.asset || request.amount !== BigInt(String(order.amount))
                  ? 'another amount at the exchange'
                  : null;
          if (problem && mismatched.length < exchangeListMax) {
            mismatched.push({ requestId: request.id, orderId: order.id, problem });
          }
        }
        if (ours.size === 0 || nextBefore === null || nextBefore < earliest) break;
        before = nextBefore;
      }
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      status = 'unavailable';
    }
  }
  const revenue = [];
  for (const asset of [...paid.sums.keys()].sort()) {
    const scale = await scaleOf(asset);
    revenue.push({
      asset,
      paid: formatAmount(paid.units(asset), scale),
      requests: paid.count(asset),
      refunded: formatAmount(refunded.units(asset), scale),
      net: formatAmount(paid.units(asset) - refunded.units(asset), scale),
    });
  }
  // Orders still open may have no request the exchange lists yet only if it is unreachable.
  const missing =
    status === 'unavailable'
      ? []
      : [...ours.values()]
          .filter((order) => order.paid_at !== null)
          .slice(0, exchangeListMax)
          .map((order) => ({ requestId: order.payment_request_id as string, orderId: order.id }));
  return { status, revenue, missing, mismatched };
}

class Totals {
  readonly sums = new Map<string, { units: bigint; count: number }>();
  add(asset: string, units: bigint, count: number) {
    const entry = this.sums.get(asset) ?? { units: 0n, count: 0 };
    entry.units += units;
    entry.count += count;
    this.sums.set(asset, entry);
  }
  units(asset: string) {
    return this.sums.get(asset)?.units ?? 0n;
  }
  count(asset: string) {
    return this.sums.get(asset)?.count ?? 0;
  }
}

interface AdmissionRow {
  id: string;
  ticket_id: string;
  scanned_at: number;
  recorded_at: number;
  gate: string;
  terminal_id: string;
  source: 'online' | 'offline';
  direction: 'entry' | 'exit';
  latitude: number | null;
  longitude: number | null;
  accuracy_m: number | null;
}

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

/**
 * The reconciliation report of one performance: sales against admissions, duplicates with both
 * scans, scans outside the venue, admissions per gate per quarter hour, revenue per asset and
 * the stored-value refunds.
 */
export async function gateReport(
  ticketing: Ticketing,
  performance: PerformanceRow,
  terminals?: TerminalStanding[],
) {
  const db = ticketing.database.db;
  const performanceId = performance.id;
  const standings = terminals ?? (await terminalsOf(ticketing, performance));
  const terminalNames = new Map(
    (
      await db
        .selectFrom('terminals')
        .select(['id', 'name'])
        .where('organizer_id', '=', performance.organizer_id)
        .execute()
    ).map((row) => [row.id, row.name]),
  );
  const scanOf = (row: AdmissionRow): Scan => ({
    admissionId: row.id,
    at: iso(row.scanned_at) as string,
    recordedAt: iso(row.recorded_at) as string,
    gate: row.gate,
    terminalId: row.terminal_id,
    terminalName: terminalNames.get(row.terminal_id) ?? null,
    source: row.source,
    direction: row.direction,
    latitude: row.latitude === null ? null : Number(row.latitude),
    longitude: row.longitude === null ? null : Number(row.longitude),
    accuracyM: row.accuracy_m === null ? null : Number(row.accuracy_m),
  });

  // Tickets sold, admitted (distinct tickets with an entry) and no-shows (sold, never entered).
  const count = (n: unknown) => Number(n ?? 0);
  const sold = await db
    .selectFrom('tickets')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('performance_id', '=', performanceId)
    .where('status', 'in', liveTicketStatuses)
    .executeTakeFirstOrThrow();
  const admitted = await db
    .selectFrom('admissions')
    .select((eb) => eb.fn.count<number>('ticket_id').distinct().as('n'))
    .where('performance_id', '=', performanceId)
    .where('direction', '=', 'entry')
    .executeTakeFirstOrThrow();
  const noShows = await db
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

  // Admissions by kind.
  const kinds = await db
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
  const admissions = {
    entries: 0,
    exits: 0,
    online: 0,
    offline: 0,
    duplicates: 0,
    outsideVenue: 0,
    revokedRevisions: 0,
  };
  for (const row of kinds) {
    const n = count(row.n);
    if (row.direction === 'entry') admissions.entries += n;
    else admissions.exits += n;
    if (row.source === 'online') admissions.online += n;
    else admissions.offline += n;
    if (Number(row.duplicate) === 1) admissions.duplicates += n;
    if (Number(row.outside_venue) === 1) admissions.outsideVenue += n;
    if (Number(row.revoked_revision) === 1) admissions.revokedRevisions += n;
  }

  // What the gates refused (the audit log), by reason.
  const refusalRows = await db
    .selectFrom('gate_decisions')
    .select((eb) => ['reason', eb.fn.countAll<number>().as('n')])
    .where('performance_id', '=', performanceId)
    .where('admitted', '=', 0)
    .groupBy('reason')
    .orderBy('reason')
    .execute();

  // Duplicates, each with the ticket's first admission.
  const duplicateRows = (await db
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
    .limit(reportListMax)
    .execute()) as (AdmissionRow & {
    number: string;
    category: string;
    section: string | null;
    row_label: string | null;
    seat_number: string | null;
  })[];
  const firsts = new Map<string, AdmissionRow>();
  const duplicateTickets = [...new Set(duplicateRows.map((row) => row.ticket_id))];
  for (let start = 0; start < duplicateTickets.length; start += 500) {
    const entries = (await db
      .selectFrom('admissions as a')
      .select(admissionColumns)
      .where('a.ticket_id', 'in', duplicateTickets.slice(start, start + 500))
      .where('a.direction', '=', 'entry')
      .where('a.duplicate', '=', 0)
      .orderBy('a.scanned_at')
      .orderBy('a.seq')
      .execute()) as AdmissionRow[];
    for (const entry of entries)
      if (!firsts.has(entry.ticket_id)) firsts.set(entry.ticket_id, entry);
  }
  const duplicates = duplicateRows.map((row) => {
    const first = firsts.get(row.ticket_id);
    return {
      ticketId: row.ticket_id,
      ticketNumber: row.number,
      category: row.category,
      seat: row.section ? `${row.section} ${row.row_label}-${row.seat_number}` : null,
      first: first ? scanOf(first) : null,
      duplicate: scanOf(row),
    };
  });

  // Scans outside the venue's radius, with their distance from it.
  const venue = {
    latitude: Number(performance.latitude),
    longitude: Number(performance.longitude),
  };
  const outsideRows = (await db
    .selectFrom('admissions as a')
    .innerJoin('tickets as t', 't.id', 'a.ticket_id')
    .select([...admissionColumns, 't.number'])
    .where('a.performance_id', '=', performanceId)
    .where('a.outside_venue', '=', 1)
    .orderBy('a.scanned_at')
    .orderBy('a.seq')
    .limit(reportListMax)
    .execute()) as (AdmissionRow & { number: string })[];
  const outside = outsideRows.map((row) => {
    const scan = scanOf(row);
    return {
      ticketId: row.ticket_id,
      ticketNumber: row.number,
      ...scan,
      distanceM:
        scan.latitude === null || scan.longitude === null
          ? null
          : Math.round(distanceM(venue, { latitude: scan.latitude, longitude: scan.longitude })),
    };
  });

  // Admissions per gate per quarter hour (by the terminal's scan time, UTC-aligned).
  const bucket = sql<number>`a.scanned_at / ${sql.lit(gateBucketMs)}`;
  const bucketRows = await db
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
  const cells = new Map<
    string,
    { gate: string; from: number; entries: number; exits: number; duplicates: number }
  >();
  for (const row of bucketRows) {
    const from = Math.floor(Number(row.bucket)) * gateBucketMs;
    const key = `${row.gate}\u0000${from}`;
    const cell = cells.get(key) ?? { gate: row.gate, from, entries: 0, exits: 0, duplicates: 0 };
    const n = count(row.n);
    if (row.direction === 'entry') cell.entries += n;
    else cell.exits += n;
    if (Number(row.duplicate) === 1) cell.duplicates += n;
    cells.set(key, cell);
  }
  const gates = [...cells.values()]
    .sort((a, b) => (a.gate === b.gate ? a.from - b.from : a.gate < b.gate ? -1 : 1))
    .map((cell) => ({
      gate: cell.gate,
      periodStart: iso(cell.from) as string,
      entries: cell.entries,
      exits: cell.exits,
      duplicates: cell.duplicates,
    }));

  // Revenue per asset: what the exchange confirmed paid for this performance's orders, and the
  // refunds owed against it (done: the exchange confirmed; pending or failed: not yet).
  const paid = new Totals();
  const paidRows = await db
    .selectFrom('orders')
    .select((eb) => ['asset', 'amount', eb.fn.countAll<number>().as('n')])
    .where('performance_id', '=', performanceId)
    .where('paid_at', 'is not', null)
    .groupBy(['asset', 'amount'])
    .execute();
  for (const row of paidRows) {
    paid.add(row.asset, BigInt(String(row.amount)) * BigInt(count(row.n)), count(row.n));
  }
  const refundsDone = new Totals();
  const refundsOwed = new Totals();
  const remainders = new Totals();
  const remaindersDone = new Totals();
  const refundRows = await db
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
  for (const row of refundRows) {
    const n = count(row.n);
    const units = BigInt(String(row.amount)) * BigInt(n);
    if (row.status === 'done') refundsDone.add(row.asset, units, n);
    else refundsOwed.add(row.asset, units, n);
    if (Number(row.remainder) === 1) {
      remainders.add(row.asset, units, n);
      if (row.status === 'done') remaindersDone.add(row.asset, units, n);
    }
  }
  const scales = new Map<string, number>();
  const scaleOf = async (asset: string) => {
    let scale = scales.get(asset);
    if (scale === undefined) {
      scale = (await ticketing.exchange.asset(asset)).scale;
      scales.set(asset, scale);
    }
    return scale;
  };
  const assets = [
    ...new Set([...paid.sums.keys(), ...refundsDone.sums.keys(), ...refundsOwed.sums.keys()]),
  ].sort();
  const revenue = [];
  for (const asset of assets) {
    const scale = await scaleOf(asset);
    revenue.push({
      asset,
      paid: formatAmount(paid.units(asset), scale),
      orders: paid.count(asset),
      refunded: formatAmount(refundsDone.units(asset), scale),
      refundsPending: formatAmount(refundsOwed.units(asset), scale),
      net: formatAmount(
        paid.units(asset) - refundsDone.units(asset) - refundsOwed.units(asset),
        scale,
      ),
    });
  }
  const exchange = await exchangeRevenue(ticketing, performance, scaleOf);
  const storedValueRefunds = [];
  for (const asset of [...remainders.sums.keys()].sort()) {
    const scale = await scaleOf(asset);
    storedValueRefunds.push({
      asset,
      amount: formatAmount(remainders.units(asset), scale),
      count: remainders.count(asset),
      done: remaindersDone.count(asset),
    });
  }

  return {
    performance: {
      id: performance.id,
      code: performance.code,
      eventId: performance.event_id,
      eventName: performance.event_name,
      status: performance.status,
      doorsAt: iso(performance.doors_at) as string,
      startsAt: iso(performance.starts_at) as string,
      endsAt: iso(performance.ends_at) as string,
      closedAt: iso(performance.closed_at),
      venue: {
        id: performance.venue_id,
        name: performance.venue_name,
        latitude: venue.latitude,
        longitude: venue.longitude,
        radiusM: Number(performance.radius_m),
      },
    },
    generatedAt: iso(ticketing.clock.now()) as string,
    tickets: {
      sold: count(sold.n),
      admitted: count(admitted.n),
      noShows: count(noShows.n),
    },
    admissions,
    refusals: refusalRows.map((row) => ({ reason: row.reason, count: count(row.n) })),
    duplicates: { total: admissions.duplicates, listed: duplicates },
    outsideVenue: { total: admissions.outsideVenue, listed: outside },
    gates,
    revenue,
    exchange,
    storedValueRefunds,
    terminals: standings,
  };
}

export type GateReport = Awaited<ReturnType<typeof gateReport>>;

// ---------------------------------------------------------------------------------------------
// CSV

export const gateReportTables = ['summary', 'gates', 'duplicates', 'outside'] as const;
export type GateReportTable = (typeof gateReportTables)[number];

/** One table of the report as RFC 4180 CSV (cells that look like formulas are defused). */
export function gateReportCsv(report: GateReport, table: GateReportTable): string {
  const lines: string[] = [];
  if (table === 'summary') {
    lines.push(csvLine(['metric', 'asset', 'value']));
    const metric = (name: string, value: string | number, asset = '') =>
      lines.push(csvLine([name, asset, value]));
    metric('tickets_sold', report.tickets.sold);
    metric('tickets_admitted', report.tickets.admitted);
    metric('no_shows', report.tickets.noShows);
    metric('entries', report.admissions.entries);
    metric('exits', report.admissions.exits);
    metric('online', report.admissions.online);
    metric('offline', report.admissions.offline);
    metric('duplicates', report.admissions.duplicates);
    metric('outside_venue', report.admissions.outsideVenue);
    for (const refusal of report.refusals) metric(`refused_${refusal.reason}`, refusal.count);
    for (const line of report.revenue) {
      metric('paid', line.paid, line.asset);
      metric('refunded', line.refunded, line.asset);
      metric('refunds_pending', line.refundsPending, line.asset);
      metric('net', line.net, line.asset);
    }
    metric('exchange_check', report.exchange.status);
    for (const line of report.exchange.revenue) {
      metric('exchange_paid', line.paid, line.asset);
      metric('exchange_refunded', line.refunded, line.asset);
      metric('exchange_net', line.net, line.asset);
    }
    metric('exchange_missing', report.exchange.missing.length);
    metric('exchange_mismatched', report.exchange.mismatched.length);
    for (const line of report.storedValueRefunds) {
      metric('stored_value_refunded', line.amount, line.asset);
      metric('stored_value_refunds', line.count, line.asset);
    }
  } else if (table === 'gates') {
    lines.push(csvLine(['gate', 'period_start', 'entries', 'exits', 'duplicates']));
    for (const cell of report.gates) {
      lines.push(csvLine([cell.gate, cell.periodStart, cell.entries, cell.exits, cell.duplicates]));
    }
  } else if (table === 'duplicates') {
    const scanColumns = (prefix: string) =>
      ['at', 'gate', 'terminal', 'source', 'latitude', 'longitude'].map((c) => `${prefix}_${c}`);
    const scanCells = (scan: Scan | null) =>
      scan
        ? [
            scan.at,
            scan.gate,
            scan.terminalName ?? scan.terminalId,
            scan.source,
            scan.latitude,
            scan.longitude,
          ]
        : ['', '', '', '', '', ''];
    lines.push(
      csvLine([
        'ticket_number',
        'category',
        'seat',
        ...scanColumns('first'),
        ...scanColumns('duplicate'),
      ]),
    );
    for (const row of report.duplicates.listed) {
      lines.push(
        csvLine([
          row.ticketNumber,
          row.category,
          row.seat,
          ...scanCells(row.first),
          ...scanCells(row.duplicate),
        ]),
      );
    }
  } else {
    lines.push(
      csvLine([
        'ticket_number',
        'at',
        'gate',
        'terminal',
        'source',
        'direction',
        'latitude',
        'longitude',
        'accuracy_m',
        'distance_m',
      ]),
    );
    for (const row of report.outsideVenue.listed) {
      lines.push(
        csvLine([
          row.ticketNumber,
          row.at,
          row.gate,
          row.terminalName ?? row.terminalId,
          row.source,
          row.direction,
          row.latitude,
          row.longitude,
          row.accuracyM,
          row.distanceM,
        ]),
      );
    }
  }
  return lines.join('');
}
