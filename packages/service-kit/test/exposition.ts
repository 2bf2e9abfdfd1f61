/**
 * For the metrics tests of the kit and of both servers: a strict reader of the Prometheus text
 * exposition format (0.0.4). It refuses what Prometheus would refuse (a sample outside a declared
 * family, a malformed label set, a value that is not a number, a series written twice), so a test
 * that reads a scrape also proves the scrape parses.
 *
 * Written here, not taken from npm: the parser there (`parse-prometheus-text-format` 1.1.1) drops
 * the labels, sum and count of a labelled histogram and accepts malformed lines.
 */

export interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: string;
  /** Sample keys (see `sampleKey`) to values. */
  readonly samples: Map<string, number>;
  /** The label names of each sample, `le` of a histogram's buckets left out. */
  readonly labelNames: Set<string>[];
}

const namePattern = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const labelPattern = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,?)/;
const suffixes: Record<string, readonly string[]> = {
  counter: [''],
  gauge: [''],
  untyped: [''],
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
};

function unescapeLabel(value: string) {
  return value.replace(/\\([\\"n])/g, (_all, char: string) => (char === 'n' ? '\n' : char));
}

function escapeLabel(value: string) {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** `name{a="1",b="2"}` with the labels sorted by name, escaped as in the format; `name` if none. */
export function sampleKey(name: string, labels: Readonly<Record<string, string>> = {}) {
  const pairs = Object.keys(labels)
    .sort()
    .map((label) => `${label}="${escapeLabel(labels[label] as string)}"`);
  return pairs.length === 0 ? name : `${name}{${pairs.join(',')}}`;
}

function parseValue(text: string, line: string) {
  const lower = text.toLowerCase();
  if (lower === 'nan') return Number.NaN;
  if (lower === '+inf' || lower === 'inf') return Number.POSITIVE_INFINITY;
  if (lower === '-inf') return Number.NEGATIVE_INFINITY;
  const value = Number(text);
  if (text === '' || Number.isNaN(value)) throw new Error(`not a number in: ${line}`);
  return value;
}

function parseSample(line: string) {
  const name = namePattern.exec(line)?.[0];
  if (!name) throw new Error(`no metric name in: ${line}`);
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith('{')) {
    rest = rest.slice(1);
    while (!rest.startsWith('}')) {
      const match = labelPattern.exec(rest);
      if (!match) throw new Error(`malformed labels in: ${line}`);
      const [all, label, value, comma] = match as unknown as [string, string, string, string];
      if (label in labels) throw new Error(`label ${label} twice in: ${line}`);
      labels[label] = unescapeLabel(value);
      rest = rest.slice(all.length);
      if (!comma && !rest.startsWith('}')) throw new Error(`malformed labels in: ${line}`);
    }
    rest = rest.slice(1);
  }
  const fields = rest.trim().split(/ +/);
  if (!rest.startsWith(' ') || fields.length < 1 || fields.length > 2)
    throw new Error(`malformed sample: ${line}`);
  return { name, labels, value: parseValue(fields[0] as string, line) };
}

/** The families of an exposition text by name, each with its samples. */
export function families(text: string) {
  const found = new Map<string, Family>();
  const helps = new Map<string, string>();
  const seen = new Set<string>();
  let current: Family | undefined;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) ?(.*)$/.exec(line);
    if (meta) {
      const [, kind, name, rest] = meta as unknown as [string, string, string, string];
      if (kind === 'HELP')
        helps.set(
          name,
          rest.replace(/\\([\\n])/g, (_all, c: string) => (c === 'n' ? '\n' : c)),
        );
      else {
        if (found.has(name)) throw new Error(`family ${name} declared twice`);
        if (!(rest in suffixes)) throw new Error(`unknown type ${rest} of ${name}`);
        current = {
          name,
          help: helps.get(name) ?? '',
          type: rest,
          samples: new Map(),
          labelNames: [],
        };
        found.set(name, current);
      }
      continue;
    }
    if (line.startsWith('#')) continue;
    const sample = parseSample(line);
    // A family's samples follow its TYPE line, together.
    const family = current;
    const suffix = family && sample.name.slice(family.name.length);
    if (
      !family ||
      !sample.name.startsWith(family.name) ||
      !suffixes[family.type]?.includes(suffix ?? '')
    )
      throw new Error(`sample outside its declared family: ${line}`);
    const key = sampleKey(sample.name, sample.labels);
    if (seen.has(key)) throw new Error(`series written twice: ${key}`);
    seen.add(key);
    family.samples.set(key, sample.value);
    family.labelNames.push(new Set(Object.keys(sample.labels).filter((label) => label !== 'le')));
  }
  return found;
}

/** Every sample of an exposition text by `sampleKey` (labels sorted by name). */
export function samples(text: string) {
  const found = new Map<string, number>();
  for (const family of families(text).values())
    for (const [key, value] of family.samples) found.set(key, value);
  return found;
}

export interface DocumentedMetric {
  readonly name: string;
  readonly type: string;
  readonly labels: readonly string[];
}

/**
 * The metrics a table of docs/operations.md lists: the table after the line `intro` (for example
 * `Both servers:`), with the columns metric, type, and labels when there is such a column.
 */
export function documentedMetrics(markdown: string, intro: string): DocumentedMetric[] {
  const lines = markdown.split('\n');
  const start = lines.indexOf(intro);
  if (start < 0) throw new Error(`no line "${intro}"`);
  const cells = (line: string) =>
    line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim());
  const rows: string[][] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === '' && rows.length === 0) continue;
    if (!line.startsWith('|')) break;
    rows.push(cells(line));
  }
  const [header, , ...body] = rows;
  const labelsAt = header?.indexOf('labels') ?? -1;
  return body.map((row) => ({
    name: (row[0] ?? '').replace(/`/g, ''),
    type: row[1] ?? '',
    labels:
      labelsAt < 0
        ? []
        : [...(row[labelsAt] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1] as string),
  }));
}

/**
 * What a scrape and the documented tables disagree on: a documented metric missing or of another
 * type or labels, or a service metric (`tessera_*`, `http_*`) the tables do not list.
 */
export function undocumented(text: string, documented: readonly DocumentedMetric[]) {
  const found = families(text);
  const problems: string[] = [];
  for (const metric of documented) {
    const family = found.get(metric.name);
    if (!family) {
      problems.push(`${metric.name}: documented, not served`);
      continue;
    }
    if (family.type !== metric.type)
      problems.push(`${metric.name}: served as ${family.type}, documented as ${metric.type}`);
    const expected = [...metric.labels].sort().join(',');
    for (const labels of family.labelNames) {
      const served = [...labels].sort().join(',');
      if (served !== expected)
        problems.push(`${metric.name}: served with labels (${served}), documented (${expected})`);
    }
  }
  const names = new Set(documented.map((metric) => metric.name));
  for (const name of found.keys())
    if (/^(tessera|http)_/.test(name) && !names.has(name))
      problems.push(`${name}: served, not documented`);
  return [...new Set(problems)];
}
