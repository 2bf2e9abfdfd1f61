/**
 * The event package (unit 408's offline data, claim 11): what a gate terminal downloads so that
 * it can verify tickets with no network. For the terminal's performances:
 *
 * - the organizer's active public keys, each scoped to those performances' codes (a keyring:
 *   one organizer's key never vouches for another's event);
 * - each performance (code, event, doors, start, end, status) and, per price category, the
 *   ticket terms a credential carries (kind, entries, re-entry, window, stored value);
 * - the revocation list (every revision of a ticket number up to `throughRevision` is void);
 * - seed 001's manual codes as salted PIN hashes (`manual-code-records.ts`);
 * - the admissions recorded so far (by every gate), so a terminal that loses the network still
 *   knows what the others admitted until then;
 * - the venue's position and radius, and the terminal's gate;
 * - per performance, what the gate may sell at the door (`door-sales.ts`).
 *
 * Keys, performances, terms and the venue are small and always sent whole. Revocations, manual
 * codes and admissions are sent as changes since an opaque cursor (`cursor.ts`), in pages: a
 * first download of a 50,000-seat event is five pages of 10,000 records of some 360 bytes
 * (gzipped by the route when the terminal accepts it).
 *
 * The cursor only moves past a change once it is `packageSettleMs` old. On PostgreSQL a
 * transaction can take a sequence number (or a timestamp) and commit after a later one has
 * committed; a reader that moved its cursor past the later one at once would skip the earlier
 * one for good. Rows that are younger than that are sent all the same, and sent again on the
 * next call, so the terminal applies every list idempotently (admissions by id, manual codes by
 * `ticketNumber`, revocations as a maximum per ticket). This is safe as long as a write
 * transaction lasts less than half of `packageSettleMs` from reading its clock to committing.
 */

import {
  type ManualCodeRecordJson,
  manualCodeRecordFromJson,
  type TicketKind,
} from '@tessera/protocol';
import type { Ticketing, Trx } from '../../context.ts';
import type { TerminalPrincipal } from '../../identity/service.ts';
import { liveTicketStatuses } from '../../tickets/service.ts';
import { recordTerminalContact } from '../repository.ts';
import {
  type CursorState,
  decodeCursor,
  encodeCursor,
  scopeOf,
  settledPosition,
} from './cursor.ts';
import { packageDoorSales } from './door-sales.ts';
import { fillManualCodeRecords, packageFillMax } from './manual-code-records.ts';
import {
  activeKeys,
  admissionsAfter,
  categoriesOfEvents,
  doorSaleSettingsOf,
  manualCodeRecordsAfter,
  organizerPerformances,
  type PackagePerformanceRow,
  revocationsAfter,
  venueById,
} from './repository.ts';

/** How old a change must be before a cursor moves past it (see the opening comment). */
export const packageSettleMs = 5_000;
/** Records per list and call: 10,000 manual codes are some 3.6 MB of JSON (0.7 MB gzipped). */
export const packageEntriesMax = 10_000;

export interface PackageCategory {
  id: string;
  name: string;
  kind: TicketKind;
  entriesAllowed: number;
  reentryAllowed: boolean;
  validFromS: number;
  validUntilS: number;
  /** Smallest units of `storedValueAsset`, decimal ("0" unless stored value). */
  storedValue: string;
  storedValueAsset: string | null;
  /** Decimals of that asset, to show and to convert what staff type. */
  storedValueScale: number | null;
}

/**
 * A manual code in the package: the protocol's JSON form of its record, and the ticket's price
 * category, which the credential does not carry: offline, the terminal names the category of a
 * ticket it identifies (by barcode or typed number) from this, as the server does online.
 */
export type PackageManualCode = ManualCodeRecordJson & { categoryId: string };

/** A package entry as the protocol's `verifyManualCode` lookup wants it. */
export const toManualCodeRecord = manualCodeRecordFromJson;

const seconds = (ms: number) => Math.floor(ms / 1000);
const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

