/**
 * The database going away under an on-sale (issue 18, item 1): both servers as real processes on
 * PostgreSQL, buyers buying and giving tickets back through the real APIs (the crash
 * benchmark's load, bench/crash.ts), while the servers' PostgreSQL connections are cut:
 *
 * - `terminate`: every second, `pg_terminate_backend` on every backend of the two servers (pool
 *   connections mid-transaction or idle, and the instance bus's LISTEN connection). They are
 *   picked by the `application_name` this run gives both servers in their DATABASE_URL, and by
 *   the run's own two databases: no other session on the cluster is touched.
 * - `restart`: the whole PostgreSQL server stopped (`pg_ctl stop -m fast`: every session
 *   terminated, new connections refused) and started again, a few times. That needs a cluster
 *   of the run's own (scripts/test/private-postgres.ts), never the shared one.
 *
 * What must hold: neither server process exits; every answer is 2xx, 4xx or 503 (never 500);
 * while the server is down `/ready` says so; once the faults stop, purchases go through again and
 * both servers' instance buses listen again; and after the workers have finished, the books hold (bench/books.ts: no seat sold twice, every
 * paid request ticketed or refunded, no ticket without payment, the exchange's ledger audit, no
 * webhook lost).
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { checkBooks } from './books.ts';
import { drain, startLoad } from './crash.ts';
import { call, freePort, stop, waitForServer, writeRatesFile } from './lib.ts';
import {
  Client,
  createSale,
  exchangeServerEnv,
  fundBuyers,
  openSaleDatabases,
  type Service,
  signUpBuyers,
  startServer,
  ticketingServerEnv,
} from './onsale-setup.ts';

export interface OutageOptions {
  readonly seats: number;
  readonly buyers: number;
  readonly thinkMs: { readonly min: number; readonly max: number };
  /** How long the workers may take to finish after the faults before the books are read. */
  readonly drainMs: number;
  /** Where the run's two databases are made (the shared server, or a private cluster). */
  readonly adminUrl: string;
  readonly faults:
    | { readonly kind: 'terminate'; readonly forMs: number; readonly everyMs: number }
    | {
        readonly kind: 'restart';
        readonly times: number;
        readonly cluster: { stop(): Promise<void>; start(): Promise<void> };
      };
  readonly log?: (message: string) => void;
}

export interface OutageResult {
  /** Server processes that exited before the run stopped them, with their log's end. */
  readonly exits: string[];
  /** Answers by status (every call of the load, retried ones included). */
  readonly statuses: Record<string, number>;
  /** Answers of 500 or more other than 503, by step, status and code. */
  readonly serverErrors: Record<string, number>;
  /** Backends terminated (terminate), or restarts done (restart). */
  readonly faults: number;
  /** restart: both servers' /ready answered 503 while PostgreSQL was down, every time. */
  readonly notReadyWhileDown: boolean;
  /** Purchases completed after the last fault. */
  readonly purchasesAfter: number;
  readonly purchases: number;
  readonly violations: string[];
}

