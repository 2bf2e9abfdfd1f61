/**
 * Subscribers (S100, S110): opening one (the subscriber, its wallet account and a zero balance
 * row for every asset, in the caller's write transaction), signing up with a verified phone,
 * the subscriber's own record and the buy page's return URLs.
 */
import { isUniqueViolation, writeTransaction } from '@tessera/db';
import type { Kysely } from 'kysely';
import type { Exchange } from '../context.ts';
import type { ExchangeDB, SubscriberKind } from '../db/schema.ts';
import { conflict } from '../errors.ts';
import { newId } from '../ids.ts';
import { openBalances } from '../ledger/service.ts';
import { consumeCode, createSession } from './auth.ts';
import {
  insertSubscriber,
  insertWalletAccount,
  type SubscriberRecord,
  subscriberById,
  subscriberIdByPhone,
  updateReturnUrls,
} from './repository.ts';

export type { SubscriberRecord };

export async function openSubscriber(
  exchange: Exchange,
  trx: Kysely<ExchangeDB>,
  now: number,
  subscriber: { kind: SubscriberKind; phone: string; displayName: string },
) {
  const id = newId(subscriber.kind === 'merchant' ? 'mer' : 'sub');
  const accountId = newId('acc');
  await insertWalletAccount(trx, {
    id: accountId,
    subscriberId: id,
    name: subscriber.displayName,
    createdAt: now,
  });
  await openBalances(trx, exchange.database.dialect, now, [accountId], [...exchange.assets.keys()]);
  await insertSubscriber(trx, {
    id,
    kind: subscriber.kind,
    phone: subscriber.phone,
    displayName: subscriber.displayName,
    accountId,
    createdAt: now,
  });
  return { id, accountId };
}

const accountExists = (kind: SubscriberKind) =>
  conflict('account_exists', `a ${kind} account with this phone exists; sign in`);

/** Opens an account for a phone its code proves, and signs it in. */
export async function signUp(
  exchange: Exchange,
  input: { phone: string; code: string; kind: SubscriberKind; displayName: string },
) {
  const { phone, code, kind, displayName } = input;
  if (await subscriberIdByPhone(exchange.database.db, phone, kind)) throw accountExists(kind);
  await consumeCode(exchange, phone, code);
  const now = exchange.clock.now();
  let opened: { id: string; accountId: string };
  try {
    opened = await writeTransaction(exchange.database, (trx) =>
      openSubscriber(exchange, trx, now, { kind, phone, displayName }),
    );
  } catch (error) {
    // Two sign-ups with one phone at the same moment: the unique (phone, kind) decides.
    if (!isUniqueViolation(error)) throw error;
    throw accountExists(kind);
  }
  const session = await createSession(exchange, opened.id);
  const subscriber: SubscriberRecord = {
    ...opened,
    kind,
    phone,
    displayName,
    status: 'active',
    createdAt: now,
  };
  return { session, subscriber };
}

/** The caller's own record. */
export const subscriberRecord = (exchange: Exchange, id: string) =>
  subscriberById(exchange.database.db, id);

/**
 * Sets the URL prefixes the hosted buy page may send buyers back to, normalised as the buy page
 * compares them; returns them as stored.
 */
export async function setReturnUrls(
  exchange: Exchange,
  subscriberId: string,
  urls: readonly string[],
) {
  const normalised = urls.map((url) => new URL(url).href);
  await updateReturnUrls(exchange.database.db, subscriberId, normalised);
  return normalised;
}
