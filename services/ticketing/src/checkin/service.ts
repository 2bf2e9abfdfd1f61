/**
 * The check-in dashboard's reads (issue 20 items 2 and 3): the snapshot a dashboard opens on, the
 * admission log searched, and one ticket's history. The snapshot counts the admissions up to one
 * sequence number (`lastSeq`) and the live feed (live.ts) sends those after it, so a dashboard
 * that adds what the feed sends to the snapshot counts each admission once. Its figures are the
 * gate report's (reports/gate/), tallied with the same pure steps from one grouped read.
 */
import { formatAmount } from '@tessera/service-kit/amounts';
import { ApiError, badRequest, notFound } from '@tessera/service-kit/errors';
import { iso } from '@tessera/service-kit/schemas';
import type { Ticketing } from '../context.ts';
import type { Principal } from '../identity/service.ts';
import { requireStaff } from '../organizers/staff.ts';
import { type ReportPerformance, terminalsOf } from '../reports/gate/report.ts';
import { refusalCounts, ticketCounts } from '../reports/gate/repository.ts';
import { tallyAdmissions } from '../reports/gate/tally.ts';
import { normalizePhone } from '../reports/orders.ts';
import { AssetTotals, assetScales } from '../reports/totals.ts';
import { fixOutsideVenue } from '../terminals/view.ts';
import { liveAdmissionOfRow } from './live.ts';
import {
  type AdmissionCell,
  admissionCells,
  debitsByAsset,
  type HistoryTicket,
  historyTicket,
  type LogFilter,
  lastFixesOf,
  lastSeqOf,
  logRows,
  newestAdmissions,
  positionedAdmissions,
  reportedFixesOf,
  ticketsInside,
  venueTimeZone,
} from './repository.ts';
import { logPageDefault, logPageMax } from './schemas.ts';
import { historyEvents, logEntryOf } from './views.ts';

export const recentMax = 100;
export const flaggedMax = 200;
export const pointsMax = 20_000;

const isoOf = (ms: number) => iso(ms) as string;

/** The dashboard of a performance as it stands, up to its last admission (`lastSeq`). */
export async function checkinSnapshot(ticketing: Ticketing, performance: ReportPerformance) {
  const db = ticketing.database.db;
  // Read first: every count below stops at it, and the feed resumes after it.
  const lastSeq = await lastSeqOf(db, performance.id);
  const cells = await admissionCells(db, performance.id, lastSeq);
  const kinds = tallyAdmissions(cells.map((cell) => ({ ...cell, revokedRevision: false })));
  const tickets = await ticketsInside(db, performance.id, lastSeq);
  const { sold } = await ticketCounts(db, performance.id);
  const recent = await newestAdmissions(db, performance.id, lastSeq, {
    flaggedOnly: false,
    limit: recentMax,
  });
  const flagged = await newestAdmissions(db, performance.id, lastSeq, {
    flaggedOnly: true,
    limit: flaggedMax,
  });
  return {
    performance: {
      id: performance.id,
      code: performance.code,
      eventId: performance.event_id,
      eventName: performance.event_name,
      status: performance.status,
      doorsAt: isoOf(performance.doors_at),
      startsAt: isoOf(performance.starts_at),
      endsAt: isoOf(performance.ends_at),
      venue: {
        id: performance.venue_id,
        name: performance.venue_name,
        timeZone: await venueTimeZone(db, performance.venue_id),
        latitude: Number(performance.latitude),
        longitude: Number(performance.longitude),
        radiusM: Number(performance.radius_m),
      },
    },
    generatedAt: isoOf(ticketing.clock.now()),
    lastSeq,
    expected: sold,
    admitted: tickets.admitted,
    inside: tickets.inside,
    entries: kinds.entries,
    exits: kinds.exits,
    duplicates: kinds.duplicates,
    outsideVenue: kinds.outsideVenue,
    online: kinds.online,
    offline: kinds.offline,
    storedValueDebits: await storedValueDebits(ticketing, performance.id, lastSeq),
    refusals: await refusalCounts(db, performance.id),
    perMinute: perMinute(cells),
    gates: perGate(cells),
    terminals: await terminalsWithFixes(ticketing, performance),
    recent: recent.map(liveAdmissionOfRow),
    flagged: flagged.map(liveAdmissionOfRow),
    points: await positionedAdmissions(db, performance.id, lastSeq, pointsMax),
  };
}

type Snapshot = Awaited<ReturnType<typeof checkinSnapshot>>;

/** The longest a caller may accept a snapshot made for another (the route's `maxAgeMs`). */
export const snapshotShareMaxMs = 5_000;
const shared = new WeakMap<
  Ticketing,
  Map<string, { madeAt: number; snapshot: Promise<Snapshot> }>
