/**
 * Idempotency keys on every mutating route. The key row is inserted first in the same
 * transaction as the effect and completed with the response before commit, so:
 * - same key, same request, after completion: the stored response, no second effect;
 * - same key at the same moment: the second waits on the key's unique index and then replays;
 * - same key, different request: 409 idempotency_conflict;
 * - an effect that fails (thrown error) rolls back its key too, so the client may retry it.
 */

import { createHmac } from 'node:crypto';
import { Statement } from '@tessera/db';
import { type Exchange, inTransaction, type Work } from './context.ts';
import { ApiError, badRequest } from './errors.ts';

export interface Outcome {
  readonly status: number;
  readonly body: unknown;
}

export interface IdempotentRequest {
  readonly method: string;
  readonly url: string;
  readonly body: unknown;
  readonly headers: Record<string, string | string[] | undefined>;
}

const claimKey = new Statement<{ key: string }>(
  `insert into idempotency_keys (principal, key, request_hash, status_code, response, created_at)
   values (?, ?, ?, 0, '', ?) on conflict (principal, key) do nothing returning key`,
);
const storedKey = new Statement<{ request_hash: string; status_code: number; response: string }>(
  'select request_hash, status_code, response from idempotency_keys where principal = ? and key = ?',
);
const completeKeyText =
  'update idempotency_keys set status_code = ?, response = ? where principal = ? and key = ?';

const keyPattern = /^[A-Za-z0-9_\-:.]{8,128}$/;

export function idempotencyKeyOf(request: IdempotentRequest): string {
  const key = request.headers['idempotency-key'];
  if (typeof key !== 'string' || !keyPattern.test(key)) {
    throw badRequest(
      'idempotency_key_required',
      'send an Idempotency-Key header of 8 to 128 characters (letters, digits, _ - : .)',
    );
  }
  return key;
}

export async function idempotent(
  exchange: Exchange,
  request: IdempotentRequest,
  principal: string,
  effect: (work: Work) => Promise<Outcome>,
): Promise<Outcome & { replayed: boolean }> {
  const key = idempotencyKeyOf(request);
  // Keyed, not a plain hash: a body may hold a card number, whose small space a plain SHA-256
  // would let anyone with the table brute-force.
  const requestHash = createHmac('sha256', exchange.config.secretKey)
    .update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`)
    .digest('hex');
  return inTransaction(exchange, async (work) => {
    const { trx } = work;
    const dialect = exchange.database.dialect;
    const claimed = await claimKey.first(trx, dialect, [principal, key, requestHash, work.now]);
    if (!claimed) {
      const stored = await storedKey.first(trx, dialect, [principal, key]);
      if (!stored) throw new Error('an idempotency key vanished inside its transaction');
      if (stored.request_hash !== requestHash) {
        throw new ApiError(
          409,
          'idempotency_conflict',
          'this Idempotency-Key was already used for a different request',
        );
      }
      return { status: stored.status_code, body: JSON.parse(stored.response), replayed: true };
    }
    const outcome = await effect(work);
    // Stored with the outbox write, in the same transaction as the effect.
    work.finally({
      text: completeKeyText,
      parameters: [outcome.status, JSON.stringify(outcome.body), principal, key],
    });
    return { ...outcome, replayed: false };
  });
}
