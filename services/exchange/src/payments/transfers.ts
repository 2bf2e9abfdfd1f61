/**
 * Wallet-to-wallet transfers: an asset moves from the caller's wallet to another subscriber's,
 * found by id or by phone, in one journal entry, and both parties are notified. This is the
 * exchange's benchmarked hot path: one recipient lookup (usually cached), one entry.
 */
import type { SubscriberPrincipal } from '../accounts/auth.ts';
import type { Exchange, Work } from '../context.ts';
import { badRequest, notFound } from '../errors.ts';
import { postEntry } from '../ledger/service.ts';
import { type Asset, formatAmount } from '../money.ts';
import { iso } from '../schemas.ts';
import { type Recipient, recipientWithId, recipientWithPhone } from './repository.ts';

/**
 * Recipients by id or phone, remembered for five seconds: a subscriber's wallet account never
 * changes, so a busy payee does not cost a lookup per transfer. Only active ones are kept.
 * Read in the paying transaction.
 */
function paymentRecipients(exchange: Exchange) {
  const db = exchange.database.db;
  const dialect = exchange.database.dialect;
  return exchange.caches.cache<Recipient, Work['trx']>(
    'payment-recipients',
    { ttlMs: 5_000, max: 10_000 },
    async (key, trx) => {
      const [by, value, kind] = key.split('\u0000') as [string, string, string | undefined];
      const executor = trx ?? db;
      const row =
        by === 'id'
          ? await recipientWithId(executor, dialect, value)
          : await recipientWithPhone(executor, dialect, value, kind ?? 'person');
      return row?.status === 'active' ? row : undefined;
    },
  );
}

/** Who a transfer goes to: a subscriber id, or a phone number and the kind of account. */
export type TransferTarget =
  | { readonly subscriberId: string }
  | { readonly phone: string; readonly kind?: 'person' | 'merchant' | undefined };

export interface TransferView {
  id: string;
  from: string;
  to: string;
  asset: string;
  amount: string;
  memo: string | null;
  createdAt: string;
}

/** Sends `units` of `asset` to `to` in the caller's transaction; `units` is positive. */
export async function sendTransfer(
  exchange: Exchange,
  work: Work,
  me: SubscriberPrincipal,
  transfer: { to: TransferTarget; asset: Asset; units: bigint; memo: string | undefined },
): Promise<TransferView> {
  const { trx, now, notify } = work;
  const { to, asset, units, memo } = transfer;
  const recipients = paymentRecipients(exchange);
  const recipient =
    'subscriberId' in to
      ? await recipients.get(`id\u0000${to.subscriberId}`, trx)
      : await recipients.get(`phone\u0000${to.phone}\u0000${to.kind ?? 'person'}`, trx);
  if (recipient?.status !== 'active') throw notFound('recipient');
  if (recipient.id === me.id) throw badRequest('same_wallet', 'cannot transfer to your own wallet');
  const entry = await postEntry(
    trx,
    exchange.database.dialect,
    now,
    {
      kind: 'transfer',
      memo: memo ?? null,
      postings: [
        { account: me.accountId, asset: asset.code, amount: -units },
        { account: recipient.account_id, asset: asset.code, amount: units },
      ],
    },
    // Nothing below reads the journal or a balance: the entry's writes can go last.
    { defer: work.finally },
  );
  const body = {
    id: entry.id,
    from: me.id,
    to: recipient.id,
    asset: asset.code,
    amount: formatAmount(units, asset.scale),
    memo: memo ?? null,
    createdAt: iso(now) as string,
  };
  notify(me.id, 'transfer.sent', body);
  notify(recipient.id, 'transfer.received', body);
  return body;
}
