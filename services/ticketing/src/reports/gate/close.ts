/**
 * Event close (the patent's end-of-event collection): staff close a performance once it has
 * started; the server tells which terminals may still hold admissions they have not uploaded,
 * refunds what stored-value tickets have left, and reports the admissions against the sales
 * (report.ts).
 *
 * Closing is resumable and may be repeated: the first call sets `closed_at`, every call answers
 * the terminals still outstanding and the report as it stands. A terminal is outstanding while
 * it said it holds unsent admissions (`pending_uploads` > 0, from its last upload or package
 * call) or has not been heard from since the close: only a contact after the close proves it
 * has nothing left. Uploads that arrive after the close are recorded (they happened) and show
 * in the report. A terminal revoked while it said it held unsent admissions can never deliver
 * them (it is refused): it is listed as lost, so staff know the report misses them, and does not
 * hold back the refunds.
 *
 * Stored-value remainders are refunded when no terminal is outstanding (or when staff force
 * it): a debit still sitting on an offline terminal would otherwise be refunded as unspent. The
 * refund of a ticket is `price × remaining / stored value`, rounded down, in the asset the
 * ticket was paid in. Its row has an id derived from the ticket, so whatever repeats or races
 * a ticket's remainder is refunded once; the refund worker sends it to the exchange.
 */
import { ApiError, badRequest, conflict } from '@tessera/service-kit/errors';
import { maskPhone } from '../../after-sale/transfers/sender.ts';
import type { Ticketing, Work } from '../../context.ts';
import { inTransaction } from '../../context.ts';
import type { RefundsTable } from '../../db/schema.ts';
import type { Principal } from '../../identity/service.ts';
import { gateReport, terminalsOf } from './report.ts';
import {
  closeStateOf,
  debitsOfTickets,
  insertNewRefunds,
  markPerformanceClosed,
  markPerformanceForced,
  type ReportPerformance,
  remainderRefundPrefix,
  reportPerformance,
  type StoredValueTicket,
  storedValueTicketsAfter,
} from './repository.ts';

/** Stored-value tickets refunded per transaction: short write locks. */
const remainderBatchSize = 200;

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

/** The refund id of a ticket's stored-value remainder: one per ticket, by construction. */
export const remainderRefundId = (ticketId: string) =>
  `${remainderRefundPrefix}_${ticketId.slice('tkt_'.length)}`;

/** Who closed, as the report names them: a staff member's masked phone, or the operator. */
export function closerOf(caller: Principal | undefined): string {
  if (caller?.type === 'user') return maskPhone(caller.phone);
  return caller?.type ?? 'unknown';
}

export interface CloseOptions {
  force: boolean;
  /** Why (trimmed; blank counts as none): required to force while terminals are outstanding. */
  reason?: string | undefined;
  /** Who closes (`closerOf`). */
  by: string;
}

/** The terminals that may still hold admissions, were the performance closed at `closedAt`. */
async function outstandingAt(
  ticketing: Ticketing,
  performance: ReportPerformance,
  closedAt: number,
) {
  const terminals = await terminalsOf(ticketing, { ...performance, closed_at: closedAt });
  return {
    terminals,
    lost: terminals.filter((terminal) => terminal.outstanding === 'revoked_with_unsent'),
    outstanding: terminals.filter(
      (terminal) => terminal.outstanding !== null && terminal.outstanding !== 'revoked_with_unsent',
    ),
  };
}

/**
 * Closes a performance (once; later calls answer again and finish the refunds). Refused for a
 * cancelled performance and before it starts (cancel it instead). Forcing while terminals are
 * outstanding needs a reason (400 close_reason_required, checked before anything changes): the
 * report will miss what they hold, and whoever reads it later is told why.
 */
export async function closePerformance(
  ticketing: Ticketing,
  performance: ReportPerformance,
  options: CloseOptions,
) {
  const reason = options.reason?.trim() || null;
  if (options.force && reason === null) {
    const asIfClosed = performance.closed_at ?? ticketing.clock.now();
    if ((await outstandingAt(ticketing, performance, asIfClosed)).outstanding.length > 0) {
      throw badRequest(
        'close_reason_required',
        'terminals may still hold admissions: give a reason to force the close',
      );
    }
  }
  const closedAt = await inTransaction(ticketing, (work) =>
    closeIn(work, performance.id, { closedBy: options.by, reason }),
  );
  const { terminals, lost, outstanding } = await outstandingAt(ticketing, performance, closedAt);
  let storedValue: { refunds: 'queued' | 'waiting_for_terminals'; queuedNow: number };
  if (options.force && outstanding.length > 0 && reason !== null) {
    const at = ticketing.clock.now();
    await markPerformanceForced(ticketing.database.db, performance.id, {
      at,
      by: options.by,
      reason,
    });
  }
  if (outstanding.length === 0 || options.force) {
    storedValue = {
      refunds: 'queued',
      queuedNow: await refundStoredValueRemainders(ticketing, performance.id),
    };
  } else {
    storedValue = { refunds: 'waiting_for_terminals', queuedNow: 0 };
  }
  const closed = (await reportPerformance(ticketing.database.db, performance.id)) ?? {
    ...performance,
    status: 'closed' as const,
    closed_at: closedAt,
  };
  return {
    performanceId: performance.id,
    status: 'closed' as const,
    closedAt: iso(closedAt) as string,
    closedBy: closed.closed_by,
    forcedReason: closed.forced_reason,
    terminalsOutstanding: outstanding,
    terminalsLost: lost,
    storedValue,
    report: await gateReport(ticketing, closed, terminals),
  };
}

