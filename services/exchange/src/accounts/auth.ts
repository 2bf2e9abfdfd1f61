/**
 * Who is calling. Subscribers sign in with a phone number and a code sent by SMS and get a
 * session token; merchants may also create API keys. Tokens are 256-bit random secrets, so the
 * database keeps only their SHA-256. Operators use the configured operator token.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import {
  consumePhoneCode,
  type PhoneCodeStore,
  sendPhoneCode,
} from '@tessera/service-kit/phone-codes';
import type { Exchange } from '../context.ts';
import type { SubscriberKind } from '../db/schema.ts';
import { ApiError, notFound } from '../errors.ts';
import { newId, newSecret } from '../ids.ts';
import {
  type ApiKeyRecord,
  apiKeysOf,
  insertApiKey,
  insertSession,
  liveSession,
  markKeyUsed,
  revokeApiKey as revokeKey,
  revokeSession,
  subscriberByPhone,
  unrevokedKey,
} from './repository.ts';

export interface SubscriberPrincipal {
  readonly type: 'subscriber';
  readonly id: string;
  readonly kind: SubscriberKind;
  readonly accountId: string;
  readonly displayName: string;
  readonly via: 'session' | 'api_key';
}

export type Principal = SubscriberPrincipal | { readonly type: 'operator' };

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function codeStore(exchange: Exchange): PhoneCodeStore {
  return {
    db: exchange.database.db as unknown as PhoneCodeStore['db'],
    secretKey: exchange.config.secretKey,
    sms: exchange.sms,
    senderName: 'Tessera exchange',
    limits: exchange.config.codeLimits,
  };
}

/** Sends a 6-digit code to `phone`, asked from the client `address` (limits: phone-code-limits). */
export const sendCode = (exchange: Exchange, phone: string, address?: string) =>
  sendPhoneCode(codeStore(exchange), exchange.clock.now(), phone, address);

/** Checks and consumes the newest live code for a phone. */
export const consumeCode = (exchange: Exchange, phone: string, code: string) =>
  consumePhoneCode(codeStore(exchange), exchange.clock.now(), phone, code);

/** A new session token; `notAfter` ends it earlier than the configured lifetime. */
export async function createSession(exchange: Exchange, subscriberId: string, notAfter?: number) {
  const token = newSecret('xs');
  const now = exchange.clock.now();
  const expiresAt = Math.min(now + exchange.config.sessionTtlS * 1000, notAfter ?? Infinity);
  await insertSession(exchange.database.db, {
    tokenHash: sha256(token),
    subscriberId,
    createdAt: now,
    expiresAt,
  });
  return { token, expiresAt };
}

export async function createApiKey(exchange: Exchange, subscriberId: string, label: string) {
  const key = newSecret('xk');
  const id = newId('key');
  await insertApiKey(
    exchange.database.db,
    { id, subscriberId, tokenHash: sha256(key), prefix: key.slice(0, 10), label },
    exchange.clock.now(),
  );
  return { id, key };
}

/** A merchant's new key: only a signed-in session may create keys, not another key. */
export function createMerchantApiKey(exchange: Exchange, me: SubscriberPrincipal, label: string) {
  if (me.via !== 'session') throw new ApiError(403, 'forbidden', 'sign in to create API keys');
  return createApiKey(exchange, me.id, label);
}

/** A merchant's keys, newest first, revoked ones included. */
export function listApiKeys(exchange: Exchange, subscriberId: string): Promise<ApiKeyRecord[]> {
  return apiKeysOf(exchange.database.db, subscriberId);
}

/** Revokes one of a merchant's active keys: it stops working at once (keys are not cached). */
export async function revokeApiKey(exchange: Exchange, subscriberId: string, id: string) {
  const { database, clock } = exchange;
  if (!(await revokeKey(database.db, id, subscriberId, clock.now()))) {
    throw notFound('active API key');
  }
}

/**
 * Signing in with the phone and its code. A missing account is told only once the code checks
 * out, so the answer says nothing about a phone to someone who does not hold it.
 */
