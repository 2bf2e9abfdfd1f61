/**
 * The gate: verified admissions per second through the ticketing server's online API (claim 12),
 * on SQLite and on PostgreSQL, from many terminals at once. The load itself, and how it is set up
 * and checked, is bench/gate-load.ts; this prints its figures.
 */

import { gateLoadFromEnv, runGateLoad } from './gate-load.ts';
import { noopBaseline } from './lib.ts';
import { buildServers } from './onsale-setup.ts';

const log = (message: string) => console.error(`[gate bench] ${message}`);
const load = gateLoadFromEnv();

async function main() {
  await buildServers();
  const noop = await noopBaseline();
  log(`baseline: empty Fastify route ${noop} requests/s (in this process)`);
  const only = process.env.BENCH_BACKENDS?.split(',');
  const results = [];
  for (const backend of (['sqlite', 'postgres'] as const).filter(
    (b) => !only || only.includes(b),
  )) {
    results.push(await runGateLoad(backend, load));
  }
  const failed = results.some(
    (r) =>
      r.duplicates_admitted > 0 ||
      r.tickets_admitted !== r.tickets_minted ||
      r.repeat_scans_refused !== r.repeat_scans ||
      Object.keys(r.failures).length > 0,
  );
  console.log(
    JSON.stringify({
      scenario: 'gate',
      results: results.map((r) => ({
        backend: r.backend,
        admissions_per_s: r.admissions_per_s,
        p99_ms: r.p99_ms,
        duplicates_admitted: r.duplicates_admitted,
        p50_ms: r.p50_ms,
        admissions: r.admissions,
        repeat_scans: r.repeat_scans,
        repeat_scans_refused: r.repeat_scans_refused,
        terminals: r.terminals,
        cpu_ms_per_admission: r.cpu_ms_per_admission,
        rss_mb: r.rss_mb,
        ratio_to_noop: Number((r.admissions_per_s / noop).toFixed(4)),
      })),
      sweep: results.flatMap((r) => r.sweep),
      sweep_tickets: load.sweepTickets,
      baseline_noop_rps: noop,
      tickets: load.tickets,
    }),
  );
  if (failed) process.exit(1);
}

await main();
