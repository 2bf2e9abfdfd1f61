/**
 * Crypto at quoted rates (patent S110; the trades are unit 208's records): a quote locks a price for a short time,
 * executing it moves fiat and crypto between the wallet and the house in one journal entry. The
 * arithmetic is in pricing.ts; this file holds the quotes' lifecycle and what the API shows.
 */
import type { SubscriberPrincipal } from '../accounts/auth.ts';
import { assetOf, type Exchange, type Work } from '../context.ts';
import { ApiError, badRequest, conflict, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import { postEntry } from '../ledger/service.ts';
import { type Asset, formatAmount, parseAmount } from '../money.ts';
import {
  isStale,
  priceTrade,
  rateAgeS,
  rateText,
  type Side,
  type TradeAmount,
  tradePostings,
  usableRate,
} from './pricing.ts';
import type { Rate } from './rates.ts';
import {
  insertQuote,
  lockQuote,
  markQuoteExecuted,
  type QuoteRecord,
  quoteOfSubscriber,
} from './repository.ts';

/** A crypto asset's latest rate as `GET /v1/rates` shows it; rate null when there is none. */
export interface RateView {
  asset: string;
  rate: string | null;
  source: string | null;
  observedAt: string | null;
  ageS: number | null;
  stale: boolean;
}

/** The latest rate of every crypto asset, with its age and whether it is too old to quote. */
export async function currentRates(exchange: Exchange): Promise<RateView[]> {
  const { config } = exchange;
  const now = exchange.clock.now();
  const rates: RateView[] = [];
  for (const asset of config.cryptoAssets) {
    const rate = await exchange.rates.latest(asset.code);
    rates.push(
      rate
        ? {
            asset: asset.code,
            rate: rate.rate,
            source: rate.source,
            observedAt: new Date(rate.observedAt).toISOString(),
            ageS: rateAgeS(now, rate.observedAt),
            stale: isStale(now, rate.observedAt, config.rateMaxAgeS),
          }
        : {
            asset: asset.code,
            rate: null,
            source: null,
            observedAt: null,
            ageS: null,
            stale: false,
          },
    );
  }
  return rates;
}

/** What a quote request asks to trade: exactly one of the two amounts, positive. */
export function tradeAmountOf(
  exchange: Exchange,
  crypto: Asset,
  given: { cryptoAmount?: string | undefined; fiatAmount?: string | undefined },
): TradeAmount {
  const { cryptoAmount, fiatAmount } = given;
  if ((cryptoAmount === undefined) === (fiatAmount === undefined)) {
    throw badRequest('invalid_amount', 'give exactly one of cryptoAmount or fiatAmount');
  }
  const amount =
    cryptoAmount !== undefined
      ? { crypto: parseAmount(cryptoAmount, crypto, 'cryptoAmount') }
      : { fiat: parseAmount(fiatAmount as string, exchange.config.fiat, 'fiatAmount') };
  if (('crypto' in amount ? amount.crypto : amount.fiat) <= 0n) {
    throw badRequest('invalid_amount', 'the amount must be positive');
  }
  return amount;
}

export type QuoteStatus = QuoteRecord['status'] | 'expired';

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
function quoteView(exchange: Exchange, row: QuoteRecord, now: number): QuoteView {
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
  const row: QuoteRecord = {
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
  await insertQuote(work.trx, row);
  return quoteView(exchange, row, work.now);
}

/** A quote of this subscriber, locked on PostgreSQL; anyone else's reads as not found. */
async function lockOwnQuote(exchange: Exchange, work: Work, me: SubscriberPrincipal, id: string) {
  const row = await lockQuote(work.trx, exchange.database.dialect, id);
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
  const row = await lockOwnQuote(exchange, work, me, id);
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
  const marked = await markQuoteExecuted(trx, row.id, entry.id);
  // The row lock (PostgreSQL) or the write lock (SQLite) rules this out; throwing rolls the
  // trade back rather than executing one quote twice.
  if (marked !== 1) throw new Error('quote changed under its lock');
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
  const row = await quoteOfSubscriber(exchange.database.db, id, me.id);
  if (!row) throw notFound('quote');
  return quoteView(exchange, row, exchange.clock.now());
}
