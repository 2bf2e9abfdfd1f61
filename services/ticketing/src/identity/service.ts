/**
 * Who is calling. Everyone (buyers and organizer staff alike) signs in with a phone number and a
 * code sent by SMS and gets a session token; tokens are 256-bit random secrets of which only the
 * SHA-256 is stored. What a user may do for an organizer comes from its staff role. The platform
 * operator uses the configured operator token.
 */

import { createHash, timingSafeEqual } from 'node:crypto';
import { ApiError, forbidden } from '@tessera/service-kit/errors';
import {
  consumePhoneCode,
  type PhoneCodeStore,
  sendPhoneCode,
} from '@tessera/service-kit/phone-codes';
import type { Ticketing } from '../context.ts';
import { newId, newSecret } from '../ids.ts';
import type { Principal, TerminalPrincipal, UserPrincipal } from './principal.ts';
import {
  activeTerminalByTokenHash,
  insertSession,
  insertUserUnlessPhoneTaken,
  type LiveSession,
  liveSessionByTokenHash,
  type RoleAtOrganizer,
  revokeSessionByTokenHash,
  rolesOfUser,
  type UserRecord,
  updateSignedInUser,
  userByPhone,
  userWithId,
  userWithPhone,
} from './repository.ts';

export type { Principal, TerminalPrincipal, UserPrincipal };

/** Terminal credentials carry this prefix, so a lookup goes to the right table. */
export const terminalTokenPrefix = 'tt_';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function codeStore(ticketing: Ticketing): PhoneCodeStore {
  return {
    db: ticketing.database.db as unknown as PhoneCodeStore['db'],
    secretKey: ticketing.config.secretKey,
    sms: ticketing.sms,
    senderName: 'Tessera tickets',
    limits: ticketing.config.codeLimits,
  };
}

/** Sends a sign-in code to `phone`, asked from the client `address` (limits: phone-code-limits). */
export const sendCode = (ticketing: Ticketing, phone: string, address?: string) =>
  sendPhoneCode(codeStore(ticketing), ticketing.clock.now(), phone, address);

export const consumeCode = (ticketing: Ticketing, phone: string, code: string) =>
  consumePhoneCode(codeStore(ticketing), ticketing.clock.now(), phone, code);

/** The user with this phone, created on first sight (staff may be added before they sign in). */
export async function userForPhone(ticketing: Ticketing, phone: string): Promise<UserRecord> {
  const db = ticketing.database.db;
  const existing = await userByPhone(db, phone);
  if (existing) return existing;
  await insertUserUnlessPhoneTaken(db, {
    id: newId('usr'),
    phone,
    first_name: null,
    created_at: ticketing.clock.now(),
    verified_at: null,
  });
  return userWithPhone(db, phone);
}

async function createSession(ticketing: Ticketing, userId: string) {
  const token = newSecret('ts');
  const now = ticketing.clock.now();
  const expiresAt = now + ticketing.config.sessionTtlS * 1000;
  await insertSession(ticketing.database.db, {
    token_hash: sha256(token),
    user_id: userId,
    created_at: now,
    expires_at: expiresAt,
    revoked_at: null,
  });
  return { token, expiresAt };
}

export interface SignedIn {
  readonly token: string;
  readonly expiresAt: number;
  /** The user as it is now (its first name replaced when one was given). */
  readonly user: UserRecord;
}

/**
 * Signs in (or up) with a phone and the code sent to it: the first sign-in with a number
 * creates the user; the first proof of the number is kept as its verification time.
 */
export async function signIn(
  ticketing: Ticketing,
  input: { phone: string; code: string; firstName?: string | undefined },
): Promise<SignedIn> {
  const { phone, code, firstName } = input;
  await consumeCode(ticketing, phone, code);
  const user = await userForPhone(ticketing, phone);
  const now = ticketing.clock.now();
  await updateSignedInUser(ticketing.database.db, user.id, user.verified_at ?? now, firstName);
  const session = await createSession(ticketing, user.id);
  return {
    token: session.token,
    expiresAt: session.expiresAt,
    user: { ...user, first_name: firstName ?? user.first_name },
  };
}

