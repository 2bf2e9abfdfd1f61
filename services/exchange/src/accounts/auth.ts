/**
 * Who is calling. Subscribers sign in with a phone number and a code sent by SMS and get a
 * session token; merchants may also create API keys. Tokens are 256-bit random secrets, so the
 * database keeps only their SHA-256. Operators use the configured operator token.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { Statement } from '@tessera/db';
import {
  consumePhoneCode,
  type PhoneCodeStore,
  sendPhoneCode,
} from '@tessera/service-kit/phone-codes';
import type { Exchange } from '../context.ts';
import type { SubscriberKind } from '../db/schema.ts';
import { ApiError, badRequest } from '../errors.ts';
import { newId, newSecret } from '../ids.ts';

export interface SubscriberPrincipal {
  readonly type: 'subscriber';
  readonly id: string;
  readonly kind: SubscriberKind;
  readonly accountId: string;
  readonly displayName: string;
  readonly via: 'session' | 'api_key';
}

export type Principal = SubscriberPrincipal | { readonly type: 'operator' };

export const phonePattern = '^\\+[1-9][0-9]{6,14}$';

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function codeStore(exchange: Exchange): PhoneCodeStore {
  return {
    db: exchange.database.db as unknown as PhoneCodeStore['db'],
    secretKey: exchange.config.secretKey,
    sms: exchange.sms,
    senderName: 'Tessera exchange',
  };
}

/** Sends a 6-digit code; at most five per phone per hour. */
export const sendCode = (exchange: Exchange, phone: string) =>
  sendPhoneCode(codeStore(exchange), exchange.clock.now(), phone);

/** Checks and consumes the newest live code for a phone. */
export const consumeCode = (exchange: Exchange, phone: string, code: string) =>
  consumePhoneCode(codeStore(exchange), exchange.clock.now(), phone, code);

export async function createSession(exchange: Exchange, subscriberId: string) {
  const token = newSecret('xs');
  const now = exchange.clock.now();
  const expiresAt = now + exchange.config.sessionTtlS * 1000;
  await exchange.database.db
    .insertInto('sessions')
    .values({
      token_hash: sha256(token),
      subscriber_id: subscriberId,
      created_at: now,
      expires_at: expiresAt,
      revoked_at: null,
    })
    .execute();
  return { token, expiresAt };
}

export async function createApiKey(exchange: Exchange, subscriberId: string, label: string) {
  const key = newSecret('xk');
  const id = newId('key');
  await exchange.database.db
    .insertInto('api_keys')
    .values({
      id,
      subscriber_id: subscriberId,
      token_hash: sha256(key),
      prefix: key.slice(0, 10),
      label,
      created_at: exchange.clock.now(),
      last_used_at: null,
      revoked_at: null,
    })
    .execute();
  return { id, key };
}

/**
 * A valid session is remembered for two seconds, so a busy client does not cost a database
 * round trip per request. Signing out forgets it on every instance before the answer.
 */
const sessionCacheMs = 2_000;

/** Runs on every request: written once in SQL rather than built each time. */
const sessionLookup = new Statement<{
  id: string;
  kind: SubscriberKind;
  account_id: string;
  display_name: string;
  status: string;
  expires_at: number;
}>(
  `select s.id, s.kind, s.account_id, s.display_name, s.status, t.expires_at
   from sessions t join subscribers s on s.id = t.subscriber_id
   where t.token_hash = ? and t.revoked_at is null and t.expires_at > ?`,
);

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
      const row = await sessionLookup.first(database.db, database.dialect, [hash, clock.now()]);
      if (row?.status !== 'active') return undefined;
      return {
        principal: {
          type: 'subscriber',
          id: row.id,
          kind: row.kind,
          accountId: row.account_id,
          displayName: row.display_name,
          via: 'session',
        },
        expiresAt: Number(row.expires_at),
      };
    },
  );
}

/** Signing out: no instance accepts the token from when this resolves. */
export function forgetSession(exchange: Exchange, token: string): Promise<void> {
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
    const row = await db
      .selectFrom('api_keys as k')
      .innerJoin('subscribers as s', 's.id', 'k.subscriber_id')
      .select([
        's.id',
        's.kind',
        's.account_id',
        's.display_name',
        's.status',
        'k.id as key_id',
        'k.last_used_at',
      ])
      .where('k.token_hash', '=', hash)
      .where('k.revoked_at', 'is', null)
      .executeTakeFirst();
    if (row && row.status === 'active' && row.kind === 'merchant') {
      // Record use at most once a minute, so a busy key does not write on every request.
      if (row.last_used_at === null || now - row.last_used_at > 60_000) {
        await db
          .updateTable('api_keys')
          .set({ last_used_at: now })
          .where('id', '=', row.key_id)
          .execute();
      }
      return {
        type: 'subscriber',
        id: row.id,
        kind: row.kind,
        accountId: row.account_id,
        displayName: row.display_name,
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

export function validatePhone(phone: string) {
  if (!new RegExp(phonePattern).test(phone)) {
    throw badRequest('invalid_phone', 'phone must be in E.164 form, such as +821012345678');
  }
}
