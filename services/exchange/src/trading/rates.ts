/**
 * The rate-source port. A rate is the price of one whole unit of a crypto asset in the fiat
 * currency, as an exact decimal string, with where it came from and when it was observed.
 */
import { readFile, stat } from 'node:fs/promises';
import type { ExchangeConfig } from '../config.ts';
import { parseRate } from '../money.ts';

export interface Rate {
  readonly asset: string;
  readonly fiat: string;
  /** Decimal string, fiat per one whole unit of `asset`, e.g. "95123456.5". */
  readonly rate: string;
  readonly source: string;
  /** When the source observed it (milliseconds). */
  readonly observedAt: number;
}

export interface RateSource {
  /** The latest rate for an asset, or undefined if the source has none. Never throws for I/O. */
  latest(asset: string): Promise<Rate | undefined>;
}

/**
 * Rates from a JSON file, re-read when it changes:
 * `{"source":"...","observedAt":"2026-11-21T12:00:00Z","fiat":"KRW","rates":{"BTC":"95000000"}}`.
 * Without `observedAt` the file's modification time is the observation time, so a feed that
 * rewrites the file keeps its rates fresh and a forgotten file goes stale.
 */
export class FileRateSource implements RateSource {
  private cached: { mtimeMs: number; checkedAt: number; rates: Map<string, Rate> } | undefined;

  constructor(
    private readonly path: string,
    private readonly fiat: string,
    private readonly now: () => number = Date.now,
  ) {}

  async latest(asset: string): Promise<Rate | undefined> {
    return (await this.load())?.get(asset);
  }

  private async load() {
    const now = this.now();
    if (this.cached && now - this.cached.checkedAt < 1000) return this.cached.rates;
    try {
      const info = await stat(this.path);
      if (this.cached && this.cached.mtimeMs === info.mtimeMs) {
        this.cached.checkedAt = now;
        return this.cached.rates;
      }
      const parsed = parseRatesFile(await readFile(this.path, 'utf8'), this.fiat, info.mtimeMs);
      this.cached = { mtimeMs: info.mtimeMs, checkedAt: now, rates: parsed };
      return parsed;
    } catch {
      // A missing or broken file means no rates: quotes are refused, nothing is guessed.
      this.cached = undefined;
      return undefined;
    }
  }
}

function parseRatesFile(text: string, fiat: string, fallbackObservedAt: number) {
  const data = JSON.parse(text) as {
    source?: unknown;
    observedAt?: unknown;
    fiat?: unknown;
    rates?: unknown;
  };
  if (data.fiat !== undefined && data.fiat !== fiat)
    throw new Error(`rates are in ${String(data.fiat)}, not ${fiat}`);
  const source = typeof data.source === 'string' ? data.source.slice(0, 100) : 'rates file';
  const observedAt =
    typeof data.observedAt === 'string' ? Date.parse(data.observedAt) : fallbackObservedAt;
  if (!Number.isFinite(observedAt)) throw new Error('observedAt is not a date');
  const rates = new Map<string, Rate>();
  if (typeof data.rates !== 'object' || data.rates === null) throw new Error('no rates object');
  for (const [asset, value] of Object.entries(data.rates)) {
    if (typeof value !== 'string') continue;
    parseRate(value);
    rates.set(asset, { asset, fiat, rate: value, source, observedAt });
  }
  return rates;
}

/**
 * An adapter for the common exchange ticker format (as Upbit's public ticker answers):
 * `[{"market":"KRW-BTC","trade_price":95000000,"timestamp":1763726400000}, ...]`, fetched from a
 * URL at most every few seconds.
 */
export class TickerRateSource implements RateSource {
  private cached: { fetchedAt: number; rates: Map<string, Rate> } | undefined;
  private inflight: Promise<Map<string, Rate> | undefined> | undefined;

  constructor(
    private readonly url: string,
    private readonly fiat: string,
    private readonly now: () => number = Date.now,
    private readonly refreshMs = 5000,
  ) {}

  async latest(asset: string): Promise<Rate | undefined> {
    if (!this.cached || this.now() - this.cached.fetchedAt >= this.refreshMs) {
      this.inflight ??= this.fetchRates().finally(() => {
        this.inflight = undefined;
      });
      await this.inflight;
    }
    return this.cached?.rates.get(asset);
  }

  private async fetchRates() {
    try {
      const response = await fetch(this.url, { signal: AbortSignal.timeout(3000) });
      if (!response.ok) return undefined;
      const rates = parseTicker(await response.text(), this.fiat, new URL(this.url).host);
      this.cached = { fetchedAt: this.now(), rates };
      return rates;
    } catch {
      return undefined;
    }
  }
}

export function parseTicker(text: string, fiat: string, source: string) {
  const items = JSON.parse(text) as unknown;
  if (!Array.isArray(items)) throw new Error('a ticker answer is an array');
  const rates = new Map<string, Rate>();
  for (const item of items as { market?: unknown; trade_price?: unknown; timestamp?: unknown }[]) {
    if (typeof item?.market !== 'string' || !item.market.startsWith(`${fiat}-`)) continue;
    const asset = item.market.slice(fiat.length + 1);
    const price =
      typeof item.trade_price === 'number' ? decimalOf(item.trade_price) : String(item.trade_price);
    if (typeof item.timestamp !== 'number') continue;
    try {
      parseRate(price);
    } catch {
      continue;
    }
    rates.set(asset, { asset, fiat, rate: price, source, observedAt: item.timestamp });
  }
  return rates;
}

/**
 * A JSON number as a plain decimal string, exactly the digits JSON carried: the exponent form
 * (1.2345e-17) is shifted, not rounded, so very cheap coins keep their precision.
 */
function decimalOf(value: number): string {
  if (!Number.isFinite(value) || value <= 0) return 'NaN';
  const text = value.toString();
  const match = /^([0-9]+)(?:\.([0-9]+))?e([+-][0-9]+)$/i.exec(text);
  if (!match) return text;
  const whole = match[1] as string;
  const digits = whole + (match[2] ?? '');
  const point = whole.length + Number(match[3]);
  if (point <= 0) return `0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return digits + '0'.repeat(point - digits.length);
  return `${digits.slice(0, point)}.${digits.slice(point)}`;
}

export function rateSourceFor(config: ExchangeConfig): RateSource {
  return config.rateSource.kind === 'file'
    ? new FileRateSource(config.rateSource.path, config.fiat.code)
    : new TickerRateSource(config.rateSource.url, config.fiat.code);
}
