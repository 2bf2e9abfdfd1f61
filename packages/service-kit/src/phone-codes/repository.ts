/**
 * The SQL of phone codes (phone-codes.ts), on any database with a `phone_codes` table of this
 * shape: codes are stored as an HMAC, never as they were sent.
 */
import type { Kysely } from 'kysely';
import type { RateLimitsTable } from '../rate-limit/repository.ts';

export interface PhoneCodesTable {
  id: string;
  phone: string;
  code_hash: string;
  expires_at: number;
  attempts: number;
  consumed_at: number | null;
  created_at: number;
}

/** Any database with a `phone_codes` table and the `rate_limits` table that limits sending. */
export type PhoneCodesDb = Kysely<{ phone_codes: PhoneCodesTable; rate_limits: RateLimitsTable }>;

export async function insertPhoneCode(db: PhoneCodesDb, row: PhoneCodesTable): Promise<void> {
  await db.insertInto('phone_codes').values(row).execute();
}

/** The newest code sent to the phone that is neither consumed nor expired at `now`. */
export function newestLiveCode(
  db: PhoneCodesDb,
  phone: string,
  now: number,
): Promise<PhoneCodesTable | undefined> {
  return db
    .selectFrom('phone_codes')
    .selectAll()
    .where('phone', '=', phone)
    .where('consumed_at', 'is', null)
    .where('expires_at', '>', now)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Counts one more wrong try against the code. */
export async function addFailedAttempt(db: PhoneCodesDb, codeId: string): Promise<void> {
  await db
    .updateTable('phone_codes')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('id', '=', codeId)
    .execute();
}

/**
 * Consumes the code unless it already was, in one statement: of two requests racing with the
 * same code, one consumes it. Whether this one did.
 */
export async function markCodeConsumed(
  db: PhoneCodesDb,
  codeId: string,
  now: number,
): Promise<boolean> {
  const consumed = await db
    .updateTable('phone_codes')
    .set({ consumed_at: now })
    .where('id', '=', codeId)
    .where('consumed_at', 'is', null)
    .executeTakeFirst();
  return Number(consumed.numUpdatedRows) === 1;
}
