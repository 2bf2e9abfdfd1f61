/**
 * The steps every after-sale flow shares. After the sale a ticket changes hands (transfer to
 * another phone number, transfers/), moves to the holder's new phone (reissue, reissue.ts), or
 * is given back (refund, refunds.ts, or the whole performance cancelled, cancellation.ts).
 *
 * A ticket's credential names its revision. Whenever a ticket is rebound (transfer, reissue) its
 * revision goes up by one and the credential is signed anew for the new device; whenever it stops
 * being valid (transfer, reissue, refund, cancellation) a row is appended to `revocations`:
 * "every revision of this ticket number up to `through_revision` is void". Terminals sync that
 * list (revocations.ts) so an old credential is refused offline too, and the online check
 * compares the presented revision with the ticket DB. So after any of these flows exactly one
 * revision of a ticket is valid, or none.
 *
 * Every change is one write transaction of conditional updates (the ticket still at the revision
 * and status we read, the transfer still pending), so two flows racing on one ticket cannot both
 * win: the loser changes nothing and answers 409. Credentials are signed before the transaction
 * (signing is slow and must not hold SQLite's write lock); the conditional update guarantees the
 * signed revision is the one stored.
 *
 * What a gate admitted is part of the ticket's state: a holder cannot give back (refund) a ticket
 * someone has entered with, nor pass on (transfer) one whose entries are used up. Those checks
 * read the admissions after the transaction's conditional update has locked the ticket row, so an
 * admission committed before is seen, and a gate writing at the same moment waits for the row and
 * then finds the ticket changed (the admission folder writes only at the revision and status it
 * decided on).
 */
import { fromBase64url, generateManualCode } from '@tessera/protocol';
import { conflict } from '@tessera/service-kit/errors';
import type { Ticketing, Trx, Work } from '../context.ts';
import type { RevocationsTable, TicketsTable } from '../db/schema.ts';
import { sealPin } from '../organizers/keys.ts';
import { signCredential, termsSource } from '../tickets/issuance.ts';
import {
  categoryEntitlement,
  entriesOfTicket,
  insertRevocations,
  performanceCode,
  type Rebinding,
  rebindTicket,
} from './repository.ts';

/** A ticket changes hands only for a performance still to come. */
export function requireUpcoming(performance: { status: string; ends_at: number }, now: number) {
  if (performance.status !== 'scheduled') {
    throw conflict('performance_not_scheduled', `this performance is ${performance.status}`);
  }
  if (now >= performance.ends_at) {
    throw conflict('performance_over', 'this performance is over; its tickets cannot move');
  }
}

/**
 * The credential of the ticket's next revision, for another device (and holder phone). Signed
 * before the transaction that rebinds the ticket, which checks nobody changed it meanwhile. The
 * revision gets a new manual-code PIN too: the old holder has seen the old one, and a ticket
 * number with its PIN admits at the gate just as the barcode does.
 */
export async function nextCredential(
  ticketing: Ticketing,
  ticket: TicketsTable,
  holderPhone: string,
  devicePublicKey: string,
): Promise<Rebinding['signed']> {
  const signed = await signCredential(
    ticketing,
    { ...ticket, holder_phone: holderPhone },
    await termsSource(ticketing.database.db, ticket.performance_id, ticket.category_id),
    ticket.revision + 1,
    fromBase64url(devicePublicKey),
  );
  const pin = generateManualCode(ticketing.protocol.backend).pin;
  return { ...signed, sealedPin: sealPin(ticketing, ticket.id, pin) };
}

/** Voids every revision of the ticket up to `throughRevision`, for the terminals' feed. */
export async function revoke(
  { trx, now }: Work,
  ticket: Pick<TicketsTable, 'performance_id' | 'number'>,
  throughRevision: number,
  reason: RevocationsTable['reason'],
) {
  const code = await performanceCode(trx, ticket.performance_id);
  await insertRevocations(trx, [
    {
      performance_id: ticket.performance_id,
      performance_code: code,
      ticket_number: ticket.number,
      through_revision: throughRevision,
      reason,
      created_at: now,
    },
  ]);
}

/**
 * Moves a ticket from `revision` to `revision + 1`, bound to another device (and holder), with
 * the credential signed beforehand, and revokes the old revision. Throws 409 if the ticket is no
 * longer valid at that revision (another transfer, reissue or refund got there first).
 */
export async function rebind(
  work: Work,
  ticket: TicketsTable,
  rebinding: Rebinding,
  reason: 'transferred' | 'reissued',
) {
  if (!(await rebindTicket(work.trx, work.now, ticket, rebinding))) {
    throw conflict('ticket_changed', 'this ticket changed meanwhile; look at it again');
  }
  await revoke(work, ticket, ticket.revision, reason);
}

/**
 * A buyer's refund pays the whole price back: not for a ticket someone has entered with (any
 * revision, online or offline). Run after the ticket row is locked by the caller's update.
 */
export async function requireNotEntered(trx: Trx, ticketId: string) {
  if ((await entriesOfTicket(trx, ticketId)) > 0) {
    throw conflict(
      'ticket_used',
      'this ticket has been used at the gate, so it cannot be refunded here; ask the organizer',
    );
  }
}

/**
 * A transfer passes on what is left of the ticket: nothing is left of a single entry once used,
 * or of a multi-entry pass once its entries are; a timed pass and a stored-value card keep their
 * window and balance, which the gates check. Run after the ticket row is locked by the caller's
 * update.
 */
export async function requireEntriesLeft(
  trx: Trx,
  ticket: Pick<TicketsTable, 'id' | 'category_id'>,
) {
  const category = await categoryEntitlement(trx, ticket.category_id);
  const allowed =
    category.kind === 'single' ? 1 : category.kind === 'multi' ? category.entries_allowed : null;
  if (allowed !== null && (await entriesOfTicket(trx, ticket.id)) >= allowed) {
    throw conflict('ticket_used', 'this ticket has been used at the gate; nothing is left to give');
  }
}
