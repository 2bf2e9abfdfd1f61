/**
 * The benchmark report's pure parts (bench/report.ts): reading a scenario's result line, merging
 * results, the tables and the SVG charts, checked on sample results.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type BenchResults,
  chartHeight,
  lastJsonLine,
  type MachineInfo,
  mergeResults,
  niceTicks,
  renderReport,
  type ScenarioResult,
  type SweepPoint,
  scenarioTables,
  sweepChart,
  writeReport,
} from '../../bench/report.ts';

const machine: MachineInfo = {
  cpus: 2,
  cpu_model: 'Test CPU',
  memory_gb: 24,
  node: 'v20.20.2',
  platform: 'linux',
  arch: 'x64',
};

const sweep: SweepPoint[] = [
  { backend: 'sqlite', concurrency: 16, throughput_per_s: 2900, p50_ms: 5, p99_ms: 14 },
  { backend: 'sqlite', concurrency: 64, throughput_per_s: 3348, p50_ms: 16, p99_ms: 59 },
  { backend: 'sqlite', concurrency: 256, throughput_per_s: 3100, p50_ms: 80, p99_ms: 240 },
  { backend: 'postgres', concurrency: 16, throughput_per_s: 700, p50_ms: 20, p99_ms: 60 },
  { backend: 'postgres', concurrency: 64, throughput_per_s: 843, p50_ms: 51, p99_ms: 212 },
  { backend: 'postgres', concurrency: 256, throughput_per_s: 820, p50_ms: 300, p99_ms: 900 },
];

const exchange: ScenarioResult = {
  scenario: 'exchange',
  results: [
    { backend: 'sqlite', transfers_per_s: 3348, p99_ms: 59, ledger_balanced: true },
    {
      backend: 'postgres',
      transfers_per_s: 843,
      p99_ms: 212,
      ledger_balanced: true,
      postgres_cpu_us_per_transfer: 640,
    },
  ],
  baseline_noop_rps: 23215,
  connections: 64,
  sweep,
};
const protocol: ScenarioResult = { scenario: 'protocol', verify_per_s: 3578, ratio: 0.876 };

/** Every `<circle class="point">` of a chart with its data and position. */
function pointsOf(svg: string) {
  return [
    ...svg.matchAll(
      /<circle class="point" data-series="([^"]+)" data-x="([^"]+)" data-y="([^"]+)" cx="([^"]+)" cy="([^"]+)"/g,
    ),
  ].map((match) => ({
    series: match[1] as string,
    x: Number(match[2]),
    y: Number(match[3]),
    cx: Number(match[4]),
    cy: Number(match[5]),
  }));
}

describe('reading and merging results', () => {
  it('takes the last JSON line that names a scenario, past log lines and stray braces', () => {
    const output = [
      '[exchange bench] warming up',
      '{"scenario":"exchange","results":[]}',
      '{not json at all',
      '{"note":"no scenario here"}',
      '',
    ].join('\n');
    expect(lastJsonLine(output)).toEqual({ scenario: 'exchange', results: [] });
    expect(lastJsonLine('crashed before printing\n')).toBeUndefined();
  });

  it('replaces the scenarios that ran, keeps the others, and keeps a result a failed run lacks', () => {
    const first = mergeResults(
      undefined,
      [
        { scenario: 'protocol', started_at: 'a', duration_s: 10, exit_code: 0, result: protocol },
        { scenario: 'exchange', started_at: 'a', duration_s: 90, exit_code: 0, result: exchange },
      ],
      machine,
      new Date('2026-11-22T00:00:00Z'),
    );
    expect(Object.keys(first.scenarios)).toEqual(['protocol', 'exchange']);
    const newer = { ...protocol, verify_per_s: 4000 };
    const second = mergeResults(
      first,
      [
        { scenario: 'protocol', started_at: 'b', duration_s: 9, exit_code: 0, result: newer },
        { scenario: 'exchange', started_at: 'b', duration_s: 3, exit_code: 1, result: undefined },
      ],
      machine,
      new Date('2026-11-23T00:00:00Z'),
    );
    expect(second.updated_at).toBe('2026-11-23T00:00:00.000Z');
    const third = mergeResults(
      second,
      [
        {
          scenario: 'crash',
          started_at: 'c',
          duration_s: 1,
          exit_code: 0,
          result: { scenario: 'crash' },
        },
      ],
      machine,
      new Date(),
      ['exchange', 'crash', 'protocol'],
    );
    expect(Object.keys(third.scenarios)).toEqual(['exchange', 'crash', 'protocol']);
    expect(second.scenarios.protocol?.result.verify_per_s).toBe(4000);
    expect(second.scenarios.protocol?.started_at).toBe('b');
    expect(second.scenarios.exchange?.result).toBe(exchange);
    expect(second.scenarios.exchange?.last_failure).toEqual({ started_at: 'b', exit_code: 1 });
  });
});

describe('the tables', () => {
  it('puts one column per backend and one row per figure, then the settings and the sweep', () => {
    const [perBackend, settings, points] = scenarioTables(exchange);
    expect(perBackend?.split('\n')).toEqual([
      '| figure | sqlite | postgres |',
      '| --- | ---: | ---: |',
      '| transfers_per_s | 3,348 | 843 |',
      '| p99_ms | 59 | 212 |',
      '| ledger_balanced | yes | yes |',
      '| postgres_cpu_us_per_transfer |  | 640 |',
    ]);
    expect(settings).toContain('| baseline_noop_rps | 23,215 |');
    expect(settings).toContain('| connections | 64 |');
    expect(settings).not.toContain('sweep');
    expect(points).toContain('| backend | concurrency | throughput /s | p50 ms | p99 ms |');
    expect(points).toContain('| postgres | 256 | 820 | 300 | 900 |');
  });

  it('shows a scenario without per-backend results as figure and value', () => {
    expect(scenarioTables(protocol)).toEqual([
      '| figure | value |\n| --- | ---: |\n| verify_per_s | 3,578 |\n| ratio | 0.876 |',
    ]);
  });
});

