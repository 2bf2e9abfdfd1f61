/**
 * The event package (unit 408's offline data, claim 11): what a gate terminal downloads so that
 * it can verify tickets with no network. For the terminal's performances:
 *
 * - the organizer's active public keys, each scoped to those performances' codes (a keyring:
 *   one organizer's key never vouches for another's event);
 * - each performance (code, event, doors, start, end, status) and, per price category, the
 *   ticket terms a credential carries (kind, entries, re-entry, window, stored value);
 * - the revocation list (every revision of a ticket number up to `throughRevision` is void);
 * - seed 001's manual codes as salted PIN hashes (`ManualCodeRecord`s of the protocol), so a
 *   typed ticket number and PIN can be checked offline without the PIN ever leaving the server;
 * - the admissions recorded so far (by every gate), so a terminal that loses the network still
 *   knows what the others admitted until then;
 * - the venue's position and radius, and the terminal's gate.
 *
 * Keys, performances, terms and the venue are small and always sent whole. Revocations, manual
 * codes and admissions are sent as changes since an opaque cursor, in pages: a first download
 * of a 50,000-seat event is five pages of 10,000 records of some 360 bytes (gzipped by the
 * route when the terminal accepts it).
 *
 * The cursor only moves past a change once it is `packageSettleMs` old. On PostgreSQL a
 * transaction can take a sequence number (or a timestamp) and commit after a later one has
 * committed; a reader that moved its cursor past the later one at once would skip the earlier
 * one for good. Rows that are younger than that are sent all the same, and sent again on the
 * next call, so the terminal applies every list idempotently (admissions by id, manual codes by
 * manual number, revocations as a maximum per ticket). This is safe as long as a write
 * transaction lasts less than half of `packageSettleMs` from reading its clock to committing.
 *
 * Manual-code records cost a PBKDF2 each (about 8 ms at the protocol's 20,000 iterations), far
 * too slow for the purchase path. They are made afterwards by `fillManualCodeRecords`: the
 * reconciliation worker fills them for performances whose doors open within two days, and the
 * package route fills up to `packageFillMax` missing ones of its performances before answering.
 * A ticket whose revision changed (transfer, reissue) gets a new record; the old revision is
 * revoked anyway.
 */

import { createHash } from 'node:crypto';
import {
  type ManualCodeRecord,
  type ManualCodeRecordJson,
  manualCodeRecordFromJson,
  type TicketKind,
  toHex,
} from '@tessera/protocol';
import { badRequest } from '@tessera/service-kit/errors';
import type { Ticketing, Trx } from '../context.ts';
import type { TerminalPrincipal } from '../identity/service.ts';
import { openPin } from '../organizers/keys.ts';
import { type TicketTermsSource, termsSource, ticketTerms } from '../tickets/issuance.ts';
import { liveTicketStatuses } from '../tickets/service.ts';

/** How old a change must be before a cursor moves past it (see the opening comment). */
export const packageSettleMs = 5_000;
/** Records per list and call: 10,000 manual codes are some 3.6 MB of JSON (0.7 MB gzipped). */
export const packageEntriesMax = 10_000;
/** Manual-code records the package route makes before answering: about a second of PBKDF2. */
export const packageFillMax = 200;
/** Manual-code records the reconciliation worker makes per round. */
export const workerFillMax = 200;
/**
 * The worker fills performances whose doors open within this time. Far enough ahead for 50,000
 * records at one core (some 7 minutes), and late enough that the hashing never competes with an
 * on-sale weeks before the event; a terminal that syncs earlier fills its own.
 */
export const workerFillHorizonMs = 2 * 86_400_000;
/**
 * PBKDF2s run at once (node:crypto runs them on libuv's thread pool). The package route, with a
 * terminal waiting, uses two cores; the worker one, leaving the other to buyers.
 */
const routeFillParallel = 2;
const workerFillParallel = 1;
/** Records written per statement: a few commits per fill rather than one per ticket. */
const storeBatchSize = 50;

// ---------------------------------------------------------------------------------------------
// Manual-code records

interface MissingRecord {
  id: string;
  number: string;
  manual_number: string;
  pin: string;
  revision: number;
  performance_id: string;
  category_id: string;
}

