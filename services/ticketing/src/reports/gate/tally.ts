/**
 * The gate report's pure steps: what the repository read, counted and shaped as the report tells
 * it. A scan as the report shows it; each terminal's standing at the close; admissions by kind,
 * per gate per period; duplicates beside their ticket's first entry; scans outside the venue
 * with their distance from it; paid orders and refunds per asset. Unit-tested in tally.test.ts.
 */
import { distanceM } from '../../admission/geometry.ts';
import { AssetTotals } from '../totals.ts';
import type { AdmissionScan, DuplicateScan, GatePeriodCount, VenueTerminal } from './repository.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

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

/** How the report shows an admission, with its terminal's name when known. */
export function scanView(terminalNames: ReadonlyMap<string, string>) {
  return (row: AdmissionScan): Scan => ({
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
}

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
 * Whether a terminal has delivered everything: only a contact after the close (`closedAt`, null
 * while open) proves it holds nothing more.
 */
export function standingOf(terminal: VenueTerminal, closedAt: number | null): TerminalStanding {
  const lastSeen = terminal.lastSeenAt;
  let outstanding: TerminalStanding['outstanding'] = null;
  if (terminal.revokedAt !== null) outstanding = 'revoked_with_unsent';
  else if (terminal.pendingUploads > 0) outstanding = 'pending_uploads';
  else if (closedAt !== null && (lastSeen === null || lastSeen < closedAt)) {
    outstanding = 'not_seen_since_close';
  }
  return {
    id: terminal.id,
    name: terminal.name,
    gate: terminal.gate,
    lastSeenAt: iso(lastSeen),
    revokedAt: iso(terminal.revokedAt),
    pendingUploads: terminal.pendingUploads,
    outstanding,
  };
}

/** Admissions by kind, from their counts per direction, source and flags. */
export function tallyAdmissions(
  kinds: readonly {
    direction: 'entry' | 'exit';
    source: 'online' | 'offline';
    duplicate: boolean;
    outsideVenue: boolean;
    revokedRevision: boolean;
    n: number;
  }[],
) {
  const admissions = {
    entries: 0,
    exits: 0,
    online: 0,
    offline: 0,
    duplicates: 0,
    outsideVenue: 0,
    revokedRevisions: 0,
  };
  for (const kind of kinds) {
    if (kind.direction === 'entry') admissions.entries += kind.n;
    else admissions.exits += kind.n;
    if (kind.source === 'online') admissions.online += kind.n;
    else admissions.offline += kind.n;
    if (kind.duplicate) admissions.duplicates += kind.n;
    if (kind.outsideVenue) admissions.outsideVenue += kind.n;
    if (kind.revokedRevision) admissions.revokedRevisions += kind.n;
  }
  return admissions;
}

/** Each duplicate with its ticket and seat, beside the ticket's first entry (if any). */
export function pairDuplicates(
  rows: readonly DuplicateScan[],
  firsts: ReadonlyMap<string, AdmissionScan>,
  scanOf: (row: AdmissionScan) => Scan,
) {
  return rows.map((row) => {
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
}

/** Scans outside the venue, each with its distance from the venue in whole metres. */
export function outsideList(
  rows: readonly (AdmissionScan & { number: string })[],
  venue: { latitude: number; longitude: number },
  scanOf: (row: AdmissionScan) => Scan,
) {
  return rows.map((row) => {
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
}

/** Entries, exits and duplicates per gate per period, by gate then period. */
export function perGatePeriod(counts: readonly GatePeriodCount[]) {
  const cells = new Map<
    string,
    { gate: string; from: number; entries: number; exits: number; duplicates: number }
  >();
  for (const row of counts) {
    const key = `${row.gate}\u0000${row.from}`;
    const cell = cells.get(key) ?? {
      gate: row.gate,
      from: row.from,
      entries: 0,
      exits: 0,
      duplicates: 0,
    };
    if (row.direction === 'entry') cell.entries += row.n;
    else cell.exits += row.n;
    if (row.duplicate) cell.duplicates += row.n;
    cells.set(key, cell);
  }
  return [...cells.values()]
    .sort((a, b) => (a.gate === b.gate ? a.from - b.from : a.gate < b.gate ? -1 : 1))
    .map((cell) => ({
      gate: cell.gate,
      periodStart: iso(cell.from) as string,
      entries: cell.entries,
      exits: cell.exits,
      duplicates: cell.duplicates,
    }));
}

/** What the paid orders brought in, per asset (the amounts are per order, `n` orders each). */
export function tallyPaid(rows: readonly { asset: string; amount: bigint; n: number }[]) {
  const paid = new AssetTotals();
  for (const row of rows) paid.add(row.asset, row.amount * BigInt(row.n), row.n);
  return paid;
}

/**
 * Refunds per asset: done (the exchange confirmed) or owed (pending or failed), and of them the
 * stored-value remainders, all and done.
 */
export function tallyRefunds(
  rows: readonly { asset: string; amount: bigint; status: string; remainder: boolean; n: number }[],
) {
  const refunds = {
    done: new AssetTotals(),
    owed: new AssetTotals(),
    remainders: new AssetTotals(),
    remaindersDone: new AssetTotals(),
  };
  for (const row of rows) {
    const units = row.amount * BigInt(row.n);
    if (row.status === 'done') refunds.done.add(row.asset, units, row.n);
    else refunds.owed.add(row.asset, units, row.n);
    if (row.remainder) {
      refunds.remainders.add(row.asset, units, row.n);
      if (row.status === 'done') refunds.remaindersDone.add(row.asset, units, row.n);
    }
  }
  return refunds;
}
