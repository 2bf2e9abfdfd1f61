/**
 * What the console's live check-in dashboards cost the server: the gate bench's load
 * (bench/gate-load.ts: 64 terminals scanning fresh holders as fast as the server answers) in
 * rounds that alternate between no dashboard open and `dashboards` open (bench/dashboard-worker.ts:
 * each reads the snapshot, holds the live feed and re-reads the snapshot as the console does).
 * Alternating rounds on one running server, rather than two separate runs, keeps the machine's
 * drift out of the ratio.
 *
 * - `admissions_per_s_without` / `_with`: admissions over the rounds of each kind, and their ratio;
 * - `server_cpu_ms_per_dashboard_s`: the ticketing server's extra CPU per admission with the
 *   dashboards open, times the admissions per second then, per dashboard: what one open dashboard
 *   costs the server each second of a busy gate. It is a difference of two noisy figures (also
 *   printed, per admission), so below their noise it can come out negative;
 * - `dashboard_update_ms_p99`: from the server recording an admission to a dashboard having it,
 *   over every admission at every dashboard.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type GateKit, runGateLoad } from './gate-load.ts';
import { percentile } from './lib.ts';
import { buildServers, Client, signInTicketing } from './onsale-setup.ts';

const dashboards = Number(process.env.BENCH_CONSOLE_DASHBOARDS ?? 20);
const roundTickets = Number(process.env.BENCH_CONSOLE_ROUND_TICKETS ?? 5_000);
/** Rounds of each kind (without, with, without, with, …). */
const pairs = Number(process.env.BENCH_CONSOLE_ROUND_PAIRS ?? 3);
/** How often a dashboard reads the snapshot again (apps/console/src/checkin: its refresh). */
const refreshMs = Number(process.env.BENCH_CONSOLE_REFRESH_MS ?? 20_000);

const log = (message: string) => console.error(`[console bench] ${message}`);

interface Closed {
  latencies: number[];
  events: number;
  failures: number;
}

function talk(worker: ChildProcess, message: object, answer: string): Promise<Closed> {
  return new Promise((resolve, reject) => {
    const gone = (code: number | null) => reject(new Error(`dashboards exited with ${code}`));
    const onMessage = (reply: { type: string } & Closed) => {
      if (reply.type !== answer) return;
      worker.off('message', onMessage);
      worker.off('exit', gone);
      resolve(reply);
    };
    worker.on('message', onMessage);
    worker.once('exit', gone);
    worker.send(message);
  });
}

/**
 * One staff member per dashboard, each signed in on their own (the server allows a few dashboard
 * feeds per person, as a person has a few tabs): managers of the bench's organizer.
 */
async function staffSessions(kit: GateKit) {
  const client = new Client(kit.ticketingPort, 4);
  try {
    const tokens: string[] = [];
    for (let index = 0; index < dashboards; index++) {
      const phone = `+8210930${String(index).padStart(5, '0')}`;
      const added = await client.request(
        'PUT',
        `/v1/organizers/${kit.organizerId}/staff/${encodeURIComponent(phone)}`,
        { token: kit.ownerToken, body: { role: 'manager' } },
      );
      if (added.status !== 200) throw new Error(`staff: ${added.status}`);
      tokens.push((await signInTicketing(client, phone)).token);
    }
    return tokens;
  } finally {
    client.close();
  }
}

async function alternate(kit: GateKit) {
  const setup = {
    port: kit.ticketingPort,
    tokens: await staffSessions(kit),
    performanceId: kit.performanceId,
    refreshMs,
  };
  const worker = fork(fileURLToPath(new URL('./dashboard-worker.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, BENCH_DASHBOARDS: JSON.stringify(setup) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const kinds = { without: { admitted: 0, s: 0, cpu: 0 }, with: { admitted: 0, s: 0, cpu: 0 } };
  const latencies: number[] = [];
  let events = 0;
  let failures = 0;
  try {
    for (let round = 0; round < pairs * 2; round++) {
      const kind = round % 2 === 0 ? 'without' : 'with';
      if (kind === 'with') await talk(worker, { type: 'open', count: dashboards }, 'opened');
      const cpuBefore = kit.ticketingCpuMs();
      const scanned = await kit.scanFresh(roundTickets);
      const cpu = kit.ticketingCpuMs() - cpuBefore;
      if (kind === 'with') {
        const closed = await talk(worker, { type: 'close', admitted: scanned.admitted }, 'closed');
        latencies.push(...closed.latencies);
        events += closed.events;
        failures += closed.failures;
      }
      kinds[kind].admitted += scanned.admitted;
      kinds[kind].s += scanned.elapsedS;
      kinds[kind].cpu += cpu;
      log(
        `round ${round + 1} ${kind} dashboards: ${Math.round(scanned.admitted / scanned.elapsedS)}/s, ticketing CPU ${(cpu / scanned.admitted).toFixed(3)} ms per admission`,
      );
    }
  } finally {
    worker.kill();
  }
  const rate = (kind: keyof typeof kinds) => kinds[kind].admitted / kinds[kind].s;
  const cpuPerAdmission = (kind: keyof typeof kinds) => kinds[kind].cpu / kinds[kind].admitted;
  return {
    without: rate('without'),
    with: rate('with'),
    cpuPerAdmissionWithout: cpuPerAdmission('without'),
    cpuPerAdmissionWith: cpuPerAdmission('with'),
    extraCpuPerDashboardS:
      ((cpuPerAdmission('with') - cpuPerAdmission('without')) * rate('with')) / dashboards,
    // Every admission of the "with" rounds, at every dashboard.
    expectedEvents: kinds.with.admitted * dashboards,
    events,
    failures,
    latencies,
  };
}

/** Runs the rounds on SQLite (BENCH_BACKENDS=postgres for PostgreSQL); the figures for the JSON line. */
export async function measureDashboards() {
  await buildServers();
  const backend = process.env.BENCH_BACKENDS === 'postgres' ? 'postgres' : 'sqlite';
  const load = await runGateLoad(backend, {
    tickets: 2_000,
    terminals: 64,
    sweepLevels: [],
    sweepTickets: 0,
    extraTickets: roundTickets * pairs * 2,
    extra: alternate,
  });
  const rounds = load.extra as Awaited<ReturnType<typeof alternate>>;
  if (load.duplicates_admitted > 0 || Object.keys(load.failures).length > 0) {
    throw new Error(`the gate load failed: ${JSON.stringify(load.failures)}`);
  }
  if (rounds.events < rounds.expectedEvents) {
    throw new Error(
      `dashboards missed admissions: ${rounds.events} of ${rounds.expectedEvents} events`,
    );
  }
  const round1 = (value: number) => Math.round(value * 10) / 10;
  return {
    backend,
    dashboards,
    admissions_per_s_without: Math.round(rounds.without),
    admissions_per_s_with: Math.round(rounds.with),
    admissions_ratio_with_dashboards: Number((rounds.with / rounds.without).toFixed(3)),
    server_cpu_ms_per_dashboard_s: round1(rounds.extraCpuPerDashboardS),
    ticketing_cpu_ms_per_admission_without: Number(rounds.cpuPerAdmissionWithout.toFixed(3)),
    ticketing_cpu_ms_per_admission_with: Number(rounds.cpuPerAdmissionWith.toFixed(3)),
    dashboard_update_ms_p99: Math.round(percentile(rounds.latencies, 0.99)),
    dashboard_update_ms_p50: Math.round(percentile(rounds.latencies, 0.5)),
    dashboard_events: rounds.events,
    snapshot_refresh_failures: rounds.failures,
  };
}
