/**
 * How a fiat-priced order's crypto total (one exchange quote for the whole order) is shared out
 * over its lines: in proportion to each line's fiat price, rounded down, the last line taking the
 * remainder so the lines add up to the total exactly. A line's share is what a refund returns.
 */
export function splitInProportion(total: bigint, weights: readonly bigint[]): bigint[] {
  const sum = weights.reduce((acc, weight) => acc + weight, 0n);
  const split = weights.map((weight) => (sum ? (total * weight) / sum : 0n));
  split[split.length - 1] = total - split.slice(0, -1).reduce((acc, part) => acc + part, 0n);
  return split;
}
