import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { instrumentHttp, MetricsRegistry, unmatchedRoute } from '../src/metrics.ts';
import { documentedMetrics, families, samples, undocumented } from './exposition.ts';

describe('the metrics registry', () => {
  it('writes counters and gauges in the text format with help, type and escaped labels', async () => {
    const registry = new MetricsRegistry();
    const counter = registry.counter('jobs_total', 'Jobs done\nby kind', ['kind']);
    const gauge = registry.gauge('queue_depth', 'Jobs waiting');
    counter.inc({ kind: 'a' });
    counter.inc({ kind: 'a' }, 2);
    counter.inc({ kind: 'say "hi"\\\n' });
    gauge.set({}, 7);
    const text = await registry.render();
    expect(text).toContain('# HELP jobs_total Jobs done\\nby kind\n# TYPE jobs_total counter\n');
    expect(text).toContain('jobs_total{kind="a"} 3\n');
    expect(text).toContain('jobs_total{kind="say \\"hi\\"\\\\\\n"} 1\n');
    expect(text).toContain('# TYPE queue_depth gauge\nqueue_depth 7\n');
    expect(text.endsWith('\n')).toBe(true);
  });

  it('counts histogram observations into cumulative buckets with sum and count', async () => {
    const registry = new MetricsRegistry();
    const histogram = registry.histogram('wait_seconds', 'Waits', ['queue'], [0.1, 1, 10]);
    for (const value of [0.05, 0.1, 0.5, 3, 50]) histogram.observe({ queue: 'q' }, value);
    const found = samples(await registry.render());
    expect(found.get('wait_seconds_bucket{le="0.1",queue="q"}')).toBe(2);
    expect(found.get('wait_seconds_bucket{le="1",queue="q"}')).toBe(3);
    expect(found.get('wait_seconds_bucket{le="10",queue="q"}')).toBe(4);
    expect(found.get('wait_seconds_bucket{le="+Inf",queue="q"}')).toBe(5);
    expect(found.get('wait_seconds_sum{queue="q"}')).toBeCloseTo(53.65);
    expect(found.get('wait_seconds_count{queue="q"}')).toBe(5);
  });

  it('refuses bad names, missing or extra labels, falling counters and unsorted buckets', () => {
    const registry = new MetricsRegistry();
    expect(() => registry.gauge('bad-name', 'x')).toThrow(/invalid metric name/i);
    expect(() => registry.gauge('g', 'x', ['bad-label'])).toThrow(/invalid label name/i);
    expect(() => registry.histogram('h_le', 'x', ['le'], [1])).toThrow(/le is a reserved label/);
    const counter = registry.counter('c_total', 'x', ['kind']);
    expect(() => counter.inc({})).toThrow(/needs the label kind/);
    expect(() => counter.inc({ kind: 'a', other: 'b' })).toThrow(/takes the labels kind/);
    expect(() => counter.inc({ kind: 'a' }, -1)).toThrow(/only goes up/);
    expect(() => registry.counter('c_total', 'again')).toThrow(/registered twice/);
    expect(() => registry.histogram('h', 'x', [], [1, 1])).toThrow(/buckets must increase/);
  });

  it('runs collectors at scrape time, reuses their figures for the cache period, reports failures', async () => {
    let now = 0;
    const failures: string[] = [];
    const registry = new MetricsRegistry({
      now: () => now,
      cacheMs: 5_000,
      onCollectorError: (name) => failures.push(name),
    });
    const gauge = registry.gauge('rows', 'Rows');
    let runs = 0;
    let fail = false;
    registry.collect('table', async () => {
      runs += 1;
      if (fail) throw new Error('database down');
      gauge.set({}, runs * 10);
    });
    now = 1;
    const [first, second] = await Promise.all([registry.render(), registry.render()]);
    expect(runs).toBe(1);
    expect(samples(first).get('rows')).toBe(10);
    expect(samples(second).get('rows')).toBe(10);
    now = 4_000;
    expect(samples(await registry.render()).get('rows')).toBe(10);
    expect(runs).toBe(1);
    now = 6_000;
    expect(samples(await registry.render()).get('rows')).toBe(20);
    expect(
      samples(await registry.render()).get('tessera_metrics_collector_up{collector="table"}'),
    ).toBe(1);
    fail = true;
    now = 12_000;
    const failed = samples(await registry.render());
    expect(failed.get('tessera_metrics_collector_up{collector="table"}')).toBe(0);
    expect(failed.get('rows')).toBe(20);
    expect(failures).toEqual(['table']);
  });
});