>();

/**
 * The snapshot, or one this instance made for the same performance at most `maxAgeMs` ago (or is
 * making now). Twenty open dashboards re-read the snapshot about once a second between them, and
 * a whole snapshot reads every admission of the performance: sharing it keeps that cost off the
 * gates' admissions. A slightly older snapshot loses nothing: the dashboard resumes the live feed
 * after its `lastSeq`, and the replay brings what came since. The age is the server's own
 * monotonic time, not the business clock: this is about load.
 */
export function sharedSnapshot(
  ticketing: Ticketing,
  performance: ReportPerformance,
  maxAgeMs: number,
): Promise<Snapshot> {
  if (maxAgeMs <= 0) return checkinSnapshot(ticketing, performance);
  let byPerformance = shared.get(ticketing);
  if (!byPerformance) {
    byPerformance = new Map();
    shared.set(ticketing, byPerformance);
  }
  const now = globalThis.performance.now();
  const kept = byPerformance.get(performance.id);
  if (kept && now - kept.madeAt <= maxAgeMs) return kept.snapshot;
  // Entries of performances no longer watched go as new ones are made.
  for (const [id, entry] of byPerformance) {
    if (now - entry.madeAt > snapshotShareMaxMs) byPerformance.delete(id);
  }
  const snapshot = checkinSnapshot(ticketing, performance);
  const entry = { madeAt: now, snapshot };
  byPerformance.set(performance.id, entry);
  // A failed read is not shared: the next caller tries again.
  snapshot.catch(() => {
    if (byPerformance.get(performance.id) === entry) byPerformance.delete(performance.id);
  });
  return snapshot;
}

/** Stored value debited at the gates, per asset, in whole units. */
async function storedValueDebits(ticketing: Ticketing, performanceId: string, lastSeq: number) {
  const totals = new AssetTotals();
  for (const row of await debitsByAsset(ticketing.database.db, performanceId, lastSeq)) {
    totals.add(row.asset, row.amount * BigInt(row.n), row.n);
  }
  const scaleOf = assetScales(ticketing);
  const lines = [];
  for (const asset of totals.assets()) {
    lines.push({ asset, amount: formatAmount(totals.units(asset), await scaleOf(asset)) });
  }
  return lines;
}

/** Entries and exits per minute (of the scan time) and gate, by minute then gate. */
export function perMinute(cells: readonly AdmissionCell[]) {
  const minutes = new Map<
    string,
    { minute: number; gate: string; entries: number; exits: number }
  >();
  for (const cell of cells) {
    const key = `${cell.minute}\u0000${cell.gate}`;
    const line = minutes.get(key) ?? { minute: cell.minute, gate: cell.gate, entries: 0, exits: 0 };
    if (cell.direction === 'entry') line.entries += cell.n;
    else line.exits += cell.n;
    minutes.set(key, line);
  }
  return [...minutes.values()]
    .sort((a, b) => a.minute - b.minute || (a.gate < b.gate ? -1 : a.gate > b.gate ? 1 : 0))
    .map((line) => ({ ...line, minute: isoOf(line.minute) }));
}

/** Entries, exits, duplicates and scans outside the venue per gate, by gate. */
export function perGate(cells: readonly AdmissionCell[]) {
  const gates = new Map<
    string,
    { gate: string; entries: number; exits: number; duplicates: number; outsideVenue: number }
  >();
  for (const cell of cells) {
    const line = gates.get(cell.gate) ?? {
      gate: cell.gate,
      entries: 0,
      exits: 0,
      duplicates: 0,
      outsideVenue: 0,
    };
    if (cell.direction === 'entry') line.entries += cell.n;
    else line.exits += cell.n;
    if (cell.duplicate) line.duplicates += cell.n;
    if (cell.outsideVenue) line.outsideVenue += cell.n;
    gates.set(cell.gate, line);
  }
  return [...gates.values()].sort((a, b) => (a.gate < b.gate ? -1 : a.gate > b.gate ? 1 : 0));
}

/**
 * The performance's terminals (as the gate report lists them), each with its last position: the
 * newer of its last positioned admission and the fix it last reported with a call (a gate that
 * scans nothing still says where it stands), judged against the geofence as admissions are.
 */
