/**
 * The admission side (claims 4, 7, 11 and 12; units 112, 408, 412, 414, 416): gate terminals
 * enrolled with a one-time code, the online check of what a terminal read, offline admissions
 * uploaded later, and the feed of admissions to every terminal of an event.
 *
 * One rule decides everywhere: the protocol's `evaluateEntitlement`, fed with the ticket's
 * admission history. Offline, a terminal feeds it what it knows; here the server feeds it the
 * database's history, read with the ticket in one statement. Every admission of a ticket takes
 * the next slot of its history, unique per ticket, and is written only while the ticket is still
 * at the revision it was decided on: two gates scanning the same ticket at the same moment both
 * decide on the same history, one write takes the slot, and the other finds it taken, reads the
 * history again and decides again (now seeing the first admission). On PostgreSQL the write is
 * one autocommitted statement with its audit entry, the revision checked under `FOR SHARE`, so an
 * admission costs two round trips instead of a transaction's seven. Uploads of offline
 * admissions lock the ticket (`FOR UPDATE`) and take slots the same way.
 */

import { timingSafeEqual } from 'node:crypto';
import { isUniqueViolation, Statement } from '@tessera/db';
import {
  type AdmissionRecord,
  bytesEqual,
  type Decision,
  decodePresentation,
  evaluateEntitlement,
  fromBase64url,
  isProtocolError,
  type Keyring,
  parsePin,
  parseTicketNumber,
  presentationFromText,
  type TicketTerms,
} from '@tessera/protocol';
import { ApiError } from '@tessera/service-kit/errors';
import type { Selectable } from 'kysely';
import type { GateAdmission, Ticketing, Trx } from '../context.ts';
import { inTransaction } from '../context.ts';
import type { AdmissionsTable, GateDecisionsTable, TicketsTable } from '../db/schema.ts';
import type { TerminalPrincipal } from '../identity/service.ts';
import { newId } from '../ids.ts';
import { openPin } from '../organizers/keys.ts';
import { type TicketTermsSource, ticketTerms } from '../tickets/issuance.ts';
import { distanceM } from './geometry.ts';

export type AdmissionRow = Selectable<AdmissionsTable>;
// ---------------------------------------------------------------------------------------------
// What the terminal read

export interface GateInput {
  barcode?: string;
  ticketNumber?: string;
  pin?: string;
  direction: 'entry' | 'exit';
  /** Whole units of a stored-value ticket to debit, as units of its stored value. */
  debit: bigint;
  scannedAt: number;
  position: { latitude: number; longitude: number; accuracyM: number } | null;
}

export interface GateAnswer {
  admitted: boolean;
  reason: string;
  detail: string;
  ticket?: {
    id: string;
    number: string;
    performanceCode: string;
    seat: string | null;
    category: string;
    holderFirstName: string | null;
    kind: string;
    usesRemaining: number | null;
    valueRemaining: string | null;
  };
  firstAdmission?: {
    at: string;
    gate: string | null;
    terminalId: string | null;
    latitude: number | null;
    longitude: number | null;
  };
  admissionId?: string;
}

