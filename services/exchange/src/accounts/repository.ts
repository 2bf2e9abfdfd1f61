/**
 * The accounts' SQL (patent unit 204): subscribers and their wallet accounts, sessions (looked up
 * on every request, so written once as a prepared statement) and merchant API keys. Tokens are
 * stored as their SHA-256 only; the callers hash them.
 */
import { type Dialect, Statement } from '@tessera/db';
import type { Kysely } from 'kysely';
import type { ExchangeDB, SubscriberKind, SubscribersTable } from '../db/schema.ts';

type Db = Kysely<ExchangeDB>;

/** A subscriber as the accounts feature sees it. */
export interface SubscriberRecord {
  readonly id: string;
  readonly kind: SubscriberKind;
  readonly phone: string;
  readonly displayName: string;
  readonly accountId: string;
  readonly status: SubscribersTable['status'];
  readonly createdAt: number;
}

const subscriberOfRow = (row: SubscribersTable): SubscriberRecord => ({
  id: row.id,
  kind: row.kind,
  phone: row.phone,
  displayName: row.display_name,
  accountId: row.account_id,
  status: row.status,
  createdAt: row.created_at,
});

/** The id of the subscriber of this kind with this phone, if there is one. */
export async function subscriberIdByPhone(db: Db, phone: string, kind: SubscriberKind) {
  const row = await db
    .selectFrom('subscribers')
    .select('id')
    .where('phone', '=', phone)
    .where('kind', '=', kind)
    .executeTakeFirst();
  return row?.id;
}

export async function subscriberByPhone(
  db: Db,
  phone: string,
  kind: SubscriberKind,
): Promise<SubscriberRecord | undefined> {
  const row = await db
    .selectFrom('subscribers')
    .selectAll()
    .where('phone', '=', phone)
    .where('kind', '=', kind)
    .executeTakeFirst();
  return row && subscriberOfRow(row);
}

/** The subscriber with this id; throws when there is none. */
export async function subscriberById(db: Db, id: string): Promise<SubscriberRecord> {
  const row = await db
    .selectFrom('subscribers')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return subscriberOfRow(row);
}

/** Whether the database has any subscriber at all. */
export async function anySubscriber(db: Db): Promise<boolean> {
  const any = await db.selectFrom('subscribers').select('id').limit(1).executeTakeFirst();
  return any !== undefined;
}

export async function insertWalletAccount(
  trx: Db,
  account: { id: string; subscriberId: string; name: string; createdAt: number },
) {
  await trx
    .insertInto('accounts')
    .values({
      id: account.id,
      subscriber_id: account.subscriberId,
      kind: 'wallet',
      name: account.name,
      created_at: account.createdAt,
    })
    .execute();
}

/** A new active subscriber, without a webhook or return URLs yet. */
export async function insertSubscriber(trx: Db, subscriber: Omit<SubscriberRecord, 'status'>) {
  await trx
    .insertInto('subscribers')
    .values({
      id: subscriber.id,
      kind: subscriber.kind,
      phone: subscriber.phone,
      display_name: subscriber.displayName,
      account_id: subscriber.accountId,
      status: 'active',
      webhook_url: null,
      webhook_secret: null,
      return_urls: '[]',
      created_at: subscriber.createdAt,
    })
    .execute();
}

/** Stores the buy page's allowed return URL prefixes (a JSON array). */
export async function updateReturnUrls(db: Db, subscriberId: string, urls: readonly string[]) {
  await db
    .updateTable('subscribers')
    .set({ return_urls: JSON.stringify(urls) })
    .where('id', '=', subscriberId)
    .execute();
}

// ---- sessions ----

export async function insertSession(
  db: Db,
  session: { tokenHash: string; subscriberId: string; createdAt: number; expiresAt: number },
) {
  await db
    .insertInto('sessions')
    .values({
      token_hash: session.tokenHash,
      subscriber_id: session.subscriberId,
      created_at: session.createdAt,
      expires_at: session.expiresAt,
      revoked_at: null,
    })
    .execute();
}

export async function revokeSession(db: Db, tokenHash: string, now: number) {
  await db
    .updateTable('sessions')
    .set({ revoked_at: now })
    .where('token_hash', '=', tokenHash)
    .execute();
}

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

/** A live session's subscriber. */
export interface SessionSubscriber {
  readonly id: string;
  readonly kind: SubscriberKind;
  readonly accountId: string;
  readonly displayName: string;
  readonly status: string;
  readonly expiresAt: number;
}

/** The subscriber of an unrevoked, unexpired session, whatever the subscriber's status. */
export async function liveSession(
  db: Db,
  dialect: Dialect,
  tokenHash: string,
  now: number,
): Promise<SessionSubscriber | undefined> {
  const row = await sessionLookup.first(db, dialect, [tokenHash, now]);
  return (
    row && {
      id: row.id,
      kind: row.kind,
      accountId: row.account_id,
      displayName: row.display_name,
      status: row.status,
      expiresAt: Number(row.expires_at),
    }
  );
}

// ---- API keys ----

export interface ApiKeyRecord {
  readonly id: string;
  readonly label: string;
  readonly prefix: string;
  readonly createdAt: number;
  readonly lastUsedAt: number | null;
  readonly revokedAt: number | null;
}

export async function insertApiKey(
  db: Db,
  key: { id: string; subscriberId: string; tokenHash: string; prefix: string; label: string },
  now: number,
) {
  await db
    .insertInto('api_keys')
    .values({
      id: key.id,
      subscriber_id: key.subscriberId,
      token_hash: key.tokenHash,
      prefix: key.prefix,
      label: key.label,
      created_at: now,
      last_used_at: null,
      revoked_at: null,
    })
    .execute();
}

/** An unrevoked key's subscriber, whatever the subscriber's status or kind. */
export interface KeySubscriber {
  readonly id: string;
  readonly kind: SubscriberKind;
  readonly accountId: string;
  readonly displayName: string;
  readonly status: SubscribersTable['status'];
  readonly keyId: string;
  readonly lastUsedAt: number | null;
}

export async function unrevokedKey(db: Db, tokenHash: string): Promise<KeySubscriber | undefined> {
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
    .where('k.token_hash', '=', tokenHash)
    .where('k.revoked_at', 'is', null)
    .executeTakeFirst();
  return (
    row && {
      id: row.id,
      kind: row.kind,
      accountId: row.account_id,
      displayName: row.display_name,
      status: row.status,
      keyId: row.key_id,
      lastUsedAt: row.last_used_at,
    }
  );
}

export async function markKeyUsed(db: Db, keyId: string, now: number) {
  await db.updateTable('api_keys').set({ last_used_at: now }).where('id', '=', keyId).execute();
}

/** A subscriber's keys, newest first, revoked ones included. */
export async function apiKeysOf(db: Db, subscriberId: string): Promise<ApiKeyRecord[]> {
  const rows = await db
    .selectFrom('api_keys')
    .selectAll()
    .where('subscriber_id', '=', subscriberId)
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    label: row.label,
    prefix: row.prefix,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  }));
}

/** Revokes a subscriber's active key; false when it has no such key. */
export async function revokeApiKey(db: Db, id: string, subscriberId: string, now: number) {
  const result = await db
    .updateTable('api_keys')
    .set({ revoked_at: now })
    .where('id', '=', id)
    .where('subscriber_id', '=', subscriberId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