async function terminalsWithFixes(ticketing: Ticketing, performance: ReportPerformance) {
  const db = ticketing.database.db;
  const standings = await terminalsOf(ticketing, performance);
  const reported = await reportedFixesOf(
    db,
    standings.map((terminal) => terminal.id),
  );
  const venue = {
    latitude: Number(performance.latitude),
    longitude: Number(performance.longitude),
    radiusM: Number(performance.radius_m),
  };
  const scannedFixes = await lastFixesOf(
    db,
    performance.id,
    standings.map((terminal) => terminal.id),
  );
  const terminals = [];
  for (const terminal of standings) {
    const scanned = scannedFixes.get(terminal.id);
    const told = reported.get(terminal.id);
    const fix = told && (!scanned || told.at > scanned.at) ? told : scanned;
    terminals.push({
      id: terminal.id,
      name: terminal.name,
      gate: terminal.gate,
      revokedAt: terminal.revokedAt,
      lastSeenAt: terminal.lastSeenAt,
      pendingUploads: terminal.pendingUploads,
      lastFix: fix
        ? {
            latitude: fix.latitude,
            longitude: fix.longitude,
            accuracyM: fix.accuracyM,
            at: isoOf(fix.at),
          }
        : null,
      outsideVenue: fixOutsideVenue(fix ?? null, venue) ?? false,
    });
  }
  return terminals;
}

// ---------------------------------------------------------------------------------------------
// The admission log

export interface LogQuery {
  q?: string;
  gate?: string;
  decision?: LogFilter['decision'];
  from?: string;
  to?: string;
  cursor?: string;
  limit?: number;
}

/**
 * What a search text can mean: the 8-character ticket number the credential carries, the 10
 * digits of the manual code, or a phone number as people type it; several readings are searched
 * together (ten digits are both a manual number and a phone number).
 */
export function logSearchTerms(text: string): NonNullable<LogFilter['search']> {
  const trimmed = text.trim();
  const lower = trimmed.toLowerCase();
  const ticketNumber = /^[0-9a-z]{8}$/.test(lower) ? lower : undefined;
  const digits = trimmed.replace(/[\s.-]/g, '');
  const manualNumber = /^[0-9]{10}$/.test(digits) ? digits : undefined;
  const phone = /^[+0-9\s().-]+$/.test(trimmed) ? normalizePhone(trimmed) : undefined;
  if (ticketNumber === undefined && manualNumber === undefined && phone === undefined) {
    throw badRequest('invalid_request', 'q must be a ticket number or a phone number');
  }
  return {
    ...(ticketNumber !== undefined ? { ticketNumber } : {}),
    ...(manualNumber !== undefined ? { manualNumber } : {}),
    ...(phone !== undefined ? { phone } : {}),
  };
}

function instantOf(text: string, name: string) {
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) throw badRequest('invalid_request', `${name} must be an ISO 8601 time`);
  return ms;
}

/** One page of the performance's admission log, newest first. */
export async function admissionLog(
  ticketing: Ticketing,
  performance: ReportPerformance,
  query: LogQuery,
) {
  const limit = Math.max(1, Math.min(query.limit ?? logPageDefault, logPageMax));
  const filter: LogFilter = {
    performanceId: performance.id,
    ...(query.q !== undefined ? { search: logSearchTerms(query.q) } : {}),
    ...(query.gate !== undefined ? { gate: query.gate } : {}),
    ...(query.decision !== undefined ? { decision: query.decision } : {}),
    ...(query.from !== undefined ? { from: instantOf(query.from, 'from') } : {}),
    ...(query.to !== undefined ? { to: instantOf(query.to, 'to') } : {}),
    ...(query.cursor !== undefined ? { before: Number(query.cursor) } : {}),
  };
  // One more than the page tells whether another page follows.
  const rows = await logRows(ticketing.database.db, filter, limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    entries: page.map(logEntryOf),
    next: rows.length > limit && last ? String(last.seq) : null,
  };
}

// ---------------------------------------------------------------------------------------------
// One ticket's history

/** The ticket if the caller may read sales at its organizer; everyone else learns nothing. */
export async function requireTicketStaff(
  ticketing: Ticketing,
  principal: Principal | undefined,
  ticketId: string,
): Promise<HistoryTicket> {
  const ticket = await historyTicket(ticketing.database.db, ticketId);
  if (!ticket) throw notFound('ticket');
  try {
    await requireStaff(ticketing, principal, ticket.organizer_id, 'view_sales');
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) throw notFound('ticket');
    throw error;
  }
  return ticket;
}

/** The ticket as it stands and everything that happened to it, in time order. */
export async function ticketHistory(ticketing: Ticketing, ticket: HistoryTicket) {
  return {
    ticket: {
      id: ticket.id,
      number: ticket.number,
      performanceId: ticket.performance_id,
      eventName: ticket.event_name,
      category: ticket.category,
      seat: ticket.section ? `${ticket.section} ${ticket.row_label}-${ticket.seat_number}` : null,
      status: ticket.status,
      holderPhone: ticket.holder_phone || null,
      revision: ticket.revision,
    },
    events: await historyEvents(ticketing.database.db, ticket),
  };
}