export async function signIn(
  exchange: Exchange,
  input: { phone: string; code: string; kind: SubscriberKind },
) {
  const { phone, code, kind } = input;
  const subscriber = await subscriberByPhone(exchange.database.db, phone, kind);
  await consumeCode(exchange, phone, code);
  if (!subscriber) throw notFound(`${kind} account for this phone`);
  if (subscriber.status !== 'active')
    throw new ApiError(403, 'account_suspended', 'this account is suspended');
  const session = await createSession(exchange, subscriber.id);
  return { session, subscriber };
}

/** Signing out: the session is revoked, then forgotten on every instance, before the answer. */
export async function signOut(exchange: Exchange, token: string) {
  await revokeSession(exchange.database.db, sha256(token), exchange.clock.now());
  // After the write: a lookup racing the sign-out cannot put the session back.
  await forgetSession(exchange, token);
}

/**
 * A valid session is remembered for two seconds, so a busy client does not cost a database
 * round trip per request. Signing out forgets it on every instance before the answer.
 */
const sessionCacheMs = 2_000;

interface CachedSession {
  readonly principal: SubscriberPrincipal;
  readonly expiresAt: number;
}

function sessionCache(exchange: Exchange) {
  return exchange.caches.cache<CachedSession>(
    'sessions',
    { ttlMs: sessionCacheMs, max: 10_000 },
    async (hash) => {
      const { database, clock } = exchange;
      const row = await liveSession(database.db, database.dialect, hash, clock.now());
      if (row?.status !== 'active') return undefined;
      return {
        principal: {
          type: 'subscriber',
          id: row.id,
          kind: row.kind,
          accountId: row.accountId,
          displayName: row.displayName,
          via: 'session',
        },
        expiresAt: row.expiresAt,
      };
    },
  );
}

/** No instance accepts the token from when this resolves. */
function forgetSession(exchange: Exchange, token: string): Promise<void> {
  return sessionCache(exchange).invalidate(sha256(token));
}

/** Compares digests, so the comparison takes the same time whatever the token. */
function operatorMatches(exchange: Exchange, tokenHash: string) {
  const expected = Buffer.from(sha256(exchange.config.operatorToken), 'hex');
  return timingSafeEqual(expected, Buffer.from(tokenHash, 'hex'));
}

/** Resolves a bearer token to its principal, or throws 401. */
export async function authenticate(
  exchange: Exchange,
  header: string | undefined,
): Promise<Principal> {
  const match = header ? /^Bearer ([A-Za-z0-9_\-.~+/]{16,200}=*)$/.exec(header) : null;
  if (!match) {
    throw new ApiError(401, 'unauthenticated', 'send Authorization: Bearer <token>');
  }
  const token = match[1] as string;
  const hash = sha256(token);
  if (exchange.config.operatorToken && operatorMatches(exchange, hash)) return { type: 'operator' };
  const db = exchange.database.db;
  const now = exchange.clock.now();
  if (token.startsWith('xk_')) {
    const row = await unrevokedKey(db, hash);
    if (row && row.status === 'active' && row.kind === 'merchant') {
      // Record use at most once a minute, so a busy key does not write on every request.
      if (row.lastUsedAt === null || now - row.lastUsedAt > 60_000) {
        await markKeyUsed(db, row.keyId, now);
      }
      return {
        type: 'subscriber',
        id: row.id,
        kind: row.kind,
        accountId: row.accountId,
        displayName: row.displayName,
        via: 'api_key',
      };
    }
  } else {
    const session = await sessionCache(exchange).get(hash);
    if (session && now < session.expiresAt) return session.principal;
  }
  throw new ApiError(401, 'unauthenticated', 'the token is unknown, expired or revoked');
}

export function requireSubscriber(
  principal: Principal | undefined,
  kind?: SubscriberKind,
): SubscriberPrincipal {
  if (principal?.type !== 'subscriber') {
    throw new ApiError(403, 'forbidden', 'this route is for subscribers');
  }
  if (kind && principal.kind !== kind) {
    throw new ApiError(403, 'forbidden', `this route is for ${kind} accounts`);
  }
  return principal;
}

export function requireOperator(principal: Principal | undefined) {
  if (principal?.type !== 'operator') {
    throw new ApiError(403, 'forbidden', 'this route is for operators');
  }
}
