/**
 * `npm run bench` runs every scenario; `npm run bench -- <scenario>` runs one. Each scenario is
 * its own process, so one's heap and JIT state cannot colour another's figures, and each prints
 * its result as one JSON line, last. Its output is shown as it comes; the last JSON line is kept
 * and merged into bench/results.json (a scenario run alone replaces only its own entry), and
 * bench/report.md with its charts (bench/charts/*.svg) is written again from the whole file.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  type BenchResults,
  lastJsonLine,
  machineInfo,
  mergeResults,
  readResults,
  type ScenarioRun,
  writeReport,
} from './report.ts';

const scenarios: Record<string, string> = {
  protocol: 'protocol.ts',
  exchange: 'exchange.ts',
  onsale: 'onsale.ts',
  gate: 'gate.ts',
  crash: 'crash.ts',
  mobile: 'mobile.ts',
  'gate-ui': 'gate-ui.ts',
  console: 'console.ts',
};

const benchDir = fileURLToPath(new URL('.', import.meta.url));

const requested = process.argv.slice(2);
const unknown = requested.filter((name) => !(name in scenarios));
if (unknown.length > 0) {
  console.error(
    `unknown scenario(s): ${unknown.join(', ')}; known: ${Object.keys(scenarios).join(', ')}`,
  );
  process.exit(2);
}

/** Runs one scenario with its output passed through, and keeps the last JSON line it printed. */
function runScenario(name: string): Promise<ScenarioRun> {
  const script = fileURLToPath(new URL(scenarios[name] as string, import.meta.url));
  const started = new Date();
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    stdio: ['inherit', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    process.stdout.write(chunk);
    // Only the tail matters: the result is the last line, and a scenario may print a lot.
    output = (output + chunk.toString()).slice(-1_000_000);
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      resolve({
        scenario: name,
        started_at: started.toISOString(),
        duration_s: Math.round((Date.now() - started.getTime()) / 100) / 10,
        exit_code: code ?? (signal ? `signal ${signal}` : 'unknown'),
        result: lastJsonLine(output),
      });
    });
  });
}

const runs: ScenarioRun[] = [];
for (const name of requested.length > 0 ? requested : Object.keys(scenarios)) {
  const run = await runScenario(name);
  runs.push(run);
  if (run.exit_code !== 0) console.error(`scenario ${name} failed with exit code ${run.exit_code}`);
  if (!run.result) console.error(`scenario ${name} printed no JSON result line`);
}

const machine = machineInfo();
let results: BenchResults;
try {
  results = mergeResults(readResults(benchDir), runs, machine, new Date(), Object.keys(scenarios));
} catch (error) {
  console.error(`bench/results.json cannot be read, so it is not overwritten: ${String(error)}`);
  process.exit(1);
}
const written = writeReport(benchDir, results);
console.error(
  `results: ${written.resultsPath}\nreport: ${written.reportPath} (${written.charts.length} charts)`,
);
process.exit(runs.every((run) => run.exit_code === 0 && run.result) ? 0 : 1);
