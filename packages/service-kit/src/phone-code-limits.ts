/**
 * How many sign-in codes may be sent, kept in the database's `rate_limits` table so that every
 * instance (and a restart) sees the same counts. An SMS costs money and SMS pumping (asking codes
 * for premium numbers, for the operator's share of the fee) is the attack, so sending is limited
 * four ways, each answered with 429 `rate_limited`, `Retry-After` and a message saying the wait:
 *
 * - per phone, a burst then a growing wait: the first `burst` codes at once (a code that did not
 *   arrive, asked again), then `firstDelayMs` before the next, doubling each code (30 s, 1 min,
 *   2 min, 4 min... at most `maxDelayMs`). An hour without a code, or a sign-in with a code,
 *   starts over. Three or four codes in a few minutes pass.
 * - per phone, at most `perPhonePerDay` codes in 24 hours;
 * - per client address (an IPv6 one by its /64), at most `perAddressPerHour` (many numbers from
 *   one machine);
 * - per number prefix (`prefixLength` characters of the E.164 number: `+1212555`, `+8210123`), at
 *   most `perPrefixPerHour` (a range of premium numbers, asked from many machines).
 */
import { isIPv6 } from 'node:net';
import { Address6 } from 'ip-address';
import { rateLimited, waitText } from './errors.ts';
import {
  countHit,
  deleteBucket,
  type RateLimitsDb,
  type RateLimitsTable,
  readBucket,
  replaceBucket,
} from './rate-limit/repository.ts';
import { pruneNowAndThen } from './rate-limit.ts';

export interface CodeLimits {
  readonly burst: number;
  readonly firstDelayMs: number;
  readonly maxDelayMs: number;
  /** How long without a code before the per-phone wait starts over. */
  readonly quietResetMs: number;
  readonly perPhonePerDay: number;
  readonly perAddressPerHour: number;
  readonly perPrefixPerHour: number;
  readonly prefixLength: number;
}

export const defaultCodeLimits: CodeLimits = {
  burst: 2,
  firstDelayMs: 30_000,
  maxDelayMs: 3_600_000,
  quietResetMs: 3_600_000,
  perPhonePerDay: 10,
  perAddressPerHour: 20,
  perPrefixPerHour: 60,
  prefixLength: 8,
};

/**
 * Development (`npm start`'s demo): the same four limits, far enough out that an afternoon of
 * trying the demo (several phones, moving a ticket, API sign-ins, restarts: the buckets are kept
 * in the database) never locks the demo accounts out, yet a runaway loop is still stopped. Never
 * used in production, nor in tests (`NODE_ENV=test` keeps the production numbers, which the
 * limit tests check).
 */
export const developmentCodeLimits: CodeLimits = {
  burst: 50,
  firstDelayMs: 1_000,
  maxDelayMs: 60_000,
  quietResetMs: 600_000,
  perPhonePerDay: 1_000,
  perAddressPerHour: 1_000,
  perPrefixPerHour: 1_000,
  prefixLength: 8,
};

const hourMs = 3_600_000;
const dayMs = 24 * hourMs;

/** The wait after the `sent`-th code of a streak: none within the burst, then doubling. */
export function delayAfter(limits: CodeLimits, sent: number) {
  if (sent < limits.burst) return 0;
  return Math.min(limits.maxDelayMs, limits.firstDelayMs * 2 ** (sent - limits.burst));
}

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/** The streak of a phone as it stands at `now` (an ended one counts as none). */
function streakAt(bucket: RateLimitsTable | undefined, now: number) {
  return bucket && bucket.reset_at > now ? bucket.count : 0;
}

/**
 * Takes one code's worth of every limit for `phone` asked from `address`, or throws 429
 * `rate_limited`. Call it before sending; nothing is sent when it throws.
 */
export async function takeCodeAllowance(
  db: RateLimitsDb,
  limits: CodeLimits,
  now: number,
  phone: string,
  address: string | undefined,
) {
  await pruneNowAndThen(db, now);
  const streakKey = `codes:phone:${phone}`;
  const streak = await readBucket(db, streakKey);
  const waitMs = streak && streak.reset_at > now ? streak.next_at - now : 0;
  if (waitMs > 0) {
    throw rateLimited(
      seconds(waitMs),
      `wait ${waitText(seconds(waitMs))} before asking for another code for this number`,
    );
  }
  if (address !== undefined) {
    await within(
      db,
      `codes:address:${clientKey(address)}`,
      now,
      hourMs,
      limits.perAddressPerHour,
      (wait) => `too many codes asked from this network; try again in ${wait}`,
    );
  }
  const prefix = phone.slice(0, limits.prefixLength);
  await within(
    db,
    `codes:prefix:${prefix}`,
    now,
    hourMs,
    limits.perPrefixPerHour,
    (wait) => `too many codes asked for numbers like this one; try again in ${wait}`,
  );
  await within(
    db,
    `codes:day:${phone}`,
    now,
    dayMs,
    limits.perPhonePerDay,
    (wait) => `too many codes sent to this number today; try again in ${wait}`,
  );
  const sent = streakAt(streak, now) + 1;
  const claimed = await replaceBucket(db, streak, {
    key: streakKey,
    count: sent,
    reset_at: now + limits.quietResetMs,
    next_at: now + delayAfter(limits, sent),
  });
  // Another request for the same number won the race: this one waits as if it came after it.
  if (!claimed) {
    const wait = seconds(Math.max(1_000, ((await readBucket(db, streakKey))?.next_at ?? 0) - now));
    throw rateLimited(
      wait,
      `a code was just sent to this number; wait ${waitText(wait)} before asking again`,
    );
  }
}

/**
 * The bucket of a client address: an IPv6 client counts by its /64 (one subscriber's network has
 * 2^64 addresses to rotate through), as @fastify/rate-limit keys its buckets (with the same
 * library, ip-address); an IPv4-mapped address as the IPv4 one.
 */
export function clientKey(address: string) {
  if (!isIPv6(address)) return address.toLowerCase();
  const parsed = new Address6(address);
  if (parsed.isMapped4()) return parsed.to4().correctForm();
  return new Address6(`${parsed.correctForm()}/64`).startAddress().correctForm();
}

/**
 * A code was used to sign in: the number's wait starts over (its daily cap does not), so signing
 * in again on another device does not wait for the doubling delays of the last sign-in.
 */
export async function codeUsed(db: RateLimitsDb, phone: string) {
  await deleteBucket(db, `codes:phone:${phone}`);
}

/** Counts a hit on `key`'s window; throws 429 once the window holds more than `max`. */
async function within(
  db: RateLimitsDb,
  key: string,
  now: number,
  windowMs: number,
  max: number,
  message: (wait: string) => string,
) {
  const { count, resetAt } = await countHit(db, key, now, windowMs);
  if (count > max) {
    const wait = seconds(resetAt - now);
    throw rateLimited(wait, message(waitText(wait)));
  }
}
