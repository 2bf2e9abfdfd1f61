/**
 * Prometheus metrics in the text exposition format (version 0.0.4), written by hand: counters,
 * gauges and histograms with fixed buckets, plus collectors that read the database when scraped.
 * The format is small enough that a dependency (prom-client) would cost more than it saves.
 *
 * Labels are bounded by construction: the HTTP metrics use the route pattern
 * (`/v1/orders/:orderId`), never the raw URL, so ids do not become series.
 */
import type { FastifyInstance } from 'fastify';

export type Labels = Readonly<Record<string, string>>;

/** Seconds; from a fast in-memory answer to a request that waited on a slow database. */
export const httpDurationBucketsS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
] as const;

/** How long scrape-time collectors' figures are reused: several scrapers cost one query round. */
export const collectorCacheMs = 5_000;

/** Series per metric; past it new label sets are dropped, so a label bug cannot eat the memory. */
export const seriesPerMetricMax = 2_000;

const metricNamePattern = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const labelNamePattern = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Label values may hold any text: backslash, double quote and newline are escaped. */
function escapeLabelValue(value: string) {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(text: string) {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

export function formatValue(value: number) {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

function formatLabels(names: readonly string[], values: readonly string[]) {
  if (names.length === 0) return '';
  const pairs = names.map((name, index) => `${name}="${escapeLabelValue(values[index] ?? '')}"`);
  return `{${pairs.join(',')}}`;
}

abstract class Metric<Series> {
  protected readonly series = new Map<string, { values: string[]; data: Series }>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {
    if (!metricNamePattern.test(name)) throw new Error(`invalid metric name ${name}`);
    for (const label of labelNames) {
      if (!labelNamePattern.test(label) || label === 'le' || label.startsWith('__'))
        throw new Error(`invalid label name ${label} on ${name}`);
    }
  }

  abstract readonly type: 'counter' | 'gauge' | 'histogram';
  protected abstract empty(): Series;
  protected abstract lines(labelValues: readonly string[], data: Series): string[];

  /** The series for a label set, made on first use; undefined past `seriesPerMetricMax`. */
  protected seriesOf(labels: Labels): Series | undefined {
    const values = this.labelNames.map((name) => {
      const value = labels[name];
      if (value === undefined) throw new Error(`${this.name} needs the label ${name}`);
      return value;
    });
    if (Object.keys(labels).length !== this.labelNames.length)
      throw new Error(`${this.name} takes the labels ${this.labelNames.join(', ') || '(none)'}`);
    const key = values.join('\u0000');
    let found = this.series.get(key);
    if (!found) {
      if (this.series.size >= seriesPerMetricMax) return undefined;
      found = { values, data: this.empty() };
      this.series.set(key, found);
    }
    return found.data;
  }

  render() {
    const out = [
      `# HELP ${this.name} ${escapeHelp(this.help)}`,
      `# TYPE ${this.name} ${this.type}`,
    ];
    for (const { values, data } of this.series.values()) out.push(...this.lines(values, data));
    return out.join('\n');
  }
}

export class Counter extends Metric<{ value: number }> {
  readonly type = 'counter';
  protected empty() {
    return { value: 0 };
  }
  inc(labels: Labels = {}, by = 1) {
    if (!(by >= 0)) throw new Error(`${this.name}: a counter only goes up (by ${by})`);
    const series = this.seriesOf(labels);
    if (series) series.value += by;
  }
  /** For a count kept elsewhere (a table): it must never go down, or rate() reads a reset. */
  set(labels: Labels, value: number) {
    const series = this.seriesOf(labels);
    if (series) series.value = value;
  }
  protected lines(values: readonly string[], data: { value: number }) {
    return [`${this.name}${formatLabels(this.labelNames, values)} ${formatValue(data.value)}`];
  }
}

export class Gauge extends Metric<{ value: number }> {
  readonly type = 'gauge';
  protected empty() {
    return { value: 0 };
  }
  set(labels: Labels, value: number) {
    const series = this.seriesOf(labels);
    if (series) series.value = value;
  }
  /** Forgets every series, so a label value that is no longer measured is not reported stale. */
  reset() {
    this.series.clear();
  }
  protected lines(values: readonly string[], data: { value: number }) {
    return [`${this.name}${formatLabels(this.labelNames, values)} ${formatValue(data.value)}`];
  }
}

interface HistogramSeries {
  /** Per bucket (not cumulative); cumulated when rendered. */
  counts: number[];
  sum: number;
  count: number;
}

export class Histogram extends Metric<HistogramSeries> {
  readonly type = 'histogram';
  readonly buckets: readonly number[];

  constructor(
    name: string,
    help: string,
    labelNames: readonly string[],
    buckets: readonly number[],
  ) {
    super(name, help, labelNames);
    if (buckets.length === 0) throw new Error(`${name}: a histogram needs buckets`);
    for (let index = 1; index < buckets.length; index += 1) {
      if (!((buckets[index] as number) > (buckets[index - 1] as number)))
        throw new Error(`${name}: buckets must increase`);
    }
    this.buckets = [...buckets];
  }

  protected empty(): HistogramSeries {
    return { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
  }

  observe(labels: Labels, value: number) {
    const series = this.seriesOf(labels);
    if (!series) return;
    const index = this.buckets.findIndex((bound) => value <= bound);
    if (index >= 0) series.counts[index] = (series.counts[index] ?? 0) + 1;
    series.sum += value;
    series.count += 1;
  }

  protected lines(values: readonly string[], data: HistogramSeries) {
    const names = [...this.labelNames, 'le'];
    const out: string[] = [];
    let cumulative = 0;
    this.buckets.forEach((bound, index) => {
      cumulative += data.counts[index] ?? 0;
      out.push(
        `${this.name}_bucket${formatLabels(names, [...values, formatValue(bound)])} ${cumulative}`,
      );
    });
    out.push(`${this.name}_bucket${formatLabels(names, [...values, '+Inf'])} ${data.count}`);
    const own = formatLabels(this.labelNames, values);
    out.push(`${this.name}_sum${own} ${formatValue(data.sum)}`);
    out.push(`${this.name}_count${own} ${data.count}`);
    return out;
  }
}

interface Collector {
  readonly name: string;
  readonly collect: () => Promise<void>;
  /** When the last successful round finished (ms, monotonic); 0 before the first. */
  collectedAt: number;
  running: Promise<void> | undefined;
}

export class MetricsRegistry {
  private readonly metrics = new Map<string, Metric<unknown>>();
  private readonly collectors: Collector[] = [];
  private readonly collectorUp: Gauge;

  constructor(
    private readonly options: {
      /** Milliseconds; a monotonic clock, injectable so tests can step past the cache. */
      readonly now?: () => number;
      readonly cacheMs?: number;
      readonly onCollectorError?: (collector: string, error: unknown) => void;
    } = {},
  ) {
    this.collectorUp = this.gauge(
      'tessera_metrics_collector_up',
      'Whether the collector read its figures at the last scrape (1) or failed (0); on failure its gauges keep their previous values',
      ['collector'],
    );
  }

  private add<M extends Metric<unknown>>(metric: M): M {
    if (this.metrics.has(metric.name)) throw new Error(`metric ${metric.name} is registered twice`);
    this.metrics.set(metric.name, metric);
    return metric;
  }

  counter(name: string, help: string, labelNames: readonly string[] = []) {
    return this.add(new Counter(name, help, labelNames));
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []) {
    return this.add(new Gauge(name, help, labelNames));
  }

  histogram(name: string, help: string, labelNames: readonly string[], buckets: readonly number[]) {
    return this.add(new Histogram(name, help, labelNames, buckets));
  }

  /**
   * Runs `collect` (which sets gauges, usually from a few counting queries) when scraped, at most
   * once per `collectorCacheMs`; scrapes that arrive meanwhile share the figures or the round in
   * progress, so a busy scraper cannot turn into database load.
   */
  collect(name: string, collect: () => Promise<void>) {
    this.collectors.push({ name, collect, collectedAt: 0, running: undefined });
  }

  private now() {
    return this.options.now?.() ?? performance.now();
  }

  private async runCollector(collector: Collector) {
    const cacheMs = this.options.cacheMs ?? collectorCacheMs;
    if (collector.collectedAt > 0 && this.now() - collector.collectedAt < cacheMs) return;
    collector.running ??= collector
      .collect()
      .then(
        () => {
          collector.collectedAt = this.now();
          this.collectorUp.set({ collector: collector.name }, 1);
        },
        (error: unknown) => {
          this.collectorUp.set({ collector: collector.name }, 0);
          this.options.onCollectorError?.(collector.name, error);
        },
      )
      .finally(() => {
        collector.running = undefined;
      });
    await collector.running;
  }

  /** The exposition text: collectors run first (each failure is reported, not thrown). */
  async render() {
    await Promise.all(this.collectors.map((collector) => this.runCollector(collector)));
    return `${[...this.metrics.values()].map((metric) => metric.render()).join('\n')}\n`;
  }
}

/** What the exposition format is served as. */
export const metricsContentType = 'text/plain; version=0.0.4; charset=utf-8';

/** Requests that matched no route share one label value instead of their (unbounded) URLs. */
export const unmatchedRoute = '(unmatched)';

// biome-ignore lint/suspicious/noExplicitAny: any Fastify instance, whatever its type provider.
type AnyFastify = FastifyInstance<any, any, any, any, any>;

/**
 * Counts every answered request and its duration by method, route pattern and status. Runs in
 * `onResponse`, so requests refused by access control or validation count too. A hijacked reply
 * (a live event stream) has no `onResponse` in Fastify and is not counted.
 */
export function instrumentHttp(app: AnyFastify, registry: MetricsRegistry) {
  const requests = registry.counter(
    'http_requests_total',
    'HTTP requests answered, by method, route pattern and status code',
    ['method', 'route', 'status'],
  );
  const duration = registry.histogram(
    'http_request_duration_seconds',
    'Time from the request arriving to its answer being sent, by method and route pattern',
    ['method', 'route'],
    httpDurationBucketsS,
  );
  // A callback hook, not an async one: it runs on every request, and a promise each costs more.
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? unmatchedRoute;
    const method = request.method;
    requests.inc({ method, route, status: String(reply.statusCode) });
    duration.observe({ method, route }, reply.elapsedTime / 1000);
    done();
  });
  return { requests, duration };
}
