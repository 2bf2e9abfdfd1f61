/**
 * Offline admissions (claim 11's afterwards; unit 416): what a terminal admitted with no network,
 * uploaded later. Each is recorded once (by its nonce), under the ticket's lock (`FOR UPDATE`),
 * into the ticket's next slot. It happened, so it is kept even when the ticket's entitlement no
 * longer covered it (another gate admitted it first): it is then flagged a duplicate, and which
 * of a ticket's offline scans count is decided again by when they were scanned.
 */

import { type Decision, evaluateEntitlement, type TicketTerms } from '@tessera/protocol';
import type { GateAdmission, Ticketing, Trx } from '../context.ts';
import { inTransaction } from '../context.ts';
import type { TerminalPrincipal } from '../identity/service.ts';
import { ticketTerms } from '../tickets/issuance.ts';
import { codesOf } from './authenticate.ts';
import { type GateInput, recordsOf, seconds } from './decide.ts';
import { logDecision, nextSlot, outsideVenue, publishRefusal, recordAdmission } from './record.ts';
import {
  admissionsOfTicket,
  type GateDecisionRow,
  isNonceConflict,
  type LockedTicket,
  lockTicket,
  recordTerminalContact,
  revokedAtScan,
  setDuplicate,
  ticketIdOf,
  uploadedAdmission,
} from './repository.ts';

export interface UploadedAdmission {
  nonce: string;
  performanceCode: string;
  ticketId: string;
  revision: number;
  direction: 'entry' | 'exit';
  scannedAt: number;
  presentationTimeS: number | null;
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
 * Records what a terminal admitted with no network, one admission per transaction. Accepted
 * after the performance closed too: it happened. The feed hears of the new ones once all are in.
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
    // The audit entry of an upload refused, told to the dashboards once committed.
    const refused: GateDecisionRow[] = [];
    const result = await inTransaction(ticketing, ({ trx, now }) => {
      committed.length = 0;
      refused.length = 0;
      return uploadOne(ticketing, trx, now, terminal, upload, performanceId, eventIds, {
        committed,
        refused,
      });
    }).catch((error: unknown) => {
      // The same nonce sent twice at once: the unique index let one in; this one is a repeat.
      if (isNonceConflict(error)) return resultOf(upload, 'already');
      throw error;
    });
    if (result.recorded === 'new') published.push(...committed);
    if (result.recorded === 'unknown_ticket' && refused.length > 0) {
      for (const row of refused.splice(0)) publishRefusal(ticketing, terminal, row);
    }
    results.push(result);
  }
  for (const admission of published) ticketing.gates.publish(admission);
  await recordTerminalContact(ticketing.database.db, terminal.id, ticketing.clock.now(), pending);
  return results;
}

function resultOf(
  upload: UploadedAdmission,
  recorded: UploadResult['recorded'],
  flags: { duplicate?: boolean; outsideVenue?: boolean; revokedRevision?: boolean } = {},
): UploadResult {
  return {
    nonce: upload.nonce,
    recorded,
    duplicate: flags.duplicate ?? false,
    outsideVenue: flags.outsideVenue ?? false,
    revokedRevision: flags.revokedRevision ?? false,
  };
}

/** One uploaded admission, inside its transaction. */
async function uploadOne(
  ticketing: Ticketing,
  trx: Trx,
  now: number,
  terminal: TerminalPrincipal,
  upload: UploadedAdmission,
  performanceId: string | undefined,
  eventIds: readonly string[],
  told: { committed: GateAdmission[]; refused: GateDecisionRow[] },
): Promise<UploadResult> {
  const known = await uploadedAdmission(trx, terminal.id, upload.nonce);
  if (known) {
    return resultOf(upload, 'already', {
      duplicate: known.duplicate === 1,
      outsideVenue: known.outside_venue === 1,
      revokedRevision: known.revoked_revision === 1,
    });
  }
  const ticketId = performanceId
    ? await ticketIdOf(trx, performanceId, upload.ticketId)
    : undefined;
  const ticket = ticketId ? await lockTicket(trx, ticketing.database.dialect, ticketId) : undefined;
  if (!ticket) {
    const refusal: GateDecisionRow = {
      terminal_id: terminal.id,
      performance_id: performanceId ?? null,
      ticket_number: upload.ticketId,
      input: 'upload',
      admitted: 0,
      reason: 'unknown_ticket',
      detail: `no ticket ${upload.ticketId} of ${upload.performanceCode} at this gate`,
      admission_id: null,
      scanned_at: upload.scannedAt,
      recorded_at: now,
    };
    await logDecision(ticketing, trx, refusal);
    told.refused.push(refusal);
    return resultOf(upload, 'unknown_ticket');
  }
  return recordUpload(ticketing, trx, now, terminal, ticket, upload, eventIds, told.committed);
}