/** Ends the session of `token`: no instance accepts it once this resolves. */
export async function signOut(ticketing: Ticketing, token: string): Promise<void> {
  await revokeSessionByTokenHash(ticketing.database.db, sha256(token), ticketing.clock.now());
  // After the write: a lookup racing the sign-out cannot put the session back.
  await forgetSession(ticketing, token);
}

/** The signed-in user and the organizers it works for. */
export async function accountOf(
  ticketing: Ticketing,
  userId: string,
): Promise<{ user: UserRecord; organizers: RoleAtOrganizer[] }> {
  const db = ticketing.database.db;
  const user = await userWithId(db, userId);
  const organizers = await rolesOfUser(db, userId);
  return { user, organizers };
}

/**
 * A valid session is remembered for ten seconds, so a buyer waiting out a stampede (a hold, an
 * order, a long poll, each seconds apart) does not cost a database round trip per request.
 * Signing out forgets it on every instance before the answer (`forgetSession`).
 */
const sessionCacheMs = 10_000;

/**
 * A terminal's credential is remembered for one second: a gate scanning a ticket a second costs
 * one lookup a second, not one a scan. Revoking or renaming a terminal forgets it on every
 * instance before the answer (`forgetTerminal`).
 */
const terminalCacheMs = 1_000;

/** Principals cached at most, per kind: beyond this the least recently seen are looked up again. */
const principalsCachedMax = 10_000;

/** Sessions by token hash. */
/** The cache of sessions by token hash; its invalidations say that a session ended. */
export const sessionCacheName = 'sessions';

function sessionCache(ticketing: Ticketing) {
  return ticketing.caches.cache<LiveSession>(
    sessionCacheName,
    { ttlMs: sessionCacheMs, max: principalsCachedMax },
    (hash) => {
      const { database, clock } = ticketing;
      return liveSessionByTokenHash(database.db, database.dialect, hash, clock.now());
    },
  );
}

/** Terminals by token hash. */
function terminalCache(ticketing: Ticketing) {
  return ticketing.caches.cache<TerminalPrincipal>(
    'terminals',
    { ttlMs: terminalCacheMs, max: principalsCachedMax },
    (hash) => {
      const { database } = ticketing;
      return activeTerminalByTokenHash(database.db, database.dialect, hash);
    },
  );
}

/** The session of `token` ended: no instance accepts it from when this resolves. */
function forgetSession(ticketing: Ticketing, token: string): Promise<void> {
  return sessionCache(ticketing).invalidate(sha256(token));
}

/** The terminal of this token hash was revoked or renamed: every instance reads it again. */
export function forgetTerminal(ticketing: Ticketing, tokenHash: string): Promise<void> {
  return terminalCache(ticketing).invalidate(tokenHash);
}

function operatorMatches(ticketing: Ticketing, tokenHash: string) {
  const expected = Buffer.from(sha256(ticketing.config.operatorToken), 'hex');
  return timingSafeEqual(expected, Buffer.from(tokenHash, 'hex'));
}

/** The session cache's key for an Authorization header (the bearer token's hash), if any. */
export function sessionKeyOf(header: string | undefined): string | undefined {
  const match = header ? /^Bearer (\S+)$/.exec(header) : null;
  return match ? sha256(match[1] as string) : undefined;
}

export async function authenticate(
  ticketing: Ticketing,
  header: string | undefined,
): Promise<Principal> {
  const match = header ? /^Bearer ([A-Za-z0-9_\-.~+/]{16,200}=*)$/.exec(header) : null;
  if (!match) throw new ApiError(401, 'unauthenticated', 'send Authorization: Bearer <token>');
  const hash = sha256(match[1] as string);
  if (ticketing.config.operatorToken && operatorMatches(ticketing, hash))
    return { type: 'operator' };
  if (match[1]?.startsWith(terminalTokenPrefix)) {
    const terminal = await terminalCache(ticketing).get(hash);
    if (!terminal) {
      throw new ApiError(401, 'unauthenticated', 'the terminal is unknown or was revoked');
    }
    return terminal;
  }
  const session = await sessionCache(ticketing).get(hash);
  if (!session || ticketing.clock.now() >= session.expiresAt) {
    throw new ApiError(401, 'unauthenticated', 'the token is unknown, expired or revoked');
  }
  return session.principal;
}

export function requireUser(principal: Principal | undefined): UserPrincipal {
  if (principal?.type !== 'user') throw forbidden('this route is for signed-in users');
  return principal;
}
