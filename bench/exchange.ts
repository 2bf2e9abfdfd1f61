/**
 * Transfers per second through the exchange's real HTTP API, on SQLite and on PostgreSQL, against
 * an empty Fastify route measured in the same run (`baseline_noop_rps`).
 *
 * The server under test is the real exchange (`services/exchange/src/server.ts`, bundled as it
 * runs in production) in its own process, over a fresh database. The bench signs up persons through the real sign-up flow, funds
 * their wallets with a real deposit entry, then drives `POST /v1/transfers` from many connections
 * with random senders, random recipients and fresh idempotency keys; about one request in twenty
 * re-sends an earlier answered (sender, key, body) and must be replayed, not applied again.
 * After the load it stops the server and checks the books: the audit, one transfer entry per
 * applied transfer, and every funded unit still in some wallet.
 *
 * The concurrency sweep: after the measured run, the same load for `BENCH_SWEEP_DURATION_S` at
 * each of `BENCH_CONCURRENCY_LEVELS` connections (default 16,64,256; empty to skip), reported as
 * `sweep` for the charts of bench/report.ts. Its transfers are checked with the rest.
 *
 * `node --import tsx bench/exchange.ts noop-server` is the baseline server (used internally).
 * BENCH_PROFILE_DIR=<dir> runs the exchange under `--cpu-prof` and leaves its profiles there.
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Database, migrateToLatest, openDatabase, writeTransaction } from '@tessera/db';
import { exchangeMigrations } from '../services/exchange/src/db/migrations/index.ts';
import type { ExchangeDB } from '../services/exchange/src/db/schema.ts';
import { auditLedger } from '../services/exchange/src/ledger/audit.ts';
import { houseAccounts } from '../services/exchange/src/ledger/house-accounts.ts';
import { postEntry } from '../services/exchange/src/ledger/service.ts';
import {
  call,
  concurrencyLevels,
  cpuMs,
  createPostgresDatabase,
  freePort,
  host,
  hostCpu,
  postgresBackendCpu,
  productionNodeFlags,
  readStatusMb,
  sampleMemory,
  stop,
  waitForServer,
  writeRatesFile,
} from './lib.ts';
import type { SweepPoint } from './report.ts';

const persons = 200;
const connections = 64;
const durationS = 10;
const warmupS = 2;
const replayShare = 0.05;
/** Connections of each sweep step; parsed at start, so a bad value fails before any work. */
const sweepLevels = concurrencyLevels('16,64,256', 'connection');
const sweepDurationS = Number(process.env.BENCH_SWEEP_DURATION_S ?? 5);
if (!Number.isInteger(sweepDurationS) || sweepDurationS < 1)
  throw new Error(
    `BENCH_SWEEP_DURATION_S must be a whole number of seconds, not ${sweepDurationS}`,
  );
/** USDT has 6 decimals: every wallet starts with 1,000 USDT and each transfer moves 0.01. */
const fundUnits = 1_000_000_000n;
const transferAmount = '0.01';
const profileDir = process.env.BENCH_PROFILE_DIR;
// The server runs as it does in production: the bundle `npm run build -w @tessera/exchange` makes,
// with plain node (the bench builds it first).
const serverScript = fileURLToPath(
  new URL('../services/exchange/dist/server.mjs', import.meta.url),
);
// The node flags of the production start; BENCH_NODE_FLAGS replaces them, to compare.
const serverNodeFlags = process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? [
  ...productionNodeFlags.exchange,
];
const buildScript = fileURLToPath(new URL('../services/exchange/build.mjs', import.meta.url));

// autocannon ships no types; this is the part of its programmatic API the bench uses.
interface CannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (request: CannonRequest, context: CannonContext) => CannonRequest;
  onResponse?: (
    status: number,
    body: string,
    context: CannonContext,
    headers: Record<string, string | string[]>,
  ) => void;
}
interface CannonContext {
  sent?: Sent;
}
interface CannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  latency: { p50: number; p99: number; average: number; max: number };
  requests: { average: number; total: number };
  statusCodeStats: Record<string, { count: number }>;
}
type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  requests: CannonRequest[];
}) => PromiseLike<CannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

