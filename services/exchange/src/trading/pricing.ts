/**
 * Pricing a trade (patent S110), pure: whether a rate may be used, the quoted rate, the
 * amounts of a trade and its journal legs. No clock, no database; the quote service calls it.
 *
 * Pricing is exact integer arithmetic on rationals. The quoted rate is the source rate moved by
 * the spread against the subscriber (a buyer pays more, a seller receives less); every rounding
 * goes the house's way, so the house never pays out a fraction it did not receive; the fee is a
 * separate amount on its own journal leg, so revenue from spread and from fees stays visible.
 */
import { ApiError, badRequest } from '../errors.ts';
import { houseAccounts } from '../ledger/house-accounts.ts';
import type { Posting } from '../ledger/service.ts';
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
function quotedRate(source: Ratio, side: Side, spreadBps: number): Ratio {
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
