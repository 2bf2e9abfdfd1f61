/**
 * After the sale: a ticket changes hands (transfer to another phone number), moves to the
 * holder's new phone (reissue), or is given back (refund, or the whole performance cancelled).
 *
 * A ticket's credential names its revision. Whenever a ticket is rebound (transfer, reissue) its
 * revision goes up by one and the credential is signed anew for the new device; whenever it stops
 * being valid (transfer, reissue, refund, cancellation) a row is appended to `revocations`:
 * "every revision of this ticket number up to `through_revision` is void". Terminals sync that
 * list (the feed below) so an old credential is refused offline too, and the online check
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
 * then finds the ticket changed (gate.ts writes only at the revision and status it decided on).
 */
import { fromBase64url, generateManualCode } from '@tessera/protocol';
import { formatAmount } from '@tessera/service-kit/amounts';
import { ApiError, badRequest, conflict, notFound } from '@tessera/service-kit/errors';
import type { Ticketing, Trx } from '../context.ts';
import { inTransaction } from '../context.ts';
import type { OrdersTable, RevocationsTable, TicketsTable, TransfersTable } from '../db/schema.ts';
import { releaseHold } from '../holds/service.ts';
import { liveDevice } from '../identity/devices.ts';
import { consumeCode } from '../identity/service.ts';
import { newId } from '../ids.ts';
import { closeUnpaidOrder, queueRefund } from '../orders/service.ts';
import { sealPin } from '../organizers/keys.ts';
import { signCredential, termsSource } from '../tickets/issuance.ts';

type User = { readonly id: string; readonly phone: string };
type RevocationReason = RevocationsTable['reason'];

/** Statuses in which a ticket still entitles its holder to something. */
const liveStatuses = ['valid', 'awaiting_device'] as const;

// ---------------------------------------------------------------------------------------------
// Shared steps

async function ticketRow(ticketing: Ticketing, ticketId: string) {
  return ticketing.database.db
    .selectFrom('tickets')
    .selectAll()
    .where('id', '=', ticketId)
    .executeTakeFirst();
}

async function performanceOf(ticketing: Ticketing, performanceId: string) {
  return ticketing.database.db
    .selectFrom('performances as p')
    .innerJoin('events as e', 'e.id', 'p.event_id')
    .select([
      'p.id',
      'p.code',
      'p.status',
      'p.starts_at',
      'p.ends_at',
      'e.organizer_id',
      'e.name as event_name',
      'e.refund_policy',
      'e.refund_cutoff_s',
    ])
    .where('p.id', '=', performanceId)
    .executeTakeFirstOrThrow();
}

/**
 * The credential of the ticket's next revision, for another device (and holder phone). Signed
 * before the transaction that rebinds the ticket, which checks nobody changed it meanwhile. The
 * revision gets a new manual-code PIN too: the old holder has seen the old one, and a ticket
 * number with its PIN admits at the gate just as the barcode does.
 */
