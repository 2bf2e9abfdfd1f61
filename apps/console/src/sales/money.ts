/**
 * What an amount of a crypto asset is worth in fiat at a rate, both decimal strings as the
 * servers send them: multiplied exactly as integers (bigint), rounded half up to whole units of
 * the fiat (KRW has no minor unit), so a large amount never passes through floating point.
 */
const decimal = /^(\d+)(?:\.(\d+))?$/;

function scaled(text: string): { units: bigint; scale: number } | undefined {
  const match = decimal.exec(text.trim());
  if (!match) return undefined;
  const fraction = match[2] ?? '';
  return { units: BigInt(`${match[1]}${fraction}`), scale: fraction.length };
}

/** `amount × rate` in whole fiat units ("52.5" × "1407.25" → "73881"); undefined if unreadable. */
export function fiatValue(amount: string, rate: string): string | undefined {
  const a = scaled(amount);
  const r = scaled(rate);
  if (!a || !r) return undefined;
  const product = a.units * r.units;
  const divisor = 10n ** BigInt(a.scale + r.scale);
  const rounded = (product * 2n + divisor) / (2n * divisor);
  return rounded.toString();
}

/** The sum of whole fiat amounts ("1200" + "35" → "1235"). */
export function addWhole(values: readonly string[]): string {
  return values.reduce((sum, value) => sum + BigInt(value), 0n).toString();
}