let keyCounter = 0;
const runTag = randomBytes(4).toString('hex');

/** The baseline: Fastify 5, no plugins, one empty route: what the framework and the socket cost. */
async function serveNoop() {
  const { default: Fastify } = await import('fastify');
  const app = Fastify({ logger: false });
  app.post('/noop', async () => ({}));
  await app.listen({ host, port: Number(process.env.BENCH_NOOP_PORT) });
  process.once('SIGTERM', () => {
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

interface Person {
  readonly id: string;
  readonly token: string;
  readonly accountId: string;
}

/** One request as a client would remember it, to replay it or to retry it after a lost answer. */
interface Sent {
  readonly sender: number;
  readonly key: string;
  readonly body: string;
  readonly replay: boolean;
  /** The first answer's body, once a fresh transfer got its 201. */
  response?: string;
}

interface PhaseStats {
  /** 201 without `idempotent-replayed`: a transfer applied by this request. */
  fresh: number;
  /** Re-sent requests answered 201 with `idempotent-replayed: true` and the first body. */
  replays: number;
  /** Re-sent requests answered anything else: a broken idempotency guarantee. */
  badReplays: number;
  /** Fresh requests answered as replays: a key collision, which must not happen. */
  unexpectedReplays: number;
  statuses: Map<number, number>;
  samples: string[];
}

const newStats = (): PhaseStats => ({
  fresh: 0,
  replays: 0,
  badReplays: 0,
  unexpectedReplays: 0,
  statuses: new Map(),
  samples: [],
});

const log = (message: string) => console.error(`[exchange bench] ${message}`);

/** `16,64,256` into connection counts; at most 1,024 each (one client process drives them). */
async function main() {
  await import(buildScript);
  const started = performance.now();
  const baseline = await runBaseline();
  log(
    `baseline: empty Fastify route ${Math.round(baseline.rps)} requests/s, ` +
      `server CPU ${Math.round(baseline.cpuUsPerRequest)} us a request`,
  );
  const results = [];
  const sweep: SweepPoint[] = [];
  let failed = false;
  const only = process.env.BENCH_BACKENDS?.split(',');
  for (const backend of (['sqlite', 'postgres'] as const).filter(
    (b) => !only || only.includes(b),
  )) {
    const { sweep: points, ...result } = await runBackend(backend);
    results.push({
      ...result,
      ratio_to_noop: Number((result.transfers_per_s / baseline.rps).toFixed(3)),
    });
    sweep.push(...points);
    if (!result.checks_passed) failed = true;
  }
  log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  console.log(
    JSON.stringify({
      scenario: 'exchange',
      results,
      baseline_noop_rps: Math.round(baseline.rps),
      baseline_noop_cpu_us_per_request: Math.round(baseline.cpuUsPerRequest),
      connections,
      duration_s: durationS,
      persons,
      sweep,
      sweep_duration_s: sweepDurationS,
    }),
  );
  // The figures are printed either way; a broken ledger or a failed request fails the scenario.
  if (failed) process.exit(1);
}

async function runBaseline() {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), 'noop-server'],
    { env: { ...process.env, BENCH_NOOP_PORT: String(port) }, stdio: ['ignore', 2, 2] },
  );
  try {
    await waitForServer(child, port, '/noop', 'POST');
    const request = (sent: Sent): CannonRequest => ({
      method: 'POST',
      path: '/noop',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${'x'.repeat(48)}`,
        'idempotency-key': sent.key,
      },
      body: sent.body,
    });
    // The same request shape and client work as the transfers, so the client's share is alike.
    const setupRequest = () => request(freshRequest(['sub_baseline1', 'sub_baseline2']));
    await autocannon({
      url: `http://${host}:${port}`,
      connections,
      duration: warmupS,
      requests: [{ setupRequest }],
    });
    const cpuBefore = cpuMs(child);
    const result = await autocannon({
      url: `http://${host}:${port}`,
      connections,
      duration: durationS,
      requests: [{ setupRequest }],
    });
    const cpu = cpuMs(child) - cpuBefore;
    if (result.non2xx > 0 || result.errors > 0)
      throw new Error(`baseline: ${result.non2xx} non-2xx, ${result.errors} errors`);
    return {
      rps: result.requests.total / result.duration,
      cpuUsPerRequest: (cpu * 1000) / result.requests.total,
    };
  } finally {
    await stop(child);
  }
}

