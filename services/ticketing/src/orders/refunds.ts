/**
 * Refunds owed through the exchange. A refund is first a row, written in the same transaction as
 * the change that owes it (an order whose seats were lost, a refunded ticket, a cancelled
 * performance); this sender then asks the exchange, with the refund's id as the idempotency key,
 * until the exchange confirms. A crash at any point leaves either the row (sent again, at most
 * once in effect) or the confirmation.
 */
import type { Ticketing, Work } from '../context.ts';
import { ExchangeError } from '../exchange-client.ts';
import { newId } from '../ids.ts';
import { walletOf } from '../organizers/wallet.ts';
import { dueRefunds, insertRefund, markRefundDone, recordRefundAttempt } from './repository.ts';

const maxAttempts = 20;

/** After the n-th failed attempt: 5 s × 2^n (10 s, 20 s, 40 s, …), capped at 30 minutes. */
const backoffMs = (attempts: number) => Math.min(5_000 * 2 ** attempts, 1_800_000);

/** Writes a refund the sender will send, in the caller's transaction; answers its id. */
export async function queueRefund(
  trx: Work['trx'],
  now: number,
  refund: {
    orderId: string;
    ticketId: string | null;
    paymentRequestId: string;
    organizerId: string;
    asset: string;
    amount: bigint;
    reason: string;
  },
) {
  const id = newId('rf');
  await insertRefund(trx, {
    id,
    order_id: refund.orderId,
    ticket_id: refund.ticketId,
    payment_request_id: refund.paymentRequestId,
    organizer_id: refund.organizerId,
    asset: refund.asset,
    amount: refund.amount.toString(),
    reason: refund.reason,
    status: 'pending',
    attempts: 0,
    last_error: null,
    next_attempt_at: now,
    created_at: now,
    done_at: null,
  });
  return id;
}

export async function sendDueRefunds(ticketing: Ticketing, limit = 50) {
  const db = ticketing.database.db;
  const due = await dueRefunds(db, ticketing.clock.now(), limit);
  let sent = 0;
  for (const refund of due) {
    try {
      const wallet = await walletOf(ticketing, refund.organizer_id);
      await ticketing.exchange.refund(wallet.apiKey, `refund:${refund.id}`, {
        paymentRequestId: refund.payment_request_id,
        asset: refund.asset,
        amount: BigInt(refund.amount),
        reason: refund.reason,
      });
      await markRefundDone(db, refund.id, refund.attempts + 1, ticketing.clock.now());
      sent += 1;
    } catch (error) {
      // A refusal (4xx) will not change by itself; after the attempts run out a person looks at
      // it (the refund stays listed as failed with the exchange's reason).
      const attempts = refund.attempts + 1;
      const refused = error instanceof ExchangeError;
      await recordRefundAttempt(db, refund.id, {
        status: refused && attempts >= maxAttempts ? 'failed' : 'pending',
        attempts,
        last_error: String((error as Error).message).slice(0, 300),
        next_attempt_at: ticketing.clock.now() + backoffMs(attempts),
      });
    }
  }
  return sent;
}