const price = '1';
const fundUnits = 1_000_000_000n;
/** As the crash benchmark's: short holds and webhook leases, so what a fault cut off ends soon. */
const exchangeSettings = {
  EXCHANGE_WEBHOOK_TIMEOUT_MS: '2000',
  EXCHANGE_WEBHOOK_LEASE_MARGIN_MS: '5000',
  EXCHANGE_RATE_MAX_AGE_S: '86400',
};
const ticketingSettings = { TICKETING_HOLD_TTL_S: '60', TICKETING_PAYMENT_MARGIN_S: '5' };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 100 ms until it holds; fails with `what` after `boundMs`. */
async function until(what: string, boundMs: number, check: () => Promise<boolean> | boolean) {
  const deadline = Date.now() + boundMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${boundMs / 1000} s`);
    await sleep(100);
  }
}

const readyStatus = (port: number) =>
  call(port, 'GET', '/ready').then(
    (response) => response.status,
    () => 0,
  );

export async function runDbOutage(options: OutageOptions): Promise<OutageResult> {
  const log = options.log ?? (() => {});
  const databases = await openSaleDatabases('postgres', 'tessera-outage-', {
    postgresAdminUrl: options.adminUrl,
  });
  const appName = `tessera_outage_${randomBytes(6).toString('hex')}`;
  const named = (url: string | undefined) => {
    const parsed = new URL(url as string);
    parsed.searchParams.set('application_name', appName);
    return parsed.href;
  };
  const ratesPath = join(databases.dir, 'rates.json');
  writeRatesFile(ratesPath);
  const ports = { exchange: await freePort(), ticketing: await freePort() };
  const env: Record<Service, Record<string, string>> = {
    exchange: {
      ...exchangeServerEnv(databases, ports.exchange, ratesPath),
      ...exchangeSettings,
      DATABASE_URL: named(databases.urls.exchange),
    },
    ticketing: {
      ...ticketingServerEnv(databases, ports.ticketing, ports.exchange),
      ...ticketingSettings,
      DATABASE_URL: named(databases.urls.ticketing),
    },
  };
  let stopping = false;
  const exits: string[] = [];
  const children = {} as Record<Service, ChildProcess>;
  const outputs: number[] = [];
  for (const service of ['exchange', 'ticketing'] as const) {
    const logPath = join(databases.dir, `${service}.log`);
    const output = openSync(logPath, 'a');
    outputs.push(output);
    const child = startServer(service, env[service], { output });
    child.once('exit', (code, signal) => {
      if (stopping) return;
      const tail = readFileSync(logPath, 'utf8').slice(-1_500);
      exits.push(`${service} exited (code ${code}, signal ${signal}); its log ends:\n${tail}`);
    });
    children[service] = child;
  }
  const exchange = new Client(ports.exchange, options.buyers + 8);
  const ticketing = new Client(ports.ticketing, options.buyers + 8);
  const statuses = new Map<string, number>();
  const serverErrors = new Map<string, number>();
  const count = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  let load: ReturnType<typeof startLoad> | undefined;
  let keep = false;
  try {
    await waitForServer(children.exchange, ports.exchange, '/ready', 'GET');
    await waitForServer(children.ticketing, ports.ticketing, '/ready', 'GET');
    const sale = await createSale(exchange, ticketing, {
      seats: options.seats,
      seatsPerRow: 10,
      rowsPerSection: Math.min(20, Math.ceil(options.seats / 10)),
      price,
      refundPolicy: 'until_start',
    });
    const buyers = await signUpBuyers(exchange, ticketing, options.buyers);
    await fundBuyers(databases.exchangeDb, buyers, fundUnits);
    load = startLoad(
      exchange,
      ticketing,
      buyers,
      sale.performanceId,
      sale.seatIds,
      options.thinkMs,
      (step, status, code) => {
        count(statuses, String(status));
        if (status >= 500 && status !== 503) count(serverErrors, `${step}: ${status} ${code}`);
      },
    );
    const running = load;
    // The sale is under way before the first fault.
    await until('first purchases', 60_000, () => running.stats.purchases >= 3);
    log(`on-sale under way (${running.stats.purchases} purchases); faults start`);

    let faults = 0;
    let notReadyWhileDown = true;
    if (options.faults.kind === 'terminate') {
      faults = await terminateRepeatedly(options.adminUrl, appName, databases.urls, {
        ...options.faults,
        stopEarly: () => exits.length > 0,
        log,
      });
    } else {
      for (let round = 1; round <= options.faults.times && exits.length === 0; round++) {
        const before = running.stats.purchases;
        await options.faults.cluster.stop();
        const down = await Promise.all([readyStatus(ports.exchange), readyStatus(ports.ticketing)]);
        if (down.some((status) => status !== 503)) notReadyWhileDown = false;
        // Buyers meet the outage: some of their calls are answered while the server is down.
        const seen = statuses.get('503') ?? 0;
        await until('a 503 during the outage', 30_000, () => (statuses.get('503') ?? 0) > seen);
        await options.faults.cluster.start();
        faults += 1;
        await until('both servers ready after the restart', 30_000, async () =>
          (await Promise.all([readyStatus(ports.exchange), readyStatus(ports.ticketing)])).every(
            (status) => status === 200,
          ),
        );
        await until('a purchase after the restart', 60_000, () => running.stats.purchases > before);
        log(`restart ${round}: /ready while down ${down.join(', ')}; purchases go on`);
      }
    }
    const atEnd = running.stats.purchases;
    if (exits.length === 0) {
      // Requests succeed again once the faults stop: more purchases go through end to end.
      await until('purchases after the faults', 60_000, () => running.stats.purchases >= atEnd + 3);
      // Both servers' instance buses listen again (their LISTEN connections were cut too).
      await until('both instance buses listening again', 30_000, async () => {
        return (await listeners(options.adminUrl, appName)) >= 2;
      });
    }
    const purchasesAfter = running.stats.purchases - atEnd;
    await running.stop();
    log(
      `faults over: ${faults}; answers ${JSON.stringify(Object.fromEntries(statuses))}; ${purchasesAfter} purchases after`,
    );
    const left =
      exits.length === 0
        ? await drain(databases, sale.merchantId, options.drainMs, (what) =>
            log(`waiting for the workers: ${what.join(', ')}`),
          )
        : [];
    stopping = true;
    await stop(children.ticketing);
    await stop(children.exchange);
    const books =
      exits.length === 0
        ? await checkBooks(databases, {
            performanceId: sale.performanceId,
            merchantId: sale.merchantId,
          })
        : { violations: [] };
    const violations = [...left.map((what) => `not finished: ${what}`), ...books.violations];
    keep = violations.length > 0 || exits.length > 0;
    if (keep) log(`databases and server logs kept in ${databases.dir}`);
    return {
      exits,
      statuses: Object.fromEntries(statuses),
      serverErrors: Object.fromEntries(serverErrors),
      faults,
      notReadyWhileDown,
      purchasesAfter,
      purchases: running.stats.purchases,
      violations,
    };
  } catch (error) {
    keep = true;
    log(`failed; databases and server logs kept in ${databases.dir}`);
    if (exits.length > 0) throw new Error(`${String(error)}\n${exits.join('\n')}`);
    throw error;
  } finally {
    stopping = true;
    await load?.stop().catch(() => {});
    exchange.close();
    ticketing.close();
    await stop(children.ticketing);
    await stop(children.exchange);
    for (const output of outputs) closeSync(output);
    if (keep) await databases.keep();
    else await databases.remove();
  }
}

/** How many sessions of this run's servers are LISTEN connections (one per instance bus). */
async function listeners(adminUrl: string, appName: string) {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ n: number }>(
      `select count(*)::int as n from pg_stat_activity
        where application_name = $1 and query ilike 'listen %'`,
      [appName],
    );
    return rows[0]?.n ?? 0;
  } finally {
    await admin.end();
  }
}

/**
 * Every `everyMs`, for `forMs`: terminates every backend of this run's servers (their
 * application_name, in this run's two databases only). Answers how many it terminated.
 */
async function terminateRepeatedly(
  adminUrl: string,
  appName: string,
  urls: { exchange?: string | undefined; ticketing?: string | undefined },
  options: { forMs: number; everyMs: number; stopEarly: () => boolean; log: (m: string) => void },
) {
  const names = [urls.exchange, urls.ticketing].map((url) =>
    new URL(url as string).pathname.slice(1),
  );
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  let terminated = 0;
  try {
    const end = Date.now() + options.forMs;
    let rounds = 0;
    while (Date.now() < end && !options.stopEarly()) {
      // The sessions are chosen in a MATERIALIZED CTE, and only those are terminated: written as
      // one WHERE clause, PostgreSQL may call pg_terminate_backend before the other conditions,
      // on every session of the cluster.
      const { rows } = await admin.query<{ pid: number }>(
        `with targets as materialized (
           select pid from pg_stat_activity
            where application_name = $1 and datname = any($2::text[]) and pid <> pg_backend_pid())
         select pid from targets where pg_terminate_backend(pid)`,
        [appName, names],
      );
      terminated += rows.length;
      rounds += 1;
      if (rounds % 10 === 0)
        options.log(`${rounds} rounds of terminations, ${terminated} backends terminated`);
      await sleep(options.everyMs);
    }
  } finally {
    await admin.end();
  }
  return terminated;
}