describe('the exposition', () => {
  it("includes the process's figures, event-loop lag among them, each a declared family", async () => {
    const registry = new MetricsRegistry();
    const found = families(await registry.render());
    const type = (name: string) => found.get(name)?.type;
    expect(type('process_cpu_seconds_total')).toBe('counter');
    expect(type('process_resident_memory_bytes')).toBe('gauge');
    expect(type('process_start_time_seconds')).toBe('gauge');
    expect(type('nodejs_heap_size_used_bytes')).toBe('gauge');
    expect(type('nodejs_eventloop_lag_seconds')).toBe('gauge');
    expect(type('nodejs_eventloop_lag_p99_seconds')).toBe('gauge');
    expect(type('nodejs_gc_duration_seconds')).toBe('histogram');
    expect(
      found.get('nodejs_eventloop_lag_seconds')?.samples.get('nodejs_eventloop_lag_seconds'),
    ).toBeGreaterThanOrEqual(0);
    expect(found.get('tessera_metrics_collector_up')?.help).toMatch(/^Whether the collector/);
  });

  it('keeps each app instance in a registry of its own, so two apps in one process do not mix', async () => {
    const first = new MetricsRegistry();
    const second = new MetricsRegistry();
    first.counter('jobs_total', 'Jobs').inc({}, 2);
    second.counter('jobs_total', 'Jobs').inc({});
    expect(samples(await first.render()).get('jobs_total')).toBe(2);
    expect(samples(await second.render()).get('jobs_total')).toBe(1);
  });

  it('is checked against the tables of the docs: missing, mistyped, mislabelled or unlisted series', async () => {
    const registry = new MetricsRegistry();
    registry.counter('tessera_jobs_total', 'Jobs', ['kind']).inc({ kind: 'a' });
    registry.gauge('tessera_depth', 'Depth').set({}, 1);
    registry.gauge('tessera_extra', 'Not in the docs').set({}, 1);
    const markdown = [
      'Jobs:',
      '',
      '| metric | type | labels | what |',
      '| --- | --- | --- | --- |',
      '| `tessera_jobs_total` | counter | | jobs |',
      '| `tessera_depth` | counter | | depth |',
      '| `tessera_gone` | gauge | | gone |',
      '| `tessera_metrics_collector_up` | gauge | `collector` | up |',
      '',
    ].join('\n');
    const documented = documentedMetrics(markdown, 'Jobs:');
    expect(documented[3]).toEqual({
      name: 'tessera_metrics_collector_up',
      type: 'gauge',
      labels: ['collector'],
    });
    expect(undocumented(await registry.render(), documented)).toEqual([
      'tessera_jobs_total: served with labels (kind), documented ()',
      'tessera_depth: served as gauge, documented as counter',
      'tessera_gone: documented, not served',
      'tessera_extra: served, not documented',
    ]);
  });

  it('is read strictly: a sample outside its family, bad labels or a value that is no number fail', () => {
    expect(() => families('stray 1\n')).toThrow(/outside its declared family/);
    expect(() => families('# TYPE a gauge\na{k="x} 1\n')).toThrow(/malformed labels/);
    expect(() => families('# TYPE a gauge\na one\n')).toThrow(/not a number/);
    expect(() => families('# TYPE a gauge\na 1\na 2\n')).toThrow(/written twice/);
  });
});

describe('HTTP metrics', () => {
  it('labels requests by route pattern, never by the raw URL', async () => {
    const app = Fastify();
    const registry = new MetricsRegistry();
    instrumentHttp(app, registry);
    app.get('/v1/orders/:orderId', async () => ({ ok: true }));
    app.post('/v1/orders/:orderId/cancel', async (_request, reply) => reply.code(409).send({}));
    await app.ready();
    for (const id of ['ord_1', 'ord_2', 'ord_3'])
      await app.inject({ method: 'GET', url: `/v1/orders/${id}?waitS=1` });
    await app.inject({ method: 'POST', url: '/v1/orders/ord_9/cancel' });
    await app.inject({ method: 'GET', url: '/nowhere/ord_4' });
    const text = await registry.render();
    const found = samples(text);
    expect(
      found.get('http_requests_total{method="GET",route="/v1/orders/:orderId",status="200"}'),
    ).toBe(3);
    expect(
      found.get(
        'http_requests_total{method="POST",route="/v1/orders/:orderId/cancel",status="409"}',
      ),
    ).toBe(1);
    expect(
      found.get(`http_requests_total{method="GET",route="${unmatchedRoute}",status="404"}`),
    ).toBe(1);
    expect(
      found.get('http_request_duration_seconds_count{method="GET",route="/v1/orders/:orderId"}'),
    ).toBe(3);
    expect(
      found.get(
        'http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/v1/orders/:orderId"}',
      ),
    ).toBe(3);
    expect(text).not.toMatch(/ord_[0-9]/);
    await app.close();
  });
});
