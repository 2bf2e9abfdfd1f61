/**
 * Amounts as integers of each asset's smallest unit (`bigint`), never floating point; decimal
 * strings cross the APIs ("0.015" BTC). Both servers read and write them the same way.
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
