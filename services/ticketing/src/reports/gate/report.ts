/**
 * The gate reconciliation report of one performance (the patent's end-of-event collection):
 * sales against admissions, duplicates with both scans, scans outside the venue, admissions per
 * gate per quarter hour, revenue per asset against the exchange's, the stored-value refunds and
 * the terminals' standing. It is a pipeline of named steps: each reads through the repository
 * and shapes what it read with the pure steps of tally.ts. Who may read it: the organizer's
 * staff, or a terminal of the performance (at the end of the event, on the gate app).
 *
 * Amounts are summed as bigint in code, never in SQL (see ../totals.ts).
 */
import { formatAmount } from '@tessera/service-kit/amounts';
import { ApiError, notFound } from '@tessera/service-kit/errors';
import type { Ticketing, Trx } from '../../context.ts';
import type { Principal, TerminalPrincipal } from '../../identity/service.ts';
import { type Permission, requireStaff } from '../../organizers/staff.ts';
import { assetScales, type ScaleOf } from '../totals.ts';
import { exchangeRevenue } from './exchange.ts';
import {
  admissionKinds,
  admissionsPerGatePeriod,
  duplicateScans,
  firstEntriesOf,
  paidOrderAmounts,
  type ReportPerformance,
  refundsByKind,
  refusalCounts,
  reportPerformance,
  scansOutsideVenue,
  terminalNamesOf,
  terminalsAtVenue,
  ticketCounts,
} from './repository.ts';
import {
  outsideList,
  pairDuplicates,
  perGatePeriod,
  type Scan,
  scanView,
  standingOf,
  type TerminalStanding,
  tallyAdmissions,
  tallyPaid,
  tallyRefunds,
} from './tally.ts';

export type { ReportPerformance, Scan, TerminalStanding };

/** The report's time buckets: admissions per gate per quarter hour. */
export const gateBucketMs = 15 * 60_000;
/** Duplicates and scans outside the venue listed one by one (all are counted). */
export const reportListMax = 5_000;

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

/**
 * The performance if the caller has `permission` at its organizer; staff of other organizers
 * and strangers learn only that there is no such performance.
 */
export async function requirePerformanceStaff(
  ticketing: Ticketing,
  principal: Principal | undefined,
  performanceId: string,
  permission: Permission,
): Promise<ReportPerformance> {
  const performance = await reportPerformance(ticketing.database.db, performanceId);
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
): Promise<ReportPerformance> {
  const performance = terminal.performanceIds.includes(performanceId)
    ? await reportPerformance(ticketing.database.db, performanceId)
    : undefined;
  if (!performance || performance.organizer_id !== terminal.organizerId) {
    throw notFound('performance');
  }
  return performance;
}

/**
 * The terminals enrolled for this performance and whether each has delivered: the live ones,
 * and the revoked ones that still held admissions when last heard from.
 */
export async function terminalsOf(
  ticketing: Ticketing,
  performance: ReportPerformance,
): Promise<TerminalStanding[]> {
  const terminals = await terminalsAtVenue(
    ticketing.database.db,
    performance.organizer_id,
    performance.venue_id,
  );
  const closedAt = performance.closed_at === null ? null : Number(performance.closed_at);
  return terminals
    .filter((terminal) => terminal.performanceIds.includes(performance.id))
    .map((terminal) => standingOf(terminal, closedAt));
}

/**
 * The reconciliation report of one performance, step by step (each step's reads in the order
 * the report has always made them). `terminals`: the standings the caller already has (the
 * close reads them first).
 */