/** Live tickets without a record at their current revision, soonest performance first. */
async function missingRecords(
  ticketing: Ticketing,
  limit: number,
  performanceIds: readonly string[] | undefined,
): Promise<MissingRecord[]> {
  let query = ticketing.database.db
    .selectFrom('tickets as t')
    .innerJoin('performances as p', 'p.id', 't.performance_id')
    .leftJoin('manual_code_records as m', 'm.ticket_id', 't.id')
    .select([
      't.id',
      't.number',
      't.manual_number',
      't.pin',
      't.revision',
      't.performance_id',
      't.category_id',
    ])
    .where('t.status', 'in', liveTicketStatuses)
    .where((eb) =>
      eb.or([eb('m.ticket_id', 'is', null), eb('m.revision', '<>', eb.ref('t.revision'))]),
    );
  if (performanceIds) {
    if (performanceIds.length === 0) return [];
    query = query.where('t.performance_id', 'in', performanceIds);
  } else {
    // The worker: performances a terminal may soon check, the soonest first.
    const now = ticketing.clock.now();
    query = query
      .where('p.status', '=', 'scheduled')
      .where('p.ends_at', '>', now)
      .where('p.doors_at', '<=', now + workerFillHorizonMs);
  }
  return query.orderBy('p.starts_at').orderBy('t.id').limit(limit).execute();
}

/**
 * Upserts records in one statement. A ticket's record only ever moves forward in revision: a
 * filler that read the ticket before a transfer cannot put the old revision back.
 */
async function storeRecords(
  db: Trx,
  records: readonly { ticketId: string; record: ManualCodeRecord }[],
  createdAt: number,
) {
  if (records.length === 0) return;
  await db
    .insertInto('manual_code_records')
    .values(
      records.map(({ ticketId, record }) => ({
        ticket_id: ticketId,
        revision: record.revision,
        salt: toHex(record.salt),
        iterations: record.iterations,
        pin_hash: toHex(record.pinHash),
        created_at: createdAt,
      })),
    )
    .onConflict((conflict) =>
      conflict
        .column('ticket_id')
        .doUpdateSet((eb) => ({
          revision: eb.ref('excluded.revision'),
          salt: eb.ref('excluded.salt'),
          iterations: eb.ref('excluded.iterations'),
          pin_hash: eb.ref('excluded.pin_hash'),
          created_at: eb.ref('excluded.created_at'),
        }))
        .where((eb) => eb('manual_code_records.revision', '<', eb.ref('excluded.revision'))),
    )
    .execute();
}

const seconds = (ms: number) => Math.floor(ms / 1000);

/** Fills already running, per scope, so a crowd of terminals hashes each PIN once. */
const runningFills = new WeakMap<Ticketing, Map<string, Promise<FillResult>>>();

export interface FillResult {
  /** Records made (or remade for a new revision). */
  made: number;
  /** Whether tickets without a current record remain after this call. */
  more: boolean;
}

/**
 * Makes the manual-code records of up to `limit` live tickets that lack one at their current
 * revision: of the given performances, or (the worker) of every scheduled performance not yet
 * over whose doors open within `workerFillHorizonMs`, the soonest first. Calls for the same
 * scope in this process share one run.
 */
export function fillManualCodeRecords(
  ticketing: Ticketing,
  limit: number,
  performanceIds?: readonly string[],
): Promise<FillResult> {
  let running = runningFills.get(ticketing);
  if (!running) {
    running = new Map();
    runningFills.set(ticketing, running);
  }
  const key = performanceIds ? [...performanceIds].sort().join(',') : '*';
  const existing = running.get(key);
  if (existing) return existing;
  const fill = fillOnce(ticketing, limit, performanceIds).finally(() => running?.delete(key));
  running.set(key, fill);
  return fill;
}

