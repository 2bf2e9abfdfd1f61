/**
 * Idempotency keys on every mutating route of the exchange (the shared rules are in
 * service-kit): the key row is stored with the outbox write, in the effect's transaction.
 */
import {
  type IdempotentRequest,
  type Outcome,
  idempotent as runIdempotent,
} from '@tessera/service-kit/idempotency';
import { type Exchange, inTransaction, type Work } from './context.ts';

export { idempotencyKeyOf } from '@tessera/service-kit/idempotency';
export type { IdempotentRequest, Outcome };

export function idempotent(
  exchange: Exchange,
  request: IdempotentRequest,
  principal: string,
  effect: (work: Work) => Promise<Outcome>,
) {
  return runIdempotent<Work>(
    {
      secretKey: exchange.config.secretKey,
      dialect: exchange.database.dialect,
      transaction: (fn) => inTransaction(exchange, fn),
      executor: (work) => work.trx,
      now: (work) => work.now,
      store: (work, row) => work.finally(row),
    },
    request,
    principal,
    effect,
  );
}
