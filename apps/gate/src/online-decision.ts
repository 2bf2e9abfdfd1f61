/**
 * Claim 12: the server's answer to the online check, turned into the screen's decision and the
 * log's entry; and a call the server refused outright (too many wrong PINs, a revoked terminal,
 * bad input), which is an answer too, not a reason to go offline.
 */
import { decodePresentation, presentationFromText } from '@tessera/protocol/web';
import type { ApiError, OnlineAnswer, PackageManualCode, PackagePerformance } from './api.ts';
import { refusal, valueText } from './decision.ts';
import { categoryOf, type OfflineKnowledge } from './offline-decision.ts';
import type { Decided, LogEntry, TicketRead } from './terminal-types.ts';

export interface OnlineContext {
  /** The amount typed at the gate for a stored-value ticket. */
  debit: bigint;
  performances: readonly PackagePerformance[];
  /** The package's manual codes: a typed ticket's revision is its code's. */
  manualCodes: Iterable<PackageManualCode>;
  /** The package's category of a ticket, for answers that leave the ticket out. */
  categoryIdOf: OfflineKnowledge['categoryIdOf'];
  outsideVenue: boolean;
}

/**
 * The server refuses a barcode outside its window (not valid yet, expired) on the barcode's own
 * signed terms, before looking the ticket up, so its answer names no category: the package does,
 * as offline.
 */
const refusedOnOwnTerms = new Set(['not_yet_valid', 'expired']);

function categoryOfBarcode(read: TicketRead, context: OnlineContext): string | null {
  if (!('barcode' in read)) return null;
  try {
    const { credential } = decodePresentation(presentationFromText(read.barcode));
    return categoryOf(credential, context.performances, context.categoryIdOf);
  } catch {
    return null;
  }
}

/** The revision and the barcode's own time, for the log (the server has them too). */
function readFacts(
  read: TicketRead,
  ticket: NonNullable<OnlineAnswer['ticket']>,
  manualCodes: Iterable<PackageManualCode>,
) {
  if ('barcode' in read) {
    try {
      const presentation = decodePresentation(presentationFromText(read.barcode));
      return {
        presentationTimeS: presentation.timeS,
        revision: presentation.credential.revision,
      };
    } catch {
      // The server read it; the log just lacks the barcode's own time.
      return { presentationTimeS: null, revision: null };
    }
  }
  const code = [...manualCodes].find(
    (each) => each.performanceCode === ticket.performanceCode && each.ticketId === ticket.number,
  );
  return { presentationTimeS: null, revision: code?.revision ?? null };
}

/**
 * When a ticket the server found not valid yet can be used (ISO): the window's start from the
 * barcode's own credential, or the typed number's record in the package; else its category's
 * in the package (by name), or the doors of its performance.
 */
function validFromOf(
  read: TicketRead,
  ticket: OnlineAnswer['ticket'],
  context: OnlineContext,
): string | null {
  const iso = (seconds: number) => new Date(seconds * 1000).toISOString();
  if ('barcode' in read) {
    try {
      return iso(decodePresentation(presentationFromText(read.barcode)).credential.validFromS);
    } catch {
      // Not readable here: the package below may still say.
    }
  } else {
    const code = [...context.manualCodes].find((each) => each.ticketNumber === read.ticketNumber);
    if (code) return iso(code.validFromS);
  }
  if (!ticket) return null;
  const performance = context.performances.find((each) => each.code === ticket.performanceCode);
  const category = performance?.categories.find((each) => each.name === ticket.category);
  if (category) return iso(category.validFromS);
  return performance?.doorsAt ?? null;
}

export function fromOnline(
  answer: OnlineAnswer,
  read: TicketRead,
  begun: LogEntry,
  context: OnlineContext,
): Decided {
  const ticket = answer.ticket;
  const { presentationTimeS, revision } = ticket
    ? readFacts(read, ticket, context.manualCodes)
    : { presentationTimeS: null, revision: null };
  const storedValue = ticket?.kind === 'stored_value';
  const category =
    ticket?.category ??
    (refusedOnOwnTerms.has(answer.reason) ? categoryOfBarcode(read, context) : null);
  const entry: LogEntry = {
    ...begun,
    admitted: answer.admitted,
    reason: answer.reason,
    detail: answer.detail,
    performanceCode: ticket?.performanceCode ?? null,
    ticketId: ticket?.number ?? null,
    revision,
    presentationTimeS,
    debit: answer.admitted && storedValue ? context.debit.toString() : '0',
    seat: ticket?.seat ?? null,
    category,
  };
  return {
    decision: {
      admitted: answer.admitted,
      reason: answer.reason,
      detail: answer.detail,
      source: 'online',
      direction: begun.direction,
      ticketId: ticket?.number ?? null,
      kind: ticket?.kind ?? null,
      seat: ticket?.seat ?? null,
      category,
      holder: ticket?.holderFirstName ?? null,
      usesRemaining: ticket?.usesRemaining ?? null,
      valueRemaining:
        ticket?.valueRemaining != null
          ? valueText(BigInt(ticket.valueRemaining), context.performances)
          : null,
      firstAdmission: answer.firstAdmission
        ? { at: answer.firstAdmission.at, gate: answer.firstAdmission.gate }
        : null,
      validFrom: answer.reason === 'not_yet_valid' ? validFromOf(read, ticket, context) : null,
      outsideVenue: context.outsideVenue,
      decidedAt: Date.now(),
    },
    entry,
  };
}

/** The server refused the call itself (too many wrong PINs, a revoked terminal, bad input). */
export function fromRefusedCall(error: ApiError, begun: LogEntry, outsideVenue: boolean): Decided {
  const reason =
    error.status === 429 ? 'rate_limited' : error.status === 401 ? 'terminal_revoked' : 'malformed';
  return {
    decision: refusal(reason, error.message, 'online', begun.direction, outsideVenue),
    entry: { ...begun, reason, detail: error.message },
  };
}
