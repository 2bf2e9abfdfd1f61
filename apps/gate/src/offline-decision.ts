/**
 * Claim 11: the terminal's own decision when the server cannot answer in time, from what it
 * holds: the event package (the organizers' keys, the performances, the revocations, the manual
 * codes' salted PIN hashes), every admission it knows of (the package's, the live feed's from the
 * other gates, its own log's) and the scan's time by the server's clock (unit 412).
 *
 * The protocol's check (signatures, device binding, freshness, event, revocation, window, uses,
 * stored value) is `verifyPresentation` / `verifyManualCode`; on top of it the terminal's own
 * rules: scanning out (only a re-entry ticket whose holder is inside), the labels a credential
 * lacks (its category, from the package's record of the ticket), when a ticket not valid yet can
 * be used, and a limit on wrong manual codes like the server's.
 *
 * Pure: the protocol (bound to a crypto backend) and everything known come in as arguments, and
 * the answer says what to log and keep; nothing here reads storage, the network or the clock
 * beyond stamping when the decision was made. Tested in Node (offline-decision.test.ts).
 */
import {
  type AdmissionRecord,
  type Protocol as BoundProtocol,
  decodePresentation,
  type Keyring,
  manualCodeRecordFromJson,
  type Decision as ProtocolDecision,
  presentationFromText,
  type RevocationList,
  type TicketTerms,
} from '@tessera/protocol/web';
import type { PackageManualCode, PackagePerformance } from './api.ts';
import { refusal, valueText } from './decision.ts';
import type { Decided, LogEntry, TicketRead } from './terminal-types.ts';

/** The protocol bound to a crypto backend: WebCrypto in the app, either in tests. */
export type Protocol = Pick<BoundProtocol, 'verifyPresentation' | 'verifyManualCode'>;

/** Offline, wrong manual codes allowed per ten minutes, like the server's limit per terminal. */
export const manualFailuresMax = 10;
export const manualFailureWindowMs = 10 * 60_000;

/** What the terminal holds for the check. */
export interface OfflineKnowledge {
  /** The package's keys, prepared; undefined before the first package. */
  keyring: Keyring | undefined;
  /** The performances this terminal admits to, with their categories. */
  performances: readonly PackagePerformance[];
  revocations: RevocationList;
  /** Every admission known of one ticket: the package's, the live feed's and this terminal's. */
  admissionsFor(eventId: string, ticketId: string): readonly AdmissionRecord[];
  /** The package's manual code for a 10-digit ticket number. */
  manualCode(ticketNumber: string): PackageManualCode | undefined;
  /** The ticket's price category id, from the package's record of it, if it has one. */
  categoryIdOf(eventId: string, ticketId: string): string | undefined;
  /** When recent wrong manual codes were typed here (ms by the server's clock), oldest first. */
  wrongCodesAtMs: readonly number[];
}

/** One read to decide. */
export interface OfflineRead {
  read: TicketRead;
  /** The log entry begun for this read (decision.ts `beginEntry`, source offline). */
  begun: LogEntry;
  /** The amount typed at the gate for a stored-value ticket; exits debit nothing. */
  debit: bigint;
  /** The scan's time by the server's clock. */
  scannedAt: Date;
  /** Whether the terminal stands outside the venue's radius (unit 414), for the screen. */
  outsideVenue: boolean;
}

export interface OfflineOutcome extends Decided {
  /** The wrong manual codes to keep for the next read's limit. */
  wrongCodesAtMs: readonly number[];
}

/** The wrong codes still inside the window at `nowMs` (kept in the order they came). */
function recentWrongCodes(wrongCodesAtMs: readonly number[], nowMs: number): number[] {
  const kept = [...wrongCodesAtMs];
  while (kept.length > 0 && (kept[0] as number) < nowMs - manualFailureWindowMs) kept.shift();
  return kept;
}

function refused(
  reason: string,
  detail: string,
  { begun, outsideVenue }: OfflineRead,
  wrongCodesAtMs: readonly number[],
): OfflineOutcome {
  return {
    decision: refusal(reason, detail, 'offline', begun.direction, outsideVenue),
    entry: { ...begun, reason, detail },
    wrongCodesAtMs,
  };
}

/** Claim 11: decides on one read with what the terminal holds, at once and with no network. */
export async function decideOffline(
  protocol: Protocol,
  known: OfflineKnowledge,
  offline: OfflineRead,
): Promise<OfflineOutcome> {
  const { read, begun, scannedAt } = offline;
  const direction = begun.direction;
  let wrongCodesAtMs = known.wrongCodesAtMs;
  if (!known.keyring || known.performances.length === 0) {
    return refused(
      'no_package',
      'the event package has not been downloaded yet',
      offline,
      wrongCodesAtMs,
    );
  }
  const context = {
    eventIds: known.performances.map((performance) => performance.code),
    nowS: Math.floor(scannedAt.getTime() / 1000),
    revocations: known.revocations,
    history: { admissionsFor: known.admissionsFor },
    // An exit debits nothing; the check for it is the entry's, then the rules below.
    debit: direction === 'entry' ? offline.debit : 0n,
  };
  let result: ProtocolDecision;
  let presentationTimeS: number | null = null;
  if ('barcode' in read) {
    result = await protocol.verifyPresentation(read.barcode, {
      ...context,
      keyring: known.keyring,
    });
    if (result.admitted || result.terms) {
      presentationTimeS = decodePresentation(presentationFromText(read.barcode)).timeS;
    }
  } else {
    wrongCodesAtMs = recentWrongCodes(wrongCodesAtMs, scannedAt.getTime());
    if (wrongCodesAtMs.length >= manualFailuresMax) {
      const detail = 'too many wrong manual codes; wait ten minutes or scan the barcode';
      return refused('rate_limited', detail, offline, wrongCodesAtMs);
    }
    result = await protocol.verifyManualCode(
      { ticketNumber: read.ticketNumber, pin: read.pin },
      {
        ...context,
        lookup: (number) => {
          const code = known.manualCode(number);
          return code ? manualCodeRecordFromJson(code) : undefined;
        },
      },
    );
    if (!result.admitted && result.reason === 'wrong_code') {
      wrongCodesAtMs = [...wrongCodesAtMs, scannedAt.getTime()];
    }
  }
  return { ...outcome(result, presentationTimeS, known, offline), wrongCodesAtMs };
}

