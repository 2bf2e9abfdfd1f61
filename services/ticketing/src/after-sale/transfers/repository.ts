/**
 * The SQL of transfers: the offered ticket touched (and locked) while an offer is made, the
 * transfers table, and a transfer's summary for its recipient (event, seat, sender). Conditional
 * writes answer whether they changed the row; transfers/service.ts decides what that means.
 *
 * "Executor" below is the transaction (`trx`) inside one, or `ticketing.database.db` outside.
 */
import type { Trx } from '../../context.ts';
import type { TransfersTable } from '../../db/schema.ts';
import { maskPhone } from './sender.ts';

/**
 * Touches a valid ticket of this holder, which checks it is unchanged and, on PostgreSQL, locks
 * its row until commit; answers whether it did.
 */
export async function touchHeldTicket(
  trx: Trx,
  now: number,
  ticketId: string,
  holderUserId: string,
): Promise<boolean> {
  const touched = await trx
    .updateTable('tickets')
    .set({ updated_at: now })
    .where('id', '=', ticketId)
    .where('status', '=', 'valid')
    .where('holder_user_id', '=', holderUserId)
    .executeTakeFirst();
  return Number(touched.numUpdatedRows) === 1;
}

export function transferById(
  executor: Trx,
  transferId: string,
): Promise<TransfersTable | undefined> {
  return executor
    .selectFrom('transfers')
    .selectAll()
    .where('id', '=', transferId)
    .executeTakeFirst();
}

export function pendingTransferOfTicket(
  trx: Trx,
  ticketId: string,
): Promise<TransfersTable | undefined> {
  return trx
    .selectFrom('transfers')
    .selectAll()
    .where('ticket_id', '=', ticketId)
    .where('status', '=', 'pending')
    .executeTakeFirst();
}

export async function insertTransfer(trx: Trx, transfer: TransfersTable) {
  await trx.insertInto('transfers').values(transfer).execute();
}

/**
 * Ends a pending transfer as cancelled (`decidedBy` null: by its sender; else the recipient who
 * declined it); answers whether it was still pending.
 */
export async function endPendingTransfer(
  trx: Trx,
  now: number,
  transferId: string,
  decidedBy: string | null,
): Promise<boolean> {
  const ended = await trx
    .updateTable('transfers')
    .set({ status: 'cancelled', to_user_id: decidedBy, decided_at: now })
    .where('id', '=', transferId)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(ended.numUpdatedRows) === 1;
}

/** Accepts a pending transfer for this recipient; answers whether it was still pending. */
export async function acceptPendingTransfer(
  trx: Trx,
  now: number,
  transferId: string,
  recipientUserId: string,
): Promise<boolean> {
  const accepted = await trx
    .updateTable('transfers')
    .set({ status: 'accepted', to_user_id: recipientUserId, decided_at: now })
    .where('id', '=', transferId)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(accepted.numUpdatedRows) === 1;
}

/** A transfer with what its recipient needs to decide: the event, the seat, who sends it. */
export interface TransferSummary {
  transfer: TransfersTable;
  eventName: string;
  startsAt: number;
  /** The venue's IANA time zone, which the start is shown in. */
  timeZone: string;
  category: string;
  seat: { section: string; row: string; number: string } | null;
  fromName: string | null;
  /** The sender's phone, masked (sender.ts): never the whole number. */
  fromPhone: string;
}

function summaryQuery(executor: Trx) {
  return executor
    .selectFrom('transfers as r')
    .innerJoin('tickets as t', 't.id', 'r.ticket_id')
    .innerJoin('performances as p', 'p.id', 't.performance_id')
    .innerJoin('events as e', 'e.id', 't.event_id')
    .innerJoin('venues as v', 'v.id', 'e.venue_id')
    .innerJoin('categories as c', 'c.id', 't.category_id')
    .innerJoin('users as u', 'u.id', 'r.from_user_id')
    .leftJoin('seats as s', 's.id', 't.seat_id')
    .selectAll('r')
    .select([
      'e.name as event_name',
      'p.starts_at',
      'v.time_zone',
      'c.name as category',
      's.section',
      's.row_label',
      's.number as seat_number',
      'u.first_name',
      'u.phone as from_phone',
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
    timeZone: row.time_zone,
    category: row.category,
    seat:
      row.section !== null
        ? { section: row.section, row: row.row_label ?? '', number: row.seat_number ?? '' }
        : null,
    fromName: row.first_name,
    fromPhone: maskPhone(row.from_phone),
  };
}

export async function transferSummaryById(
  executor: Trx,
  transferId: string,
): Promise<TransferSummary | undefined> {
  const row = await summaryQuery(executor).where('r.id', '=', transferId).executeTakeFirst();
  return row && toSummary(row);
}

/** Pending transfers offered to this phone number, newest first (at most `limit`). */
export async function pendingTransfersTo(
  executor: Trx,
  phone: string,
  limit: number,
): Promise<TransferSummary[]> {
  const rows = await summaryQuery(executor)
    .where('r.to_phone', '=', phone)
    .where('r.status', '=', 'pending')
    .orderBy('r.created_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toSummary);
}

/** Transfers this user offered, whatever became of them, newest first (at most `limit`). */
export async function transfersFrom(
  executor: Trx,
  userId: string,
  limit: number,
): Promise<TransferSummary[]> {
  const rows = await summaryQuery(executor)
    .where('r.from_user_id', '=', userId)
    .orderBy('r.created_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toSummary);
}
