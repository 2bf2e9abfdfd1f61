import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../src/errors.ts';
import {
  basisPoints,
  cryptoFor,
  fiatFor,
  formatAmount,
  maxAmount,
  parseAmount,
  parseRate,
} from '../src/money.ts';

const btc = { code: 'BTC', scale: 8, kind: 'crypto' } as const;
const eth = { code: 'ETH', scale: 18, kind: 'crypto' } as const;
const krw = { code: 'KRW', scale: 0, kind: 'fiat' } as const;

describe('amounts', () => {
  it('parses and formats exactly, both ways, at every scale', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: maxAmount }),
        fc.integer({ min: 0, max: 18 }),
        (units, scale) => {
          const asset = { code: 'X', scale, kind: 'crypto' as const };
          expect(parseAmount(formatAmount(units, scale), asset)).toBe(units);
        },
      ),
    );
    expect(formatAmount(150_000_000n, 8)).toBe('1.5');
    expect(formatAmount(1n, 18)).toBe('0.000000000000000001');
    expect(formatAmount(-2500n, 3)).toBe('-2.5');
    // The largest ETH amount anyone could hold fits, far past 2^63.
    expect(parseAmount('120000000', eth)).toBe(120_000_000n * 10n ** 18n);
  });

  it('refuses more decimals than the asset has, signs, exponents and junk', () => {
    for (const bad of ['1.123456789', '-1', '1e5', ' 1', '01', '1.', '.5', 'NaN', '']) {
      expect(() => parseAmount(bad, btc), bad).toThrow(ApiError);
    }
  });

  it('prices crypto in fiat with the rounding asked for', () => {
    const rate = parseRate('95123456.78');
    // 0.0003 BTC at 95,123,456.78 KRW = 28,537.037034 KRW.
    expect(fiatFor(30_000n, btc, krw, rate, 'up')).toBe(28_538n);
    expect(fiatFor(30_000n, btc, krw, rate, 'down')).toBe(28_537n);
    // 28,538 KRW buys 0.000300010...: 0.963 KRW more than 0.0003 BTC costs is 1.01 satoshi.
    expect(cryptoFor(28_538n, btc, krw, rate, 'down')).toBe(30_001n);
    expect(cryptoFor(28_537n, btc, krw, rate, 'down')).toBe(29_999n);
    expect(basisPoints(28_538n, 10)).toBe(29n);
    expect(basisPoints(0n, 10)).toBe(0n);
  });
});