async function nextCredential(
  ticketing: Ticketing,
  ticket: TicketsTable,
  holderPhone: string,
  devicePublicKey: string,
) {
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

/** A ticket changes hands only for a performance still to come. */
function requireUpcoming(performance: { status: string; ends_at: number }, now: number) {
  if (performance.status !== 'scheduled') {
    throw conflict('performance_not_scheduled', `this performance is ${performance.status}`);
  }
  if (now >= performance.ends_at) {
    throw conflict('performance_over', 'this performance is over; its tickets cannot move');
  }
}

async function revoke(
  trx: Trx,
  now: number,
  ticket: Pick<TicketsTable, 'performance_id' | 'number'>,
  throughRevision: number,
  reason: RevocationReason,
) {
  const { code } = await trx
    .selectFrom('performances')
    .select('code')
    .where('id', '=', ticket.performance_id)
    .executeTakeFirstOrThrow();
  await trx
    .insertInto('revocations')
    .values({
      performance_id: ticket.performance_id,
      performance_code: code,
      ticket_number: ticket.number,
      through_revision: throughRevision,
      reason,
      created_at: now,
    })
    .execute();
}

/**
 * Moves a ticket from `revision` to `revision + 1`, bound to another device (and holder), with
 * the credential signed beforehand, and revokes the old revision. Throws 409 if the ticket is no
 * longer valid at that revision (another transfer, reissue or refund got there first).
 */
async function rebind(
  trx: Trx,
  now: number,
  ticket: TicketsTable,
  to: { userId: string; phone: string; deviceId: string },
  signed: { credential: string; keyId: string; sealedPin: string },
  reason: 'transferred' | 'reissued',
) {
  const moved = await trx
    .updateTable('tickets')
    .set({
      revision: ticket.revision + 1,
      holder_user_id: to.userId,
      holder_phone: to.phone,
      device_id: to.deviceId,
      credential: signed.credential,
      key_id: signed.keyId,
      pin: signed.sealedPin,
      updated_at: now,
    })
    .where('id', '=', ticket.id)
    .where('status', '=', 'valid')
    .where('revision', '=', ticket.revision)
    .where('holder_user_id', '=', ticket.holder_user_id)
    .executeTakeFirst();
  if (Number(moved.numUpdatedRows) !== 1) {
    throw conflict('ticket_changed', 'this ticket changed meanwhile; look at it again');
  }
  await revoke(trx, now, ticket, ticket.revision, reason);
}

/**
 * Whether anyone has entered with the ticket (any revision, online or offline). Run after the
 * ticket row is locked by the caller's update.
 */
async function entriesOf(trx: Trx, ticketId: string) {
  const row = await trx
    .selectFrom('admissions')
    .select((eb) => eb.fn.countAll<number>().as('entries'))
    .where('ticket_id', '=', ticketId)
    .where('direction', '=', 'entry')
    .executeTakeFirstOrThrow();
  return Number(row.entries);
}

/** A buyer's refund pays the whole price back: not for a ticket someone has entered with. */
async function requireNotEntered(trx: Trx, ticketId: string) {
  if ((await entriesOf(trx, ticketId)) > 0) {
    throw conflict(
      'ticket_used',
      'this ticket has been used at the gate, so it cannot be refunded here; ask the organizer',
    );
  }
}

/**
 * A transfer passes on what is left of the ticket: nothing is left of a single entry once used,
 * or of a multi-entry pass once its entries are; a timed pass and a stored-value card keep their
 * window and balance, which the gates check.
 */
async function requireEntriesLeft(trx: Trx, ticket: Pick<TicketsTable, 'id' | 'category_id'>) {
  const category = await trx
    .selectFrom('categories')
    .select(['kind', 'entries_allowed'])
    .where('id', '=', ticket.category_id)
    .executeTakeFirstOrThrow();
  const allowed =
    category.kind === 'single' ? 1 : category.kind === 'multi' ? category.entries_allowed : null;
  if (allowed !== null && (await entriesOf(trx, ticket.id)) >= allowed) {
    throw conflict('ticket_used', 'this ticket has been used at the gate; nothing is left to give');
  }
}

/** Ends a ticket's pending transfers (it was refunded or cancelled under them). */
async function cancelPendingTransfers(trx: Trx, now: number, ticketIds: readonly string[]) {
  if (ticketIds.length === 0) return;
  await trx
    .updateTable('transfers')
    .set({ status: 'cancelled', decided_at: now })
    .where('ticket_id', 'in', ticketIds)
    .where('status', '=', 'pending')
    .execute();
}

/** An issued order none of whose tickets is live any more has been refunded in full. */
async function markOrdersRefunded(trx: Trx, now: number, orderIds: readonly string[]) {
  if (orderIds.length === 0) return;
  await trx
    .updateTable('orders')
    .set({ status: 'refunded', updated_at: now })
    .where('id', 'in', orderIds)
    .where('status', '=', 'issued')
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('tickets as t')
            .select('t.id')
            .whereRef('t.order_id', '=', 'orders.id')
            .where('t.status', 'in', liveStatuses),
        ),
      ),
    )
    .execute();
}

// ---------------------------------------------------------------------------------------------
// Transfers