export const decisionInsert = new Statement(
  `insert into gate_decisions (terminal_id, performance_id, ticket_number, input, admitted, reason,
     detail, admission_id, scanned_at, recorded_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
);

/** Appends one decision to the audit log (every scan, admitted or not, on the hot path). */
export async function logDecision(
  ticketing: Ticketing,
  executor: Trx | Ticketing['database']['db'],
  row: Omit<GateDecisionsTable, 'seq'>,
) {
  await decisionInsert.run(executor, ticketing.database.dialect, [
    row.terminal_id,
    row.performance_id,
    row.ticket_number,
    row.input,
    row.admitted,
    row.reason,
    row.detail,
    row.admission_id,
    row.scanned_at,
    row.recorded_at,
  ]);
}

/** Manual codes: wrong ones per terminal in ten minutes, and per ticket number in an hour. */
export const manualFailuresPerTerminal = 10;
export const manualFailuresPerTicket = 5;

/**
 * The organizer's keys as a protocol keyring, kept a minute. Adding or retiring a key forgets it
 * on every instance before the answer (`forgetKeyring`).
 */
const keyringTtlMs = 60_000;
const organizersCachedMax = 10_000;

function keyringCache(ticketing: Ticketing) {
  return ticketing.caches.cache<Keyring>(
    'keyrings',
    { ttlMs: keyringTtlMs, max: organizersCachedMax },
    async (organizerId) => {
      const rows = await ticketing.database.db
        .selectFrom('organizer_keys')
        .select('public_key')
        .where('organizer_id', '=', organizerId)
        .where('status', '=', 'active')
        .execute();
      return ticketing.protocol.prepareKeyring(
        rows.map((row) => ({ publicKey: fromBase64url(row.public_key) })),
      );
    },
  );
}

/** A key was added or retired: every instance reads the organizer's keys again. */
export function forgetKeyring(ticketing: Ticketing, organizerId: string): Promise<void> {
  return keyringCache(ticketing).invalidate(organizerId);
}

/**
 * The organizer's active keys, as the event package sends them: a retired key's tickets are
 * refused online and offline alike (its holders get reissued tickets).
 */
export async function keyringOf(ticketing: Ticketing, organizerId: string): Promise<Keyring> {
  return (await keyringCache(ticketing).get(organizerId)) as Keyring;
}

/**
 * Performance codes by performance id. A code never changes once made, so it is kept an hour
 * (and never needs invalidating); only the bound keeps the cache from growing.
 */
function performanceCodeCache(ticketing: Ticketing) {
  return ticketing.caches.cache<string>(
    'performance-codes',
    { ttlMs: 3_600_000, max: 100_000 },
    async (performanceId) => {
      const row = await ticketing.database.db
        .selectFrom('performances')
        .select('code')
        .where('id', '=', performanceId)
        .executeTakeFirst();
      return row?.code;
    },
  );
}

/** The performance codes a terminal admits to, mapped to their performance ids. */
export async function codesOf(ticketing: Ticketing, terminal: TerminalPrincipal) {
  const cache = performanceCodeCache(ticketing);
  const known = await Promise.all(terminal.performanceIds.map((id) => cache.get(id)));
  const codes = new Map<string, string>();
  terminal.performanceIds.forEach((id, index) => {
    const code = known[index];
    if (code !== undefined) codes.set(code, id);
  });
  return codes;
}

export const seconds = (ms: number) => Math.floor(ms / 1000);

/**
 * Claim 12: checks what a terminal read against the protocol and the ticket database and, when
 * the ticket may pass, records the admission, atomically. Every decision goes to the audit log.
 */
export async function verifyAtGate(
  ticketing: Ticketing,
  terminal: TerminalPrincipal,
  input: GateInput,
): Promise<GateAnswer> {
  const nowS = seconds(ticketing.clock.now());
  const codes = await codesOf(ticketing, terminal);
  const eventIds = [...codes.keys()];
  const kind = input.barcode !== undefined ? 'barcode' : 'manual';
  const refuse = async (
    reason: string,
    detail: string,
    ticketNumber: string | null = null,
    performanceId: string | null = null,
  ): Promise<GateAnswer> => {
    await logDecision(ticketing, ticketing.database.db, {
      terminal_id: terminal.id,
      performance_id: performanceId,
      ticket_number: ticketNumber,
      input: kind,
      admitted: 0,
      reason,
      detail,
      admission_id: null,
      scanned_at: input.scannedAt,
      recorded_at: ticketing.clock.now(),
    });
    return { admitted: false, reason, detail };
  };

  let found: Found;
  if (input.barcode !== undefined) {
    let raw: Uint8Array;
    let presentation: ReturnType<typeof decodePresentation>;
    try {
      raw = presentationFromText(input.barcode);
      presentation = decodePresentation(raw);
    } catch (error) {
      if (!isProtocolError(error)) throw error;
      return refuse('malformed', error.message);
    }
    const { eventId: code, ticketId: number } = presentation.credential;
    const performanceId = codes.get(code);
    const onRecord = performanceId
      ? await ticketOnRecord(ticketing, performanceId, number)
      : undefined;
    // The protocol's own checks (claim 11's order): format, organizer signature, device
    // signature, age, event; history comes from the database below. A credential byte for byte
    // the one on record carries the signature this server made, which is not checked again.
    const decision = await ticketing.protocol.verifyPresentation(raw, {
      keyring: await keyringOf(ticketing, terminal.organizerId),
      eventIds,
      nowS,
      ...(onRecord?.credential ? { issuedCredential: fromBase64url(onRecord.credential) } : {}),
    });
    // Refusals count in the report of the performance the barcode names, when it is one of ours.
    if (!decision.admitted && decision.reason !== 'already_used') {
      return refuse(decision.reason, decision.detail, number, performanceId ?? null);
    }
    if (!onRecord) {
      return refuse('revoked', 'no such ticket is on record', number, performanceId ?? null);
    }
    found = {
      ticket: onRecord,
      presentationTimeS: presentation.timeS,
      presented: presentation.credentialBytes,
    };
  } else {
    let number: string;
    let pin: string;
    try {
      number = parseTicketNumber(input.ticketNumber ?? '');
      pin = parsePin(input.pin ?? '');
    } catch (error) {
      if (!isProtocolError(error)) throw error;
      return refuse('malformed', error.message);
    }
    await limitManualCodes(ticketing, terminal, number, input.scannedAt);
    const ticket = await ticketing.database.db
      .selectFrom('tickets')
      .select(['id', 'number', 'pin', 'performance_id'])
      .where('manual_number', '=', number)
      .executeTakeFirst();
    // An unknown number, another organizer's ticket and a wrong PIN answer alike.
    const pinMatches =
      ticket !== undefined &&
      terminal.performanceIds.includes(ticket.performance_id) &&
      safeEqual(openPin(ticketing, ticket.id, ticket.pin), pin);
    if (!ticket || !pinMatches) {
      const ours =
        ticket && terminal.performanceIds.includes(ticket.performance_id)
          ? ticket.performance_id
          : null;
      return refuse('wrong_code', 'no ticket of this event has this number and PIN', number, ours);
    }
    found = { ticket: await ticketOnRecord(ticketing, ticket.performance_id, ticket.number) };
  }
  return admitOnline(ticketing, terminal, found, eventIds, input, kind);
}

export function safeEqual(a: string, b: string) {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export async function limitManualCodes(
  ticketing: Ticketing,
  terminal: TerminalPrincipal,
  number: string,
  scannedAt: number,
) {
  const db = ticketing.database.db;
  const now = ticketing.clock.now();
  const count = (column: 'terminal_id' | 'ticket_number', value: string, sinceMs: number) =>
    db
      .selectFrom('gate_decisions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where(column, '=', value)
      .where('input', '=', 'manual')
      .where('reason', '=', 'wrong_code')
      .where('recorded_at', '>', now - sinceMs)
      .executeTakeFirstOrThrow();
  const [byTerminal, byTicket] = await Promise.all([
    count('terminal_id', terminal.id, 10 * 60_000),
    count('ticket_number', number, 60 * 60_000),
  ]);
  const refusal =
    Number(byTerminal.n) >= manualFailuresPerTerminal
      ? 'too many wrong manual codes from this terminal; wait ten minutes or scan the barcode'
      : Number(byTicket.n) >= manualFailuresPerTicket
        ? 'too many wrong PINs for this ticket number; ask for the barcode'
        : null;
  if (refusal === null) return;
  // Kept in the audit log too (its reason is not counted above, so refusals do not compound).
  await logDecision(ticketing, db, {
    terminal_id: terminal.id,
    performance_id: null,
    ticket_number: number,
    input: 'manual',
    admitted: 0,
    reason: 'too_many_wrong_codes',
    detail: refusal,
    admission_id: null,
    scanned_at: scannedAt,
    recorded_at: now,
  });
  throw new ApiError(429, 'too_many_wrong_codes', refusal);
}

/** The ticket with what the gate decides on and shows: its terms' source, seat and holder. */
export interface LockedTicket extends TicketTermsSource {
  id: string;
  number: string;
  performance_id: string;
  closed_at: number | null;
  category_id: string;
  category: string;
  seat_id: string | null;
  revision: number;
  status: string;
  credential: string | null;
  holder_user_id: string | null;
  section: string | null;
  row_label: string | null;
  seat_number: string | null;
  first_name: string | null;
}

export const ticketSelect = `select t.id, t.number, t.performance_id, p.code as performance_code,
    p.closed_at, p.doors_at, p.ends_at, t.category_id, c.name as category, c.kind,
    c.entries_allowed, c.reentry_allowed, c.valid_from, c.valid_until, c.stored_value,
    c.reserved_hex, t.seat_id, t.revision, t.status, t.credential, t.holder_user_id, s.section,
    s.row_label, s.number as seat_number, u.first_name`;
export const ticketJoins = `from tickets t
  join performances p on p.id = t.performance_id
  join categories c on c.id = t.category_id
  left join seats s on s.id = t.seat_id
  left join users u on u.id = t.holder_user_id`;

/**
 * Everything about the ticket, locked for the rest of the transaction on PostgreSQL (SQLite's
 * single writer already holds the database): the upload of offline admissions decides under it.
 */
export const lockedTicket = new Statement<LockedTicket>({
  sqlite: `${ticketSelect} ${ticketJoins} where t.id = ?`,
  postgres: `${ticketSelect} ${ticketJoins} where t.id = ? for update of t`,
});

export function lockTicket(ticketing: Ticketing, trx: Trx, ticketId: string) {
  return lockedTicket.first(trx, ticketing.database.dialect, [ticketId]);
}

export const admissionHistory = new Statement<AdmissionRow>(
  'select * from admissions where ticket_id = ? order by slot',
);

export function historyOf(ticketing: Ticketing, trx: Trx, ticketId: string) {
  return admissionHistory.run(trx, ticketing.database.dialect, [ticketId]);
}

/** What a decision needs of each earlier admission. */
export type HistoryRow = Pick<
  AdmissionRow,
  | 'slot'
  | 'direction'
  | 'scanned_at'
  | 'revision'
  | 'presentation_time'
  | 'debit'
  | 'gate'
  | 'terminal_id'
  | 'latitude'
  | 'longitude'
>;

/** The ticket as the online check sees it: with its admissions, read in the same snapshot. */
export interface TicketOnRecord extends LockedTicket {
  history: HistoryRow[];
}

export const historyFields = `'slot', a.slot, 'direction', a.direction, 'scanned_at', a.scanned_at,
  'revision', a.revision, 'presentation_time', a.presentation_time, 'gate', a.gate,
  'terminal_id', a.terminal_id, 'latitude', a.latitude, 'longitude', a.longitude`;

/** The ticket a code names and its history as JSON (amounts as text), in one statement. */
export const ticketWithHistory = new Statement<LockedTicket & { history: string }>({
  sqlite: `${ticketSelect}, (select json_group_array(json_object(${historyFields},
      'debit', cast(a.debit as text))) from admissions a where a.ticket_id = t.id) as history
    ${ticketJoins} where t.performance_id = ? and t.number = ?`,
  postgres: `${ticketSelect}, (select coalesce(json_agg(json_build_object(${historyFields},
      'debit', a.debit::text)), '[]')::text from admissions a where a.ticket_id = t.id) as history
    ${ticketJoins} where t.performance_id = ? and t.number = ?`,
});

export async function ticketOnRecord(
  ticketing: Ticketing,
  performanceId: string,
  number: string,
): Promise<TicketOnRecord | undefined> {
  const row = await ticketWithHistory.first(ticketing.database.db, ticketing.database.dialect, [
    performanceId,
    number,
  ]);
  if (!row) return undefined;
  const history = (JSON.parse(row.history) as HistoryRow[]).sort((a, b) => a.slot - b.slot);
  return { ...row, history };
}

/** The slot the next admission of a ticket takes, after every one in `rows`. */
export function nextSlot(rows: readonly Pick<AdmissionRow, 'slot'>[]) {
  return rows.reduce((next, row) => Math.max(next, row.slot + 1), 0);
}

export function recordsOf(rows: readonly HistoryRow[]): AdmissionRecord[] {
  return rows.map((row) => ({
    direction: row.direction,
    atS: seconds(Number(row.scanned_at)),
    revision: row.revision,
    ...(row.presentation_time !== null ? { presentationTimeS: Number(row.presentation_time) } : {}),
    debit: BigInt(row.debit),
    gate: row.gate,
    terminalId: row.terminal_id,
  }));
}

/** What the check found: the ticket a barcode or manual code names, and the barcode's parts. */
export interface Found {
  ticket: TicketOnRecord | undefined;
  presentationTimeS?: number;
  presented?: Uint8Array;
}

/** A decision: refused, or to be admitted with this debit once the write goes in. */
export type Verdict =
  | { answer: GateAnswer; admit: false }
  | { answer: GateAnswer; admit: true; debit: bigint };

/**
 * A write finds its slot taken only when another gate's admission of the same ticket went in
 * since the history was read; after this many in a row the check gives up (503) rather than spin.
 */
export const admissionAttempts = 10;

/**
 * Claim 12's admission, optimistic: decide on the ticket and history as read, then write the
 * admission into the ticket's next slot while the ticket is still at the decided revision. A
 * write that lost its slot (another gate admitted the ticket meanwhile) or its revision
 * (transferred, reissued, refunded meanwhile) reads the ticket again and decides again.
 */
export async function admitOnline(
  ticketing: Ticketing,
  terminal: TerminalPrincipal,
  found: Found,
  eventIds: readonly string[],
  input: GateInput,
  kind: 'barcode' | 'manual',
): Promise<GateAnswer> {
  let ticket = found.ticket;
  for (let attempt = 1; ; attempt++) {
    const now = ticketing.clock.now();
    const verdict = decide(terminal, ticket, found, eventIds, input, now);
    if (!verdict.admit || !ticket) {
      await logDecision(ticketing, ticketing.database.db, {
        terminal_id: terminal.id,
        performance_id: ticket?.performance_id ?? null,
        ticket_number: ticket?.number ?? null,
        input: kind,
        admitted: 0,
        reason: verdict.answer.reason,
        detail: verdict.answer.detail,
        admission_id: null,
        scanned_at: input.scannedAt,
        recorded_at: now,
      });
      return verdict.answer;
    }
    const written = await writeAdmission(ticketing, terminal, ticket, input, {
      debit: verdict.debit,
      presentationTimeS: found.presentationTimeS,
      answer: verdict.answer,
      kind,
      now,
    });
    if (written) {
      ticketing.gates.publish(written.feed);
      return { ...verdict.answer, admissionId: written.id };
    }
    if (attempt === admissionAttempts) {
      throw new ApiError(503, 'busy', 'this ticket is being scanned at other gates; scan it again');
    }
    ticket = await ticketOnRecord(ticketing, ticket.performance_id, ticket.number);
  }
}

/** What the gate decides on the ticket and history as read; writes nothing. */
export function decide(
  terminal: TerminalPrincipal,
  ticket: TicketOnRecord | undefined,
  found: Found,
  eventIds: readonly string[],
  input: GateInput,
  now: number,
): Verdict {
  const refuse = (answer: GateAnswer): Verdict => ({ answer, admit: false });
  if (!ticket || !terminal.performanceIds.includes(ticket.performance_id)) {
    return refuse({ admitted: false, reason: 'wrong_event', detail: 'not a ticket for this gate' });
  }
  const terms = ticketTerms(ticket, ticket.number, ticket.revision);
  const rows = ticket.history;
  const view = ticketDetails(ticket, terms, rows);

  // The ticket database has the last word (claim 12): the barcode must carry exactly the
  // credential on record (every field, the holder's device included), at the current revision.
  if (ticket.closed_at !== null) {
    return refuse({
      admitted: false,
      reason: 'closed',
      detail: 'this performance has been closed; the gates are shut',
      ticket: view,
    });
  }
  if (ticket.status !== 'valid' || ticket.credential === null) {
    return refuse({
      admitted: false,
      reason: 'revoked',
      detail: `the ticket is ${ticket.status.replace('_', ' ')}`,
      ticket: view,
    });
  }
  if (found.presented && !bytesEqual(found.presented, fromBase64url(ticket.credential))) {
    return refuse({
      admitted: false,
      reason: 'revoked',
      detail: 'an earlier revision of this ticket (transferred, reissued or refunded)',
      ticket: view,
    });
  }

  const history = { admissionsFor: () => recordsOf(rows) };
  const nowS = seconds(now);
  if (input.direction === 'exit') {
    const decision = evaluateEntitlement(terms, { eventIds, nowS, history });
    const inside = rows.length > 0 && rows[rows.length - 1]?.direction === 'entry';
    if (
      !terms.reentryAllowed ||
      !inside ||
      (!decision.admitted && decision.reason !== 'already_used')
    ) {
      return refuse({
        admitted: false,
        reason: terms.reentryAllowed ? 'not_inside' : 'no_reentry',
        detail: terms.reentryAllowed
          ? 'the holder has not entered, so cannot scan out'
          : 'this ticket does not allow leaving and coming back',
        ticket: view,
      });
    }
    return {
      answer: { admitted: true, reason: 'exit', detail: 'scanned out', ticket: view },
      admit: true,
      debit: 0n,
    };
  }

  const decision: Decision = evaluateEntitlement(
    terms,
    { eventIds, nowS, history, debit: input.debit },
    found.presentationTimeS,
  );
  if (!decision.admitted) {
    const first = decision.firstAdmission ? firstOf(rows, decision.firstAdmission) : undefined;
    return refuse({
      admitted: false,
      reason: decision.reason,
      detail: decision.detail,
      ticket: view,
      ...(first ? { firstAdmission: first } : {}),
    });
  }
  return {
    answer: {
      admitted: true,
      reason: decision.reentry ? 'reentry' : 'valid',
      detail: decision.reentry ? 'welcome back' : 'admit',
      ticket: {
        ...view,
        usesRemaining: decision.usesRemaining,
        valueRemaining:
          decision.valueRemaining === null ? null : decision.valueRemaining.toString(),
      },
    },
    admit: true,
    debit: terms.kind === 'stored_value' ? input.debit : 0n,
  };
}

export const admissionColumns = `id, performance_id, ticket_id, revision, terminal_id, gate, direction,
  debit, scanned_at, recorded_at, presentation_time, latitude, longitude, accuracy_m, source,
  nonce, duplicate, outside_venue, revoked_revision, slot`;

/**
 * An online admission into its slot, only while the ticket is valid at the decided revision. On
 * PostgreSQL one autocommitted statement with its audit entry (`FOR SHARE` waits out a transfer
 * or refund in progress and sees its outcome); on SQLite the insert and the audit entry share a
 * unit of the group commit. No row: the ticket changed; a unique violation: the slot was taken.
 */
export const guardedAdmission = new Statement<{ seq: number }>({
  sqlite: `insert into admissions (${admissionColumns})
    select ?, ?, t.id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'online', null, 0, ?, 0, ?
    from tickets t where t.id = ? and t.revision = ? and t.status = 'valid'
    returning seq`,
  postgres: `with guard as (
      select id from tickets where id = ? and revision = ? and status = 'valid' for share
    ), admission as (
      insert into admissions (${admissionColumns})
      select ?, ?, guard.id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'online', null, 0, ?, 0, ? from guard
      returning seq, id
    ), decision as (
      insert into gate_decisions (terminal_id, performance_id, ticket_number, input, admitted,
        reason, detail, admission_id, scanned_at, recorded_at)
      select ?, ?, ?, ?, 1, ?, ?, admission.id, ?, ? from admission
    )
    select seq from admission`,
});

/** Writes an online admission and its audit entry; undefined when the decision is stale. */
export async function writeAdmission(
  ticketing: Ticketing,
  terminal: TerminalPrincipal,
  ticket: TicketOnRecord,
  input: GateInput,
  decided: {
    debit: bigint;
    presentationTimeS: number | undefined;
    answer: GateAnswer;
    kind: 'barcode' | 'manual';
    now: number;
  },
) {
  const { db, dialect } = ticketing.database;
  const id = newId('adm');
  const outside = await outsideVenue(ticketing, db, terminal, input.position);
  const admission = [
    id,
    ticket.performance_id,
    ticket.revision,
    terminal.id,
    terminal.gate,
    input.direction,
    decided.debit.toString(),
    input.scannedAt,
    decided.now,
    decided.presentationTimeS ?? null,
    input.position?.latitude ?? null,
    input.position?.longitude ?? null,
    input.position?.accuracyM ?? null,
    outside ? 1 : 0,
    nextSlot(ticket.history),
  ];
  const audit = {
    terminal_id: terminal.id,
    performance_id: ticket.performance_id,
    ticket_number: ticket.number,
    input: decided.kind,
    admitted: 1,
    reason: decided.answer.reason,
    detail: decided.answer.detail,
    admission_id: id,
    scanned_at: input.scannedAt,
    recorded_at: decided.now,
  };
  let seq: number | undefined;
  try {
    if (dialect === 'postgres') {
      const [row] = await guardedAdmission.run(db, dialect, [
        ticket.id,
        ticket.revision,
        ...admission,
        audit.terminal_id,
        audit.performance_id,
        audit.ticket_number,
        audit.input,
        audit.reason,
        audit.detail,
        audit.scanned_at,
        audit.recorded_at,
      ]);
      seq = row?.seq;
    } else {
      seq = await inTransaction(ticketing, async ({ trx }) => {
        const [row] = await guardedAdmission.run(trx, dialect, [
          ...admission,
          ticket.id,
          ticket.revision,
        ]);
        if (row) await logDecision(ticketing, trx, audit);
        return row?.seq;
      });
    }
  } catch (error) {
    if (isSlotTaken(error)) return undefined;
    throw error;
  }
  if (seq === undefined) return undefined;
  const feed = feedEntry(ticket, terminal, input, {
    seq: Number(seq),
    revision: ticket.revision,
    debit: decided.debit,
    presentationTimeS: decided.presentationTimeS,
    duplicate: false,
  });
  return { id, feed };
}

export function isSlotTaken(error: unknown) {
  const text = error instanceof Error ? error.message : String(error);
  return (
    isUniqueViolation(error) && /admissions_slot|admissions\.ticket_id, admissions\.slot/.test(text)
  );
}

export function firstOf(rows: readonly HistoryRow[], record: AdmissionRecord) {
  const row =
    rows.find(
      (candidate) =>
        candidate.direction === 'entry' &&
        seconds(candidate.scanned_at) === record.atS &&
        candidate.terminal_id === record.terminalId,
    ) ?? rows.find((candidate) => candidate.direction === 'entry');
  if (!row) return undefined;
  return {
    at: new Date(Number(row.scanned_at)).toISOString(),
    gate: row.gate,
    terminalId: row.terminal_id,
    latitude: row.latitude,
    longitude: row.longitude,
  };
}

export function ticketDetails(
  ticket: LockedTicket,
  terms: TicketTerms,
  rows: readonly HistoryRow[],
) {
  const entries = rows.filter((row) => row.direction === 'entry').length;
  const debited = rows.reduce((sum, row) => sum + BigInt(row.debit), 0n);
  return {
    id: ticket.id,
    number: ticket.number,
    performanceCode: ticket.performance_code,
    seat: ticket.seat_id ? `${ticket.section} ${ticket.row_label}-${ticket.seat_number}` : null,
    category: ticket.category,
    holderFirstName: ticket.first_name,
    kind: terms.kind,
    usesRemaining: terms.entriesAllowed === 0 ? null : Math.max(0, terms.entriesAllowed - entries),
    valueRemaining: terms.kind === 'stored_value' ? (terms.storedValue - debited).toString() : null,
  };
}

/**
 * A venue's geofence, kept a minute: every admission with a position is checked against it. Read
 * in the caller's transaction (`executor`), which on SQLite holds the one connection.
 */
function venueCache(ticketing: Ticketing) {
  return ticketing.caches.cache<{ latitude: number; longitude: number; radius_m: number }, Trx>(
    'venue-geofences',
    { ttlMs: 60_000, max: 10_000 },
    (venueId, executor) =>
      (executor ?? ticketing.database.db)
        .selectFrom('venues')
        .select(['latitude', 'longitude', 'radius_m'])
        .where('id', '=', venueId)
        .executeTakeFirst(),
  );
}

export async function venueOf(ticketing: Ticketing, executor: Trx, venueId: string) {
  const venue = await venueCache(ticketing).get(venueId, executor);
  if (!venue) throw new Error(`venue ${venueId} is gone`);
  return venue;
}

/** Unit 414: outside when even the position's accuracy cannot put it within the radius. */
export async function outsideVenue(
  ticketing: Ticketing,
  executor: Trx,
  terminal: TerminalPrincipal,
  position: GateInput['position'],
) {
  if (!position) return false;
  const venue = await venueOf(ticketing, executor, terminal.venueId);
  return distanceM(venue, position) - position.accuracyM > venue.radius_m;
}

export const admissionInsert = new Statement<{ seq: number }>(
  `insert into admissions (${admissionColumns})
   values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning seq`,
);

/** What the live feed tells every terminal of the event about one admission. */
export function feedEntry(
  ticket: { number: string; performance_id: string; performance_code: string },
  terminal: TerminalPrincipal,
  input: Pick<GateInput, 'direction' | 'scannedAt'>,
  admission: {
    seq: number;
    revision: number;
    debit: bigint;
    presentationTimeS: number | undefined;
    duplicate: boolean;
  },
): GateAdmission {
  return {
    seq: admission.seq,
    performanceId: ticket.performance_id,
    performanceCode: ticket.performance_code,
    ticketNumber: ticket.number,
    revision: admission.revision,
    direction: input.direction,
    debit: admission.debit.toString(),
    scannedAt: input.scannedAt,
    presentationTime: admission.presentationTimeS ?? null,
    gate: terminal.gate,
    terminalId: terminal.id,
    duplicate: admission.duplicate,
  };
}

/**
 * Records an admission inside the caller's transaction, which holds the ticket (an upload, under
 * the ticket's lock, or a door sale issuing it), into the slot the caller read as next.
 */

export async function recordAdmission(
  ticketing: Ticketing,
  trx: Trx,
  now: number,
  terminal: TerminalPrincipal,
  ticket: {
    id: string;
    number: string;
    performance_id: string;
    performance_code: string;
    revision: number;
  },
  input: Pick<GateInput, 'direction' | 'scannedAt' | 'position'>,
  extra: {
    presentationTimeS: number | undefined;
    duplicate: boolean;
    debit: bigint;
    source: 'online' | 'offline';
    slot: number;
    nonce?: string;
    revision?: number;
    revokedRevision?: boolean;
  },
  /** Filled with what to tell the live feed once the transaction has committed. */
  committed: GateAdmission[],
) {
  const id = newId('adm');
  const outside = await outsideVenue(ticketing, trx, terminal, input.position);
  const [row] = await admissionInsert.run(trx, ticketing.database.dialect, [
    id,
    ticket.performance_id,
    ticket.id,
    extra.revision ?? ticket.revision,
    terminal.id,
    terminal.gate,
    input.direction,
    extra.debit.toString(),
    input.scannedAt,
    now,
    extra.presentationTimeS ?? null,
    input.position?.latitude ?? null,
    input.position?.longitude ?? null,
    input.position?.accuracyM ?? null,
    extra.source,
    extra.nonce ?? null,
    extra.duplicate ? 1 : 0,
    outside ? 1 : 0,
    extra.revokedRevision ? 1 : 0,
    extra.slot,
  ]);
  // Told to the feed only after the commit: a rolled-back admission must never reach a gate.
  committed.push(
    feedEntry(ticket, terminal, input, {
      seq: Number(row?.seq),
      revision: extra.revision ?? ticket.revision,
      debit: extra.debit,
      presentationTimeS: extra.presentationTimeS,
      duplicate: extra.duplicate,
    }),
  );
  return id;
}

// ---------------------------------------------------------------------------------------------
// Offline admissions (claim 11's afterwards)

export interface UploadedAdmission {
  nonce: string;
  performanceCode: string;
  ticketNumber: string;
  revision: number;
  direction: 'entry' | 'exit';
  scannedAt: number;
  presentationTime: number | null;
  debit: bigint;
  position: GateInput['position'];
}

export interface UploadResult {
  nonce: string;
  recorded: 'new' | 'already' | 'unknown_ticket';
  duplicate: boolean;
  outsideVenue: boolean;
  /** The scanned revision had been revoked before the scan (an old holder's copy). */
  revokedRevision: boolean;
}

/**
 * Records what a terminal admitted with no network. Each admission once (by its nonce); one
 * that the ticket's entitlement no longer covered (another gate admitted it first) is kept and
 * flagged a duplicate. Accepted after the performance closed too: it happened.
 */
export async function uploadAdmissions(
  ticketing: Ticketing,
  terminal: TerminalPrincipal,
  admissions: readonly UploadedAdmission[],
  pending: number | undefined,
): Promise<UploadResult[]> {
  const codes = await codesOf(ticketing, terminal);
  const eventIds = [...codes.keys()];
  const results: UploadResult[] = [];
  const published: GateAdmission[] = [];
  for (const upload of admissions) {
    const performanceId = codes.get(upload.performanceCode);
    const committed: GateAdmission[] = [];
    const result = await inTransaction(ticketing, async ({ trx, now }) => {
      committed.length = 0;
      const known = await trx
        .selectFrom('admissions')
        .select(['duplicate', 'outside_venue', 'revoked_revision'])
        .where('terminal_id', '=', terminal.id)
        .where('nonce', '=', upload.nonce)
        .executeTakeFirst();
      if (known) {
        return {
          nonce: upload.nonce,
          recorded: 'already' as const,
          duplicate: known.duplicate === 1,
          outsideVenue: known.outside_venue === 1,
          revokedRevision: known.revoked_revision === 1,
        };
      }
      const row = performanceId
        ? await trx
            .selectFrom('tickets')
            .select('id')
            .where('performance_id', '=', performanceId)
            .where('number', '=', upload.ticketNumber)
            .executeTakeFirst()
        : undefined;
      const ticket = row ? await lockTicket(ticketing, trx, row.id) : undefined;
      if (!ticket) {
        await logDecision(ticketing, trx, {
          terminal_id: terminal.id,
          performance_id: performanceId ?? null,
          ticket_number: upload.ticketNumber,
          input: 'upload',
          admitted: 0,
          reason: 'unknown_ticket',
          detail: `no ticket ${upload.ticketNumber} of ${upload.performanceCode} at this gate`,
          admission_id: null,
          scanned_at: upload.scannedAt,
          recorded_at: now,
        });
        return {
          nonce: upload.nonce,
          recorded: 'unknown_ticket' as const,
          duplicate: false,
          outsideVenue: false,
          revokedRevision: false,
        };
      }
      const terms = ticketTerms(ticket, ticket.number, ticket.revision);
      const rows = await historyOf(ticketing, trx, ticket.id);
      // What the server would have decided with everything it knows now: an entry the
      // entitlement no longer covers is a duplicate (both scans are kept).
      const decision =
        upload.direction === 'entry'
          ? evaluateEntitlement(
              { ...terms, revision: upload.revision },
              {
                eventIds,
                nowS: withinWindow(terms, upload.scannedAt),
                history: { admissionsFor: () => recordsOf(rows) },
                debit: upload.debit,
              },
              upload.presentationTime ?? undefined,
            )
          : null;
      const duplicate = decision !== null && isUsedUp(decision);
      const revokedRevision =
        upload.revision < ticket.revision &&
        (await revokedBefore(trx, ticket, upload.revision, upload.scannedAt));
      const admissionId = await recordAdmission(
        ticketing,
        trx,
        now,
        terminal,
        ticket,
        {
          direction: upload.direction,
          scannedAt: upload.scannedAt,
          position: upload.position,
        },
        {
          presentationTimeS: upload.presentationTime ?? undefined,
          duplicate,
          debit: terms.kind === 'stored_value' && !duplicate ? upload.debit : 0n,
          source: 'offline',
          slot: nextSlot(rows),
          nonce: upload.nonce,
          revision: upload.revision,
          revokedRevision,
        },
        committed,
      );
      const flags = await reflagByScanTime(ticketing, trx, ticket.id, terms, eventIds);
      const outside = await outsideVenue(ticketing, trx, terminal, upload.position);
      await logDecision(ticketing, trx, {
        terminal_id: terminal.id,
        performance_id: ticket.performance_id,
        ticket_number: ticket.number,
        input: 'upload',
        admitted: 1,
        reason: revokedRevision
          ? 'revoked'
          : duplicate
            ? 'duplicate'
            : decision && !decision.admitted
              ? decision.reason
              : 'valid',
        detail: revokedRevision
          ? `admitted offline at revision ${upload.revision}, revoked before the scan`
          : duplicate
            ? 'admitted offline after another admission had used the ticket'
            : decision && !decision.admitted
              ? `admitted offline; the server would have refused: ${decision.detail}`
              : 'admitted offline',
        admission_id: admissionId,
        scanned_at: upload.scannedAt,
        recorded_at: now,
      });
      return {
        nonce: upload.nonce,
        recorded: 'new' as const,
        duplicate: flags.get(admissionId) ?? duplicate,
        outsideVenue: outside,
        revokedRevision,
      };
    }).catch((error: unknown) => {
      // The same nonce sent twice at once: the unique index let one in; this one is a repeat.
      if (isNonceConflict(error)) {
        return {
          nonce: upload.nonce,
          recorded: 'already' as const,
          duplicate: false,
          outsideVenue: false,
          revokedRevision: false,
        };
      }
      throw error;
    });
    if (result.recorded === 'new') published.push(...committed);
    results.push(result);
  }
  for (const admission of published) ticketing.gates.publish(admission);
  await ticketing.database.db
    .updateTable('terminals')
    .set({
      last_seen_at: ticketing.clock.now(),
      ...(pending !== undefined ? { pending_uploads: pending } : {}),
    })
    .where('id', '=', terminal.id)
    .execute();
  return results;
}

/**
 * Whether `revision` of the ticket had been revoked (transferred, reissued, refunded) before
 * `scannedAt`: a terminal whose package was older admitted the old holder's copy.
 */
export async function revokedBefore(
  trx: Trx,
  ticket: { performance_id: string; number: string },
  revision: number,
  scannedAt: number,
) {
  const revocation = await trx
    .selectFrom('revocations')
    .select('seq')
    .where('performance_id', '=', ticket.performance_id)
    .where('ticket_number', '=', ticket.number)
    .where('through_revision', '>=', revision)
    .where('created_at', '<=', scannedAt)
    .limit(1)
    .executeTakeFirst();
  return revocation !== undefined;
}

/** The entitlement, not the scan, was the problem: another admission had used the ticket. */
export function isUsedUp(decision: Decision) {
  return (
    !decision.admitted &&
    (decision.reason === 'already_used' || decision.reason === 'entitlement_exhausted')
  );
}

/** A scan's time inside the ticket's window, so only the history decides an uploaded scan. */
export function withinWindow(terms: TicketTerms, scannedAtMs: number) {
  return Math.max(terms.validFromS, Math.min(seconds(scannedAtMs), terms.validUntilS - 1));
}

/**
 * Which offline scans of a ticket count is decided by when they were made, not by when their
 * uploads arrived: they are replayed in scan order after everything the server admitted online
 * (an admission given at the gate stands, it cannot be taken back), and each entry the
 * entitlement no longer covered is flagged a duplicate (one flagged before, now covered, is
 * cleared).
 */
export async function reflagByScanTime(
  ticketing: Ticketing,
  trx: Trx,
  ticketId: string,
  terms: TicketTerms,
  eventIds: readonly string[],
) {
  const history = await historyOf(ticketing, trx, ticketId);
  const counted = recordsOf(
    history.filter((row) => row.source === 'online' && row.duplicate === 0),
  );
  const offline = history
    .filter((row) => row.source === 'offline')
    .sort((a, b) => a.scanned_at - b.scanned_at || a.seq - b.seq);
  const flags = new Map<string, boolean>();
  for (const row of offline) {
    const duplicate =
      row.direction === 'entry' &&
      isUsedUp(
        evaluateEntitlement(
          { ...terms, revision: row.revision },
          {
            eventIds,
            nowS: withinWindow(terms, row.scanned_at),
            history: { admissionsFor: () => counted },
            debit: BigInt(row.debit),
          },
          row.presentation_time ?? undefined,
        ),
      );
    if (!duplicate) counted.push(...recordsOf([row]));
    flags.set(row.id, duplicate);
    if ((row.duplicate === 1) !== duplicate) {
      await trx
        .updateTable('admissions')
        .set({ duplicate: duplicate ? 1 : 0 })
        .where('id', '=', row.id)
        .execute();
    }
  }
  return flags;
}

export function isNonceConflict(error: unknown) {
  const text = error instanceof Error ? error.message : String(error);
  return /admissions_nonce|admissions\.terminal_id, admissions\.nonce/.test(text);
}

/**
 * Inside the transaction that issues a door sale's tickets: admits each at the selling terminal
 * (an entry, as if scanned there), audits it, and marks the sale admitted. The admissions go to
 * the live feed once the transaction has committed (`committed`).
 */
export async function admitDoorSaleIn(
  ticketing: Ticketing,
  trx: Trx,
  now: number,
  doorSaleId: string,
  tickets: readonly TicketsTable[],
  committed: GateAdmission[],
) {
  const seller = await trx
    .selectFrom('door_sales as d')
    .innerJoin('terminals as t', 't.id', 'd.terminal_id')
    .innerJoin('performances as p', 'p.id', 'd.performance_id')
    .select([
      't.id',
      't.organizer_id',
      't.venue_id',
      't.gate',
      't.name',
      't.performance_ids',
      'p.code as performance_code',
    ])
    .where('d.id', '=', doorSaleId)
    .executeTakeFirst();
  if (!seller) return;
  const terminal: TerminalPrincipal = {
    type: 'terminal',
    id: seller.id,
    organizerId: seller.organizer_id,
    venueId: seller.venue_id,
    gate: seller.gate,
    name: seller.name,
    performanceIds: JSON.parse(seller.performance_ids) as string[],
  };
  for (const ticket of tickets) {
    const admissionId = await recordAdmission(
      ticketing,
      trx,
      now,
      terminal,
      { ...ticket, performance_code: seller.performance_code },
      { direction: 'entry', scannedAt: now, position: null },
      // Issued in this same transaction: the ticket has no admission before this one.
      { presentationTimeS: undefined, duplicate: false, debit: 0n, source: 'online', slot: 0 },
      committed,
    );
    await logDecision(ticketing, trx, {
      terminal_id: terminal.id,
      performance_id: ticket.performance_id,
      ticket_number: ticket.number,
      input: 'door_sale',
      admitted: 1,
      reason: 'valid',
      detail: 'sold at the gate',
      admission_id: admissionId,
      scanned_at: now,
      recorded_at: now,
    });
  }
  await trx
    .updateTable('door_sales')
    .set({ status: 'admitted', admitted_at: now })
    .where('id', '=', doorSaleId)
    .execute();
}
