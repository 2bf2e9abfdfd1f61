/**
 * Who is calling. Everyone (buyers and organizer staff alike) signs in with a phone number and a
 * code sent by SMS and gets a session token; tokens are 256-bit random secrets of which only the
 * SHA-256 is stored. What a user may do for an organizer comes from its staff role. The platform
 * operator uses the configured operator token.
 */

import { createHash, timingSafeEqual } from 'node:crypto';
import { Statement } from '@tessera/db';
import { ApiError, forbidden } from '@tessera/service-kit/errors';
import {
  consumePhoneCode,
  type PhoneCodeStore,
  sendPhoneCode,
} from '@tessera/service-kit/phone-codes';
import type { Ticketing } from '../context.ts';
import { newId, newSecret } from '../ids.ts';

export interface UserPrincipal {
  readonly type: 'user';
  readonly id: string;
  readonly phone: string;
}

/** An enrolled gate terminal (unit 408/416): admits to its organizer's listed performances. */
export interface TerminalPrincipal {
  readonly type: 'terminal';
  readonly id: string;
  readonly organizerId: string;
  readonly venueId: string;
  readonly gate: string;
  readonly name: string;
  readonly performanceIds: readonly string[];
}

export type Principal = UserPrincipal | TerminalPrincipal | { readonly type: 'operator' };

/** Terminal credentials carry this prefix, so a lookup goes to the right table. */
export const terminalTokenPrefix = 'tt_';

const terminalLookup = new Statement<{
  id: string;
  organizer_id: string;
  venue_id: string;
  gate: string;
  name: string;
  performance_ids: string;
}>(
  `select id, organizer_id, venue_id, gate, name, performance_ids from terminals
   where token_hash = ? and revoked_at is null`,
);

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function codeStore(ticketing: Ticketing): PhoneCodeStore {
  return {
    db: ticketing.database.db as unknown as PhoneCodeStore['db'],
    secretKey: ticketing.config.secretKey,
    sms: ticketing.sms,
    senderName: 'Tessera tickets',
  };
}

export const sendCode = (ticketing: Ticketing, phone: string) =>
  sendPhoneCode(codeStore(ticketing), ticketing.clock.now(), phone);

export const consumeCode = (ticketing: Ticketing, phone: string, code: string) =>
  consumePhoneCode(codeStore(ticketing), ticketing.clock.now(), phone, code);

/** The user with this phone, created on first sight (staff may be added before they sign in). */
export async function userForPhone(ticketing: Ticketing, phone: string) {
  const db = ticketing.database.db;
  const existing = await db
    .selectFrom('users')
    .selectAll()
    .where('phone', '=', phone)
    .executeTakeFirst();
  if (existing) return existing;
  const row = {
    id: newId('usr'),
    phone,
    first_name: null,
    created_at: ticketing.clock.now(),
    verified_at: null,
  };
  await db
    .insertInto('users')
    .values(row)
    .onConflict((conflict) => conflict.column('phone').doNothing())
    .execute();
  return db.selectFrom('users').selectAll().where('phone', '=', phone).executeTakeFirstOrThrow();
}

export async function createSession(ticketing: Ticketing, userId: string) {
  const token = newSecret('ts');
  const now = ticketing.clock.now();
  const expiresAt = now + ticketing.config.sessionTtlS * 1000;
  await ticketing.database.db
    .insertInto('sessions')
    .values({
      token_hash: sha256(token),
      user_id: userId,
      created_at: now,
      expires_at: expiresAt,
      revoked_at: null,
    })
    .execute();
  return { token, expiresAt };
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

const sessionLookup = new Statement<{ id: string; phone: string; expires_at: number }>(
  `select u.id, u.phone, s.expires_at from sessions s join users u on u.id = s.user_id
   where s.token_hash = ? and s.revoked_at is null and s.expires_at > ?`,
);

interface CachedSession {
  readonly principal: UserPrincipal;
  readonly expiresAt: number;
}

/** Sessions by token hash. */
function sessionCache(ticketing: Ticketing) {
  return ticketing.caches.cache<CachedSession>(
    'sessions',
    { ttlMs: sessionCacheMs, max: principalsCachedMax },
    async (hash) => {
      const { database, clock } = ticketing;
      const row = await sessionLookup.first(database.db, database.dialect, [hash, clock.now()]);
      if (!row) return undefined;
      return {
        principal: { type: 'user', id: row.id, phone: row.phone },
        expiresAt: Number(row.expires_at),
      };
    },
  );
}

/** Terminals by token hash. */
function terminalCache(ticketing: Ticketing) {
  return ticketing.caches.cache<TerminalPrincipal>(
    'terminals',
    { ttlMs: terminalCacheMs, max: principalsCachedMax },
    async (hash) => {
      const { database } = ticketing;
      const terminal = await terminalLookup.first(database.db, database.dialect, [hash]);
      if (!terminal) return undefined;
      return {
        type: 'terminal',
        id: terminal.id,
        organizerId: terminal.organizer_id,
        venueId: terminal.venue_id,
        gate: terminal.gate,
        name: terminal.name,
        performanceIds: JSON.parse(terminal.performance_ids) as string[],
      };
    },
  );
}

/** The session of `token` ended: no instance accepts it from when this resolves. */
export function forgetSession(ticketing: Ticketing, token: string): Promise<void> {
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