/** An upload of a ticket on record, under its lock: recorded, flagged, audited. */
async function recordUpload(
  ticketing: Ticketing,
  trx: Trx,
  now: number,
  terminal: TerminalPrincipal,
  ticket: LockedTicket,
  upload: UploadedAdmission,
  eventIds: readonly string[],
  committed: GateAdmission[],
): Promise<UploadResult> {
  const terms = ticketTerms(ticket, ticket.number, ticket.revision);
  const rows = await admissionsOfTicket(trx, ticketing.database.dialect, ticket.id);
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
          upload.presentationTimeS ?? undefined,
        )
      : null;
  const duplicate = decision !== null && isUsedUp(decision);
  // A terminal whose package was older admitted the old holder's copy.
  const revokedRevision =
    upload.revision < ticket.revision &&
    (await revokedAtScan(trx, ticket, upload.revision, upload.scannedAt));
  const admissionId = await recordAdmission(
    ticketing,
    trx,
    now,
    terminal,
    ticket,
    { direction: upload.direction, scannedAt: upload.scannedAt, position: upload.position },
    {
      presentationTimeS: upload.presentationTimeS ?? undefined,
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
  // The feed tells the flag as the scan-time replay left it, not as first written.
  const entry = committed.pop();
  if (entry) committed.push({ ...entry, duplicate: flags.get(admissionId) ?? duplicate });
  const outside = await outsideVenue(ticketing, trx, terminal, upload.position);
  await logDecision(ticketing, trx, {
    terminal_id: terminal.id,
    performance_id: ticket.performance_id,
    ticket_number: ticket.number,
    input: 'upload',
    admitted: 1,
    ...uploadAudit(upload, { revokedRevision, duplicate, decision }),
    admission_id: admissionId,
    scanned_at: upload.scannedAt,
    recorded_at: now,
  });
  return resultOf(upload, 'new', {
    duplicate: flags.get(admissionId) ?? duplicate,
    outsideVenue: outside,
    revokedRevision,
  });
}

/** The audit log's reason and detail for an uploaded admission. */
function uploadAudit(
  upload: UploadedAdmission,
  found: { revokedRevision: boolean; duplicate: boolean; decision: Decision | null },
) {
  const { revokedRevision, duplicate, decision } = found;
  if (revokedRevision) {
    return {
      reason: 'revoked',
      detail: `admitted offline at revision ${upload.revision}, revoked before the scan`,
    };
  }
  if (duplicate) {
    return {
      reason: 'duplicate',
      detail: 'admitted offline after another admission had used the ticket',
    };
  }
  if (decision && !decision.admitted) {
    return {
      reason: decision.reason,
      detail: `admitted offline; the server would have refused: ${decision.detail}`,
    };
  }
  return { reason: 'valid', detail: 'admitted offline' };
}

/** The entitlement, not the scan, was the problem: another admission had used the ticket. */
function isUsedUp(decision: Decision) {
  return (
    !decision.admitted &&
    (decision.reason === 'already_used' || decision.reason === 'entitlement_exhausted')
  );
}

/** A scan's time inside the ticket's window, so only the history decides an uploaded scan. */
function withinWindow(terms: TicketTerms, scannedAtMs: number) {
  return Math.max(terms.validFromS, Math.min(seconds(scannedAtMs), terms.validUntilS - 1));
}

/**
 * Which offline scans of a ticket count is decided by when they were made, not by when their
 * uploads arrived: they are replayed in scan order after everything the server admitted online
 * (an admission given at the gate stands, it cannot be taken back), and each entry the
 * entitlement no longer covered is flagged a duplicate (one flagged before, now covered, is
 * cleared).
 */
async function reflagByScanTime(
  ticketing: Ticketing,
  trx: Trx,
  ticketId: string,
  terms: TicketTerms,
  eventIds: readonly string[],
) {
  const history = await admissionsOfTicket(trx, ticketing.database.dialect, ticketId);
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
    if ((row.duplicate === 1) !== duplicate) await setDuplicate(trx, row.id, duplicate);
  }
  return flags;
}
