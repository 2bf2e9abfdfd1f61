/**
 * The deletes of housekeeping: rows that have served their purpose. Each takes the executor and
 * a cut-off time and answers how many rows went.
 */
import type { Kysely } from 'kysely';
import type { ExchangeDB } from '../db/schema.ts';

type Executor = Kysely<ExchangeDB>;

/** Idempotency keys stored before `before`. */
export async function deleteIdempotencyKeysBefore(db: Executor, before: number): Promise<number> {
  const deleted = await db
    .deleteFrom('idempotency_keys')
    .where('created_at', '<', before)
    .executeTakeFirst();
  return Number(deleted.numDeletedRows);
}

/** Sign-in codes that expired before `before`. */
export async function deletePhoneCodesExpiredBefore(db: Executor, before: number): Promise<number> {
  const deleted = await db
    .deleteFrom('phone_codes')
    .where('expires_at', '<', before)
    .executeTakeFirst();
  return Number(deleted.numDeletedRows);
}

/** Sessions that expired before `before`. */
export async function deleteSessionsExpiredBefore(db: Executor, before: number): Promise<number> {
  const deleted = await db
    .deleteFrom('sessions')
    .where('expires_at', '<', before)
    .executeTakeFirst();
  return Number(deleted.numDeletedRows);
}
