/**
 * Money in the reports, summed exactly: smallest units per asset as bigint (never summed in SQL:
 * SQLite's sum() over decimal text turns into floating point, and an 18-decimal asset overflows
 * its 64-bit integers after a few whole coins), with how many items made each sum; and the
 * exchange's asset scales, looked up once per asset per report.
 */
import { formatAmount } from '@tessera/service-kit/amounts';
import type { Ticketing } from '../context.ts';

/** The number of decimals of an asset, as the exchange defines it. */
export type ScaleOf = (asset: string) => Promise<number>;

/** Asset scales from the exchange, looked up once per asset per report. */
export function assetScales(ticketing: Ticketing): ScaleOf {
  const known = new Map<string, number>();
  return async (code: string) => {
    let scale = known.get(code);
    if (scale === undefined) {
      scale = (await ticketing.exchange.asset(code)).scale;
      known.set(code, scale);
    }
    return scale;
  };
}

/** Sums of smallest units per asset, and how many items made them. */
export class AssetTotals {
  private readonly sums = new Map<string, { units: bigint; count: number }>();

  add(asset: string, units: bigint, count: number) {
    const entry = this.sums.get(asset) ?? { units: 0n, count: 0 };
    entry.units += units;
    entry.count += count;
    this.sums.set(asset, entry);
  }

  merge(other: AssetTotals) {
    for (const [asset, entry] of other.sums) this.add(asset, entry.units, entry.count);
  }

  /** The assets summed, by code. */
  assets(): string[] {
    return [...this.sums.keys()].sort();
  }

  units(asset: string): bigint {
    return this.sums.get(asset)?.units ?? 0n;
  }

  countOf(asset: string): number {
    return this.sums.get(asset)?.count ?? 0;
  }

  /** Items over every asset. */
  get count() {
    let total = 0;
    for (const entry of this.sums.values()) total += entry.count;
    return total;
  }

  /** Sorted by asset code, amounts in whole units as the API speaks them. */
  async view(scaleOf: ScaleOf) {
    const out: { asset: string; amount: string; count: number }[] = [];
    for (const asset of this.assets()) {
      out.push({
        asset,
        amount: formatAmount(this.units(asset), await scaleOf(asset)),
        count: this.countOf(asset),
      });
    }
    return out;
  }
}
