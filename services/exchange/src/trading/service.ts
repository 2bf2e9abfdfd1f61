/**
 * Crypto at quoted rates (issue item 4, patent unit 206): a quote locks a price for a short time,
 * executing it moves fiat and crypto between the wallet and the house in one journal entry.
 *
 * Pricing is exact integer arithmetic on rationals. The quoted rate is the source rate moved by
 * the spread against the subscriber (a buyer pays more, a seller receives less); every rounding
 * goes the house's way, so the house never pays out a fraction it did not receive; the fee is a
 * separate amount on its own journal leg, so revenue from spread and from fees stays visible.
 */
import type { SubscriberPrincipal } from '../accounts/auth.ts';
import { assetOf, type Exchange, type Work } from '../context.ts';
import type { QuotesTable } from '../db/schema.ts';
import { ApiError, badRequest, conflict, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import { houseAccounts } from '../ledger/house-accounts.ts';
import { type Posting, postEntry } from '../ledger/service.ts';
import {
  type Asset,
  basisPoints,
  cryptoFor,
  fiatFor,
  formatAmount,
  maxAmount,
  parseRate,
  type Ratio,
  scaleRatio,
} from '../money.ts';
import type { Rate } from './rates.ts';

export type Side = 'buy' | 'sell';

/** What the caller asked to trade: an exact crypto amount, or a fiat amount to spend or raise. */
export type TradeAmount = { readonly crypto: bigint } | { readonly fiat: bigint };

export interface Pricing {
  /** The quoted rate, spread included, fiat per whole crypto unit. */
  readonly rate: Ratio;
  readonly cryptoUnits: bigint;
  /** The trade's fiat value at the quoted rate, before the fee. */
  readonly fiatUnits: bigint;
  readonly feeUnits: bigint;
  /** Buy: what the buyer pays (fiat + fee). Sell: what the seller receives (fiat − fee). */
  readonly totalUnits: bigint;
}

const bpsScale = 10_000n;

/** Whole seconds since the source observed the rate; a rate from the future counts as fresh. */
export function rateAgeS(now: number, observedAt: number): number {
  return Math.max(0, Math.floor((now - observedAt) / 1000));
}

export function isStale(now: number, observedAt: number, maxAgeS: number): boolean {
  return now - observedAt > maxAgeS * 1000;
}

/**
 * The rate a quote may be priced from, or a 503: a missing or stale rate is never used, because a
 * price the market has moved away from would be an arbitrage against the house or the customer.
 */
export function usableRate(
  rate: Rate | undefined,
  asset: string,
  now: number,
  maxAgeS: number,
): { rate: Rate; ratio: Ratio; ageS: number } {
  let ratio: Ratio | undefined;
  try {
    ratio = rate ? parseRate(rate.rate) : undefined;
  } catch {
    ratio = undefined;
  }
  if (!rate || !ratio) {
    throw new ApiError(503, 'rate_unavailable', `no rate for ${asset} is available; try later`, {
      asset,
    });
  }
  const ageS = rateAgeS(now, rate.observedAt);
  if (isStale(now, rate.observedAt, maxAgeS)) {
    throw new ApiError(
      503,
      'rate_stale',
      `the latest ${asset} rate is ${ageS} s old, more than the ${maxAgeS} s allowed; try later`,
      { asset, ageS, maxAgeS, observedAt: new Date(rate.observedAt).toISOString() },
    );
  }
  return { rate, ratio, ageS };
}

/** Source rate × (1 ± spread): the buyer pays above the source, the seller receives below it. */
export function quotedRate(source: Ratio, side: Side, spreadBps: number): Ratio {
  const spread = BigInt(spreadBps);
  return scaleRatio(source, side === 'buy' ? bpsScale + spread : bpsScale - spread, bpsScale);
}

/**
 * A rate as an exact decimal string. Rates parsed from decimals have a power-of-ten denominator
 * and the spread keeps it so, so nothing is rounded here.
 */
export function rateText(ratio: Ratio): string {
  const digits = ratio.d.toString();
  if (!/^10*$/.test(digits)) throw new Error('rateText needs a power-of-ten denominator');
  return formatAmount(ratio.n, digits.length - 1);
}

/**
 * Prices a trade. Buying crypto: the fiat is rounded up. Buying with a fiat amount: that fiat is
 * spent and the crypto it buys is rounded down. Selling crypto: the fiat is rounded down. Selling
 * for a fiat amount: the crypto needed is rounded up. The fee is basis points of the fiat value,
 * rounded up. Anything that rounds to nothing is refused rather than traded for free.
 */
export function priceTrade(input: {
  readonly side: Side;
  readonly crypto: Asset;
  readonly fiat: Asset;
  readonly sourceRate: Ratio;
  readonly spreadBps: number;
  readonly feeBps: number;
  readonly amount: TradeAmount;
}): Pricing {
  const { side, crypto, fiat, amount } = input;
  const rate = quotedRate(input.sourceRate, side, input.spreadBps);
  const payer = side === 'buy' ? 'up' : 'down';
  let cryptoUnits: bigint;
  let fiatUnits: bigint;
  if ('crypto' in amount) {
    cryptoUnits = amount.crypto;
    fiatUnits = fiatFor(cryptoUnits, crypto, fiat, rate, payer);
  } else {
    fiatUnits = amount.fiat;
    cryptoUnits = cryptoFor(fiatUnits, crypto, fiat, rate, side === 'buy' ? 'down' : 'up');
  }
  if (cryptoUnits <= 0n || fiatUnits <= 0n) {
    throw badRequest(
      'amount_too_small',
      `the amount is too small: it rounds to zero ${cryptoUnits <= 0n ? crypto.code : fiat.code}`,
    );
  }
  const feeUnits = basisPoints(fiatUnits, input.feeBps);
  const totalUnits = side === 'buy' ? fiatUnits + feeUnits : fiatUnits - feeUnits;
  if (totalUnits <= 0n) {
    throw badRequest('amount_too_small', 'the amount is too small: the fee would take all of it');
  }
  if (cryptoUnits > maxAmount || totalUnits > maxAmount) {
    throw badRequest('amount_too_large', 'the amount is too large');
  }
  return { rate, cryptoUnits, fiatUnits, feeUnits, totalUnits };
}

/**
 * The journal legs of an executed quote, each asset summing to zero. The house's liquidity
 * account is the counterparty for both assets; the fee is its own leg into house:fees.
 */
export function tradePostings(
  side: Side,
  walletAccount: string,
  crypto: string,
  fiat: string,
  units: { cryptoUnits: bigint; fiatUnits: bigint; feeUnits: bigint },
): Posting[] {
  const { cryptoUnits, fiatUnits, feeUnits } = units;
  if (side === 'buy') {
    return [
      { account: walletAccount, asset: fiat, amount: -(fiatUnits + feeUnits) },
      { account: houseAccounts.liquidity, asset: fiat, amount: fiatUnits },
      { account: houseAccounts.fees, asset: fiat, amount: feeUnits },
      { account: houseAccounts.liquidity, asset: crypto, amount: -cryptoUnits },
      { account: walletAccount, asset: crypto, amount: cryptoUnits },
    ];
  }
  return [
    { account: walletAccount, asset: crypto, amount: -cryptoUnits },
    { account: houseAccounts.liquidity, asset: crypto, amount: cryptoUnits },
    { account: houseAccounts.liquidity, asset: fiat, amount: -fiatUnits },
    { account: walletAccount, asset: fiat, amount: fiatUnits - feeUnits },
    { account: houseAccounts.fees, asset: fiat, amount: feeUnits },
  ];
}

export type QuoteStatus = QuotesTable['status'] | 'expired';

export interface QuoteView {
  id: string;
  side: Side;
  asset: string;
  fiat: string;
  cryptoAmount: string;
  fiatAmount: string;
  fee: string;
  total: string;
  rate: string;
  sourceRate: string;
  rateSource: string;
  rateObservedAt: string;
  rateAgeS: number;
  createdAt: string;
  expiresAt: string;
  status: QuoteStatus;
  tradeId: string | null;
}

/** The API's view of a quote row; an open quote past its expiry reads as expired. */
export function quoteView(exchange: Exchange, row: QuotesTable, now: number): QuoteView {
  const crypto = assetOf(exchange, row.asset);
  const fiat = assetOf(exchange, row.fiat_asset);
  const fiatUnits = BigInt(row.fiat_amount);
  const feeUnits = BigInt(row.fee_amount);
  return {
    id: row.id,
    side: row.side,
    asset: row.asset,
    fiat: row.fiat_asset,
    cryptoAmount: formatAmount(BigInt(row.crypto_amount), crypto.scale),
    fiatAmount: formatAmount(fiatUnits, fiat.scale),
    fee: formatAmount(feeUnits, fiat.scale),
    total: formatAmount(
      row.side === 'buy' ? fiatUnits + feeUnits : fiatUnits - feeUnits,
      fiat.scale,
    ),
    rate: row.rate,
    sourceRate: row.source_rate,
    rateSource: row.rate_source,
    rateObservedAt: new Date(row.rate_at).toISOString(),
    rateAgeS: rateAgeS(row.created_at, row.rate_at),
    createdAt: new Date(row.created_at).toISOString(),
    expiresAt: new Date(row.expires_at).toISOString(),
    status: row.status === 'open' && now >= row.expires_at ? 'expired' : row.status,
    tradeId: row.entry_id,
  };
}

/**
 * Creates a quote inside the caller's transaction. `observed` was read from the rate source
 * before the transaction began (the source may do network I/O); it is judged against the
 * transaction's clock here, so a retried key replays its stored quote whatever the rate is now.
 */
export async function createQuote(
  exchange: Exchange,
  work: Work,
  me: SubscriberPrincipal,
  input: { side: Side; crypto: Asset; amount: TradeAmount },
  observed: Rate | undefined,
): Promise<QuoteView> {
  const { config } = exchange;
  const { side, crypto, amount } = input;
  const usable = usableRate(observed, crypto.code, work.now, config.rateMaxAgeS);
  if (usable.rate.fiat !== config.fiat.code) {
    throw new ApiError(503, 'rate_unavailable', `the ${crypto.code} rate is not in fiat`, {
      asset: crypto.code,
    });
  }
  const pricing = priceTrade({
    side,
    crypto,
    fiat: config.fiat,
    sourceRate: usable.ratio,
    spreadBps: config.spreadBps,
    feeBps: config.feeBps,
    amount,
  });
  const row: QuotesTable = {
    id: newId('qt'),
    subscriber_id: me.id,
    side,
    asset: crypto.code,
    fiat_asset: config.fiat.code,
    crypto_amount: pricing.cryptoUnits.toString(),
    fiat_amount: pricing.fiatUnits.toString(),
    fee_amount: pricing.feeUnits.toString(),
    rate: rateText(pricing.rate),
    source_rate: rateText(usable.ratio),
    rate_source: usable.rate.source,
    rate_at: usable.rate.observedAt,
    expires_at: work.now + config.quoteTtlS * 1000,
    status: 'open',
    entry_id: null,
    created_at: work.now,
  };
  await work.trx.insertInto('quotes').values(row).execute();
  return quoteView(exchange, row, work.now);
}

/** A quote of this subscriber, locked on PostgreSQL; anyone else's reads as not found. */
async function lockQuote(exchange: Exchange, work: Work, me: SubscriberPrincipal, id: string) {
  let query = work.trx.selectFrom('quotes').selectAll().where('id', '=', id);
  if (exchange.database.dialect === 'postgres') query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (!row || row.subscriber_id !== me.id) throw notFound('quote');
  return row;
}

/**
 * Executes an open, unexpired quote at its locked amounts: one 'trade' journal entry, all legs
 * or none (postEntry refuses with 409 insufficient_funds and the transaction rolls back).
 */
export async function executeQuote(
  exchange: Exchange,
  work: Work,
  me: SubscriberPrincipal,
  id: string,
): Promise<QuoteView> {
  const { trx, now, notify } = work;
  const row = await lockQuote(exchange, work, me, id);
  if (row.status === 'executed') {
    throw conflict('quote_executed', 'this quote has already been executed', {
      tradeId: row.entry_id,
    });
  }
  if (now >= row.expires_at) {
    throw conflict('quote_expired', 'this quote has expired; ask for a new one', {
      expiresAt: new Date(row.expires_at).toISOString(),
    });
  }
  const units = {
    cryptoUnits: BigInt(row.crypto_amount),
    fiatUnits: BigInt(row.fiat_amount),
    feeUnits: BigInt(row.fee_amount),
  };
  const entry = await postEntry(trx, exchange.database.dialect, now, {
    kind: 'trade',
    memo: `${row.side} ${row.asset}`,
    refType: 'quote',
    refId: row.id,
    postings: tradePostings(row.side, me.accountId, row.asset, row.fiat_asset, units),
  });
  const marked = await trx
    .updateTable('quotes')
    .set({ status: 'executed', entry_id: entry.id })
    .where('id', '=', row.id)
    .where('status', '=', 'open')
    .executeTakeFirst();
  // The row lock (PostgreSQL) or the write lock (SQLite) rules this out; throwing rolls the
  // trade back rather than executing one quote twice.
  if (Number(marked.numUpdatedRows) !== 1) throw new Error('quote changed under its lock');
  const view = quoteView(exchange, { ...row, status: 'executed', entry_id: entry.id }, now);
  notify(me.id, 'trade.executed', {
    quoteId: view.id,
    tradeId: entry.id,
    side: view.side,
    asset: view.asset,
    fiat: view.fiat,
    cryptoAmount: view.cryptoAmount,
    fiatAmount: view.fiatAmount,
    fee: view.fee,
    total: view.total,
    rate: view.rate,
    executedAt: new Date(now).toISOString(),
  });
  return view;
}

/** A quote as its owner sees it; anyone else gets 404, as if it did not exist. */
export async function readQuote(exchange: Exchange, me: SubscriberPrincipal, id: string) {
  const row = await exchange.database.db
    .selectFrom('quotes')
    .selectAll()
    .where('id', '=', id)
    .where('subscriber_id', '=', me.id)
    .executeTakeFirst();
  if (!row) throw notFound('quote');
  return quoteView(exchange, row, exchange.clock.now());
}
