/**
 * Refunds owed through the exchange. A refund is first a row, written in the same transaction as
 * the change that owes it (an order whose seats were lost, a refunded ticket, a cancelled
 * performance); this sender then asks the exchange, with the refund's id as the idempotency key,
 * until the exchange confirms. A crash at any point leaves either the row (sent again, at most
 * once in effect) or the confirmation.
 */
import type { Ticketing } from '../context.ts';
import { ExchangeError } from '../exchange-client.ts';
import { walletOf } from '../organizers/wallet.ts';

const maxAttempts = 20;

/** After the n-th failed attempt: 5 s × 2^n (10 s, 20 s, 40 s, …), capped at 30 minutes. */
const backoffMs = (attempts: number) => Math.min(5_000 * 2 ** attempts, 1_800_000);

export async function sendDueRefunds(ticketing: Ticketing, limit = 50) {
  const db = ticketing.database.db;
  const due = await db
    .selectFrom('refunds')
    .selectAll()
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', ticketing.clock.now())
    .orderBy('next_attempt_at')
    .limit(limit)
    .execute();
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
      await db
        .updateTable('refunds')
        .set({
          status: 'done',
          done_at: ticketing.clock.now(),
          attempts: refund.attempts + 1,
          last_error: null,
        })
        .where('id', '=', refund.id)
        .where('status', '=', 'pending')
        .execute();
      sent += 1;
    } catch (error) {
      // A refusal (4xx) will not change by itself; after the attempts run out a person looks at
      // it (the refund stays listed as failed with the exchange's reason).
      const attempts = refund.attempts + 1;
      const refused = error instanceof ExchangeError;
      await db
        .updateTable('refunds')
        .set({
          status: refused && attempts >= maxAttempts ? 'failed' : 'pending',
          attempts,
          last_error: String((error as Error).message).slice(0, 300),
          next_attempt_at: ticketing.clock.now() + backoffMs(attempts),
        })
        .where('id', '=', refund.id)
        .where('status', '=', 'pending')
        .execute();
    }
  }
  return sent;
}