/** The terminal's rules on top of the protocol's answer: exits and re-entries. */
function gateRules(result: ProtocolDecision, known: OfflineKnowledge, offline: OfflineRead) {
  const direction = offline.begun.direction;
  const terms = result.terms;
  if (direction === 'exit' && terms && (result.admitted || result.reason === 'already_used')) {
    // Scanning out: the ticket must allow coming back, and the holder must be inside.
    const records = [...known.admissionsFor(terms.eventId, terms.ticketId)].sort(
      (a, b) => a.atS - b.atS,
    );
    const inside = records.at(-1)?.direction === 'entry';
    const admitted = terms.reentryAllowed && inside;
    return {
      admitted,
      reason: admitted ? 'exit' : terms.reentryAllowed ? 'not_inside' : 'no_reentry',
      detail: admitted
        ? 'scanned out'
        : terms.reentryAllowed
          ? 'the holder has not entered, so cannot scan out'
          : 'this ticket does not allow leaving and coming back',
    };
  }
  if (direction === 'exit' && result.admitted) {
    return {
      admitted: false,
      reason: 'not_inside',
      detail: 'the holder has not entered, so cannot scan out',
    };
  }
  if (result.admitted && result.reentry) {
    return { admitted: true, reason: 'reentry', detail: 'welcome back' };
  }
  return result.admitted
    ? { admitted: true, reason: result.reason, detail: 'admit' }
    : { admitted: false, reason: result.reason, detail: result.detail };
}

/** The screen's decision and the log's entry (pending upload when admitted). */
function outcome(
  result: ProtocolDecision,
  presentationTimeS: number | null,
  known: OfflineKnowledge,
  offline: OfflineRead,
): Decided {
  const { begun, debit } = offline;
  const direction = begun.direction;
  const terms = result.terms;
  const { admitted, reason, detail } = gateRules(result, known, offline);
  const category = terms ? categoryOf(terms, known.performances, known.categoryIdOf) : null;
  const storedValue = terms?.kind === 'stored_value';
  const first = !result.admitted ? result.firstAdmission : undefined;
  const entry: LogEntry = {
    ...begun,
    admitted,
    reason,
    detail,
    performanceCode: terms?.eventId ?? null,
    ticketId: terms?.ticketId ?? null,
    revision: terms?.revision ?? null,
    presentationTimeS,
    debit: admitted && storedValue && direction === 'entry' ? debit.toString() : '0',
    pending: admitted ? 1 : 0,
    seat: null,
    category,
  };
  return {
    decision: {
      admitted,
      reason,
      detail,
      source: 'offline',
      direction,
      ticketId: terms?.ticketId ?? null,
      kind: terms?.kind ?? null,
      seat: null,
      category,
      holder: null,
      usesRemaining: result.admitted && direction === 'entry' ? result.usesRemaining : null,
      valueRemaining:
        result.admitted && result.valueRemaining !== null && direction === 'entry'
          ? valueText(result.valueRemaining, known.performances)
          : null,
      firstAdmission: first
        ? { at: new Date(first.atS * 1000).toISOString(), gate: first.gate ?? null }
        : null,
      validFrom:
        reason === 'not_yet_valid' && terms
          ? new Date(terms.validFromS * 1000).toISOString()
          : null,
      outsideVenue: offline.outsideVenue,
      decidedAt: Date.now(),
    },
    entry,
  };
}

/**
 * The credential carries no category, so offline it comes from the package: the ticket's own
 * record names it; without one (a ticket whose record has not come yet), the one category of its
 * performance whose terms match the ticket's, and none rather than a wrong one when several do.
 */
export function categoryOf(
  terms: TicketTerms,
  performances: readonly PackagePerformance[],
  categoryIdOf: OfflineKnowledge['categoryIdOf'],
): string | null {
  const performance = performances.find((each) => each.code === terms.eventId);
  const categories = performance?.categories ?? [];
  const id = categoryIdOf(terms.eventId, terms.ticketId);
  const named = id === undefined ? undefined : categories.find((category) => category.id === id);
  if (named) return named.name;
  const matching = categories.filter(
    (category) =>
      category.kind === terms.kind &&
      category.entriesAllowed === terms.entriesAllowed &&
      category.reentryAllowed === terms.reentryAllowed &&
      category.validFromS === terms.validFromS &&
      category.validUntilS === terms.validUntilS &&
      BigInt(category.storedValue) === terms.storedValue,
  );
  return matching.length === 1 ? (matching[0]?.name ?? null) : null;
}
