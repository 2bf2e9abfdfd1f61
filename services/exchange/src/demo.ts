/**
 * Demo data for `npm start` on an empty database: an organizer's merchant wallet and a buyer's
 * wallet funded with fiat and crypto, both signing in with the development SMS codes. Funds
 * arrive as ordinary journal entries (a confirmed bank deposit, a crypto transfer from house
 * liquidity), so the audit holds for demo data like any other.
 */
import { writeTransaction } from '@tessera/db';
import { anySubscriber, subscriberByPhone } from './accounts/repository.ts';
import { openSubscriber } from './accounts/subscribers.ts';
import type { Exchange } from './context.ts';
import { houseAccounts } from './ledger/house-accounts.ts';
import { balancesOf } from './ledger/repository.ts';
import { postEntry } from './ledger/service.ts';
import { formatAmount, parseAmount } from './money.ts';

export const demoAccounts = {
  buyer: { phone: '+821000000001', kind: 'person', name: 'Demo Buyer' },
  organizer: { phone: '+821000000002', kind: 'merchant', name: 'Demo Organizer' },
} as const;

/**
 * Creates the demo accounts when the database has no subscribers; returns whether it did.
 * Never in production: the demo wallets are funded and their phone numbers are published.
 */
export async function seedDemo(exchange: Exchange): Promise<boolean> {
  if (exchange.config.environment === 'production') {
    throw new Error('the demo data is for development: refused in production');
  }
  const { database, clock } = exchange;
  return writeTransaction(database, async (trx) => {
    if (await anySubscriber(trx)) return false;
    const now = clock.now();
    const ids: Record<string, string> = {};
    for (const [role, demo] of Object.entries(demoAccounts)) {
      const { accountId } = await openSubscriber(exchange, trx, now, {
        kind: demo.kind,
        phone: demo.phone,
        displayName: demo.name,
      });
      ids[role] = accountId;
    }
    const buyer = ids.buyer as string;
    const fiat = exchange.config.fiat;
    await postEntry(trx, database.dialect, now, {
      kind: 'deposit',
      memo: 'demo bank deposit',
      postings: [
        { account: houseAccounts.bank, asset: fiat.code, amount: -parseAmount('1000000', fiat) },
        { account: buyer, asset: fiat.code, amount: parseAmount('1000000', fiat) },
      ],
    });
    const usdt = exchange.assets.get('USDT');
    if (usdt) {
      await postEntry(trx, database.dialect, now, {
        kind: 'transfer',
        memo: 'demo crypto',
        postings: [
          { account: houseAccounts.liquidity, asset: usdt.code, amount: -parseAmount('500', usdt) },
          { account: buyer, asset: usdt.code, amount: parseAmount('500', usdt) },
        ],
      });
    }
    return true;
  });
}

/**
 * The demo buyer's wallet as it stands, for `npm start`'s banner ("1,000,000 KRW and 455 USDT"):
 * the fiat currency and USDT, which the demo funded, and any other asset it holds. After a
 * restart the seeded amounts are long spent in part, so the banner says what is there now.
 * Undefined when the demo buyer does not exist (an exchange without the demo data).
 */
export async function demoBuyerBalances(exchange: Exchange): Promise<string | undefined> {
  const db = exchange.database.db;
  const buyer = await subscriberByPhone(db, demoAccounts.buyer.phone, demoAccounts.buyer.kind);
  if (!buyer) return undefined;
  const balances = await balancesOf(db, buyer.accountId);
  const shown = [exchange.config.fiat.code, 'USDT', ...balances.keys()];
  const parts: string[] = [];
  for (const code of new Set(shown)) {
    const asset =
      code === exchange.config.fiat.code ? exchange.config.fiat : exchange.assets.get(code);
    const amount = balances.get(code) ?? 0n;
    if (!asset || (amount === 0n && code !== exchange.config.fiat.code && code !== 'USDT'))
      continue;
    const [whole = '0', fraction] = formatAmount(amount, asset.scale).split('.');
    const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    parts.push(`${grouped}${fraction ? `.${fraction}` : ''} ${code}`);
  }
  return parts.join(' and ').replace(/ and (?=.* and )/g, ', ');
}
