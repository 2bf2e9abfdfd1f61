/**
 * Idempotency keys on every mutating route. The key is looked up first; the key row, with the
 * response, is inserted by the effect's own transaction (its last statement), so:
 * - same key, same request, after completion: the stored response, no second effect;
 * - same key at the same moment: both may run, but the key's unique index lets one commit; the
 *   other's insert fails, its whole effect rolls back, and it runs again to replay the response;
 * - same key, different request: 409 idempotency_conflict;
 * - an effect that fails (thrown error) stores no key, so the client may retry it.
 */

import { createHmac } from 'node:crypto';
import { isUniqueViolation, Statement } from '@tessera/db';
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

const storedKey = new Statement<{ request_hash: string; status_code: number; response: string }>(
  'select request_hash, status_code, response from idempotency_keys where principal = ? and key = ?',
);
const storeKeyText = `insert into idempotency_keys
  (principal, key, request_hash, status_code, response, created_at) values (?, ?, ?, ?, ?, ?)`;

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
  for (let attempt = 0; ; attempt++) {
    try {
      return await inTransaction(exchange, async (work) => {
        const { trx } = work;
        const dialect = exchange.database.dialect;
        const stored = await storedKey.first(trx, dialect, [principal, key]);
        if (stored) {
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
          text: storeKeyText,
          parameters: [
            principal,
            key,
            requestHash,
            outcome.status,
            JSON.stringify(outcome.body),
            work.now,
          ],
        });
        return { ...outcome, replayed: false };
      });
    } catch (error) {
      // The same key at the same moment (PostgreSQL): the first to commit stored its response,
      // this one's insert of the key failed and its whole effect rolled back with it. Run again:
      // the key is found and its response replayed.
      if (attempt < 3 && isUniqueViolation(error, 'idempotency_keys')) continue;
      throw error;
    }
  }
}
