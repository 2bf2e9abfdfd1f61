/**
 * Proving a phone number with a 6-digit code sent by SMS, for both servers. Codes are kept as an
 * HMAC under the server's secret key, live 10 minutes and allow five tries, so a code cannot be
 * guessed (5 tries in 10^6). How many are sent is limited per phone (a burst, then a doubling
 * wait, and a daily cap), per client address and per number prefix: phone-code-limits.ts.
 */
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { ApiError } from './errors.ts';
import { newId } from './ids.ts';
import {
  type CodeLimits,
  codeUsed,
  defaultCodeLimits,
  takeCodeAllowance,
} from './phone-code-limits.ts';
import {
  addFailedAttempt,
  insertPhoneCode,
  markCodeConsumed,
  newestLiveCode,
  type PhoneCodesDb,
  type PhoneCodesTable,
} from './phone-codes/repository.ts';
import type { RateLimitsDb } from './rate-limit.ts';
import type { SmsSender } from './sms.ts';

export type { PhoneCodesTable };

export interface PhoneCodeStore {
  /** Any database with a `phone_codes` table of this shape. */
  readonly db: PhoneCodesDb;
  readonly secretKey: Buffer;
  readonly sms: SmsSender;
  /** Who the message is from, as the recipient reads it: "Tessera exchange". */
  readonly senderName: string;
  /** How many codes may be sent (defaultCodeLimits unless configured). */
  readonly limits?: CodeLimits;
}

const phoneCodeTtlMs = 10 * 60_000;
const maxCodeAttempts = 5;

function codeHash(store: PhoneCodeStore, phone: string, code: string) {
  return createHmac('sha256', store.secretKey).update(`${phone}:${code}`).digest('hex');
}

/**
 * Sends a 6-digit code to `phone`, asked from the client `address`; 429 `rate_limited` with the
 * wait when a limit of phone-code-limits.ts says not yet.
 */
export async function sendPhoneCode(
  store: PhoneCodeStore,
  now: number,
  phone: string,
  address?: string,
) {
  await takeCodeAllowance(
    store.db as unknown as RateLimitsDb,
    store.limits ?? defaultCodeLimits,
    now,
    phone,
    address,
  );
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
  await codeUsed(db as unknown as RateLimitsDb, phone);
}
