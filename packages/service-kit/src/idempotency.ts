/**
 * Idempotency keys on every mutating route, for both servers. The key is looked up first; the
 * key row, with the response, is written by the effect's own transaction, so:
 * - same key, same request, after completion: the stored response, no second effect;
 * - same key at the same moment: both may run, but the key's unique index lets one commit; the
 *   other's insert fails, its whole effect rolls back, and it runs again to replay the response;
 * - same key, different request: 409 idempotency_conflict;
 * - an effect that fails (thrown error) stores no key, so the client may retry it.
 */
import { createHmac } from 'node:crypto';
import type { Dialect } from '@tessera/db';
import { isUniqueViolation, type Kysely } from '@tessera/db';
import { ApiError, badRequest } from './errors.ts';
import { keyRow, type StoredKey, storedOutcome } from './idempotency/repository.ts';

export type { StoredKey };

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

export interface IdempotencyPort<W> {
  readonly secretKey: Buffer;
  readonly dialect: Dialect;
  /** Runs `fn` in one write transaction of the service. */
  transaction<T>(fn: (work: W) => Promise<T>): Promise<T>;
  // biome-ignore lint/suspicious/noExplicitAny: any service's database.
  executor(work: W): Kysely<any>;
  now(work: W): number;
  /** Writes the key row in the work's transaction (last, so nothing waits on it). */
  store(work: W, row: StoredKey): Promise<void> | void;
}

export async function idempotent<W>(
  port: IdempotencyPort<W>,
  request: IdempotentRequest,
  principal: string,
  effect: (work: W) => Promise<Outcome>,
): Promise<Outcome & { replayed: boolean }> {
  const key = idempotencyKeyOf(request);
  // Keyed, not a plain hash: a body may hold a card number, whose small space a plain SHA-256
  // would let anyone with the table brute-force.
  const requestHash = createHmac('sha256', port.secretKey)
    .update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`)
    .digest('hex');
  for (let attempt = 0; ; attempt++) {
    try {
      return await port.transaction(async (work) => {
        const stored = await storedOutcome(port.executor(work), port.dialect, principal, key);
        if (stored) {
          if (stored.requestHash !== requestHash) {
            throw new ApiError(
              409,
              'idempotency_conflict',
              'this Idempotency-Key was already used for a different request',
            );
          }
          return { status: stored.status, body: stored.body, replayed: true };
        }
        const outcome = await effect(work);
        await port.store(work, keyRow(principal, key, requestHash, outcome, port.now(work)));
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