export async function gateReport(
  ticketing: Ticketing,
  performance: ReportPerformance,
  terminals?: TerminalStanding[],
) {
  const db = ticketing.database.db;
  const standings = terminals ?? (await terminalsOf(ticketing, performance));
  const scanOf = scanView(await terminalNamesOf(db, performance.organizer_id));
  const tickets = await ticketCounts(db, performance.id);
  const admissions = tallyAdmissions(await admissionKinds(db, performance.id));
  const refusals = await refusalCounts(db, performance.id);
  const duplicates = await duplicatesOf(db, performance.id, scanOf);
  const venue = {
    latitude: Number(performance.latitude),
    longitude: Number(performance.longitude),
  };
  const outside = outsideList(
    await scansOutsideVenue(db, performance.id, reportListMax),
    venue,
    scanOf,
  );
  const gates = perGatePeriod(await admissionsPerGatePeriod(db, performance.id, gateBucketMs));
  const money = await moneyOf(ticketing, performance);
  return {
    performance: performanceView(performance, venue),
    generatedAt: iso(ticketing.clock.now()) as string,
    tickets,
    admissions,
    refusals,
    duplicates: { total: admissions.duplicates, listed: duplicates },
    outsideVenue: { total: admissions.outsideVenue, listed: outside },
    gates,
    ...money,
    terminals: standings,
  };
}

export type GateReport = Awaited<ReturnType<typeof gateReport>>;

/** Duplicates (at most `reportListMax`, oldest first), each with its ticket's first entry. */
async function duplicatesOf(db: Trx, performanceId: string, scanOf: ReturnType<typeof scanView>) {
  const rows = await duplicateScans(db, performanceId, reportListMax);
  const firsts = await firstEntriesOf(db, [...new Set(rows.map((row) => row.ticket_id))]);
  return pairDuplicates(rows, firsts, scanOf);
}

/**
 * Revenue per asset: what the exchange confirmed paid for this performance's orders, and the
 * refunds owed against it (done: the exchange confirmed; pending or failed: not yet); the same
 * read back from the exchange; and the stored-value remainders refunded.
 */
async function moneyOf(ticketing: Ticketing, performance: ReportPerformance) {
  const db = ticketing.database.db;
  const paid = tallyPaid(await paidOrderAmounts(db, performance.id));
  const refunds = tallyRefunds(await refundsByKind(db, performance.id));
  const scaleOf = assetScales(ticketing);
  const assets = [
    ...new Set([...paid.assets(), ...refunds.done.assets(), ...refunds.owed.assets()]),
  ].sort();
  const revenue = [];
  for (const asset of assets) {
    const scale = await scaleOf(asset);
    const net = paid.units(asset) - refunds.done.units(asset) - refunds.owed.units(asset);
    revenue.push({
      asset,
      paid: formatAmount(paid.units(asset), scale),
      orders: paid.countOf(asset),
      refunded: formatAmount(refunds.done.units(asset), scale),
      refundsPending: formatAmount(refunds.owed.units(asset), scale),
      net: formatAmount(net, scale),
    });
  }
  const exchange = await exchangeRevenue(ticketing, performance, scaleOf);
  const storedValueRefunds = await storedValueView(refunds, scaleOf);
  return { revenue, exchange, storedValueRefunds };
}

async function storedValueView(refunds: ReturnType<typeof tallyRefunds>, scaleOf: ScaleOf) {
  const lines = [];
  for (const asset of refunds.remainders.assets()) {
    const scale = await scaleOf(asset);
    lines.push({
      asset,
      amount: formatAmount(refunds.remainders.units(asset), scale),
      count: refunds.remainders.countOf(asset),
      done: refunds.remaindersDone.countOf(asset),
    });
  }
  return lines;
}

function performanceView(
  performance: ReportPerformance,
  venue: { latitude: number; longitude: number },
) {
  return {
    id: performance.id,
    code: performance.code,
    eventId: performance.event_id,
    eventName: performance.event_name,
    status: performance.status,
    doorsAt: iso(performance.doors_at) as string,
    startsAt: iso(performance.starts_at) as string,
    endsAt: iso(performance.ends_at) as string,
    closedAt: iso(performance.closed_at),
    closedBy: performance.closed_by,
    closeReason: performance.close_reason,
    forcedAt: iso(performance.forced_at),
    forcedBy: performance.forced_by,
    forcedReason: performance.forced_reason,
    venue: {
      id: performance.venue_id,
      name: performance.venue_name,
      latitude: venue.latitude,
      longitude: venue.longitude,
      radiusM: Number(performance.radius_m),
    },
  };
}
