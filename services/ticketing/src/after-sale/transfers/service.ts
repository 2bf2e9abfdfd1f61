/**
 * Transfers: the holder offers a ticket to another phone number; the recipient accepts it onto
 * one of their devices (the ticket moves to its next revision, the sender's revision is revoked)
 * or declines it; the sender may take a pending offer back. One pending transfer per ticket.
 * The shared steps (signing the next revision, rebinding, what the gates used up) are in
 * ../revision.ts.
 */
import { ApiError, badRequest, conflict, notFound } from '@tessera/service-kit/errors';
import type { Ticketing, Work } from '../../context.ts';
import { inTransaction } from '../../context.ts';
import type { TicketsTable, TransfersTable } from '../../db/schema.ts';
import { liveDevice } from '../../identity/devices.ts';
import { newId } from '../../ids.ts';
import {
  performanceForAfterSale,
  type Rebinding,
  ticketById,
  ticketOnRecord,
} from '../repository.ts';
import { nextCredential, rebind, requireEntriesLeft, requireUpcoming } from '../revision.ts';
import {
  acceptPendingTransfer,
  endPendingTransfer,
  insertTransfer,
  pendingTransferOfTicket,
  pendingTransfersTo,
  type TransferSummary,
  touchHeldTicket,
  transferById,
  transferSummaryById,
  transfersFrom,
} from './repository.ts';
import { maskPhone, senderLabel } from './sender.ts';

export type { TransferSummary };

type User = { readonly id: string; readonly phone: string };

export type TransferStatus = 'pending' | 'accepted' | 'cancelled' | 'declined';

/** Transfers listed per direction in the caller's list, newest first. */
const transfersListed = 100;

/**
 * The status as the API tells it. The table knows pending, accepted and cancelled; a transfer
 * the recipient turned down is cancelled with the recipient recorded in `to_user_id`.
 */
export function transferStatus(row: TransfersTable): TransferStatus {
  if (row.status === 'cancelled' && row.to_user_id !== null) return 'declined';
  return row.status;
}

/**
 * Offers the caller's ticket to another phone number. The same offer again (same recipient,
 * still pending) answers the pending transfer, so a retry is safe; an offer to someone else
 * while one is pending is refused.
 */
export async function createTransfer(
  ticketing: Ticketing,
  user: User,
  ticketId: string,
  toPhone: string,
): Promise<{ transfer: TransfersTable; created: boolean }> {
  const ticket = await ticketById(ticketing.database.db, ticketId);
  if (!ticket || ticket.holder_user_id !== user.id) throw notFound('ticket');
  if (toPhone === user.phone) {
    throw badRequest('self_transfer', 'this ticket is already yours; name another phone number');
  }
  if (ticket.status !== 'valid') {
    throw conflict('not_transferable', `this ticket is ${ticket.status}`);
  }
  const performance = await performanceForAfterSale(ticketing.database.db, ticket.performance_id);
  requireUpcoming(performance, ticketing.clock.now());

  const outcome = await inTransaction(ticketing, (work) => offerIn(work, ticket, user, toPhone));
  if (outcome.created) {
    // Who sends it: the recipient should not have to accept a ticket from "someone".
    const summary = await transferSummaryById(ticketing.database.db, outcome.transfer.id);
    const from = summary ? senderLabel(summary) : maskPhone(user.phone);
    await ticketing.sms
      .send(
        toPhone,
        `Tessera tickets: ${from} is giving you a ticket for ${performance.event_name}. Sign in with this number to accept it.`,
      )
      .catch(() => {});
  }
  return outcome;
}

/** The offer itself, in the caller's transaction. */
async function offerIn(
  { trx, now }: Work,
  ticket: TicketsTable,
  user: User,
  toPhone: string,
): Promise<{ transfer: TransfersTable; created: boolean }> {
  // Touching the ticket row checks it is unchanged and, on PostgreSQL, locks it: two offers
  // of one ticket at once are serialised here, so the second sees the first's pending row.
  if (!(await touchHeldTicket(trx, now, ticket.id, user.id))) {
    throw conflict('ticket_changed', 'this ticket changed meanwhile; look at it again');
  }
  await requireEntriesLeft(trx, ticket);
  const pending = await pendingTransferOfTicket(trx, ticket.id);
  if (pending) {
    if (pending.to_phone === toPhone && pending.from_user_id === user.id) {
      return { transfer: pending, created: false };
    }
    throw conflict(
      'transfer_pending',
      'this ticket already has a pending transfer; cancel it first',
      { transferId: pending.id },
    );
  }
  const transfer: TransfersTable = {
    id: newId('trf'),
    ticket_id: ticket.id,
    from_user_id: user.id,
    to_phone: toPhone,
    status: 'pending',
    to_user_id: null,
    created_at: now,
    decided_at: null,
  };
  await insertTransfer(trx, transfer);
  return { transfer, created: true };
}

/**
 * Ends a pending transfer: the sender cancels it, or the recipient declines it. Ending one
 * already ended the same way answers it as it is.
 */
