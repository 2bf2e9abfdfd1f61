/**
 * Prometheus metrics through prom-client, the Node ecosystem's standard client: it writes the text
 * exposition format (version 0.0.4) and brings the process's own figures (CPU, memory, heap,
 * garbage collection, event-loop lag) that a hand-written registry did not have. Event-loop lag
 * matters here: SQLite's group commit runs on the event loop, so a slow commit shows as lag.
 *
 * Each app instance has its own prom-client `Registry` (never the global default one), because
 * the tests run several apps in one process. This module keeps a small API over it: `counter`,
 * `gauge`, `histogram` and `collect` (figures read from the database when scraped, reused for
 * `collectorCacheMs`, their success reported as `tessera_metrics_collector_up`).
 *
 * Labels are bounded by construction: the HTTP metrics use the route pattern
 * (`/v1/orders/:orderId`), never the raw URL, so ids do not become series; past
 * `seriesPerMetricMax` series a metric drops new label sets, so a label bug cannot eat the memory.
 */
import type { FastifyInstance } from 'fastify';
import * as prom from 'prom-client';

export type Labels = Readonly<Record<string, string>>;

/** Seconds; from a fast in-memory answer to a request that waited on a slow database. */
export const httpDurationBucketsS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
] as const;

/** How long scrape-time collectors' figures are reused: several scrapers cost one query round. */
export const collectorCacheMs = 5_000;

/** Series per metric; past it new label sets are dropped, so a label bug cannot eat the memory. */
export const seriesPerMetricMax = 2_000;

/**
 * The process's figures (prom-client's default metrics: `process_*`, `nodejs_*`, among them
 * `nodejs_eventloop_lag_seconds`), in a registry of their own made once per process. They
 * describe the process, not an app, and prom-client starts an event-loop monitor and a garbage
 * collection observer for each registry it is given and never stops them, so one set per process
 * serves every app instance in it (one in production, several in the tests).
 */
let processRegistry: prom.Registry | undefined;
function processMetrics() {
  if (!processRegistry) {
    processRegistry = new prom.Registry();
    prom.collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** A prom-client metric with the label checks and the series bound this module promises. */
abstract class Metric {
  private readonly seen = new Set<string>();

  constructor(
    readonly name: string,
    readonly labelNames: readonly string[],
  ) {}

  /** Whether `labels` may be recorded: exactly the metric's labels, within the series bound. */
  protected admit(labels: Labels) {
    const values = this.labelNames.map((name) => {
      const value = labels[name];
      if (value === undefined) throw new Error(`${this.name} needs the label ${name}`);
      return value;
    });
    if (Object.keys(labels).length !== this.labelNames.length)
      throw new Error(`${this.name} takes the labels ${this.labelNames.join(', ') || '(none)'}`);
    const key = values.join('\u0000');
    if (this.seen.has(key)) return true;
    if (this.seen.size >= seriesPerMetricMax) return false;
    this.seen.add(key);
    return true;
  }

  protected forget() {
    this.seen.clear();
  }
}

export class Counter extends Metric {
  constructor(
    name: string,
    labelNames: readonly string[],
    private readonly metric: prom.Counter,
  ) {
    super(name, labelNames);
  }
  inc(labels: Labels = {}, by = 1) {
    if (!(by >= 0)) throw new Error(`${this.name}: a counter only goes up (by ${by})`);
    if (this.admit(labels)) this.metric.inc(labels, by);
  }
  /** For a count kept elsewhere (a table): it must never go down, or rate() reads a reset. */
  set(labels: Labels, value: number) {
    if (!this.admit(labels)) return;
    this.metric.remove(labels);
    this.metric.inc(labels, value);
  }
}

export class Gauge extends Metric {
  constructor(
    name: string,
    labelNames: readonly string[],
    private readonly metric: prom.Gauge,
  ) {
    super(name, labelNames);
  }
  set(labels: Labels, value: number) {
    if (this.admit(labels)) this.metric.set(labels, value);
  }
  /** Forgets every series, so a label value that is no longer measured is not reported stale. */
  reset() {
    this.forget();
    this.metric.reset();
  }
}

export class Histogram extends Metric {
  constructor(
    name: string,
    labelNames: readonly string[],
    private readonly metric: prom.Histogram,
  ) {
    super(name, labelNames);
  }
  observe(labels: Labels, value: number) {
    if (this.admit(labels)) this.metric.observe(labels, value);
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
  /** The app instance's own prom-client registry. */
  readonly registry = new prom.Registry();
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

  private spec(name: string, help: string, labelNames: readonly string[]) {
    if (this.registry.getSingleMetric(name)) throw new Error(`metric ${name} is registered twice`);
    return { name, help, labelNames: [...labelNames], registers: [this.registry] };
  }

  counter(name: string, help: string, labelNames: readonly string[] = []) {
    return new Counter(name, labelNames, new prom.Counter(this.spec(name, help, labelNames)));
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []) {
    return new Gauge(name, labelNames, new prom.Gauge(this.spec(name, help, labelNames)));
  }

  histogram(name: string, help: string, labelNames: readonly string[], buckets: readonly number[]) {
    if (buckets.length === 0) throw new Error(`${name}: a histogram needs buckets`);
    for (let index = 1; index < buckets.length; index += 1) {
      if (!((buckets[index] as number) > (buckets[index - 1] as number)))
        throw new Error(`${name}: buckets must increase`);
    }
    const options = { ...this.spec(name, help, labelNames), buckets: [...buckets] };
    return new Histogram(name, labelNames, new prom.Histogram(options));
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
    return `${await this.registry.metrics()}\n${await processMetrics().metrics()}`;
  }
}

/** What the exposition format is served as (prom-client's: text format 0.0.4). */
export const metricsContentType: string = prom.Registry.PROMETHEUS_CONTENT_TYPE;

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
