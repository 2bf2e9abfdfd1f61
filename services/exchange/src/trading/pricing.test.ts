/** Unit tests of the pure pricing rules: which rates may be used, rounding, fees, journal legs. */
import { describe, expect, it } from 'vitest';
import { houseAccounts } from '../ledger/house-accounts.ts';
import type { Asset } from '../money.ts';
import { parseRate } from '../money.ts';
import { isStale, priceTrade, rateAgeS, rateText, tradePostings, usableRate } from './pricing.ts';

const btc: Asset = { code: 'BTC', scale: 8, kind: 'crypto' };
const krw: Asset = { code: 'KRW', scale: 0, kind: 'fiat' };
const rate = (text: string, observedAt = 0) => ({
  asset: 'BTC',
  fiat: 'KRW',
  rate: text,
  source: 'test',
  observedAt,
});

describe('usableRate', () => {
  it('refuses a missing or unparsable rate with 503 rate_unavailable', () => {
    expect(() => usableRate(undefined, 'BTC', 0, 60)).toThrow(
      expect.objectContaining({ status: 503, code: 'rate_unavailable' }),
    );
    expect(() => usableRate(rate('abc'), 'BTC', 0, 60)).toThrow(
      expect.objectContaining({ code: 'rate_unavailable' }),
    );
  });

  it('refuses a rate older than the allowed age with 503 rate_stale, and takes one at the limit', () => {
    expect(() => usableRate(rate('100', 0), 'BTC', 60_001, 60)).toThrow(
      expect.objectContaining({ status: 503, code: 'rate_stale' }),
    );
    const usable = usableRate(rate('100', 0), 'BTC', 60_000, 60);
    expect(usable.ageS).toBe(60);
    expect(usable.ratio).toEqual({ n: 100n, d: 1n });
  });

  it('counts a rate from the future as fresh', () => {
    expect(rateAgeS(0, 5_000)).toBe(0);
    expect(isStale(0, 5_000, 1)).toBe(false);
  });
});

describe('priceTrade', () => {
  const base = { crypto: btc, fiat: krw, sourceRate: parseRate('100000000'), feeBps: 100 };

  it('moves the rate against the buyer and rounds the fiat up', () => {
    const pricing = priceTrade({
      ...base,
      side: 'buy',
      spreadBps: 50,
      amount: { crypto: 1n },
    });
    // 1 satoshi at 100,500,000 KRW/BTC is 1.005 KRW: the buyer pays 2.
    expect(rateText(pricing.rate)).toBe('100500000');
    expect(pricing.fiatUnits).toBe(2n);
    expect(pricing.feeUnits).toBe(1n);
    expect(pricing.totalUnits).toBe(3n);
  });

  it('moves the rate against the seller and rounds the fiat down, the fee up', () => {
    const pricing = priceTrade({
      ...base,
      side: 'sell',
      spreadBps: 50,
      amount: { crypto: 1_000_000n },
    });
    // 0.01 BTC at 99,500,000 KRW/BTC is 995,000 KRW; 1 % fee is 9,950.
    expect(pricing.fiatUnits).toBe(995_000n);
    expect(pricing.feeUnits).toBe(9_950n);
    expect(pricing.totalUnits).toBe(985_050n);
  });

  it('spends a fiat amount and rounds the crypto it buys down', () => {
    const pricing = priceTrade({ ...base, side: 'buy', spreadBps: 0, amount: { fiat: 150n } });
    expect(pricing.cryptoUnits).toBe(150n);
    expect(
      priceTrade({ ...base, side: 'buy', spreadBps: 0, amount: { fiat: 1n } }).cryptoUnits,
    ).toBe(1n);
  });

  it('refuses what rounds to nothing, or what the fee would eat', () => {
    expect(() =>
      priceTrade({ ...base, side: 'sell', spreadBps: 0, amount: { crypto: 0n } }),
    ).toThrow(expect.objectContaining({ code: 'amount_too_small' }));
    expect(() =>
      priceTrade({ ...base, side: 'sell', spreadBps: 0, feeBps: 10_000, amount: { crypto: 100n } }),
    ).toThrow(expect.objectContaining({ code: 'amount_too_small' }));
  });
});

describe('tradePostings', () => {
  it('balances each asset to zero, the fee on its own leg into house:fees', () => {
    const units = { cryptoUnits: 10n, fiatUnits: 1_000n, feeUnits: 10n };
    for (const side of ['buy', 'sell'] as const) {
      const legs = tradePostings(side, 'acc_1', 'BTC', 'KRW', units);
      for (const asset of ['BTC', 'KRW']) {
        const sum = legs.filter((leg) => leg.asset === asset).reduce((a, b) => a + b.amount, 0n);
        expect(sum).toBe(0n);
      }
      expect(legs).toContainEqual({ account: houseAccounts.fees, asset: 'KRW', amount: 10n });
    }
  });
});
