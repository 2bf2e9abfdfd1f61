/**
 * Proving a phone number with a 6-digit code sent by SMS, for both servers. Codes are kept as an
 * HMAC under the server's secret key, live 10 minutes, allow five tries, and at most five are
 * sent to a number per hour, so a code cannot be guessed (5 tries in 10^6, five codes an hour).
 */
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { ApiError } from './errors.ts';
import { newId } from './ids.ts';
import {
  addFailedAttempt,
  codesSentSince,
  insertPhoneCode,
  markCodeConsumed,
  newestLiveCode,
  type PhoneCodesDb,
  type PhoneCodesTable,
} from './phone-codes/repository.ts';
import type { SmsSender } from './sms.ts';

export type { PhoneCodesTable };

export interface PhoneCodeStore {
  /** Any database with a `phone_codes` table of this shape. */
  readonly db: PhoneCodesDb;
  readonly secretKey: Buffer;
  readonly sms: SmsSender;
  /** Who the message is from, as the recipient reads it: "Tessera exchange". */
  readonly senderName: string;
}

const phoneCodeTtlMs = 10 * 60_000;
const maxCodeAttempts = 5;
const maxCodesPerHour = 5;

function codeHash(store: PhoneCodeStore, phone: string, code: string) {
  return createHmac('sha256', store.secretKey).update(`${phone}:${code}`).digest('hex');
}

/** Sends a 6-digit code; at most five per phone per hour (429 too_many_codes after that). */
export async function sendPhoneCode(store: PhoneCodeStore, now: number, phone: string) {
  if ((await codesSentSince(store.db, phone, now - 3_600_000)) >= maxCodesPerHour) {
    throw new ApiError(
      429,
      'too_many_codes',
      'too many codes sent to this number; try again later',
    );
  }
  const code = randomInt(0, 1_000_000).toString().padStart(6, '0');
  await insertPhoneCode(store.db, {
    id: newId('pc'),
    phone,
    code_hash: codeHash(store, phone, code),
    expires_at: now + phoneCodeTtlMs,
    attempts: 0,
    consumed_at: null,
    created_at: now,
  });
  await store.sms.send(phone, `${store.senderName} code: ${code}. It expires in 10 minutes.`);
  return { expiresAt: now + phoneCodeTtlMs };
}

/**
 * Checks and consumes the newest live code for a phone, or throws 401 invalid_code. A wrong try
 * counts against the code; five burn it.
 */
export async function consumePhoneCode(
  store: PhoneCodeStore,
  now: number,
  phone: string,
  code: string,
) {
  const db = store.db;
  const row = await newestLiveCode(db, phone, now);
  const wrong = () => new ApiError(401, 'invalid_code', 'the code is wrong or has expired');
  if (!row || row.attempts >= maxCodeAttempts) throw wrong();
  const expected = Buffer.from(row.code_hash, 'hex');
  const actual = Buffer.from(codeHash(store, phone, code), 'hex');
  if (!timingSafeEqual(expected, actual)) {
    await addFailedAttempt(db, row.id);
    throw wrong();
  }
  // Consume atomically: two requests racing with the same code cannot both succeed.
  if (!(await markCodeConsumed(db, row.id, now))) throw wrong();
}
