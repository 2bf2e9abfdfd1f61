import { describe, expect, it } from 'vitest';
import { splitInProportion } from './pricing.ts';

describe('splitInProportion', () => {
  it('shares a total out in proportion to the weights', () => {
    expect(splitInProportion(300n, [1n, 2n])).toEqual([100n, 200n]);
  });

  it('rounds each share down and gives the remainder to the last line', () => {
    const split = splitInProportion(100n, [1n, 1n, 1n]);
    expect(split).toEqual([33n, 33n, 34n]);
    expect(split.reduce((sum, part) => sum + part, 0n)).toBe(100n);
  });

  it('gives a single line the whole total', () => {
    expect(splitInProportion(12_345n, [7n])).toEqual([12_345n]);
  });

  it('gives everything to the last line when the weights are all zero', () => {
    expect(splitInProportion(50n, [0n, 0n])).toEqual([0n, 50n]);
  });
});
