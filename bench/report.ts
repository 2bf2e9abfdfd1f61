/**
 * The benchmark report: bench/results.json (every scenario's last result line, when and where it
 * ran) and bench/report.md, a table per scenario and, for a scenario whose result has a `sweep`
 * array (`[{backend, concurrency, throughput_per_s, p50_ms, p99_ms}]`), two SVG charts in
 * bench/charts/: throughput and latency against concurrency, one line per backend. The SVG is
 * written here by hand (a few lines of markup), so the report needs no plotting dependency.
 *
 * Everything but `readResults`, `writeReport` and `machineInfo` is pure, for the tests.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

export type ScenarioResult = Record<string, unknown> & { scenario: string };

export interface SweepPoint {
  readonly backend: string;
  readonly concurrency: number;
  readonly throughput_per_s: number;
  readonly p50_ms: number;
  readonly p99_ms: number;
}

export interface MachineInfo {
  readonly cpus: number;
  readonly cpu_model: string;
  readonly memory_gb: number;
  readonly node: string;
  readonly platform: string;
  readonly arch: string;
}

/** One scenario's process as bench/run.ts saw it. */
export interface ScenarioRun {
  readonly scenario: string;
  readonly started_at: string;
  readonly duration_s: number;
  /** The process's exit code, or how it ended when a signal killed it. */
  readonly exit_code: number | string;
  /** Its last JSON line; undefined when it printed none. */
  readonly result: ScenarioResult | undefined;
}

export interface ScenarioEntry {
  readonly started_at: string;
  readonly duration_s: number;
  readonly exit_code: number | string;
  readonly machine: MachineInfo;
  readonly result: ScenarioResult;
  /** A later run that printed no result: the result above is the previous one. */
  readonly last_failure?: { readonly started_at: string; readonly exit_code: number | string };
}

export interface BenchResults {
  readonly updated_at: string;
  /** The machine of the latest run; each scenario also keeps the machine it ran on. */
  readonly machine: MachineInfo;
  readonly scenarios: Readonly<Record<string, ScenarioEntry>>;
}

export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cpus: list.length,
    cpu_model: list[0]?.model.trim() ?? 'unknown',
    memory_gb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: process.platform,
    arch: process.arch,
  };
}

/** The last line of a scenario's output that is a JSON object naming its scenario. */
export function lastJsonLine(output: string): ScenarioResult | undefined {
  const lines = output.split('\n');
  for (let index = lines.length - 1; index >= 0; index -= 1) {
    const line = (lines[index] as string).trim();
    if (!line.startsWith('{')) continue;
    try {
      const parsed: unknown = JSON.parse(line);
      if (
        parsed &&
        typeof parsed === 'object' &&
        !Array.isArray(parsed) &&
        typeof (parsed as { scenario?: unknown }).scenario === 'string'
      )
        return parsed as ScenarioResult;
    } catch {
      // A log line that happens to start with a brace: keep looking upwards.
    }
  }
  return undefined;
}

/**
 * The results file after these runs: each run with a result replaces its scenario's entry; a run
 * without one keeps the previous result and notes the failure; other scenarios are kept. Entries
 * follow `order` (the scenarios table), then any others in the order they came.
 */
export function mergeResults(
  previous: BenchResults | undefined,
  runs: readonly ScenarioRun[],
  machine: MachineInfo,
  now = new Date(),
  order: readonly string[] = [],
): BenchResults {
  const scenarios: Record<string, ScenarioEntry> = { ...previous?.scenarios };
  for (const run of runs) {
    const before = scenarios[run.scenario];
    if (run.result) {
      scenarios[run.scenario] = {
        started_at: run.started_at,
        duration_s: run.duration_s,
        exit_code: run.exit_code,
        machine,
        result: run.result,
      };
    } else if (before) {
      scenarios[run.scenario] = {
        ...before,
        last_failure: { started_at: run.started_at, exit_code: run.exit_code },
      };
    }
  }
  const rank = (name: string) => {
    const index = order.indexOf(name);
    return index < 0 ? order.length : index;
  };
  const ordered = Object.fromEntries(
    Object.entries(scenarios).sort(([a], [b]) => rank(a) - rank(b)),
  );
  return { updated_at: now.toISOString(), machine, scenarios: ordered };
}

export function readResults(dir: string): BenchResults | undefined {
  const path = join(dir, 'results.json');
  if (!existsSync(path)) return undefined;
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as BenchResults;
  if (!parsed || typeof parsed.scenarios !== 'object')
    throw new Error(`${path} has no "scenarios" object`);
  return parsed;
}