export type TransferStatus = 'pending' | 'accepted' | 'cancelled' | 'declined';

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
  const ticket = await ticketRow(ticketing, ticketId);
  if (!ticket || ticket.holder_user_id !== user.id) throw notFound('ticket');
  if (toPhone === user.phone) {
    throw badRequest('self_transfer', 'this ticket is already yours; name another phone number');
  }
  if (ticket.status !== 'valid') {
    throw conflict('not_transferable', `this ticket is ${ticket.status}`);
  }
  const performance = await performanceOf(ticketing, ticket.performance_id);
  requireUpcoming(performance, ticketing.clock.now());

  const outcome = await inTransaction(ticketing, async ({ trx, now }) => {
    // Touching the ticket row checks it is unchanged and, on PostgreSQL, locks it: two offers
    // of one ticket at once are serialised here, so the second sees the first's pending row.
    const touched = await trx
      .updateTable('tickets')
      .set({ updated_at: now })
      .where('id', '=', ticket.id)
      .where('status', '=', 'valid')
      .where('holder_user_id', '=', user.id)
      .executeTakeFirst();
    if (Number(touched.numUpdatedRows) !== 1) {
      throw conflict('ticket_changed', 'this ticket changed meanwhile; look at it again');
    }
    await requireEntriesLeft(trx, ticket);
    const pending = await trx
      .selectFrom('transfers')
      .selectAll()
      .where('ticket_id', '=', ticket.id)
      .where('status', '=', 'pending')
      .executeTakeFirst();
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
    await trx.insertInto('transfers').values(transfer).execute();
    return { transfer, created: true };
  });
  if (outcome.created) {
    await ticketing.sms
      .send(
        toPhone,
        `Tessera tickets: someone is giving you a ticket for ${performance.event_name}. Sign in with this number to accept it.`,
      )
      .catch(() => {});
  }
  return outcome;
}

async function transferRow(ticketing: Ticketing, transferId: string) {
  return ticketing.database.db
    .selectFrom('transfers')
    .selectAll()
    .where('id', '=', transferId)
    .executeTakeFirst();
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
    const ended = await trx
      .updateTable('transfers')
      .set({ status: 'cancelled', to_user_id: decidedBy, decided_at: now })
      .where('id', '=', transfer.id)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    if (Number(ended.numUpdatedRows) !== 1) {
      throw conflict('transfer_not_pending', 'this transfer was decided meanwhile');
    }
  });
  return (await transferRow(ticketing, transfer.id)) as TransfersTable;
}

/** The sender takes a pending offer back. */
export async function cancelTransfer(ticketing: Ticketing, user: User, transferId: string) {
  const transfer = await transferRow(ticketing, transferId);
  if (!transfer || transfer.from_user_id !== user.id) throw notFound('transfer');
  return endTransfer(ticketing, transfer, null);
}

/** The recipient turns the offer down; the ticket stays with the sender. */
export async function declineTransfer(ticketing: Ticketing, user: User, transferId: string) {
  const transfer = await transferRow(ticketing, transferId);
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
  const transfer = await transferRow(ticketing, transferId);
  if (!transfer || transfer.to_phone !== user.phone) throw notFound('transfer');
  if (transfer.status === 'accepted' && transfer.to_user_id === user.id) {
    return (await ticketRow(ticketing, transfer.ticket_id)) as TicketsTable;
  }
  if (transfer.status !== 'pending') {
    throw conflict('transfer_not_pending', `this transfer is ${transferStatus(transfer)}`);
  }
  const device = await liveDevice(ticketing, user.id, deviceId);
  const ticket = (await ticketRow(ticketing, transfer.ticket_id)) as TicketsTable;
  if (ticket.status !== 'valid' || ticket.holder_user_id !== transfer.from_user_id) {
    throw conflict('not_transferable', 'this ticket can no longer be transferred');
  }
  const performance = await performanceOf(ticketing, ticket.performance_id);
  requireUpcoming(performance, ticketing.clock.now());

  const signed = await nextCredential(ticketing, ticket, user.phone, device.public_key);
  const accepting = inTransaction(ticketing, async ({ trx, now }) => {
    await rebind(
      trx,
      now,
      ticket,
      { userId: user.id, phone: user.phone, deviceId: device.id },
      signed,
      'transferred',
    );
    // Offered before the gates opened, accepted after the sender went in: nothing to accept.
    await requireEntriesLeft(trx, ticket);
    const accepted = await trx
      .updateTable('transfers')
      .set({ status: 'accepted', to_user_id: user.id, decided_at: now })
      .where('id', '=', transfer.id)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    if (Number(accepted.numUpdatedRows) !== 1) {
      // Cancelled by the sender at this very moment: throwing rolls the rebinding back too.
      throw conflict('transfer_not_pending', 'this transfer was decided meanwhile');
    }
    return trx
      .selectFrom('tickets')
      .selectAll()
      .where('id', '=', ticket.id)
      .executeTakeFirstOrThrow();
  });
  return accepting.catch(async (error: unknown) => {
    // Used up at the gate since it was offered: nothing is left to accept, ever, so the offer
    // ends (as if its sender had taken it back) instead of waiting for someone to end it.
    if (error instanceof ApiError && error.code === 'ticket_used') {
      await endTransfer(ticketing, transfer, null).catch(() => {});
    }
    throw error;
  });
}