async function fillOnce(
  ticketing: Ticketing,
  limit: number,
  performanceIds: readonly string[] | undefined,
): Promise<FillResult> {
  const db = ticketing.database.db;
  // One more than asked: tells whether any are left after this call.
  const missing = await missingRecords(ticketing, limit + 1, performanceIds);
  const todo = missing.slice(0, limit);
  const sources = new Map<string, Promise<TicketTermsSource>>();
  const sourceOf = (ticket: MissingRecord) => {
    const key = `${ticket.performance_id} ${ticket.category_id}`;
    let source = sources.get(key);
    if (!source) {
      source = termsSource(db, ticket.performance_id, ticket.category_id);
      sources.set(key, source);
    }
    return source;
  };
  let made = 0;
  let hashed: { ticketId: string; record: ManualCodeRecord }[] = [];
  const flush = async () => {
    // The time is read after hashing, just before the write: it is the records' place in the
    // package's order, and must be no older than the write that makes them visible.
    await storeRecords(db, hashed, ticketing.clock.now());
    made += hashed.length;
    hashed = [];
  };
  const parallel = performanceIds ? routeFillParallel : workerFillParallel;
  for (let start = 0; start < todo.length; start += parallel) {
    const batch = todo.slice(start, start + parallel);
    const records = await Promise.all(
      batch.map(async (ticket) => {
        const terms = ticketTerms(await sourceOf(ticket), ticket.number, ticket.revision);
        const pin = openPin(ticketing, ticket.id, ticket.pin);
        const record = await ticketing.protocol.createManualCodeRecord(
          terms,
          { ticketNumber: ticket.manual_number, pin },
          ticketing.config.manualCodeIterations,
        );
        return { ticketId: ticket.id, record };
      }),
    );
    hashed.push(...records);
    if (hashed.length >= storeBatchSize) await flush();
  }
  await flush();
  return { made, more: missing.length > limit };
}

// ---------------------------------------------------------------------------------------------
// The cursor

/** Where a terminal's package stands: the last change of each list it has for good. */
interface CursorState {
  /** The terminal and the performances the positions are about. */
  scope: string;
  revocationSeq: number;
  admissionSeq: number;
  manualCode: { at: number; ticketId: string } | null;
}

const cursorPrefix = 'pk1.';
export const cursorCharsMax = 400;
export const cursorPattern = `^${cursorPrefix.replace('.', '\\.')}[A-Za-z0-9_-]{1,${cursorCharsMax}}$`;

/** A cursor is only good for the terminal and the performances it was made for. */
function scopeOf(terminal: TerminalPrincipal) {
  return createHash('sha256')
    .update(`${terminal.id}\n${[...terminal.performanceIds].sort().join(',')}`)
    .digest('base64url')
    .slice(0, 16);
}

function encodeCursor(state: CursorState) {
  const compact = [
    state.scope,
    state.revocationSeq,
    state.admissionSeq,
    state.manualCode ? state.manualCode.at : null,
    state.manualCode ? state.manualCode.ticketId : null,
  ];
  return cursorPrefix + Buffer.from(JSON.stringify(compact)).toString('base64url');
}

const invalidCursor = () =>
  badRequest('invalid_cursor', 'since must be the cursor of an earlier package, as it was given');

/** Reads a cursor back; anything that is not one of ours is refused (400). */
function decodeCursor(text: string): CursorState {
  if (text.length > cursorPrefix.length + cursorCharsMax || !text.startsWith(cursorPrefix)) {
    throw invalidCursor();
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text.slice(cursorPrefix.length), 'base64url').toString());
  } catch {
    throw invalidCursor();
  }
  const isSeq = (value: unknown): value is number =>
    typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
  if (!Array.isArray(parsed) || parsed.length !== 5) throw invalidCursor();
  const [scope, revocationSeq, admissionSeq, at, ticketId] = parsed as unknown[];
  if (typeof scope !== 'string' || !isSeq(revocationSeq) || !isSeq(admissionSeq)) {
    throw invalidCursor();
  }
  let manualCode: CursorState['manualCode'] = null;
  if (at !== null || ticketId !== null) {
    if (!isSeq(at) || typeof ticketId !== 'string' || !/^tkt_[0-9a-z]{8,40}$/.test(ticketId)) {
      throw invalidCursor();
    }
    manualCode = { at, ticketId };
  }
  return { scope, revocationSeq, admissionSeq, manualCode };
}

/**
 * The position a list's cursor may move to: the last row of the page before the first one that
 * is younger than `packageSettleMs` (the rows after it come again next time).
 */
function settledPosition<T>(rows: readonly T[], timeOf: (row: T) => number, horizon: number) {
  let last: T | undefined;
  for (const row of rows) {
    if (timeOf(row) > horizon) return { last, complete: false };
    last = row;
  }
  return { last, complete: true };
}

