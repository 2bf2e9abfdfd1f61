/**
 * The SQL of idempotency keys (idempotency.ts), on any database with an `idempotency_keys`
 * table: the lookup is a prepared statement; the key row's insert is handed to the service as
 * text and parameters, since each service writes it its own way in the effect's transaction.
 */
import { type Dialect, type Kysely, Statement } from '@tessera/db';

/** The key row's insert, for the service to run in the effect's transaction. */
export interface StoredKey {
  readonly text: string;
  readonly parameters: readonly unknown[];
}

/** What an earlier request with the same key answered. */
export interface StoredOutcome {
  readonly requestHash: string;
  readonly status: number;
  readonly body: unknown;
}

const storedKey = new Statement<{ request_hash: string; status_code: number; response: string }>(
  'select request_hash, status_code, response from idempotency_keys where principal = ? and key = ?',
);
const storeKeyText = `insert into idempotency_keys
  (principal, key, request_hash, status_code, response, created_at) values (?, ?, ?, ?, ?, ?)`;

/** The outcome stored under the principal's key, if any. */
export async function storedOutcome(
  // biome-ignore lint/suspicious/noExplicitAny: any service's database.
  executor: Kysely<any>,
  dialect: Dialect,
  principal: string,
  key: string,
): Promise<StoredOutcome | undefined> {
  const stored = await storedKey.first(executor, dialect, [principal, key]);
  if (!stored) return undefined;
  return {
    requestHash: stored.request_hash,
    status: stored.status_code,
    body: JSON.parse(stored.response),
  };
}

/** The insert that stores `outcome` under the principal's key. */
export function keyRow(
  principal: string,
  key: string,
  requestHash: string,
  outcome: { readonly status: number; readonly body: unknown },
  now: number,
): StoredKey {
  return {
    text: storeKeyText,
    parameters: [principal, key, requestHash, outcome.status, JSON.stringify(outcome.body), now],
  };
}