/** Writes results.json, report.md and the charts under `dir`. */
export function writeReport(dir: string, results: BenchResults) {
  const resultsPath = join(dir, 'results.json');
  const reportPath = join(dir, 'report.md');
  const report = renderReport(results);
  writeFileSync(resultsPath, `${JSON.stringify(results, null, 2)}\n`);
  mkdirSync(join(dir, 'charts'), { recursive: true });
  for (const chart of report.charts) writeFileSync(join(dir, 'charts', chart.file), chart.svg);
  writeFileSync(reportPath, report.markdown);
  return { resultsPath, reportPath, charts: report.charts.map((chart) => chart.file) };
}

// --- tables ---

/** A figure as a reader wants it: grouped thousands, yes/no, nested objects inline. */
export function formatCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number')
    return Number.isInteger(value)
      ? value.toLocaleString('en-US')
      : value.toLocaleString('en-US', { maximumFractionDigits: 3 });
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (Array.isArray(value)) return value.map(formatCell).join(', ');
  if (typeof value === 'object')
    return Object.entries(value as Record<string, unknown>)
      .map(([key, inner]) => `${key} ${formatCell(inner)}`)
      .join(', ');
  return String(value);
}

function escapeCell(text: string) {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function markdownTable(headers: readonly string[], rows: readonly (readonly string[])[]) {
  const line = (cells: readonly string[]) => `| ${cells.map(escapeCell).join(' | ')} |`;
  const align = headers.map((_, index) => (index === 0 ? '---' : '---:'));
  return [line(headers), line(align), ...rows.map(line)].join('\n');
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The tables of one result: per-backend figures (`results`, one column per backend, one row per
 * figure, in the order the scenario printed them), the run's other settings and figures, and
 * the sweep's points.
 */
export function scenarioTables(result: ScenarioResult): string[] {
  const tables: string[] = [];
  const perBackend = Array.isArray(result.results) ? result.results.filter(isRecord) : [];
  if (perBackend.length > 0) {
    const columns = perBackend.map((row, index) => formatCell(row.backend ?? `run ${index + 1}`));
    const figures: string[] = [];
    for (const row of perBackend)
      for (const key of Object.keys(row))
        if (key !== 'backend' && !figures.includes(key)) figures.push(key);
    tables.push(
      markdownTable(
        ['figure', ...columns],
        figures.map((figure) => [figure, ...perBackend.map((row) => formatCell(row[figure]))]),
      ),
    );
  }
  const settings = Object.entries(result).filter(
    ([key]) => key !== 'scenario' && key !== 'results' && key !== 'sweep',
  );
  if (settings.length > 0)
    tables.push(
      markdownTable(
        ['figure', 'value'],
        settings.map(([key, value]) => [key, formatCell(value)]),
      ),
    );
  const sweep = sweepOf(result);
  if (sweep.length > 0)
    tables.push(
      markdownTable(
        ['backend', 'concurrency', 'throughput /s', 'p50 ms', 'p99 ms'],
        sweep.map((point) => [
          point.backend,
          formatCell(point.concurrency),
          formatCell(point.throughput_per_s),
          formatCell(point.p50_ms),
          formatCell(point.p99_ms),
        ]),
      ),
    );
  return tables;
}

/** The result's well-formed sweep points (a malformed one is left out, not charted as zero). */
export function sweepOf(result: ScenarioResult): SweepPoint[] {
  if (!Array.isArray(result.sweep)) return [];
  return result.sweep.filter(
    (point): point is SweepPoint =>
      isRecord(point) &&
      typeof point.backend === 'string' &&
      ['concurrency', 'throughput_per_s', 'p50_ms', 'p99_ms'].every(
        (key) => typeof point[key] === 'number' && Number.isFinite(point[key]),
      ) &&
      (point.concurrency as number) > 0,
  );
}

// --- charts ---

export const chartWidth = 640;
export const chartHeight = 360;
const margin = { left: 72, right: 150, top: 44, bottom: 56 };
const plotWidth = chartWidth - margin.left - margin.right;
const plotHeight = chartHeight - margin.top - margin.bottom;
const backendColours: Record<string, string> = { sqlite: '#1f77b4', postgres: '#d62728' };
const otherColours = ['#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

function escapeXml(text: string) {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** Round tick values from 0 to at least `max`: steps of 1, 2 or 5 times a power of ten. */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const rough = max / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 5, 10].find((factor) => factor * power >= rough) ?? 10) * power;
  const ticks: number[] = [];
  for (let value = 0; value < max + step; value += step) {
    ticks.push(Number(value.toPrecision(12)));
    if (value >= max) break;
  }
  return ticks;
}

/**
 * The x axis: concurrency on a log scale when the levels span a factor of four or more (sweeps
 * usually multiply), else linear; the ticks are the levels measured.
 */
function xScale(levels: readonly number[]) {
  const min = Math.min(...levels);
  const max = Math.max(...levels);
  const log = min > 0 && max / min >= 4;
  // The first and last levels sit inside the plot, clear of the y axis and its labels.
  const inset = 28;
  const position = (value: number) => {
    if (max === min) return margin.left + plotWidth / 2;
    const share = log
      ? (Math.log(value) - Math.log(min)) / (Math.log(max) - Math.log(min))
      : (value - min) / (max - min);
    return margin.left + inset + share * (plotWidth - 2 * inset);
  };
  return { position, log };
}

interface Series {
  readonly label: string;
  readonly colour: string;
  readonly dashed: boolean;
  /** Print each point's value beside it (p50 lines do not, to keep the chart legible). */
  readonly labelled: boolean;
  readonly backend: string;
  readonly points: readonly { x: number; y: number }[];
}

const round1 = (value: number) => Math.round(value * 10) / 10;

/**
 * A line chart of `kind` against concurrency: `throughput` (one line per backend) or `latency`
 * (p99 solid and p50 dashed per backend). Every point carries its values as data attributes and
 * a tooltip; throughput and p99 values are also printed beside their points.
 */
export function sweepChart(
  points: readonly SweepPoint[],
  kind: 'throughput' | 'latency',
  title: string,
): string {
  const backends = [...new Set(points.map((point) => point.backend))];
  const colourOf = (backend: string, index: number) =>
    backendColours[backend] ?? otherColours[index % otherColours.length] ?? '#333';
  const series: Series[] = [];
  backends.forEach((backend, index) => {
    const mine = points
      .filter((point) => point.backend === backend)
      .sort((a, b) => a.concurrency - b.concurrency);
    const colour = colourOf(backend, index);
    if (kind === 'throughput') {
      series.push({
        label: backend,
        colour,
        dashed: false,
        labelled: true,
        backend,
        points: mine.map((point) => ({ x: point.concurrency, y: point.throughput_per_s })),
      });
    } else {
      series.push({
        label: `${backend} p99`,
        colour,
        dashed: false,
        labelled: true,
        backend,
        points: mine.map((point) => ({ x: point.concurrency, y: point.p99_ms })),
      });
      series.push({
        label: `${backend} p50`,
        colour,
        dashed: true,
        labelled: false,
        backend,
        points: mine.map((point) => ({ x: point.concurrency, y: point.p50_ms })),
      });
    }
  });
  const yLabel = kind === 'throughput' ? 'per second' : 'milliseconds';
  const levels = [...new Set(points.map((point) => point.concurrency))].sort((a, b) => a - b);
  const yMax = Math.max(0, ...series.flatMap((line) => line.points.map((point) => point.y)));
  const yTicks = niceTicks(yMax);
  const yTop = yTicks.at(-1) ?? 1;
  const x = xScale(levels.length > 0 ? levels : [1]);
  const y = (value: number) => margin.top + plotHeight - (value / yTop) * plotHeight;
  const bottom = margin.top + plotHeight;
  const right = margin.left + plotWidth;

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${chartWidth}" height="${chartHeight}" viewBox="0 0 ${chartWidth} ${chartHeight}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${chartWidth}" height="${chartHeight}" fill="#fff"/>`,
    `<text x="${chartWidth / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
  ];
  // Grid and y ticks.
  for (const tick of yTicks) {
    const at = round1(y(tick));
    out.push(
      `<line class="grid" x1="${margin.left}" y1="${at}" x2="${right}" y2="${at}" stroke="#e5e5e5"/>`,
      `<text class="y-tick" x="${margin.left - 8}" y="${at + 4}" text-anchor="end">${escapeXml(formatCell(tick))}</text>`,
    );
  }
  for (const level of levels) {
    const at = round1(x.position(level));
    out.push(
      `<line x1="${at}" y1="${bottom}" x2="${at}" y2="${bottom + 5}" stroke="#333"/>`,
      `<text class="x-tick" x="${at}" y="${bottom + 19}" text-anchor="middle">${escapeXml(formatCell(level))}</text>`,
    );
  }
  out.push(
    `<line class="axis x-axis" x1="${margin.left}" y1="${bottom}" x2="${right}" y2="${bottom}" stroke="#333"/>`,
    `<line class="axis y-axis" x1="${margin.left}" y1="${margin.top}" x2="${margin.left}" y2="${bottom}" stroke="#333"/>`,
    `<text class="x-label" x="${margin.left + plotWidth / 2}" y="${chartHeight - 12}" text-anchor="middle">concurrency (connections${x.log ? ', log scale' : ''})</text>`,
    `<text class="y-label" transform="translate(18 ${margin.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">${yLabel}</text>`,
  );
  // Lines, points and their values.
  for (const line of series) {
    const coords = line.points.map(
      (point) => `${round1(x.position(point.x))},${round1(y(point.y))}`,
    );
    if (coords.length > 1)
      out.push(
        `<polyline class="series" data-series="${escapeXml(line.label)}" points="${coords.join(' ')}" fill="none" stroke="${line.colour}" stroke-width="2"${line.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
      );
    for (const point of line.points) {
      const cx = round1(x.position(point.x));
      const cy = round1(y(point.y));
      const value = formatCell(point.y);
      out.push(
        `<circle class="point" data-series="${escapeXml(line.label)}" data-x="${point.x}" data-y="${point.y}" cx="${cx}" cy="${cy}" r="3.5" fill="${line.colour}"><title>${escapeXml(`${line.label} at ${point.x}: ${value} ${yLabel}`)}</title></circle>`,
      );
      if (line.labelled)
        out.push(
          `<text class="value" x="${cx}" y="${round1(cy - 8)}" text-anchor="middle" font-size="10" fill="${line.colour}" stroke="#fff" stroke-width="3" paint-order="stroke">${escapeXml(value)}</text>`,
        );
    }
  }
  // Legend.
  series.forEach((line, index) => {
    const top = margin.top + 8 + index * 20;
    const left = right + 16;
    out.push(
      `<line x1="${left}" y1="${top}" x2="${left + 24}" y2="${top}" stroke="${line.colour}" stroke-width="2"${line.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
      `<text class="legend" x="${left + 30}" y="${top + 4}">${escapeXml(line.label)}</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

// --- the report ---

export interface Chart {
  readonly file: string;
  readonly svg: string;
}

/** report.md and its charts, from the results file's content. */
export function renderReport(results: BenchResults): { markdown: string; charts: Chart[] } {
  const machine = results.machine;
  const lines = [
    '# Benchmark report',
    '',
    `Written by \`npm run bench\` (bench/run.ts) on ${results.updated_at}, from bench/results.json.`,
    `Machine of the latest run: ${machine.cpus} × ${machine.cpu_model}, ${machine.memory_gb} GB, Node ${machine.node} on ${machine.platform}/${machine.arch}.`,
    'docs/benchmarks.md says what each scenario measures and its targets.',
    '',
  ];
  const charts: Chart[] = [];
  for (const [name, entry] of Object.entries(results.scenarios)) {
    lines.push(`## ${name}`, '');
    const status =
      entry.exit_code === 0 ? 'passed its checks' : `FAILED (exit code ${entry.exit_code})`;
    const where =
      entry.machine.cpus === machine.cpus && entry.machine.node === machine.node
        ? ''
        : ` on ${entry.machine.cpus} CPUs, Node ${entry.machine.node}`;
    lines.push(`Run ${entry.started_at} (${formatCell(entry.duration_s)} s${where}): ${status}.`);
    if (entry.last_failure)
      lines.push(
        `A later run (${entry.last_failure.started_at}) printed no result (exit code ${entry.last_failure.exit_code}); these figures are the earlier run's.`,
      );
    lines.push('');
    for (const table of scenarioTables(entry.result)) lines.push(table, '');
    const sweep = sweepOf(entry.result);
    if (sweep.length > 0) {
      for (const kind of ['throughput', 'latency'] as const) {
        const file = `${name}-${kind}.svg`;
        const title =
          kind === 'throughput'
            ? `${name}: throughput against concurrency`
            : `${name}: latency (p50, p99) against concurrency`;
        charts.push({ file, svg: sweepChart(sweep, kind, title) });
        lines.push(`![${title}](charts/${file})`, '');
      }
    }
  }
  return { markdown: `${lines.join('\n').trimEnd()}\n`, charts };
}
