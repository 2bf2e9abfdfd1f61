/**
 * Who is calling. Everyone (buyers and organizer staff alike) signs in with a phone number and a
 * code sent by SMS and gets a session token; tokens are 256-bit random secrets of which only the
 * SHA-256 is stored. What a user may do for an organizer comes from its staff role. The platform
 * operator uses the configured operator token.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { Statement } from '@tessera/db';
import { ApiError, forbidden, notFound } from '@tessera/service-kit/errors';
import {
  consumePhoneCode,
  type PhoneCodeStore,
  sendPhoneCode,
} from '@tessera/service-kit/phone-codes';
import type { Ticketing } from './context.ts';
import type { StaffRole } from './db/schema.ts';
import { newId, newSecret } from './ids.ts';

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
 * Signing out forgets it at once in this process; another instance behind the same load
 * balancer may accept the token for up to those ten seconds.
 */
const sessionCacheMs = 10_000;
const sessionCaches = new WeakMap<
  Ticketing,
  Map<string, { principal: UserPrincipal; expiresAt: number; until: number }>
>();

function sessionCacheOf(ticketing: Ticketing) {
  let cache = sessionCaches.get(ticketing);
  if (!cache) {
    cache = new Map();
    sessionCaches.set(ticketing, cache);
  }
  return cache;
}

/**
 * A terminal's credential is remembered for one second: a gate scanning a ticket a second costs
 * one lookup a second, not one a scan. Revoking a terminal forgets it at once in this process
 * (through the gate feed's revocation signal); another instance refuses it within the second.
 */
const terminalCacheMs = 1_000;
const terminalCaches = new WeakMap<
  Ticketing,
  Map<string, { principal: TerminalPrincipal; until: number }>
>();

function terminalCacheOf(ticketing: Ticketing) {
  let cache = terminalCaches.get(ticketing);
  if (!cache) {
    const created = new Map<string, { principal: TerminalPrincipal; until: number }>();
    ticketing.gates.onRevoked((terminalId) => {
      for (const [hash, entry] of created) {
        if (entry.principal.id === terminalId) created.delete(hash);
      }
    });
    terminalCaches.set(ticketing, created);
    cache = created;
  }
  return cache;
}

export function forgetSession(ticketing: Ticketing, token: string) {
  sessionCacheOf(ticketing).delete(sha256(token));
}

const sessionLookup = new Statement<{ id: string; phone: string; expires_at: number }>(
  `select u.id, u.phone, s.expires_at from sessions s join users u on u.id = s.user_id
   where s.token_hash = ? and s.revoked_at is null and s.expires_at > ?`,
);

const operatorHashes = new WeakMap<Ticketing, Buffer>();

function operatorMatches(ticketing: Ticketing, tokenHash: string) {
  let expected = operatorHashes.get(ticketing);
  if (!expected) {
    expected = Buffer.from(sha256(ticketing.config.operatorToken), 'hex');
    operatorHashes.set(ticketing, expected);
  }
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
    const cache = terminalCacheOf(ticketing);
    const cached = cache.get(hash);
    if (cached && cached.until > Date.now()) return cached.principal;
    const terminal = await terminalLookup.first(ticketing.database.db, ticketing.database.dialect, [
      hash,
    ]);
    if (!terminal) {
      cache.delete(hash);
      throw new ApiError(401, 'unauthenticated', 'the terminal is unknown or was revoked');
    }
    const principal: TerminalPrincipal = {
      type: 'terminal',
      id: terminal.id,
      organizerId: terminal.organizer_id,
      venueId: terminal.venue_id,
      gate: terminal.gate,
      name: terminal.name,
      performanceIds: JSON.parse(terminal.performance_ids) as string[],
    };
    if (cache.size >= 10_000) cache.clear();
    cache.set(hash, { principal, until: Date.now() + terminalCacheMs });
    return principal;
  }
  const now = ticketing.clock.now();
  const cache = sessionCacheOf(ticketing);
  const cached = cache.get(hash);
  if (cached && cached.until > Date.now() && now < cached.expiresAt) return cached.principal;
  const row = await sessionLookup.first(ticketing.database.db, ticketing.database.dialect, [
    hash,
    now,
  ]);
  if (!row) throw new ApiError(401, 'unauthenticated', 'the token is unknown, expired or revoked');
  const principal: UserPrincipal = { type: 'user', id: row.id, phone: row.phone };
  if (cache.size >= 10_000) cache.clear();
  cache.set(hash, { principal, expiresAt: row.expires_at, until: Date.now() + sessionCacheMs });
  return principal;
}

export function requireUser(principal: Principal | undefined): UserPrincipal {
  if (principal?.type !== 'user') throw forbidden('this route is for signed-in users');
  return principal;
}

/** What each staff role may do for its organizer. */
export const permissions = {
  view_organizer: ['owner', 'manager', 'box_office', 'gate'],
  manage_staff: ['owner'],
  link_wallet: ['owner'],
  manage_catalogue: ['owner', 'manager'],
  refund: ['owner', 'manager'],
  view_sales: ['owner', 'manager', 'box_office'],
  sell: ['owner', 'manager', 'box_office'],
  admit: ['owner', 'manager', 'gate'],
} as const satisfies Record<string, readonly StaffRole[]>;

export type Permission = keyof typeof permissions;

/**
 * The caller's role at the organizer if it allows `permission`; the platform operator may do
 * everything. An organizer the caller has no role at answers 404, not 403, so staff of one
 * organizer cannot even learn which ids exist at another.
 */
export async function requireStaff(
  ticketing: Ticketing,
  principal: Principal | undefined,
  organizerId: string,
  permission: Permission,
): Promise<StaffRole | 'operator'> {
  if (principal?.type === 'operator') return 'operator';
  const user = requireUser(principal);
  const row = await ticketing.database.db
    .selectFrom('staff')
    .select('role')
    .where('organizer_id', '=', organizerId)
    .where('user_id', '=', user.id)
    .executeTakeFirst();
  if (!row) throw notFound('organizer');
  if (!(permissions[permission] as readonly StaffRole[]).includes(row.role)) {
    throw forbidden(`the ${row.role} role may not ${permission.replace('_', ' ')}`);
  }
  return row.role;
}