/**
 * The event package for a terminal: everything when `since` is absent (or was made for another
 * terminal or another set of performances: `full` then tells the terminal to drop what it
 * holds), else what changed since. Records the terminal's contact and its count of admissions
 * not yet uploaded.
 */
export async function eventPackage(
  ticketing: Ticketing,
  terminal: TerminalPrincipal,
  options: {
    since?: string;
    pending?: number;
    /** Entries per list; smaller than `packageEntriesMax` only in tests of the paging. */
    pageSize?: number;
  } = {},
) {
  const pageSize = Math.max(1, Math.min(options.pageSize ?? packageEntriesMax, packageEntriesMax));
  const db = ticketing.database.db;
  const scope = scopeOf(terminal);
  const decoded = options.since === undefined ? undefined : decodeCursor(options.since);
  const full = decoded === undefined || decoded.scope !== scope;
  const from: CursorState = full
    ? { scope, revocationSeq: 0, admissionSeq: 0, manualCode: null }
    : (decoded as CursorState);

  const now = ticketing.clock.now();
  await recordTerminalContact(db, terminal.id, now, options.pending);
  const performances = await organizerPerformances(
    db,
    terminal.organizerId,
    terminal.performanceIds,
  );
  const performanceIds = performances.map((performance) => performance.id);
  const fill = await fillManualCodeRecords(ticketing, packageFillMax, performanceIds);
  // Read after the fill, so the records it just made are in this package.
  const horizon = ticketing.clock.now() - packageSettleMs;
  const venue = await venueById(db, terminal.venueId);
  const keys = await activeKeys(db, terminal.organizerId);
  const performanceViews = await performancesView(ticketing, performances);
  const changes = await changesSince(db, performanceIds, { ...from, scope }, pageSize, horizon);
  const codeOf = new Map(performances.map((performance) => [performance.id, performance.code]));

  return {
    packageVersion: 1,
    generatedAt: iso(now) as string,
    full,
    cursor: encodeCursor(changes.next),
    more: changes.more,
    terminal: { id: terminal.id, name: terminal.name, gate: terminal.gate },
    venue: {
      id: venue.id,
      name: venue.name,
      address: venue.address,
      latitude: Number(venue.latitude),
      longitude: Number(venue.longitude),
      radiusM: Number(venue.radius_m),
      timeZone: venue.time_zone,
    },
    keys: keys.map((key) => ({
      keyId: key.key_id,
      publicKey: key.public_key,
      status: key.status,
      // The keyring entry's scope (protocol KeyringEntry.eventIds).
      eventIds: performances.map((performance) => performance.code),
    })),
    performances: performanceViews,
    revocations: changes.revocations.map((row) => ({
      performanceCode: row.performance_code,
      ticketId: row.ticket_number,
      throughRevision: Number(row.through_revision),
      reason: row.reason,
    })),
    manualCodes: changes.manualCodes.map(manualCodeView),
    // False while some tickets have no manual-code record yet (a later call brings them).
    manualCodesComplete: !fill.more,
    admissions: changes.admissions.map((row) => ({
      id: row.id,
      performanceCode: codeOf.get(row.performance_id) as string,
      ticketId: row.number,
      revision: Number(row.revision),
      direction: row.direction,
      // Smallest units debited from a stored-value ticket.
      debit: String(row.debit),
      scannedAt: iso(Number(row.scanned_at)) as string,
      presentationTimeS: row.presentation_time === null ? null : Number(row.presentation_time),
      gate: row.gate,
      terminalId: row.terminal_id,
      duplicate: Number(row.duplicate) === 1,
    })),
  };
}

export type EventPackage = Awaited<ReturnType<typeof eventPackage>>;