export interface TransferSummary {
  transfer: TransfersTable;
  eventName: string;
  startsAt: number;
  category: string;
  seat: { section: string; row: string; number: string } | null;
  fromName: string | null;
}

function summaryQuery(ticketing: Ticketing) {
  return ticketing.database.db
    .selectFrom('transfers as r')
    .innerJoin('tickets as t', 't.id', 'r.ticket_id')
    .innerJoin('performances as p', 'p.id', 't.performance_id')
    .innerJoin('events as e', 'e.id', 't.event_id')
    .innerJoin('categories as c', 'c.id', 't.category_id')
    .innerJoin('users as u', 'u.id', 'r.from_user_id')
    .leftJoin('seats as s', 's.id', 't.seat_id')
    .selectAll('r')
    .select([
      'e.name as event_name',
      'p.starts_at',
      'c.name as category',
      's.section',
      's.row_label',
      's.number as seat_number',
      'u.first_name',
    ]);
}

type SummaryRow = Awaited<ReturnType<ReturnType<typeof summaryQuery>['execute']>>[number];

function toSummary(row: SummaryRow): TransferSummary {
  return {
    transfer: {
      id: row.id,
      ticket_id: row.ticket_id,
      from_user_id: row.from_user_id,
      to_phone: row.to_phone,
      status: row.status,
      to_user_id: row.to_user_id,
      created_at: row.created_at,
      decided_at: row.decided_at,
    },
    eventName: row.event_name,
    startsAt: row.starts_at,
    category: row.category,
    seat:
      row.section !== null
        ? { section: row.section, row: row.row_label ?? '', number: row.seat_number ?? '' }
        : null,
    fromName: row.first_name,
  };
}

/** A transfer with what its recipient needs to decide: the event, the seat, who sends it. */
export async function transferSummary(ticketing: Ticketing, transferId: string) {
  const row = await summaryQuery(ticketing).where('r.id', '=', transferId).executeTakeFirst();
  if (!row) throw notFound('transfer');
  return toSummary(row);
}

/** Transfers offered to the user's phone and still pending, and the user's own offers. */
export async function transfersOf(ticketing: Ticketing, user: User) {
  const incoming = await summaryQuery(ticketing)
    .where('r.to_phone', '=', user.phone)
    .where('r.status', '=', 'pending')
    .orderBy('r.created_at', 'desc')
    .limit(100)
    .execute();
  const outgoing = await summaryQuery(ticketing)
    .where('r.from_user_id', '=', user.id)
    .orderBy('r.created_at', 'desc')
    .limit(100)
    .execute();
  return { incoming: incoming.map(toSummary), outgoing: outgoing.map(toSummary) };
}

// ---------------------------------------------------------------------------------------------
// Reissue