/** The close itself, in the caller's transaction; answers when the performance closed. */
async function closeIn(
  { trx, now }: Work,
  performanceId: string,
  by: { closedBy: string; reason: string | null },
): Promise<number> {
  const current = await closeStateOf(trx, performanceId);
  if (current.status === 'cancelled') {
    throw conflict('performance_cancelled', 'a cancelled performance cannot be closed');
  }
  if (current.status === 'closed') return current.closedAt ?? now;
  if (now < current.startsAt) {
    throw conflict(
      'performance_not_started',
      `this performance starts at ${iso(current.startsAt)}; to call it off before, cancel it`,
      { startsAt: iso(current.startsAt) },
    );
  }
  if (await markPerformanceClosed(trx, now, performanceId, by)) return now;
  // Another close (or a cancellation) committed between our read and our update: its
  // outcome stands, read back after the row lock let us through.
  const after = await closeStateOf(trx, performanceId);
  if (after.status !== 'closed' || after.closedAt === null) {
    throw conflict('performance_cancelled', 'a cancelled performance cannot be closed');
  }
  return after.closedAt;
}

/**
 * Queues the refund of every live stored-value ticket's unspent value; returns how many refunds
 * this call queued (a ticket refunded before is skipped, by its refund id).
 */
async function refundStoredValueRemainders(
  ticketing: Ticketing,
  performanceId: string,
  batchSize = remainderBatchSize,
) {
  const db = ticketing.database.db;
  let queued = 0;
  let after = '';
  for (;;) {
    const tickets = await storedValueTicketsAfter(db, performanceId, after, batchSize);
    if (tickets.length === 0) return queued;
    after = (tickets[tickets.length - 1] as StoredValueTicket).id;
    const spent = await debitsOf(
      ticketing,
      tickets.map((ticket) => ticket.id),
    );
    queued += await inTransaction(ticketing, async ({ trx, now }) => {
      const rows = [];
      for (const ticket of tickets) {
        const row = remainderRefundOf(ticket, spent.get(ticket.id) ?? 0n, now);
        if (row) rows.push(row);
      }
      if (rows.length === 0) return 0;
      return insertNewRefunds(trx, rows);
    });
  }
}

/** Smallest units debited per ticket, summed exactly (every admission, uploads included). */
async function debitsOf(ticketing: Ticketing, ticketIds: readonly string[]) {
  const spent = new Map<string, bigint>();
  if (ticketIds.length === 0) return spent;
  for (const { ticketId, debit } of await debitsOfTickets(ticketing.database.db, ticketIds)) {
    spent.set(ticketId, (spent.get(ticketId) ?? 0n) + debit);
  }
  return spent;
}

/** The refund row of what is left on a stored-value ticket, or null when nothing is. */
function remainderRefundOf(
  ticket: StoredValueTicket,
  debited: bigint,
  now: number,
): RefundsTable | null {
  const value = ticket.storedValue;
  if (value <= 0n) return null;
  const remaining = debited >= value ? 0n : value - debited;
  // Rounded down: the organizer never refunds more than the share left unspent.
  const amount = (ticket.amount * remaining) / value;
  if (amount <= 0n) return null;
  if (!ticket.payment_request_id) {
    throw new ApiError(500, 'no_payment', `order ${ticket.order_id} has no payment`);
  }
  return {
    // The row queueRefund (orders/) writes, with an id that makes it once per ticket.
    id: remainderRefundId(ticket.id),
    order_id: ticket.order_id,
    ticket_id: ticket.id,
    payment_request_id: ticket.payment_request_id,
    organizer_id: ticket.organizer_id,
    asset: ticket.asset,
    amount: amount.toString(),
    reason: `stored value left on ticket ${ticket.number}: ${remaining} of ${value}`,
    status: 'pending',
    attempts: 0,
    last_error: null,
    next_attempt_at: now,
    created_at: now,
    done_at: null,
  };
}
