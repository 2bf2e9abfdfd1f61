/**
 * Money as integers of each asset's smallest unit (`bigint`), never floating point. Decimal
 * strings cross the API ("0.015" BTC); rates are exact rationals parsed from decimal strings.
 */
import { type Asset, formatAmount } from '@tessera/service-kit/amounts';

export {
  type Asset,
  formatAmount,
  maxAmount,
  parseAmount,
} from '@tessera/service-kit/amounts';

/** An exact non-negative rational. */
export interface Ratio {
  readonly n: bigint;
  readonly d: bigint;
}

const rateDecimal = /^(0|[1-9][0-9]{0,30})(\.[0-9]{1,30})?$/;

/** "95123456.78" -> 9512345678/100. Rejects anything but a positive plain decimal. */
export function parseRate(text: string): Ratio {
  if (!rateDecimal.test(text)) throw new Error(`not a decimal rate: ${JSON.stringify(text)}`);
  const [whole = '0', fraction = ''] = text.split('.');
  const ratio = { n: BigInt(whole + fraction), d: 10n ** BigInt(fraction.length) };
  if (ratio.n === 0n) throw new Error('a rate must be positive');
  return ratio;
}

export function formatRatio(ratio: Ratio, decimals = 8): string {
  const scaled = (ratio.n * 10n ** BigInt(decimals)) / ratio.d;
  return formatAmount(scaled, decimals);
}

export function scaleRatio(ratio: Ratio, numerator: bigint, denominator: bigint): Ratio {
  return { n: ratio.n * numerator, d: ratio.d * denominator };
}

export function divide(n: bigint, d: bigint, rounding: 'up' | 'down'): bigint {
  const quotient = n / d;
  return rounding === 'up' && quotient * d !== n ? quotient + 1n : quotient;
}

/**
 * Fiat units for `cryptoUnits` at `rate` (fiat per one whole crypto unit).
 * fiat = crypto / 10^cs * rate * 10^fs.
 */
export function fiatFor(
  cryptoUnits: bigint,
  crypto: Asset,
  fiat: Asset,
  rate: Ratio,
  rounding: 'up' | 'down',
): bigint {
  return divide(
    cryptoUnits * rate.n * 10n ** BigInt(fiat.scale),
    rate.d * 10n ** BigInt(crypto.scale),
    rounding,
  );
}

/** Crypto units that `fiatUnits` buys at `rate`. */
export function cryptoFor(
  fiatUnits: bigint,
  crypto: Asset,
  fiat: Asset,
  rate: Ratio,
  rounding: 'up' | 'down',
): bigint {
  return divide(
    fiatUnits * rate.d * 10n ** BigInt(crypto.scale),
    rate.n * 10n ** BigInt(fiat.scale),
    rounding,
  );
}

/** `amount * bps / 10000`, rounded up: fees never round in the payer's favour to zero. */
export function basisPoints(amount: bigint, bps: number): bigint {
  return divide(amount * BigInt(bps), 10_000n, 'up');
}