/**
 * The holder's phone was lost or replaced: after proving the phone number again with a fresh SMS
 * code, the ticket is signed for a new device at revision + 1 and the old revision revoked
 * ('reissued'). Asking again for the device it is already bound to answers the ticket as it is
 * (a retry after the code was spent).
 */
export async function reissueTicket(
  ticketing: Ticketing,
  user: User,
  ticketId: string,
  deviceId: string,
  code: string,
): Promise<TicketsTable> {
  const ticket = await ticketRow(ticketing, ticketId);
  if (!ticket || ticket.holder_user_id !== user.id) throw notFound('ticket');
  if (ticket.status === 'valid' && ticket.device_id === deviceId) return ticket;
  if (ticket.status === 'awaiting_device') {
    throw conflict('not_bound', 'this ticket is not bound to a device yet; claim it instead');
  }
  if (ticket.status !== 'valid') {
    throw conflict('not_reissuable', `this ticket is ${ticket.status}`);
  }
  const device = await liveDevice(ticketing, user.id, deviceId);
  // Last, so a request refused for another reason does not spend the code.
  await consumeCode(ticketing, user.phone, code);
  const signed = await nextCredential(ticketing, ticket, ticket.holder_phone, device.public_key);
  return inTransaction(ticketing, async ({ trx, now }) => {
    await rebind(
      trx,
      now,
      ticket,
      { userId: user.id, phone: ticket.holder_phone, deviceId: device.id },
      signed,
      'reissued',
    );
    return trx
      .selectFrom('tickets')
      .selectAll()
      .where('id', '=', ticket.id)
      .executeTakeFirstOrThrow();
  });
}

// ---------------------------------------------------------------------------------------------
// Refunds

export type RefundActor =
  | { readonly kind: 'buyer'; readonly user: User }
  | { readonly kind: 'staff'; readonly organizerId: string };

/**
 * Refunds one ticket: the ticket is revoked ('refunded'), its seat or GA place goes back on sale,
 * the buyer's per-event count goes down, and a refund row for the ticket's price is queued (the
 * refund worker sends it to the exchange). A buyer may do it while the event's policy allows;
 * staff with the refund permission any time. A ticket already refunded is answered as it is.
 */
export async function refundTicket(
  ticketing: Ticketing,
  actor: RefundActor,
  ticketId: string,
): Promise<TicketsTable> {
  const ticket = await ticketRow(ticketing, ticketId);
  if (!ticket) throw notFound('ticket');
  const order = await ticketing.database.db
    .selectFrom('orders')
    .selectAll()
    .where('id', '=', ticket.order_id)
    .executeTakeFirstOrThrow();
  if (actor.kind === 'buyer') {
    if (order.user_id !== actor.user.id || ticket.holder_user_id !== actor.user.id) {
      throw notFound('ticket');
    }
  } else if (ticket.organizer_id !== actor.organizerId) {
    throw notFound('ticket');
  }
  if (ticket.status === 'refunded') return ticket;
  if (ticket.status === 'cancelled') {
    throw conflict(
      'ticket_cancelled',
      'this ticket was cancelled with its performance and refunded then',
    );
  }
  if (actor.kind === 'buyer') {
    requireRefundAllowed(await performanceOf(ticketing, ticket.performance_id), ticketing);
  }
  return inTransaction(ticketing, ({ trx, now }) =>
    refundIn(trx, now, ticket, order, actor.kind === 'buyer'),
  );
}

/** The buyer's own refund: only under 'until_start', and only before the cutoff. */
function requireRefundAllowed(
  performance: Awaited<ReturnType<typeof performanceOf>>,
  ticketing: Ticketing,
) {
  if (performance.refund_policy !== 'until_start') {
    throw conflict(
      'refund_not_allowed',
      "the organizer's policy for this event allows no refunds; ask the organizer",
    );
  }
  if (performance.status !== 'scheduled') {
    throw conflict('refund_not_allowed', `this performance is ${performance.status}`);
  }
  const deadline = performance.starts_at - performance.refund_cutoff_s * 1000;
  if (ticketing.clock.now() >= deadline) {
    throw conflict(
      'refund_not_allowed',
      `refunds for this performance closed at ${new Date(deadline).toISOString()}`,
      { refundDeadline: new Date(deadline).toISOString() },
    );
  }
}