async function endTransfer(
  ticketing: Ticketing,
  transfer: TransfersTable,
  decidedBy: string | null,
): Promise<TransfersTable> {
  const wanted: TransferStatus = decidedBy === null ? 'cancelled' : 'declined';
  if (transfer.status !== 'pending') {
    if (transferStatus(transfer) === wanted) return transfer;
    throw conflict('transfer_not_pending', `this transfer is ${transferStatus(transfer)}`);
  }
  await inTransaction(ticketing, async ({ trx, now }) => {
    if (!(await endPendingTransfer(trx, now, transfer.id, decidedBy))) {
      throw conflict('transfer_not_pending', 'this transfer was decided meanwhile');
    }
  });
  return (await transferById(ticketing.database.db, transfer.id)) as TransfersTable;
}

/** The sender takes a pending offer back. */
export async function cancelTransfer(ticketing: Ticketing, user: User, transferId: string) {
  const transfer = await transferById(ticketing.database.db, transferId);
  if (!transfer || transfer.from_user_id !== user.id) throw notFound('transfer');
  return endTransfer(ticketing, transfer, null);
}

/** The recipient turns the offer down; the ticket stays with the sender. */
export async function declineTransfer(ticketing: Ticketing, user: User, transferId: string) {
  const transfer = await transferById(ticketing.database.db, transferId);
  if (!transfer || transfer.to_phone !== user.phone) throw notFound('transfer');
  return endTransfer(ticketing, transfer, user.id);
}

/**
 * The recipient takes the ticket onto one of their devices: revision + 1 bound to that device
 * and their phone, the old revision revoked ('transferred'), the transfer accepted, all in one
 * transaction. Accepting again (a retry) answers the ticket.
 */
export async function acceptTransfer(
  ticketing: Ticketing,
  user: User,
  transferId: string,
  deviceId: string,
): Promise<TicketsTable> {
  const db = ticketing.database.db;
  const transfer = await transferById(db, transferId);
  if (!transfer || transfer.to_phone !== user.phone) throw notFound('transfer');
  if (transfer.status === 'accepted' && transfer.to_user_id === user.id) {
    return (await ticketById(db, transfer.ticket_id)) as TicketsTable;
  }
  if (transfer.status !== 'pending') {
    throw conflict('transfer_not_pending', `this transfer is ${transferStatus(transfer)}`);
  }
  const device = await liveDevice(ticketing, user.id, deviceId);
  const ticket = (await ticketById(db, transfer.ticket_id)) as TicketsTable;
  if (ticket.status !== 'valid' || ticket.holder_user_id !== transfer.from_user_id) {
    throw conflict('not_transferable', 'this ticket can no longer be transferred');
  }
  const performance = await performanceForAfterSale(db, ticket.performance_id);
  requireUpcoming(performance, ticketing.clock.now());

  const signed = await nextCredential(ticketing, ticket, user.phone, device.public_key);
  const rebinding = { to: { userId: user.id, phone: user.phone, deviceId: device.id }, signed };
  const accepting = inTransaction(ticketing, (work) => acceptIn(work, transfer, ticket, rebinding));
  return accepting.catch(async (error: unknown) => {
    // Used up at the gate since it was offered: nothing is left to accept, ever, so the offer
    // ends (as if its sender had taken it back) instead of waiting for someone to end it.
    if (error instanceof ApiError && error.code === 'ticket_used') {
      await endTransfer(ticketing, transfer, null).catch(() => {});
    }
    throw error;
  });
}

/** The acceptance itself, in the caller's transaction: rebind, check, accept. */
async function acceptIn(
  work: Work,
  transfer: TransfersTable,
  ticket: TicketsTable,
  rebinding: Rebinding,
): Promise<TicketsTable> {
  await rebind(work, ticket, rebinding, 'transferred');
  // Offered before the gates opened, accepted after the sender went in: nothing to accept.
  await requireEntriesLeft(work.trx, ticket);
  if (!(await acceptPendingTransfer(work.trx, work.now, transfer.id, rebinding.to.userId))) {
    // Cancelled by the sender at this very moment: throwing rolls the rebinding back too.
    throw conflict('transfer_not_pending', 'this transfer was decided meanwhile');
  }
  return ticketOnRecord(work.trx, ticket.id);
}

/** A transfer with what its recipient needs to decide: the event, the seat, who sends it. */
export async function transferSummary(
  ticketing: Ticketing,
  transferId: string,
): Promise<TransferSummary> {
  const summary = await transferSummaryById(ticketing.database.db, transferId);
  if (!summary) throw notFound('transfer');
  return summary;
}

/** Transfers offered to the user's phone and still pending, and the user's own offers. */
export async function transfersOf(ticketing: Ticketing, user: User) {
  const db = ticketing.database.db;
  const incoming = await pendingTransfersTo(db, user.phone, transfersListed);
  const outgoing = await transfersFrom(db, user.id, transfersListed);
  return { incoming, outgoing };
}
