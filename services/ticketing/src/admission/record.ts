/**
 * Recording admissions (units 412, 414): the online admission's optimistic write, an admission
 * recorded under the ticket's lock (an upload, a door sale), the audit log every decision goes
 * to, and the entry the live feed tells every terminal of the event.
 *
 * Every admission of a ticket takes the next slot of its history, unique per ticket, and an
 * online one is written only while the ticket is still at the revision it was decided on: two
 * gates scanning the same ticket at the same moment both decide on the same history, one write
 * takes the slot, and the other finds it taken, reads the history again and decides again. On
 * PostgreSQL the write is one autocommitted statement with its audit entry, the revision checked
 * under `FOR SHARE`, so an admission costs two round trips instead of a transaction's seven.
 */

import type { GateAdmission, Ticketing, Trx } from '../context.ts';
import { inTransaction } from '../context.ts';
import type { TicketsTable } from '../db/schema.ts';
import type { TerminalPrincipal } from '../identity/service.ts';
import { newId } from '../ids.ts';
import type { GateAnswer, GateInput } from './decide.ts';
import { distanceM } from './geometry.ts';
import {
  doorSaleSeller,
  type GateDecisionRow,
  type GuardedAdmission,
  insertAdmission,
  insertGateDecision,
  insertGuardedAdmission,
  isSlotTaken,
  markDoorSaleAdmitted,
  type TicketOnRecord,
  type VenueGeofence,
  venueGeofence,
} from './repository.ts';

/** Appends one decision to the audit log (every scan, admitted or not, on the hot path). */
export async function logDecision(ticketing: Ticketing, executor: Trx, row: GateDecisionRow) {
  await insertGateDecision(executor, ticketing.database.dialect, row);
}

/**
 * Tells the check-in dashboards of a refusal once its audit entry is written (committed: call it
 * after the transaction, if any). A refusal of no known performance is no dashboard's.
 */
export function publishRefusal(
  ticketing: Ticketing,
  terminal: Pick<TerminalPrincipal, 'id' | 'gate'>,
  row: GateDecisionRow,
) {
  if (row.admitted !== 0 || row.performance_id === null) return;
  ticketing.gates.refused({
    performanceId: row.performance_id,
    gate: terminal.gate,
    terminalId: terminal.id,
    reason: row.reason,
    input: row.input,
    ticketNumber: row.ticket_number,
    at: row.recorded_at,
  });
}

/** The slot the next admission of a ticket takes, after every one in `rows`. */
export function nextSlot(rows: readonly { slot: number }[]) {
  return rows.reduce((next, row) => Math.max(next, row.slot + 1), 0);
}

/**
 * Writes an online admission into the ticket's next slot, with its audit entry, while the ticket
 * is still at the revision decided on (claim 12): its id and feed entry, or undefined when the
 * decision is stale (the slot was taken, or the ticket changed).
 */
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
  const outside = await outsideVenue(ticketing, db, terminal, input.position);
  // One list of parameters for both databases' statements, and for SQLite's audit entry.
  const admission: GuardedAdmission = {
    id: newId('adm'),
    ticket_id: ticket.id,
    performance_id: ticket.performance_id,
    revision: ticket.revision,
    terminal_id: terminal.id,
    gate: terminal.gate,
    direction: input.direction,
    debit: decided.debit.toString(),
    scanned_at: input.scannedAt,
    recorded_at: decided.now,
    presentation_time: decided.presentationTimeS ?? null,
    latitude: input.position?.latitude ?? null,
    longitude: input.position?.longitude ?? null,
    accuracy_m: input.position?.accuracyM ?? null,
    outside_venue: outside ? 1 : 0,
    slot: nextSlot(ticket.history),
    ticket_number: ticket.number,
    input: decided.kind,
    reason: decided.answer.reason,
    detail: decided.answer.detail,
  };
  let seq: number | undefined;
  try {
    seq =
      dialect === 'postgres'
        ? await insertGuardedAdmission(db, dialect, admission)
        : await inTransaction(ticketing, async ({ trx }) => {
            const written = await insertGuardedAdmission(trx, dialect, admission);
            if (written !== undefined) await logDecision(ticketing, trx, auditOf(admission));
            return written;
          });
  } catch (error) {
    if (isSlotTaken(error)) return undefined;
    throw error;
  }
  if (seq === undefined) return undefined;
  const feed = feedEntry(ticket, terminal, input, {
    seq,
    id: admission.id,
    revision: ticket.revision,
    debit: decided.debit,
    presentationTimeS: decided.presentationTimeS,
    duplicate: false,
    source: 'online',
    recordedAt: decided.now,
    outsideVenue: outside,
  });
  return { id: admission.id, feed };
}