async function refundIn(
  trx: Trx,
  now: number,
  ticket: TicketsTable,
  order: OrdersTable,
  /** A buyer's own refund; staff may refund a ticket that was used (their decision). */
  byBuyer: boolean,
) {
  // At the revision whose holder was checked: a transfer accepted meanwhile (the buyer no longer
  // holds it) makes this a conflict, never a refund of someone else's ticket.
  const ended = await trx
    .updateTable('tickets')
    .set({ status: 'refunded', updated_at: now })
    .where('id', '=', ticket.id)
    .where('status', 'in', liveStatuses)
    .where('revision', '=', ticket.revision)
    .executeTakeFirst();
  const current = await trx
    .selectFrom('tickets')
    .selectAll()
    .where('id', '=', ticket.id)
    .executeTakeFirstOrThrow();
  if (Number(ended.numUpdatedRows) !== 1) {
    // Refunded by someone else at this moment: no second refund.
    if (current.status === 'refunded') return current;
    throw conflict('ticket_changed', 'this ticket changed meanwhile; look at it again');
  }
  if (byBuyer) await requireNotEntered(trx, current.id);
  if (!order.payment_request_id) {
    throw new ApiError(500, 'no_payment', `order ${order.id} has tickets but no payment`);
  }
  await revoke(trx, now, current, current.revision, 'refunded');
  if (current.seat_id !== null) {
    await trx
      .updateTable('inventory_seats')
      .set({ status: 'available', hold_id: null, ticket_id: null })
      .where('performance_id', '=', current.performance_id)
      .where('seat_id', '=', current.seat_id)
      .where('ticket_id', '=', current.id)
      .execute();
  } else {
    await trx
      .updateTable('inventory_quotas')
      .set((eb) => ({ sold: eb('sold', '-', 1) }))
      .where('performance_id', '=', current.performance_id)
      .where('category_id', '=', current.category_id)
      .where('sold', '>', 0)
      .execute();
  }
  await trx
    .updateTable('buyer_counts')
    .set((eb) => ({ count: eb('count', '-', 1) }))
    .where('event_id', '=', current.event_id)
    .where('user_id', '=', order.user_id)
    .where('count', '>', 0)
    .execute();
  await queueRefund(trx, now, {
    orderId: order.id,
    ticketId: current.id,
    paymentRequestId: order.payment_request_id,
    organizerId: current.organizer_id,
    asset: current.asset,
    amount: BigInt(current.amount),
    reason: `ticket ${current.number} refunded`,
  });
  await cancelPendingTransfers(trx, now, [current.id]);
  await markOrdersRefunded(trx, now, [order.id]);
  return current;
}

/** The newest refund row of a ticket, in whole units, for the answer. */
export async function refundOfTicket(ticketing: Ticketing, ticketId: string) {
  const row = await ticketing.database.db
    .selectFrom('refunds')
    .select(['id', 'status', 'asset', 'amount', 'reason', 'created_at', 'done_at'])
    .where('ticket_id', '=', ticketId)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row) return null;
  const asset = await ticketing.exchange.asset(row.asset);
  return {
    id: row.id,
    status: row.status,
    asset: row.asset,
    amount: formatAmount(BigInt(row.amount), asset.scale),
    reason: row.reason,
    createdAt: new Date(row.created_at).toISOString(),
    doneAt: row.done_at === null ? null : new Date(row.done_at).toISOString(),
  };
}

// ---------------------------------------------------------------------------------------------
// Cancelling a performance

export interface CancellationSummary {
  ticketsCancelled: number;
  refundsQueued: number;
  ordersClosed: number;
  holdsReleased: number;
  /** Unpaid orders the exchange could not close yet; running the cancellation again retries. */
  ordersPending: number;
}

/** Tickets per transaction: short write locks, and a crash loses at most one batch's work. */
export const cancelBatchSize = 200;

