/**
 * Amounts as the servers send them: decimal strings in whole units of an asset ("32.30438" USDT,
 * "45000" KRW). The app never turns them into floating point: comparisons and differences go
 * through bigint counts of the smallest unit; formatting (grouping the digits for the language)
 * is the formatting module's (@tessera/web-kit/format).
 */

const decimalPattern = /^(-?)(\d+)(?:\.(\d+))?$/;

/** The amount in units of 10^-scale, or undefined for a string that is not a plain decimal. */
export function toUnits(amount: string, scale: number): bigint | undefined {
  const match = decimalPattern.exec(amount.trim());
  if (!match) return undefined;
  const [, sign, whole, fraction = ''] = match;
  if (fraction.length > scale) return undefined;
  const units = BigInt(`${whole}${fraction.padEnd(scale, '0')}`);
  return sign === '-' ? -units : units;
}

export function fromUnits(units: bigint, scale: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = scale > 0 ? digits.slice(digits.length - scale).replace(/0+$/, '') : '';
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** The number of decimals a string carries, for an asset whose scale the app does not know. */
export function decimalsOf(amount: string): number {
  return amount.split('.')[1]?.length ?? 0;
}

/** `b - a`, exact, in the larger of the two strings' scales. */
export function subtract(a: string, b: string): string | undefined {
  const scale = Math.max(decimalsOf(a), decimalsOf(b));
  const ua = toUnits(a, scale);
  const ub = toUnits(b, scale);
  if (ua === undefined || ub === undefined) return undefined;
  return fromUnits(ua - ub, scale);
}

/** -1, 0 or 1, exact. Unparseable input compares as undefined. */
export function compare(a: string, b: string): -1 | 0 | 1 | undefined {
  const scale = Math.max(decimalsOf(a), decimalsOf(b));
  const ua = toUnits(a, scale);
  const ub = toUnits(b, scale);
  if (ua === undefined || ub === undefined) return undefined;
  return ua < ub ? -1 : ua > ub ? 1 : 0;
}

/** `a / b` rounded down to `decimals` places, exact; undefined for b = 0 or bad input. */
export function divide(a: string, b: string, decimals: number): string | undefined {
  const scale = Math.max(decimalsOf(a), decimalsOf(b));
  const ua = toUnits(a, scale);
  const ub = toUnits(b, scale);
  if (ua === undefined || ub === undefined || ub === 0n) return undefined;
  return fromUnits((ua * 10n ** BigInt(decimals)) / ub, decimals);
}

/**
 * Formatting lives in the apps' one formatting module (@tessera/web-kit/format, `useI18n().fmt`
 * in a screen); these names stay for code that has only a locale at hand.
 */
export { formatDecimal, formatMoney } from '@tessera/web-kit/format';
