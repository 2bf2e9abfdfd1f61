/**
 * The online check (claim 12; units 112, 412): what a gate terminal read is authenticated
 * (`authenticate.ts`), decided on the ticket database's record and history (`decide.ts`) and,
 * when the ticket may pass, recorded with its audit entry (`record.ts`); every refusal goes to the
 * audit log too. Each step runs once per scan: the barcode is decoded once, authenticated once,
 * and its entitlement evaluated once per decision.
 *
 * The admission is optimistic: decide on the ticket and history as read, then write into the
 * ticket's next slot while the ticket is still at the decided revision. A write that lost its slot
 * (another gate admitted the ticket meanwhile) or its revision (transferred, reissued, refunded
 * meanwhile) reads the ticket again and decides again.
 */

import { ApiError } from '@tessera/service-kit/errors';
import type { Ticketing } from '../context.ts';
import type { TerminalPrincipal } from '../identity/service.ts';
import { authenticateBarcode, authenticateManualCode, codesOf } from './authenticate.ts';
import { decide, type Found, type GateAnswer, type GateInput, seconds } from './decide.ts';
import { logDecision, publishRefusal, writeAdmission } from './record.ts';
import { type GateDecisionRow, ticketOnRecord } from './repository.ts';

/**
 * A write finds its slot taken only when another gate's admission of the same ticket went in
 * since the history was read; after this many in a row the check gives up (503) rather than spin.
 */
const admissionAttempts = 10;

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
  const kind = input.barcode !== undefined ? 'barcode' : 'manual';
  const read =
    input.barcode !== undefined
      ? await authenticateBarcode(ticketing, terminal, input.barcode, codes, nowS)
      : await authenticateManualCode(ticketing, terminal, input);
  if ('refusal' in read) {
    const { reason, detail, ticketId, performanceId } = read.refusal;
    const refusal: GateDecisionRow = {
      terminal_id: terminal.id,
      performance_id: performanceId,
      ticket_number: ticketId,
      input: kind,
      admitted: 0,
      reason,
      detail,
      admission_id: null,
      scanned_at: input.scannedAt,
      recorded_at: ticketing.clock.now(),
    };
    await logDecision(ticketing, ticketing.database.db, refusal);
    publishRefusal(ticketing, terminal, refusal);
    return { admitted: false, reason, detail };
  }
  return admitOnline(ticketing, terminal, read.found, [...codes.keys()], input, kind);
}

/** Decides and writes, again on a fresh read while the write finds the decision stale. */
async function admitOnline(
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
    const verdict = decide(terminal, { ...found, ticket }, eventIds, input, now);
    if (!verdict.admit || !ticket) {
      // Against the ticket on record, else the one the barcode names.
      const refusal: GateDecisionRow = {
        terminal_id: terminal.id,
        performance_id: ticket?.performance_id ?? found.barcode?.performanceId ?? null,
        ticket_number: ticket?.number ?? found.barcode?.ticketId ?? null,
        input: kind,
        admitted: 0,
        reason: verdict.answer.reason,
        detail: verdict.answer.detail,
        admission_id: null,
        scanned_at: input.scannedAt,
        recorded_at: now,
      };
      await logDecision(ticketing, ticketing.database.db, refusal);
      publishRefusal(ticketing, terminal, refusal);
      return verdict.answer;
    }
    const written = await writeAdmission(ticketing, terminal, ticket, input, {
      debit: verdict.debit,
      presentationTimeS: found.barcode?.timeS,
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
    const { db, dialect } = ticketing.database;
    ticket = await ticketOnRecord(db, dialect, ticket.performance_id, ticket.number);
  }
}