describe('the charts', () => {
  it('picks round ticks from zero past the largest value', () => {
    expect(niceTicks(3348)).toEqual([0, 1000, 2000, 3000, 4000]);
    expect(niceTicks(59)).toEqual([0, 20, 40, 60]);
    expect(niceTicks(0)).toEqual([0, 1]);
  });

  it('draws throughput against concurrency: axes, the levels as ticks, one line per backend', () => {
    const svg = sweepChart(sweep, 'throughput', 'exchange: throughput');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('class="axis x-axis"');
    expect(svg).toContain('class="axis y-axis"');
    expect(svg).toContain('concurrency (connections, log scale)');
    const xTicks = [...svg.matchAll(/class="x-tick"[^>]*>([^<]+)</g)].map((m) => m[1]);
    expect(xTicks).toEqual(['16', '64', '256']);
    const yTicks = [...svg.matchAll(/class="y-tick"[^>]*>([^<]+)</g)].map((m) => m[1]);
    expect(yTicks).toEqual(['0', '1,000', '2,000', '3,000', '4,000']);
    expect(svg.match(/<polyline class="series"/g)).toHaveLength(2);

    const points = pointsOf(svg);
    expect(points).toHaveLength(6);
    const sqlite = points.filter((point) => point.series === 'sqlite');
    expect(sqlite.map((point) => [point.x, point.y])).toEqual([
      [16, 2900],
      [64, 3348],
      [256, 3100],
    ]);
    // Log scale: 16 to 64 is as wide as 64 to 256.
    const [a, b, c] = sqlite as [(typeof sqlite)[0], (typeof sqlite)[0], (typeof sqlite)[0]];
    expect(b.cx - a.cx).toBeCloseTo(c.cx - b.cx, 0);
    // Higher is up, and the axis top (4,000) and zero map to the plot's edges.
    expect(b.cy).toBeLessThan(c.cy);
    const postgres16 = points.find((point) => point.series === 'postgres' && point.x === 16);
    expect(postgres16?.cx).toBe(a.cx);
    expect(postgres16?.cy).toBeGreaterThan(a.cy);
    expect(a.cy).toBeGreaterThan(0);
    expect(a.cy).toBeLessThan(chartHeight);
    // The values are printed beside the points, and the legend names the backends.
    expect(svg).toContain('>3,348</text>');
    expect(svg).toContain('class="legend" x="536" y="56">sqlite<');
    expect(svg).toContain('>postgres</text>');
  });

  it('draws latency with p99 solid and p50 dashed for each backend', () => {
    const svg = sweepChart(sweep, 'latency', 'latency');
    const series = [...svg.matchAll(/<polyline class="series" data-series="([^"]+)"[^>]*>/g)];
    expect(series.map((match) => match[1])).toEqual([
      'sqlite p99',
      'sqlite p50',
      'postgres p99',
      'postgres p50',
    ]);
    expect(series.map((match) => match[0].includes('stroke-dasharray'))).toEqual([
      false,
      true,
      false,
      true,
    ]);
    const top = pointsOf(svg).find((point) => point.series === 'postgres p99' && point.x === 256);
    expect(top?.y).toBe(900);
    const yTicks = [...svg.matchAll(/class="y-tick"[^>]*>([^<]+)</g)].map((m) => m[1]);
    expect(yTicks.at(-1)).toBe('1,000');
    expect(svg).toContain('>milliseconds</text>');
  });
});

describe('the report', () => {
  const results: BenchResults = {
    updated_at: '2026-11-22T00:00:00.000Z',
    machine,
    scenarios: {
      protocol: { started_at: 's1', duration_s: 30, exit_code: 0, machine, result: protocol },
      exchange: { started_at: 's2', duration_s: 95.5, exit_code: 1, machine, result: exchange },
    },
  };

  it('has a section per scenario with its tables, and charts only where there is a sweep', () => {
    const { markdown, charts } = renderReport(results);
    expect(markdown).toContain('2 × Test CPU, 24 GB, Node v20.20.2 on linux/x64');
    expect(markdown).toContain('## protocol\n\nRun s1 (30 s): passed its checks.');
    expect(markdown).toContain('## exchange\n\nRun s2 (95.5 s): FAILED (exit code 1).');
    expect(markdown).toContain('| transfers_per_s | 3,348 | 843 |');
    expect(charts.map((chart) => chart.file)).toEqual([
      'exchange-throughput.svg',
      'exchange-latency.svg',
    ]);
    expect(markdown).toContain(
      '![exchange: throughput against concurrency](charts/exchange-throughput.svg)',
    );
  });

  it('writes results.json, report.md and the charts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-report-'));
    try {
      const written = writeReport(dir, results);
      expect(JSON.parse(readFileSync(written.resultsPath, 'utf8'))).toEqual(results);
      expect(readFileSync(written.reportPath, 'utf8')).toContain('## exchange');
      expect(readdirSync(join(dir, 'charts')).sort()).toEqual([
        'exchange-latency.svg',
        'exchange-throughput.svg',
      ]);
      expect(
        pointsOf(readFileSync(join(dir, 'charts', 'exchange-latency.svg'), 'utf8')),
      ).toHaveLength(12);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
