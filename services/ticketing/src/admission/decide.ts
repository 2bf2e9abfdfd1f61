/**
 * The gate's decision (claim 12), pure: what a terminal read and the ticket on record, with its
 * history, in; a refusal with its reason, or an admission to write, out. Nothing here reads or
 * writes the database: `service.ts` reads, decides here, then writes (`record.ts`).
 *
 * One rule decides everywhere: the protocol's `evaluateEntitlement`, fed with the ticket's
 * admission history. Offline, a terminal feeds it what it knows; here it gets the database's
 * history, read with the ticket in one statement. It is evaluated once per decision.
 */

import {
  type AdmissionRecord,
  bytesEqual,
  type Decision,
  evaluateEntitlement,
  fromBase64url,
  type RejectionReason,
  type TicketTerms,
} from '@tessera/protocol';
import type { TerminalPrincipal } from '../identity/service.ts';
import { ticketTerms } from '../tickets/issuance.ts';
import type { HistoryRow, LockedTicket, TicketOnRecord } from './repository.ts';

export const seconds = (ms: number) => Math.floor(ms / 1000);

/** What the terminal read. */
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

/** The ticket as the gate shows it: seat, category, holder, and what is left of it. */
export interface TicketDetails {
  id: string;
  number: string;
  performanceCode: string;
  seat: string | null;
  category: string;
  holderFirstName: string | null;
  kind: string;
  usesRemaining: number | null;
  valueRemaining: string | null;
}

/** Where and when a used ticket was first admitted. */
export interface FirstAdmission {
  at: string;
  gate: string | null;
  terminalId: string | null;
  latitude: number | null;
  longitude: number | null;
}

/** The answer the terminal gets. */
export interface GateAnswer {
  admitted: boolean;
  reason: string;
  detail: string;
  ticket?: TicketDetails;
  firstAdmission?: FirstAdmission;
  admissionId?: string;
}

/** A barcode as authentication left it: the credential's signed terms and the barcode's parts. */
export interface PresentedBarcode {
  /** The terms the credential carries, as the organizer signed them. */
  terms: TicketTerms;
  credentialBytes: Uint8Array;
  /** The barcode's own time (seconds), so the same barcode shown twice is recognised. */
  timeS: number;
  /**
   * The ticket (the credential's ticket ID) and performance the barcode names (the performance
   * when it is this gate's).
   */
  ticketId: string;
  performanceId: string | null;
}

/** What the check found: the ticket a barcode or manual code names, and the barcode. */
export interface Found {
  ticket: TicketOnRecord | undefined;
  /** Absent for a manual code, which carries no credential. */
  barcode?: PresentedBarcode;
}

/** A decision: refused, or to be admitted with this debit once the write goes in. */
export type Verdict =
  | { answer: GateAnswer; admit: false }
  | { answer: GateAnswer; admit: true; debit: bigint };

/**
 * The refusals a barcode's own terms give whatever the ticket database holds: its event and its
 * window. (The protocol refuses a credential without stored value as it is decoded, and the
 * server checks no revocation list: the database has the last word on revisions.)
 */
const ownTermsReasons: ReadonlySet<RejectionReason> = new Set([
  'wrong_event',
  'not_yet_valid',
  'expired',
]);

/**
 * What the gate decides on the ticket and history as read; writes nothing.
 *
 * The order of the refusals is the API's and stays as it is: a barcode is first refused for its
 * own terms (another event, before or after its window) even where the database would refuse it
 * too, then for what the database says (no such ticket on record, the performance closed, the
 * ticket no longer valid, an earlier revision of it), and only then for its history (already
 * used, used up). Why: the online check began as the protocol's offline verification (claim 11's
 * order: format, signatures, age, event, window) followed by the ticket database's check (claim
 * 12), so a gate online names the same reason for a barcode's own terms as a gate offline does
 * from the same credential, and these refusals come without the ticket's details, which only the
 * database check vouches for. A manual code carries no terms of its own: the database answers
 * first, then the terms and the history together. `test/gate-threats.test.ts` ("refusal order")
 * pins this through the API.
 */