/**
 * Cancels a performance and refunds every ticket of it. Resumable: each step selects what is
 * still to do, so running it again (after a crash, or for a payment that landed late) continues
 * where it stopped and does nothing twice.
 *
 * 1. The performance becomes 'cancelled': no new holds.
 * 2. Active holds are released.
 * 3. Unpaid orders are closed at the exchange (a payment that landed first is settled into
 *    tickets, which step 4 then cancels and refunds).
 * 4. Every live ticket becomes 'cancelled', revoked ('cancelled'), with a refund row of its
 *    price; in batches of `cancelBatchSize` per transaction.
 */
export async function cancelPerformance(
  ticketing: Ticketing,
  performanceId: string,
  batchSize = cancelBatchSize,
): Promise<CancellationSummary> {
  const db = ticketing.database.db;
  const summary: CancellationSummary = {
    ticketsCancelled: 0,
    refundsQueued: 0,
    ordersClosed: 0,
    holdsReleased: 0,
    ordersPending: 0,
  };
  await inTransaction(ticketing, async ({ trx }) => {
    const performance = await trx
      .selectFrom('performances')
      .select('status')
      .where('id', '=', performanceId)
      .executeTakeFirstOrThrow();
    if (performance.status === 'closed') {
      throw conflict('performance_closed', 'this performance is closed; refund tickets one by one');
    }
    await trx
      .updateTable('performances')
      .set({ status: 'cancelled' })
      .where('id', '=', performanceId)
      .where('status', '=', 'scheduled')
      .execute();
  });

  for (;;) {
    const holds = await db
      .selectFrom('holds')
      .select('id')
      .where('performance_id', '=', performanceId)
      .where('status', '=', 'active')
      .limit(batchSize)
      .execute();
    if (holds.length === 0) break;
    summary.holdsReleased += await inTransaction(ticketing, async ({ trx, now }) => {
      let released = 0;
      for (const hold of holds) if (await releaseHold(trx, hold.id, 'active', now)) released += 1;
      return released;
    });
  }

  const unpaid = await db
    .selectFrom('orders')
    .selectAll()
    .where('performance_id', '=', performanceId)
    .where('status', 'in', ['creating', 'awaiting_payment'])
    .execute();
  for (const order of unpaid) {
    // An exchange that does not answer leaves the order for the next run; the tickets go on.
    const outcome = await closeUnpaidOrder(ticketing, order, 'cancelled').catch(
      () => 'pending' as const,
    );
    if (outcome === 'pending') summary.ordersPending += 1;
    else summary.ordersClosed += 1;
  }

  for (;;) {
    const batch = await db
      .selectFrom('tickets')
      .select('id')
      .where('performance_id', '=', performanceId)
      .where('status', 'in', liveStatuses)
      .orderBy('id')
      .limit(batchSize)
      .execute();
    if (batch.length === 0) break;
    const done = await inTransaction(ticketing, ({ trx, now }) =>
      cancelTicketsIn(
        trx,
        now,
        batch.map((row) => row.id),
      ),
    );
    summary.ticketsCancelled += done;
    summary.refundsQueued += done;
  }
  return summary;
}