/** The audit entry of an online admission (PostgreSQL's statement writes the same itself). */
function auditOf(admission: GuardedAdmission): GateDecisionRow {
  return {
    terminal_id: admission.terminal_id,
    performance_id: admission.performance_id,
    ticket_number: admission.ticket_number,
    input: admission.input,
    admitted: 1,
    reason: admission.reason,
    detail: admission.detail,
    admission_id: admission.id,
    scanned_at: admission.scanned_at,
    recorded_at: admission.recorded_at,
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
  const revision = extra.revision ?? ticket.revision;
  const seq = await insertAdmission(trx, ticketing.database.dialect, {
    id,
    performance_id: ticket.performance_id,
    ticket_id: ticket.id,
    revision,
    terminal_id: terminal.id,
    gate: terminal.gate,
    direction: input.direction,
    debit: extra.debit.toString(),
    scanned_at: input.scannedAt,
    recorded_at: now,
    presentation_time: extra.presentationTimeS ?? null,
    latitude: input.position?.latitude ?? null,
    longitude: input.position?.longitude ?? null,
    accuracy_m: input.position?.accuracyM ?? null,
    source: extra.source,
    nonce: extra.nonce ?? null,
    duplicate: extra.duplicate ? 1 : 0,
    outside_venue: outside ? 1 : 0,
    revoked_revision: extra.revokedRevision ? 1 : 0,
    slot: extra.slot,
  });
  // Told to the feed only after the commit: a rolled-back admission must never reach a gate.
  committed.push(
    feedEntry(ticket, terminal, input, {
      seq,
      id,
      revision,
      debit: extra.debit,
      presentationTimeS: extra.presentationTimeS,
      duplicate: extra.duplicate,
      source: extra.source,
      recordedAt: now,
      outsideVenue: outside,
    }),
  );
  return id;
}

/**
 * What the live feed tells every terminal of the event about one admission, and the check-in
 * dashboards besides (its id, source, record time, position and geofence flag).
 */
function feedEntry(
  ticket: { number: string; performance_id: string; performance_code: string },
  terminal: TerminalPrincipal,
  input: Pick<GateInput, 'direction' | 'scannedAt' | 'position'>,
  admission: {
    seq: number;
    id: string;
    revision: number;
    debit: bigint;
    presentationTimeS: number | undefined;
    duplicate: boolean;
    source: 'online' | 'offline';
    recordedAt: number;
    outsideVenue: boolean;
  },
): GateAdmission {
  return {
    seq: admission.seq,
    performanceId: ticket.performance_id,
    performanceCode: ticket.performance_code,
    ticketId: ticket.number,
    revision: admission.revision,
    direction: input.direction,
    debit: admission.debit.toString(),
    scannedAt: input.scannedAt,
    presentationTimeS: admission.presentationTimeS ?? null,
    gate: terminal.gate,
    terminalId: terminal.id,
    duplicate: admission.duplicate,
    admissionId: admission.id,
    source: admission.source,
    recordedAt: admission.recordedAt,
    outsideVenue: admission.outsideVenue,
    latitude: input.position?.latitude ?? null,
    longitude: input.position?.longitude ?? null,
    accuracyM: input.position?.accuracyM ?? null,
  };
}

/**
 * A venue's geofence, kept a minute: every admission with a position is checked against it. Read
 * in the caller's transaction (`executor`), which on SQLite holds the one connection.
 */
function venueCache(ticketing: Ticketing) {
  return ticketing.caches.cache<VenueGeofence, Trx>(
    'venue-geofences',
    { ttlMs: 60_000, max: 10_000 },
    (venueId, executor) => venueGeofence(executor ?? ticketing.database.db, venueId),
  );
}

/** Unit 414: outside when even the position's accuracy cannot put it within the radius. */
export async function outsideVenue(
  ticketing: Ticketing,
  executor: Trx,
  terminal: TerminalPrincipal,
  position: GateInput['position'],
) {
  if (!position) return false;
  const venue = await venueCache(ticketing).get(terminal.venueId, executor);
  if (!venue) throw new Error(`venue ${terminal.venueId} is gone`);
  return distanceM(venue, position) - position.accuracyM > venue.radius_m;
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
  const seller = await doorSaleSeller(trx, doorSaleId);
  if (!seller) return;
  const terminal: TerminalPrincipal = {
    type: 'terminal',
    id: seller.id,
    organizerId: seller.organizer_id,
    venueId: seller.venue_id,
    gate: seller.gate,
    name: seller.name,
    performanceIds: seller.performance_ids,
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
  await markDoorSaleAdmitted(trx, doorSaleId, now);
}