export function decide(
  terminal: TerminalPrincipal,
  found: Found,
  eventIds: readonly string[],
  input: GateInput,
  now: number,
): Verdict {
  const { ticket, barcode } = found;
  const rows = ticket?.history ?? [];
  const nowS = seconds(now);
  // A barcode's entitlement is evaluated on its own signed terms: they are the terms on record
  // whenever it carries the credential on record (checked below before the decision is used),
  // since a category's terms and a performance's window cannot change once tickets are sold.
  const onBarcode = barcode
    ? entitlement(barcode.terms, rows, input, eventIds, nowS, barcode.timeS)
    : undefined;
  if (onBarcode && !onBarcode.admitted && ownTermsReasons.has(onBarcode.reason)) {
    return refused({ admitted: false, reason: onBarcode.reason, detail: onBarcode.detail });
  }
  if (barcode && !ticket) {
    return refused({ admitted: false, reason: 'revoked', detail: 'no such ticket is on record' });
  }
  if (!ticket || !terminal.performanceIds.includes(ticket.performance_id)) {
    return refused({
      admitted: false,
      reason: 'wrong_event',
      detail: 'not a ticket for this gate',
    });
  }
  const terms = ticketTerms(ticket, ticket.number, ticket.revision);
  const view = ticketDetails(ticket, terms, rows);
  const onRecord = refusalOnRecord(ticket, barcode);
  if (onRecord) return refused({ admitted: false, ...onRecord, ticket: view });
  const decision = onBarcode ?? entitlement(terms, rows, input, eventIds, nowS, undefined);
  return input.direction === 'exit'
    ? exitVerdict(terms, rows, decision, view)
    : entryVerdict(terms, rows, decision, view, input.debit);
}

const refused = (answer: GateAnswer): Verdict => ({ answer, admit: false });

/**
 * The entitlement against the history: an entry with its debit and the barcode's time (the same
 * barcode shown twice is recognised); an exit only needs the ticket's window and event.
 */
function entitlement(
  terms: TicketTerms,
  rows: readonly HistoryRow[],
  input: GateInput,
  eventIds: readonly string[],
  nowS: number,
  presentationTimeS: number | undefined,
): Decision {
  const history = { admissionsFor: () => recordsOf(rows) };
  return input.direction === 'exit'
    ? evaluateEntitlement(terms, { eventIds, nowS, history })
    : evaluateEntitlement(
        terms,
        { eventIds, nowS, history, debit: input.debit },
        presentationTimeS,
      );
}

/**
 * The ticket database has the last word (claim 12): the performance must be open, and the barcode
 * must carry exactly the credential on record (every field, the holder's device included), at
 * the current revision.
 */
function refusalOnRecord(ticket: LockedTicket, barcode: PresentedBarcode | undefined) {
  if (ticket.closed_at !== null) {
    return { reason: 'closed', detail: 'this performance has been closed; the gates are shut' };
  }
  if (ticket.status !== 'valid' || ticket.credential === null) {
    return { reason: 'revoked', detail: `the ticket is ${ticket.status.replace('_', ' ')}` };
  }
  if (barcode && !bytesEqual(barcode.credentialBytes, fromBase64url(ticket.credential))) {
    return {
      reason: 'revoked',
      detail: 'an earlier revision of this ticket (transferred, reissued or refunded)',
    };
  }
  return undefined;
}

/**
 * Scanning out, where re-entry is allowed, of a holder who is inside: the entitlement only has to
 * hold (its window); being inside with the ticket used is what an exit expects.
 */
function exitVerdict(
  terms: TicketTerms,
  rows: readonly HistoryRow[],
  decision: Decision,
  view: TicketDetails,
): Verdict {
  const inside = rows.length > 0 && rows[rows.length - 1]?.direction === 'entry';
  if (
    !terms.reentryAllowed ||
    !inside ||
    (!decision.admitted && decision.reason !== 'already_used')
  ) {
    return refused({
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

function entryVerdict(
  terms: TicketTerms,
  rows: readonly HistoryRow[],
  decision: Decision,
  view: TicketDetails,
  debit: bigint,
): Verdict {
  if (!decision.admitted) {
    const first = decision.firstAdmission ? firstOf(rows, decision.firstAdmission) : undefined;
    return refused({
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
    debit: terms.kind === 'stored_value' ? debit : 0n,
  };
}

/** The history as the protocol's admission records. */
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

/** The row of the protocol's first admission, as the refusal of a used ticket shows it. */
function firstOf(rows: readonly HistoryRow[], record: AdmissionRecord): FirstAdmission | undefined {
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

function ticketDetails(
  ticket: LockedTicket,
  terms: TicketTerms,
  rows: readonly HistoryRow[],
): TicketDetails {
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