// ---------------------------------------------------------------------------------------------
// The package

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

/** A manual code in the package: the protocol's JSON form of its record. */
export type PackageManualCode = ManualCodeRecordJson;

/** A package entry as the protocol's `verifyManualCode` lookup wants it. */
export const toManualCodeRecord = manualCodeRecordFromJson;

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

/** The terminal's performances that still belong to its organizer, by start. */
async function performancesOf(ticketing: Ticketing, terminal: TerminalPrincipal) {
  if (terminal.performanceIds.length === 0) return [];
  return ticketing.database.db
    .selectFrom('performances as p')
    .innerJoin('events as e', 'e.id', 'p.event_id')
    .select([
      'p.id',
      'p.code',
      'p.event_id',
      'e.name as event_name',
      'p.status',
      'p.doors_at',
      'p.starts_at',
      'p.ends_at',
      'p.closed_at',
    ])
    .where('p.id', 'in', terminal.performanceIds)
    .where('e.organizer_id', '=', terminal.organizerId)
    .orderBy('p.starts_at')
    .orderBy('p.id')
    .execute();
}

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
  await db
    .updateTable('terminals')
    .set({
      last_seen_at: now,
      ...(options.pending !== undefined ? { pending_uploads: options.pending } : {}),
    })
    .where('id', '=', terminal.id)
    .execute();

  const performances = await performancesOf(ticketing, terminal);
  const performanceIds = performances.map((performance) => performance.id);
  const codeOf = new Map(performances.map((performance) => [performance.id, performance.code]));
  const fill = await fillManualCodeRecords(ticketing, packageFillMax, performanceIds);
  // Read after the fill, so the records it just made are in this package.
  const horizon = ticketing.clock.now() - packageSettleMs;

  const venue = await db
    .selectFrom('venues')
    .select(['id', 'name', 'address', 'latitude', 'longitude', 'radius_m'])
    .where('id', '=', terminal.venueId)
    .executeTakeFirstOrThrow();
  const keys = await db
    .selectFrom('organizer_keys')
    .select(['key_id', 'public_key', 'status'])
    .where('organizer_id', '=', terminal.organizerId)
    .where('status', '=', 'active')
    .orderBy('created_at')
    .execute();

  const eventIds = [...new Set(performances.map((performance) => performance.event_id))];
  const categoryRows =
    eventIds.length === 0
      ? []
      : await db
          .selectFrom('categories')
          .select([
            'id',
            'event_id',
            'name',
            'kind',
            'entries_allowed',
            'reentry_allowed',
            'valid_from',
            'valid_until',
            'stored_value',
            'stored_value_asset',
          ])
          .where('event_id', 'in', eventIds)
          .orderBy('sort_order')
          .orderBy('id')
          .execute();
  const scaleOf = async (asset: string | null) =>
    asset === null ? null : (await ticketing.exchange.asset(asset)).scale;
  const performanceViews = [];
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
    performanceViews.push({
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
    });
  }

  let more = false;
  const next: CursorState = { ...from, scope };

  // Revocations since the cursor.
  const revocationRows =
    performanceIds.length === 0
      ? []
      : await db
          .selectFrom('revocations')
          .select([
            'seq',
            'performance_code',
            'ticket_number',
            'through_revision',
            'reason',
            'created_at',
          ])
          .where('performance_id', 'in', performanceIds)
          .where('seq', '>', from.revocationSeq)
          .orderBy('seq')
          .limit(pageSize)
          .execute();
  {
    const settled = settledPosition(revocationRows, (row) => Number(row.created_at), horizon);
    if (settled.last) next.revocationSeq = Number(settled.last.seq);
    if (settled.complete && revocationRows.length === pageSize) more = true;
  }

  // Admissions since the cursor, by every gate.
  const admissionRows =
    performanceIds.length === 0
      ? []
      : await db
          .selectFrom('admissions as a')
          .innerJoin('tickets as t', 't.id', 'a.ticket_id')
          .select([
            'a.seq',
            'a.id',
            'a.performance_id',
            't.number',
            'a.revision',
            'a.direction',
            'a.debit',
            'a.scanned_at',
            'a.recorded_at',
            'a.presentation_time',
            'a.gate',
            'a.terminal_id',
            'a.duplicate',
          ])
          .where('a.performance_id', 'in', performanceIds)
          .where('a.seq', '>', from.admissionSeq)
          .orderBy('a.seq')
          .limit(pageSize)
          .execute();
  {
    const settled = settledPosition(admissionRows, (row) => Number(row.recorded_at), horizon);
    if (settled.last) next.admissionSeq = Number(settled.last.seq);
    if (settled.complete && admissionRows.length === pageSize) more = true;
  }

  // Manual codes made or remade since the cursor, at the ticket's current revision.
  let manualQuery = db
    .selectFrom('manual_code_records as m')
    .innerJoin('tickets as t', 't.id', 'm.ticket_id')
    .innerJoin('categories as c', 'c.id', 't.category_id')
    .innerJoin('performances as p', 'p.id', 't.performance_id')
    .select([
      'm.ticket_id',
      'm.created_at',
      'm.salt',
      'm.iterations',
      'm.pin_hash',
      'm.revision',
      't.number',
      't.manual_number',
      'p.code as performance_code',
      'p.doors_at',
      'p.ends_at',
      'c.kind',
      'c.entries_allowed',
      'c.reentry_allowed',
      'c.valid_from',
      'c.valid_until',
      'c.stored_value',
    ])
    .where('t.performance_id', 'in', performanceIds.length > 0 ? performanceIds : [''])
    .where('t.status', 'in', liveTicketStatuses)
    .whereRef('m.revision', '=', 't.revision');
  if (from.manualCode) {
    const after = from.manualCode;
    manualQuery = manualQuery.where((eb) =>
      eb.or([
        eb('m.created_at', '>', after.at),
        eb.and([eb('m.created_at', '=', after.at), eb('m.ticket_id', '>', after.ticketId)]),
      ]),
    );
  }
  const manualRows = await manualQuery
    .orderBy('m.created_at')
    .orderBy('m.ticket_id')
    .limit(pageSize)
    .execute();
  {
    const settled = settledPosition(manualRows, (row) => Number(row.created_at), horizon);
    if (settled.last) {
      next.manualCode = { at: Number(settled.last.created_at), ticketId: settled.last.ticket_id };
    }
    if (settled.complete && manualRows.length === pageSize) more = true;
  }

  return {
    packageVersion: 1,
    generatedAt: iso(now) as string,
    full,
    cursor: encodeCursor(next),
    more,
    terminal: { id: terminal.id, name: terminal.name, gate: terminal.gate },
    venue: {
      id: venue.id,
      name: venue.name,
      address: venue.address,
      latitude: Number(venue.latitude),
      longitude: Number(venue.longitude),
      radiusM: Number(venue.radius_m),
    },
    keys: keys.map((key) => ({
      keyId: key.key_id,
      publicKey: key.public_key,
      status: key.status,
      // The keyring entry's scope (protocol KeyringEntry.eventIds).
      eventIds: performances.map((performance) => performance.code),
    })),
    performances: performanceViews,
    revocations: revocationRows.map((row) => ({
      performanceCode: row.performance_code,
      ticketNumber: row.ticket_number,
      throughRevision: Number(row.through_revision),
      reason: row.reason,
    })),
    manualCodes: manualRows.map(
      (row): PackageManualCode => ({
        manualNumber: row.manual_number,
        performanceCode: row.performance_code,
        ticketNumber: row.number,
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
      }),
    ),
    // False while some tickets have no manual-code record yet (a later call brings them).
    manualCodesComplete: !fill.more,
    admissions: admissionRows.map((row) => ({
      id: row.id,
      performanceCode: codeOf.get(row.performance_id) as string,
      ticketNumber: row.number,
      revision: Number(row.revision),
      direction: row.direction,
      // Smallest units debited from a stored-value ticket.
      debit: String(row.debit),
      scannedAt: iso(Number(row.scanned_at)) as string,
      presentationTime: row.presentation_time === null ? null : Number(row.presentation_time),
      gate: row.gate,
      terminalId: row.terminal_id,
      duplicate: Number(row.duplicate) === 1,
    })),
  };
}

export type EventPackage = Awaited<ReturnType<typeof eventPackage>>;
