/**
 * The subscriber's wallet as it is shown (patent units 204 and 210): balances in every asset
 * with their fiat value at the latest rate, and the transaction history from the journal (unit
 * 208), one item per entry with what it changed in this wallet.
 */
import { assetOf, type Exchange } from '../context.ts';
import { fiatFor, formatAmount, parseRate } from '../money.ts';
import { iso } from '../schemas.ts';
import { balancesOf, entriesOfWallet, postingsOfWallet, type WalletPosting } from './repository.ts';

/** Every asset of the exchange, held or not, with its value in fiat where a rate is known. */
export async function walletBalances(exchange: Exchange, accountId: string) {
  const fiat = exchange.config.fiat;
  const held = await balancesOf(exchange.database.db, accountId);
  const now = exchange.clock.now();
  const balances = [];
  for (const asset of exchange.assets.values()) {
    const units = held.get(asset.code) ?? 0n;
    let fiatValue: string | null = null;
    let rateAgeS: number | null = null;
    if (asset.kind === 'fiat') {
      fiatValue = formatAmount(units, asset.scale);
    } else {
      const rate = await exchange.rates.latest(asset.code);
      if (rate) {
        fiatValue = formatAmount(
          fiatFor(units, asset, fiat, parseRate(rate.rate), 'down'),
          fiat.scale,
        );
        rateAgeS = Math.max(0, Math.floor((now - rate.observedAt) / 1000));
      }
    }
    balances.push({
      asset: asset.code,
      amount: formatAmount(units, asset.scale),
      fiatValue,
      rateAgeS,
    });
  }
  return { accountId, fiat: fiat.code, balances };
}

/** One page of the wallet's history, newest first, and the cursor to the next page. */
export async function walletHistory(
  exchange: Exchange,
  accountId: string,
  page: { readonly limit: number; readonly before: number | undefined },
) {
  const db = exchange.database.db;
  const found = await entriesOfWallet(db, accountId, page.limit + 1, page.before);
  const shown = found.slice(0, page.limit);
  const rows =
    shown.length === 0
      ? []
      : await postingsOfWallet(
          db,
          accountId,
          shown.map((item) => item.entryId),
        );
  const byEntry = new Map<
    string,
    { entry: WalletPosting; changes: { asset: string; amount: string }[] }
  >();
  for (const row of rows) {
    const asset = assetOf(exchange, row.asset);
    const item = byEntry.get(row.entryId) ?? { entry: row, changes: [] };
    item.changes.push({ asset: row.asset, amount: formatAmount(row.amount, asset.scale) });
    byEntry.set(row.entryId, item);
  }
  return {
    transactions: [...byEntry.values()].map(({ entry, changes }) => ({
      id: entry.entryId,
      kind: entry.kind,
      memo: entry.memo,
      refType: entry.refType,
      refId: entry.refId,
      createdAt: iso(entry.createdAt) as string,
      changes,
    })),
    nextBefore: found.length > page.limit ? Number(shown.at(-1)?.cursor ?? 0) || null : null,
  };
}