/** Each performance with the terms of its price categories. */
async function performancesView(
  ticketing: Ticketing,
  performances: readonly PackagePerformanceRow[],
) {
  const eventIds = [...new Set(performances.map((performance) => performance.event_id))];
  const categoryRows = await categoriesOfEvents(ticketing.database.db, eventIds);
  const settings = await doorSaleSettingsOf(
    ticketing.database.db,
    performances.map((performance) => performance.id),
  );
  const settingsOf = new Map(settings.map((row) => [row.performance_id, row]));
  const scaleOf = async (asset: string | null) =>
    asset === null ? null : (await ticketing.exchange.asset(asset)).scale;
  const views = [];
  for (const performance of performances) {
    const categories: PackageCategory[] = [];
    for (const category of categoryRows) {
      if (category.event_id !== performance.event_id) continue;
      categories.push({
        id: category.id,
        name: category.name,
        kind: category.kind,
        entriesAllowed: category.entries_allowed,
        reentryAllowed: category.reentry_allowed === 1,
        validFromS: seconds(Number(category.valid_from ?? performance.doors_at)),
        validUntilS: seconds(Number(category.valid_until ?? performance.ends_at)),
        storedValue: String(category.stored_value),
        storedValueAsset: category.stored_value_asset,
        storedValueScale: await scaleOf(category.stored_value_asset),
      });
    }
    views.push({
      id: performance.id,
      code: performance.code,
      eventId: performance.event_id,
      eventName: performance.event_name,
      status: performance.status,
      doorsAt: iso(performance.doors_at) as string,
      startsAt: iso(performance.starts_at) as string,
      endsAt: iso(performance.ends_at) as string,
      closedAt: iso(performance.closed_at),
      categories,
      doorSales: packageDoorSales(
        settingsOf.get(performance.id),
        categories.map((category) => category.id),
        Number(performance.per_order_limit),
      ),
    });
  }
  return views;
}

/**
 * A page of each list after the cursor `from`, and the cursor past what has settled (older than
 * `horizon`); `more` when a settled page was full.
 */
async function changesSince(
  db: Trx,
  performanceIds: readonly string[],
  from: CursorState,
  pageSize: number,
  horizon: number,
) {
  let more = false;
  const next: CursorState = { ...from };
  const revocations = await revocationsAfter(db, performanceIds, from.revocationSeq, pageSize);
  {
    const settled = settledPosition(revocations, (row) => Number(row.created_at), horizon);
    if (settled.last) next.revocationSeq = Number(settled.last.seq);
    if (settled.complete && revocations.length === pageSize) more = true;
  }
  const admissions = await admissionsAfter(db, performanceIds, from.admissionSeq, pageSize);
  {
    const settled = settledPosition(admissions, (row) => Number(row.recorded_at), horizon);
    if (settled.last) next.admissionSeq = Number(settled.last.seq);
    if (settled.complete && admissions.length === pageSize) more = true;
  }
  const manualCodes = await manualCodeRecordsAfter(
    db,
    liveTicketStatuses,
    performanceIds,
    from.manualCode,
    pageSize,
  );
  {
    const settled = settledPosition(manualCodes, (row) => Number(row.created_at), horizon);
    if (settled.last) {
      next.manualCode = { at: Number(settled.last.created_at), ticketId: settled.last.ticket_id };
    }
    if (settled.complete && manualCodes.length === pageSize) more = true;
  }
  return { revocations, admissions, manualCodes, next, more };
}

function manualCodeView(
  row: Awaited<ReturnType<typeof manualCodeRecordsAfter>>[number],
): PackageManualCode {
  return {
    ticketNumber: row.manual_number,
    performanceCode: row.performance_code,
    ticketId: row.number,
    revision: Number(row.revision),
    kind: row.kind,
    entriesAllowed: Number(row.entries_allowed),
    reentryAllowed: Number(row.reentry_allowed) === 1,
    validFromS: seconds(Number(row.valid_from ?? row.doors_at)),
    validUntilS: seconds(Number(row.valid_until ?? row.ends_at)),
    storedValue: String(row.stored_value),
    salt: row.salt,
    iterations: Number(row.iterations),
    pinHash: row.pin_hash,
    categoryId: row.category_id,
  };
}
