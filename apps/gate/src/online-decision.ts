/**
 * Claim 12: the server's answer to the online check, turned into the screen's decision and the
 * log's entry; and a call the server refused outright (too many wrong PINs, a revoked terminal,
 * bad input), which is an answer too, not a reason to go offline.
 */
import { decodePresentation, presentationFromText } from '@tessera/protocol/web';
import type { ApiError, OnlineAnswer, PackageManualCode, PackagePerformance } from './api.ts';
import { refusal, valueText } from './decision.ts';
import type { Decided, LogEntry, TicketRead } from './terminal-types.ts';

export interface OnlineContext {
  /** The amount typed at the gate for a stored-value ticket. */
  debit: bigint;
  performances: readonly PackagePerformance[];
  /** The package's manual codes: a typed ticket's revision is its code's. */
  manualCodes: Iterable<PackageManualCode>;
  outsideVenue: boolean;
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
    category: ticket?.category ?? null,
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
      category: ticket?.category ?? null,
      holder: ticket?.holderFirstName ?? null,
      usesRemaining: ticket?.usesRemaining ?? null,
      valueRemaining:
        ticket?.valueRemaining != null
          ? valueText(BigInt(ticket.valueRemaining), context.performances)
          : null,
      firstAdmission: answer.firstAdmission
        ? { at: answer.firstAdmission.at, gate: answer.firstAdmission.gate }
        : null,
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