/** A new transfer from a random sender to a random other person, under a fresh key. */
function freshRequest(ids: readonly string[]): Sent {
  const sender = randomInt(ids.length);
  let recipient = randomInt(ids.length - 1);
  if (recipient >= sender) recipient += 1;
  keyCounter += 1;
  return {
    sender,
    key: `bench-${runTag}-${keyCounter}`,
    body: JSON.stringify({
      to: { subscriberId: ids[recipient] },
      asset: 'USDT',
      amount: transferAmount,
      memo: 'bench',
    }),
    replay: false,
  };
}

async function runBackend(backend: 'sqlite' | 'postgres') {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-exchange-'));
  const sqlitePath = join(dir, 'exchange.db');
  let databaseUrl: string | undefined;
  let dropDatabase = async () => {};
  if (backend === 'postgres') {
    const created = await createPostgresDatabase();
    databaseUrl = created.url;
    dropDatabase = created.drop;
  }
  try {
    const ratesPath = join(dir, 'rates.json');
    writeRatesFile(ratesPath);
    // Migrate before the server starts so the schema is there for the bench's own connection.
    const database = openDatabase<ExchangeDB>({ databaseUrl, sqlitePath, poolSize: 2 });
    try {
      await migrateToLatest(database, exchangeMigrations);
      const port = await freePort();
      const server = spawn(
        process.execPath,
        [
          ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
          ...serverNodeFlags,
          serverScript,
        ],
        {
          env: {
            ...process.env,
            NODE_ENV: 'development',
            LOG_LEVEL: 'warn',
            EXCHANGE_HOST: host,
            EXCHANGE_PORT: String(port),
            EXCHANGE_SQLITE_PATH: sqlitePath,
            EXCHANGE_RATES_FILE: ratesPath,
            // The persons' numbers share a prefix; the per-address limits stay on.
            EXCHANGE_CODES_PER_PREFIX_HOUR: '1000000',
            ...(databaseUrl ? { DATABASE_URL: databaseUrl } : { DATABASE_URL: '' }),
          },
          stdio: ['ignore', 2, 2],
        },
      );
      const memory = sampleMemory(server);
      let phases: Awaited<ReturnType<typeof load>>[];
      let idleMb: number;
      let hwmMb: number;
      let cpuPerRequest: number;
      let hostBusy: number;
      let postgresCpuPerRequest: number | undefined;
      // The peak memory of the warm-up and measured run, as before the sweep existed.
      let peakMb: number;
      const sweep: SweepPoint[] = [];
      try {
        await waitForServer(server, port, '/dev/sms?phone=%2B8210000000', 'GET');
        idleMb = readStatusMb(server, 'VmRSS');
        log(
          `${backend}: server up (pid ${server.pid}, ${idleMb.toFixed(0)} MB); signing up ${persons} persons`,
        );
        const people = await seed(port, database);
        await writeTransaction(database, async (trx) => {
          for (const person of people) {
            await postEntry(trx, database.dialect, Date.now(), {
              kind: 'deposit',
              memo: 'bench funding',
              postings: [
                { account: houseAccounts.bank, asset: 'USDT', amount: -fundUnits },
                { account: person.accountId, asset: 'USDT', amount: fundUnits },
              ],
            });
          }
        });
        log(`${backend}: funded ${people.length} wallets; warming up for ${warmupS} s`);
        const answered: Sent[] = [];
        const warm = await load(port, people, warmupS, answered);
        log(`${backend}: measuring for ${durationS} s with ${connections} connections`);
        const cpuBefore = cpuMs(server);
        const hostBefore = hostCpu();
        const backendsBefore = await postgresBackendCpu(database);
        const measured = await load(port, people, durationS, answered);
        hostBusy = hostCpu().busyShareSince(hostBefore);
        const answeredCount = measured.stats.fresh + measured.stats.replays;
        cpuPerRequest = (cpuMs(server) - cpuBefore) / answeredCount;
        const backendsAfter = await postgresBackendCpu(database);
        if (backendsAfter.size > 0) {
          let spent = 0;
          for (const [pid, ms] of backendsAfter) spent += ms - (backendsBefore.get(pid) ?? 0);
          postgresCpuPerRequest = spent / answeredCount;
        }
        hwmMb = readStatusMb(server, 'VmHWM');
        peakMb = memory.maxMb();
        phases = [warm, measured];
        for (const level of sweepLevels) {
          const step = await load(port, people, sweepDurationS, answered, level);
          phases.push(step);
          const point: SweepPoint = {
            backend,
            concurrency: level,
            throughput_per_s: Math.round(step.stats.fresh / step.result.duration),
            p50_ms: step.result.latency.p50,
            p99_ms: step.result.latency.p99,
          };
          sweep.push(point);
          log(
            `${backend}: sweep ${level} connections: ${point.throughput_per_s} transfers/s, ` +
              `p50 ${point.p50_ms} ms, p99 ${point.p99_ms} ms`,
          );
        }
      } finally {
        memory.stop();
        await stop(server);
      }

      const measured = phases[1] as (typeof phases)[number];
      const { stats, result } = measured;
      // Every applied transfer: answered 201 fresh, or in flight at the end and 201 on retry.
      const effects = phases.reduce((sum, phase) => sum + phase.stats.fresh + phase.settled, 0);
      const audit = await auditLedger(database);
      const books = await checkBooks(database);
      const entriesMatch = books.transfers === effects && books.idempotencyKeys === effects;
      const moneyConserved = books.walletUsdt === fundUnits * BigInt(persons);
      const problems: string[] = [];
      for (const problem of audit.problems.slice(0, 20)) problems.push(`audit: ${problem}`);
      if (!entriesMatch)
        problems.push(
          `${books.transfers} transfer entries and ${books.idempotencyKeys} idempotency keys for ${effects} applied transfers`,
        );
      if (!moneyConserved)
        problems.push(
          `wallets hold ${books.walletUsdt} USDT units; ${fundUnits * BigInt(persons)} were funded`,
        );
      for (const [index, phase] of phases.entries()) {
        const name =
          index === 0
            ? 'warm-up'
            : index === 1
              ? 'measured run'
              : `sweep at ${sweepLevels[index - 2]} connections`;
        for (const [status, count] of phase.stats.statuses)
          if (status !== 201) problems.push(`${name}: ${count} answers with status ${status}`);
        if (phase.stats.badReplays > 0)
          problems.push(`${name}: ${phase.stats.badReplays} re-sent requests not replayed`);
        if (phase.stats.unexpectedReplays > 0)
          problems.push(
            `${name}: ${phase.stats.unexpectedReplays} fresh requests answered as replays`,
          );
        if (phase.result.errors > 0)
          problems.push(`${name}: ${phase.result.errors} connection errors or timeouts`);
        if (phase.settleFailures > 0)
          problems.push(`${name}: ${phase.settleFailures} unanswered requests failed on retry`);
        for (const sample of phase.stats.samples) problems.push(`${name}: sample ${sample}`);
      }
      const transfersPerS = stats.fresh / result.duration;
      log(
        `${backend}: ${Math.round(transfersPerS)} transfers/s, p99 ${result.latency.p99} ms, ` +
          `RSS ${idleMb.toFixed(0)} MB idle and ${peakMb.toFixed(0)} MB at most, ` +
          `server CPU ${Math.round(cpuPerRequest * 1000)} us a request, ` +
          (postgresCpuPerRequest === undefined
            ? ''
            : `PostgreSQL backends ${Math.round(postgresCpuPerRequest * 1000)} us, `) +
          `host CPU ${Math.round(hostBusy * 100)}% busy, ${stats.replays} replays, ` +
          `audit ${audit.ok ? 'ok' : 'FAILED'} (${audit.entries} entries, ${audit.postings} postings), ` +
          `${books.transfers} transfer entries for ${effects} applied transfers`,
      );
      if (problems.length > 0) {
        log(`${backend}: CHECKS FAILED`);
        for (const problem of problems) log(`  ${problem}`);
      }
      return {
        backend,
        transfers_per_s: Math.round(transfersPerS),
        p99_ms: result.latency.p99,
        rss_mb: Number(peakMb.toFixed(1)),
        ledger_balanced: audit.ok,
        p50_ms: result.latency.p50,
        rss_idle_mb: Number(idleMb.toFixed(1)),
        hwm_mb: Number(hwmMb.toFixed(1)),
        ...(sweep.length > 0 ? { rss_with_sweep_mb: Number(memory.maxMb().toFixed(1)) } : {}),
        server_cpu_us_per_transfer: Math.round(cpuPerRequest * 1000),
        ...(postgresCpuPerRequest === undefined
          ? {}
          : { postgres_cpu_us_per_transfer: Math.round(postgresCpuPerRequest * 1000) }),
        host_cpu_busy: Number(hostBusy.toFixed(2)),
        transfers: stats.fresh,
        replays: stats.replays,
        non_2xx: result.non2xx,
        errors: result.errors,
        money_conserved: moneyConserved,
        entries_match: entriesMatch,
        checks_passed: problems.length === 0,
        sweep,
      };
    } finally {
      await database.close();
    }
  } finally {
    await dropDatabase();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Signs persons up through the real API. The sign-up routes allow 10 requests a minute per client
 * address, so each batch of four persons (eight limited requests) comes from its own loopback
 * address, as if from its own phone; the limit itself stays on.
 */
async function seed(port: number, database: Database<ExchangeDB>): Promise<Person[]> {
  const perAddress = 4;
  const signUp = async (index: number) => {
    const localAddress = `127.0.0.${10 + Math.floor(index / perAddress)}`;
    const phone = `+82109${String(index).padStart(7, '0')}`;
    const sent = await call(port, 'POST', '/v1/auth/codes', { body: { phone }, localAddress });
    if (sent.status !== 202) throw new Error(`sending a code: ${sent.status} ${sent.text}`);
    const inbox = await call(port, 'GET', `/dev/sms?phone=${encodeURIComponent(phone)}`);
    const code = (JSON.parse(inbox.text) as { lastCode: string | null }).lastCode;
    if (!code) throw new Error(`no code in the development inbox for ${phone}`);
    const opened = await call(port, 'POST', '/v1/subscribers', {
      body: { phone, code, kind: 'person', displayName: `Bench person ${index + 1}` },
      localAddress,
    });
    if (opened.status !== 201) throw new Error(`signing up: ${opened.status} ${opened.text}`);
    const body = JSON.parse(opened.text) as { token: string; subscriber: { id: string } };
    return { id: body.subscriber.id, token: body.token };
  };
  const signedUp: { id: string; token: string }[] = [];
  for (let start = 0; start < persons; start += 20) {
    const batch = Array.from({ length: Math.min(20, persons - start) }, (_, i) => start + i);
    signedUp.push(...(await Promise.all(batch.map(signUp))));
  }
  const accounts = new Map(
    (
      await database.db
        .selectFrom('subscribers')
        .select(['id', 'account_id'])
        .where(
          'id',
          'in',
          signedUp.map((person) => person.id),
        )
        .execute()
    ).map((row) => [row.id, row.account_id]),
  );
  return signedUp.map((person) => {
    const accountId = accounts.get(person.id);
    if (!accountId) throw new Error(`subscriber ${person.id} has no account row`);
    return { ...person, accountId };
  });
}

/**
 * One autocannon run of transfers. Requests still in flight when it stops have no answer, as for
 * a client whose connection dropped; they are retried with the same key afterwards, which is the
 * idempotency contract, so every applied transfer is known and counted exactly once.
 */
async function load(
  port: number,
  people: readonly Person[],
  seconds: number,
  answered: Sent[],
  concurrency = connections,
) {
  const stats = newStats();
  const inFlight = new Set<Sent>();
  const ids = people.map((person) => person.id);
  const request = (sent: Sent): CannonRequest => ({
    method: 'POST',
    path: '/v1/transfers',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${(people[sent.sender] as Person).token}`,
      'idempotency-key': sent.key,
    },
    body: sent.body,
  });
  const result = await autocannon({
    url: `http://${host}:${port}`,
    connections: concurrency,
    duration: seconds,
    requests: [
      {
        setupRequest: (_request, context) => {
          const earlier =
            answered.length > 0 && Math.random() < replayShare
              ? answered[randomInt(answered.length)]
              : undefined;
          const sent: Sent = earlier ? { ...earlier, replay: true } : freshRequest(ids);
          context.sent = sent;
          inFlight.add(sent);
          return request(sent);
        },
        onResponse: (status, body, context, headers) => {
          const sent = context.sent;
          if (!sent) return;
          inFlight.delete(sent);
          stats.statuses.set(status, (stats.statuses.get(status) ?? 0) + 1);
          const replayed = headerOf(headers, 'idempotent-replayed') === 'true';
          if (sent.replay) {
            if (status === 201 && replayed && body === sent.response) stats.replays += 1;
            else {
              stats.badReplays += 1;
              if (stats.samples.length < 5)
                stats.samples.push(`replay answered ${status} ${body.slice(0, 200)}`);
            }
          } else if (status === 201) {
            if (replayed) stats.unexpectedReplays += 1;
            else {
              stats.fresh += 1;
              const remembered = { ...sent, response: body };
              // Keep a bounded pool of answered requests to replay from.
              if (answered.length < 4096) answered.push(remembered);
              else answered[randomInt(answered.length)] = remembered;
            }
          } else if (stats.samples.length < 5) {
            stats.samples.push(`${status} ${body.slice(0, 200)}`);
          }
        },
      },
    ],
  });
  let settled = 0;
  let settleFailures = 0;
  for (const sent of inFlight) {
    if (sent.replay) continue;
    const retry = await call(port, 'POST', '/v1/transfers', {
      rawBody: sent.body,
      headers: request(sent).headers ?? {},
    });
    if (retry.status === 201) settled += 1;
    else {
      settleFailures += 1;
      stats.samples.push(`retry answered ${retry.status} ${retry.text.slice(0, 200)}`);
    }
  }
  return { stats, result, settled, settleFailures };
}

function headerOf(headers: Record<string, string | string[]>, name: string) {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

/** Counts straight from the tables, independent of the audit. */
async function checkBooks(database: Database<ExchangeDB>) {
  const db = database.db;
  const transfers = await db
    .selectFrom('journal_entries')
    .select((eb) => eb.fn.countAll().as('count'))
    .where('kind', '=', 'transfer')
    .executeTakeFirstOrThrow();
  const keys = await db
    .selectFrom('idempotency_keys')
    .select((eb) => eb.fn.countAll().as('count'))
    .executeTakeFirstOrThrow();
  const wallets = await db
    .selectFrom('balances as b')
    .innerJoin('accounts as a', 'a.id', 'b.account_id')
    .select('b.amount')
    .where('a.kind', '=', 'wallet')
    .where('b.asset', '=', 'USDT')
    .execute();
  return {
    transfers: Number(transfers.count),
    idempotencyKeys: Number(keys.count),
    walletUsdt: wallets.reduce((sum, row) => sum + BigInt(row.amount), 0n),
  };
}

// Last, so every module-level binding above is initialised before anything runs.
if (process.argv[2] === 'noop-server') await serveNoop();
else await main();
