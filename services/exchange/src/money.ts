/**
 * Money as integers of each asset's smallest unit (`bigint`), never floating point. Decimal
 * strings cross the API ("0.015" BTC); rates are exact rationals parsed from decimal strings.
 */
import { badRequest } from './errors.ts';

export interface Asset {
  readonly code: string;
  readonly scale: number;
  readonly kind: 'fiat' | 'crypto';
}

/** The largest amount any API accepts: 2^255, far above any real supply, inside numeric(78). */
export const maxAmount = 2n ** 255n;

const decimalPattern = /^(0|[1-9][0-9]{0,77})(\.[0-9]{1,30})?$/;

/** "1.5" with scale 8 -> 150000000n. More decimals than the scale is an error, not a rounding. */
export function parseAmount(text: string, asset: Asset, field = 'amount'): bigint {
  if (typeof text !== 'string' || !decimalPattern.test(text)) {
    throw badRequest('invalid_amount', `${field} must be a decimal string such as "12.5"`, {
      field,
    });
  }
  const [whole = '0', fraction = ''] = text.split('.');
  if (fraction.length > asset.scale) {
    throw badRequest(
      'invalid_amount',
      `${field} has more than ${asset.scale} decimals for ${asset.code}`,
      { field },
    );
  }
  const units = BigInt(whole + fraction.padEnd(asset.scale, '0'));
  if (units > maxAmount) throw badRequest('invalid_amount', `${field} is too large`, { field });
  return units;
}

/** 150000000n with scale 8 -> "1.5"; always the shortest exact form. */
export function formatAmount(units: bigint, scale: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = scale > 0 ? digits.slice(digits.length - scale).replace(/0+$/, '') : '';
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

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
