/**
 * Opening a subscriber (S100, S110): the subscriber, its wallet account and a zero balance row
 * for every asset, in the caller's write transaction.
 */
import type { Kysely } from 'kysely';
import type { Exchange } from '../context.ts';
import type { ExchangeDB, SubscriberKind } from '../db/schema.ts';
import { newId } from '../ids.ts';
import { openBalances } from '../ledger/service.ts';

export async function openSubscriber(
  exchange: Exchange,
  trx: Kysely<ExchangeDB>,
  now: number,
  subscriber: { kind: SubscriberKind; phone: string; displayName: string },
) {
  const id = newId(subscriber.kind === 'merchant' ? 'mer' : 'sub');
  const accountId = newId('acc');
  await trx
    .insertInto('accounts')
    .values({
      id: accountId,
      subscriber_id: id,
      kind: 'wallet',
      name: subscriber.displayName,
      created_at: now,
    })
    .execute();
  await openBalances(trx, exchange.database.dialect, now, [accountId], [...exchange.assets.keys()]);
  await trx
    .insertInto('subscribers')
    .values({
      id,
      kind: subscriber.kind,
      phone: subscriber.phone,
      display_name: subscriber.displayName,
      account_id: accountId,
      status: 'active',
      webhook_url: null,
      webhook_secret: null,
      return_urls: '[]',
      created_at: now,
    })
    .execute();
  return { id, accountId };
}