/** Cancels, revokes and refunds the given tickets that are still live; returns how many. */
async function cancelTicketsIn(trx: Trx, now: number, ticketIds: readonly string[]) {
  // RETURNING gives exactly the rows this transaction changed, at their current revision.
  const cancelled = await trx
    .updateTable('tickets')
    .set({ status: 'cancelled', updated_at: now })
    .where('id', 'in', ticketIds)
    .where('status', 'in', liveStatuses)
    .returning([
      'id',
      'number',
      'revision',
      'order_id',
      'organizer_id',
      'performance_id',
      'asset',
      'amount',
    ])
    .execute();
  if (cancelled.length === 0) return 0;
  const first = cancelled[0] as (typeof cancelled)[number];
  const { code } = await trx
    .selectFrom('performances')
    .select('code')
    .where('id', '=', first.performance_id)
    .executeTakeFirstOrThrow();
  const orderIds = [...new Set(cancelled.map((ticket) => ticket.order_id))];
  const orders = new Map(
    (
      await trx
        .selectFrom('orders')
        .select(['id', 'payment_request_id', 'user_id', 'event_id'])
        .where('id', 'in', orderIds)
        .execute()
    ).map((order) => [order.id, order]),
  );
  await trx
    .insertInto('revocations')
    .values(
      cancelled.map((ticket) => ({
        performance_id: ticket.performance_id,
        performance_code: code,
        ticket_number: ticket.number,
        through_revision: ticket.revision,
        reason: 'cancelled' as const,
        created_at: now,
      })),
    )
    .execute();
  // One row per ticket, the same rows queueRefund writes, inserted together.
  await trx
    .insertInto('refunds')
    .values(
      cancelled.map((ticket) => {
        const paymentRequestId = orders.get(ticket.order_id)?.payment_request_id;
        if (!paymentRequestId) {
          throw new ApiError(500, 'no_payment', `order ${ticket.order_id} has no payment`);
        }
        return {
          id: newId('rf'),
          order_id: ticket.order_id,
          ticket_id: ticket.id,
          payment_request_id: paymentRequestId,
          organizer_id: ticket.organizer_id,
          asset: ticket.asset,
          amount: ticket.amount,
          reason: `performance ${code} cancelled: ticket ${ticket.number}`,
          status: 'pending' as const,
          attempts: 0,
          last_error: null,
          next_attempt_at: now,
          created_at: now,
          done_at: null,
        };
      }),
    )
    .execute();
  await cancelPendingTransfers(
    trx,
    now,
    cancelled.map((ticket) => ticket.id),
  );
  await markOrdersRefunded(trx, now, orderIds);
  // Tickets of a cancelled performance no longer count against the buyer's per-event limit
  // (the event may have other performances to buy instead).
  const perBuyer = new Map<string, { eventId: string; userId: string; count: number }>();
  for (const ticket of cancelled) {
    const order = orders.get(ticket.order_id);
    if (!order) continue;
    const key = `${order.event_id} ${order.user_id}`;
    const entry = perBuyer.get(key) ?? { eventId: order.event_id, userId: order.user_id, count: 0 };
    entry.count += 1;
    perBuyer.set(key, entry);
  }
  for (const { eventId, userId, count } of perBuyer.values()) {
    await trx
      .updateTable('buyer_counts')
      .set((eb) => ({ count: eb('count', '-', count) }))
      .where('event_id', '=', eventId)
      .where('user_id', '=', userId)
      .where('count', '>=', count)
      .execute();
  }
  return cancelled.length;
}

// ---------------------------------------------------------------------------------------------
// Revocation feed

export const revocationPageMax = 1000;

/**
 * The revocations of a performance after `after` (a `seq`), oldest first. Terminals keep the
 * highest `seq` they have and ask for what follows; `next` is set when the page was full (ask
 * again with it), null when this was everything for now.
 */
export async function revocationsAfter(
  ticketing: Ticketing,
  performanceId: string,
  after: number,
  limit: number,
) {
  const rows = await ticketing.database.db
    .selectFrom('revocations')
    .select(['seq', 'ticket_number', 'through_revision', 'reason', 'created_at'])
    .where('performance_id', '=', performanceId)
    .where('seq', '>', after)
    .orderBy('seq')
    .limit(limit)
    .execute();
  const entries = rows.map((row) => ({
    seq: Number(row.seq),
    ticketNumber: row.ticket_number,
    throughRevision: row.through_revision,
    reason: row.reason,
    at: new Date(row.created_at).toISOString(),
  }));
  const last = entries.at(-1);
  return { entries, next: entries.length === limit && last ? last.seq : null };
}

/** The organizer of a performance, or 404. */
export async function organizerOfPerformance(ticketing: Ticketing, performanceId: string) {
  const row = await ticketing.database.db
    .selectFrom('performances as p')
    .innerJoin('events as e', 'e.id', 'p.event_id')
    .select(['e.organizer_id', 'p.code'])
    .where('p.id', '=', performanceId)
    .executeTakeFirst();
  if (!row) throw notFound('performance');
  return row;
}
