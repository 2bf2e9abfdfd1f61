/**
 * The on-sale: completed ticket purchases per second through both servers' real HTTP APIs, on
 * SQLite and on PostgreSQL, until a 10,000-seat event is sold out.
 *
 * Both servers run as in production (their bundles, plain node, in their own processes, each
 * with its own fresh database). The bench signs an organizer and 1,000 buyers up through the real
 * sign-in flows, links the organizer's exchange wallet, imports the seat map, creates and
 * publishes the event, and funds the buyers' wallets with real deposit entries. Then every buyer
 * at once, each in its own loop, buys one seat after another: hold a seat picked from the map
 * (another buyer may take it first: pick again), order it (the ticketing server asks the
 * exchange for a payment request), pay it at the exchange, wait for the exchange's webhook to
 * make the ticketing server issue the ticket, and fetch the signed credential (the buyer's app
 * waits on its order, which answers with the credential once issued). A purchase counts when the
 * credential is in hand; its latency runs from the hold to that moment.
 *
 * After the sale the servers are stopped and the books checked: no seat sold twice, every paid
 * request has its ticket (or a refund), no ticket without a paid request, the exchange's ledger
 * balanced. The baseline, measured in the same run, is an empty Fastify route's requests/s.
 *
 * BENCH_BACKENDS=sqlite|postgres runs one backend; BENCH_SEATS and BENCH_BUYERS resize the sale.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrateToLatest, openDatabase, writeTransaction } from '@tessera/db';
import { toBase64url } from '@tessera/protocol';
import { protocol } from '@tessera/protocol/node';
import { auditLedger } from '../services/exchange/src/audit.ts';
import { exchangeMigrations, houseAccounts } from '../services/exchange/src/db/migrations.ts';
import type { ExchangeDB } from '../services/exchange/src/db/schema.ts';
import { postEntry } from '../services/exchange/src/ledger.ts';
import { ticketingMigrations } from '../services/ticketing/src/db/migrations.ts';
import type { TicketingDB } from '../services/ticketing/src/db/schema.ts';
import { deviceRegistrationMessage } from '../services/ticketing/src/devices.ts';
import {
  call,
  cpuMs,
  createPostgresDatabase,
  freePort,
  host,
  postgresBackendCpu,
  readStatusMb,
  sampleMemory,
  stop,
  waitForServer,
  writeRatesFile,
} from './lib.ts';

const seatsWanted = Number(process.env.BENCH_SEATS ?? 10_000);
const buyersWanted = Number(process.env.BENCH_BUYERS ?? 1_000);
const seatsPerRow = 50;
const rowsPerSection = 20;
/** Sockets per server: a thousand buyers share them, as a thousand phones share a load balancer. */
const socketsPerServer = 256;
const price = '10';
const fundUnits = 1_000_000_000n; // 1,000 USDT each: enough for every seat a buyer can win.

const log = (message: string) => console.error(`[onsale bench] ${message}`);
const builds = ['exchange', 'ticketing'].map((service) =>
  fileURLToPath(new URL(`../services/${service}/build.mjs`, import.meta.url)),
);
const bundle = (service: string) =>
  fileURLToPath(new URL(`../services/${service}/dist/server.mjs`, import.meta.url));

// autocannon ships no types; the part used here for the baseline.
type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  method: string;
}) => PromiseLike<{ requests: { total: number }; duration: number; non2xx: number }>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

/** A keep-alive JSON client for one server. */
class Client {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: socketsPerServer });
  constructor(readonly port: number) {}

  async request(
    method: string,
    path: string,
    options: { token?: string; body?: unknown; key?: string } = {},
    // biome-ignore lint/suspicious/noExplicitAny: the bench reads whatever JSON came back.
  ): Promise<{ status: number; body: any }> {
    const response = await call(this.port, method, path, {
      agent: this.agent,
      ...(options.body === undefined ? {} : { body: options.body }),
      headers: {
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...(options.key ? { 'idempotency-key': options.key } : {}),
      },
    });
    let body: unknown;
    try {
      body = response.text ? JSON.parse(response.text) : undefined;
    } catch {
      body = response.text;
    }
    return { status: response.status, body };
  }

  close() {
    this.agent.destroy();
  }
}

async function signInTicketing(ticketing: Client, phone: string) {
  await ticketing.request('POST', '/v1/auth/codes', { body: { phone } });
  const inbox = await ticketing.request('GET', `/dev/sms?phone=${encodeURIComponent(phone)}`);
  const session = await ticketing.request('POST', '/v1/auth/sessions', {
    body: { phone, code: inbox.body.lastCode },
  });
  if (session.status !== 201)
    throw new Error(`sign-in: ${session.status} ${JSON.stringify(session.body)}`);
  return { token: session.body.token as string, userId: session.body.user.id as string };
}

async function signUpExchange(exchange: Client, phone: string, kind: 'person' | 'merchant') {
  await exchange.request('POST', '/v1/auth/codes', { body: { phone } });
  const inbox = await exchange.request('GET', `/dev/sms?phone=${encodeURIComponent(phone)}`);
  const opened = await exchange.request('POST', '/v1/subscribers', {
    body: { phone, code: inbox.body.lastCode, kind, displayName: `${kind} ${phone}` },
  });
  if (opened.status !== 201)
    throw new Error(`sign-up: ${opened.status} ${JSON.stringify(opened.body)}`);
  return { token: opened.body.token as string, id: opened.body.subscriber.id as string };
}

interface Buyer {
  token: string;
  deviceId: string;
  walletToken: string;
  walletId: string;
}

const profileDir = process.env.BENCH_PROFILE_DIR;

function startServer(service: 'exchange' | 'ticketing', env: Record<string, string>): ChildProcess {
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(profileDir, service)}`] : [];
  return spawn(process.execPath, [...profile, '--max-semi-space-size=8', bundle(service)], {
    env: { ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 2, 2],
  });
}

async function runBackend(backend: 'sqlite' | 'postgres') {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-onsale-'));
  const databases = {
    exchange: undefined as string | undefined,
    ticketing: undefined as string | undefined,
  };
  const drops: (() => Promise<void>)[] = [];
  if (backend === 'postgres') {
    for (const name of ['exchange', 'ticketing'] as const) {
      const created = await createPostgresDatabase();
      databases[name] = created.url;
      drops.push(created.drop);
    }
  }
  const exchangeDb = openDatabase<ExchangeDB>({
    databaseUrl: databases.exchange,
    sqlitePath: join(dir, 'exchange.db'),
    poolSize: 2,
  });
  const ticketingDb = openDatabase<TicketingDB>({
    databaseUrl: databases.ticketing,
    sqlitePath: join(dir, 'ticketing.db'),
    poolSize: 2,
    // Where the ticketing server keeps its tables on PostgreSQL (TICKETING_DATABASE_SCHEMA).
    ...(databases.ticketing ? { postgresSchema: 'ticketing' } : {}),
  });
  const servers: ChildProcess[] = [];
  const clients: Client[] = [];
  try {
    /** Where the CPU goes: each server, PostgreSQL's backends for each database, this client. */
    const cpuSplit = async () => {
      const backends = async (database: typeof exchangeDb | typeof ticketingDb) =>
        [...(await postgresBackendCpu(database)).values()].reduce((sum, ms) => sum + ms, 0);
      const own = process.cpuUsage();
      return {
        ticketing: cpuMs(servers[1] as ChildProcess),
        exchange: cpuMs(servers[0] as ChildProcess),
        postgresTicketing: await backends(ticketingDb),
        postgresExchange: await backends(exchangeDb),
        client: (own.user + own.system) / 1000,
      };
    };
    await migrateToLatest(exchangeDb, exchangeMigrations);
    await migrateToLatest(ticketingDb, ticketingMigrations);
    const ratesPath = join(dir, 'rates.json');
    writeRatesFile(ratesPath);
    const exchangePort = await freePort();
    const ticketingPort = await freePort();
    const exchangeServer = startServer('exchange', {
      EXCHANGE_HOST: host,
      EXCHANGE_PORT: String(exchangePort),
      EXCHANGE_SQLITE_PATH: join(dir, 'exchange.db'),
      EXCHANGE_RATES_FILE: ratesPath,
      EXCHANGE_AUTH_RATE_LIMIT: '1000000',
      DATABASE_URL: databases.exchange ?? '',
    });
    servers.push(exchangeServer);
    const ticketingServer = startServer('ticketing', {
      TICKETING_HOST: host,
      TICKETING_PORT: String(ticketingPort),
      TICKETING_EXCHANGE_URL: `http://${host}:${exchangePort}`,
      TICKETING_SQLITE_PATH: join(dir, 'ticketing.db'),
      TICKETING_AUTH_RATE_LIMIT: '1000000',
      DATABASE_URL: databases.ticketing ?? '',
    });
    servers.push(ticketingServer);
    await waitForServer(exchangeServer, exchangePort, '/health', 'GET');
    await waitForServer(ticketingServer, ticketingPort, '/health', 'GET');
    const exchange = new Client(exchangePort);
    const ticketing = new Client(ticketingPort);
    clients.push(exchange, ticketing);

    // The organizer: a ticketing owner and a merchant wallet, linked.
    const owner = await signInTicketing(ticketing, '+821090000001');
    const organizer = await ticketing.request('POST', '/v1/organizers', {
      token: owner.token,
      body: { name: 'Bench Arena' },
    });
    const merchant = await signUpExchange(exchange, '+821090000002', 'merchant');
    const apiKey = await exchange.request('POST', '/v1/merchant/api-keys', {
      token: merchant.token,
      body: { label: 'ticketing' },
    });
    const linked = await ticketing.request('PUT', `/v1/organizers/${organizer.body.id}/wallet`, {
      token: owner.token,
      body: { apiKey: apiKey.body.key },
    });
    if (linked.status !== 200) throw new Error(`link: ${JSON.stringify(linked.body)}`);

    // The venue: sections of 20 rows of 50 seats, as many as make the seats wanted.
    const sections = Math.ceil(seatsWanted / (seatsPerRow * rowsPerSection));
    const venue = await ticketing.request('POST', `/v1/organizers/${organizer.body.id}/venues`, {
      token: owner.token,
      body: {
        name: 'Bench Arena',
        address: 'Olympic-ro 25, Seoul',
        latitude: 37.5154,
        longitude: 127.0727,
        radiusM: 500,
      },
    });
    const map = await ticketing.request('PUT', `/v1/venues/${venue.body.id}/seat-map`, {
      token: owner.token,
      body: {
        sections: Array.from({ length: sections }, (_, section) => ({
          name: `S${section + 1}`,
          rows: Array.from({ length: rowsPerSection }, (_, row) => ({
            label: String(row + 1),
            seats: Array.from({ length: seatsPerRow }, (_, seat) => ({ number: String(seat + 1) })),
          })),
        })),
        areas: [],
      },
    });
    if (map.status !== 200) throw new Error(`seat map: ${JSON.stringify(map.body)}`);
    const startsAt = Date.now() + 30 * 86_400_000;
    const event = await ticketing.request('POST', `/v1/organizers/${organizer.body.id}/events`, {
      token: owner.token,
      body: {
        slug: 'bench-onsale',
        name: 'Bench On-sale',
        venueId: venue.body.id,
        perOrderLimit: 4,
        perBuyerLimit: 100,
        categories: [
          {
            name: 'Seat',
            pricing: 'crypto',
            priceAsset: 'USDT',
            price,
            seating: 'seated',
            sections: Array.from({ length: sections }, (_, section) => `S${section + 1}`),
            kind: 'single',
          },
        ],
        performances: [
          {
            startsAt: new Date(startsAt).toISOString(),
            endsAt: new Date(startsAt + 3 * 3_600_000).toISOString(),
            salesStart: new Date(Date.now() - 60_000).toISOString(),
          },
        ],
      },
    });
    if (event.status !== 201) throw new Error(`event: ${JSON.stringify(event.body)}`);
    await ticketing.request('POST', `/v1/events/${event.body.id}/publish`, { token: owner.token });
    const performanceId = event.body.performances[0].id as string;
    const seatMap = await ticketing.request('GET', `/v1/venues/${venue.body.id}/seat-map`);
    const seatIds: string[] = [];
    for (const section of seatMap.body.sections) {
      for (const row of section.rows) for (const seat of row.seats) seatIds.push(seat.id);
    }
    log(`${backend}: ${seatIds.length} seats on sale; signing up ${buyersWanted} buyers`);

    // The buyers: a ticketing session with a registered device key, and a funded wallet.
    const buyers: Buyer[] = [];
    for (let start = 0; start < buyersWanted; start += 50) {
      const batch = Array.from({ length: Math.min(50, buyersWanted - start) }, (_, i) => start + i);
      buyers.push(
        ...(await Promise.all(
          batch.map(async (index) => {
            const phone = `+82108${String(index).padStart(7, '0')}`;
            const user = await signInTicketing(ticketing, phone);
            const signer = await protocol.generateSigner();
            const proof = await signer.sign(
              deviceRegistrationMessage(user.userId, signer.publicKey),
            );
            const device = await ticketing.request('POST', '/v1/me/devices', {
              token: user.token,
              body: { publicKey: toBase64url(signer.publicKey), proof: toBase64url(proof) },
            });
            const wallet = await signUpExchange(exchange, phone, 'person');
            return {
              token: user.token,
              deviceId: device.body.id,
              walletToken: wallet.token,
              walletId: wallet.id,
            };
          }),
        )),
      );
    }
    const accounts = await exchangeDb.db
      .selectFrom('subscribers')
      .select(['id', 'account_id'])
      .execute();
    const accountOf = new Map(accounts.map((row) => [row.id, row.account_id]));
    await writeTransaction(exchangeDb, async (trx) => {
      for (const buyer of buyers) {
        await postEntry(trx, exchangeDb.dialect, Date.now(), {
          kind: 'deposit',
          memo: 'bench funding',
          postings: [
            { account: houseAccounts.bank, asset: 'USDT', amount: -fundUnits },
            { account: accountOf.get(buyer.walletId) as string, asset: 'USDT', amount: fundUnits },
          ],
        });
      }
    });

    // The sale. Seats are picked at random from those not yet known to be taken.
    log(`${backend}: ${buyers.length} buyers funded; the sale opens`);
    const remaining = seatIds.slice();
    const latencies: number[] = [];
    const failures = new Map<string, number>();
    const fail = (what: string) => failures.set(what, (failures.get(what) ?? 0) + 1);
    const memory = {
      exchange: sampleMemory(exchangeServer),
      ticketing: sampleMemory(ticketingServer),
    };
    const cpuBefore = await cpuSplit();
    const started = performance.now();
    let keyCounter = 0;
    const runTag = randomBytes(4).toString('hex');

    const steps = { hold: 0, order: 0, pay: 0, issue: 0 };
    /** Holds refused because another buyer had the seat first (answered 409 with alternatives). */
    let taken = 0;
    const purchase = async (buyer: Buyer): Promise<boolean> => {
      if (remaining.length === 0) return false;
      const index = randomInt(remaining.length);
      const seatId = remaining[index] as string;
      const began = performance.now();
      let mark = performance.now();
      const step = (name: keyof typeof steps) => {
        const now = performance.now();
        steps[name] += now - mark;
        mark = now;
      };
      const held = await ticketing.request('POST', '/v1/holds', {
        token: buyer.token,
        body: { performanceId, seats: [seatId] },
      });
      // Taken (by us or by another buyer): forget the seat either way.
      const at = remaining.indexOf(seatId);
      if (at >= 0) remaining.splice(at, 1);
      if (held.status !== 201) {
        if (held.status === 409) taken += 1;
        else fail(`hold ${held.status} ${held.body?.error?.code}`);
        return true;
      }
      step('hold');
      const order = await ticketing.request('POST', '/v1/orders', {
        token: buyer.token,
        body: { holdId: held.body.id, deviceId: buyer.deviceId },
      });
      if (order.status !== 201) {
        fail(`order ${order.status} ${order.body?.error?.code}`);
        return true;
      }
      step('order');
      keyCounter += 1;
      const paid = await exchange.request(
        'POST',
        `/v1/payment-requests/${order.body.payment.requestId}/pay`,
        {
          token: buyer.walletToken,
          key: `bench-${runTag}-${keyCounter}`,
        },
      );
      if (paid.status !== 200) {
        fail(`pay ${paid.status} ${paid.body?.error?.code}`);
        return true;
      }
      step('pay');
      // The webhook makes the ticket; the buyer's app waits for it (a long poll, not a loop).
      const view = await ticketing.request('GET', `/v1/orders/${order.body.id}?waitS=25`, {
        token: buyer.token,
      });
      if (view.body?.status !== 'issued' || view.body.tickets.length !== 1) {
        fail(`not issued: ${view.body?.status}`);
        return true;
      }
      step('issue');
      // The credential comes with the issued order, for the buyer's own device.
      if (typeof view.body.tickets[0].credential === 'string') {
        latencies.push(performance.now() - began);
      } else fail('issued without a credential');
      return true;
    };
    await Promise.all(
      buyers.map(async (buyer) => {
        while (await purchase(buyer)) {
          // Next seat.
        }
      }),
    );
    const elapsedS = (performance.now() - started) / 1000;
    const cpuAfter = await cpuSplit();
    const cpuPerPurchase = Object.fromEntries(
      Object.entries(cpuAfter).map(([name, ms]) => [
        name,
        Number(
          ((ms - cpuBefore[name as keyof typeof cpuAfter]) / Math.max(1, latencies.length)).toFixed(
            2,
          ),
        ),
      ]),
    );
    log(
      `${backend}: CPU ms per purchase: ${Object.entries(cpuPerPurchase)
        .map(([name, ms]) => `${name} ${ms}`)
        .join(', ')}`,
    );
    log(
      `${backend}: mean ms per purchase by step: ${Object.entries(steps)
        .map(([name, ms]) => `${name} ${(ms / Math.max(1, latencies.length)).toFixed(0)}`)
        .join(', ')}; ${taken} holds lost to another buyer`,
    );
    const rss = {
      ticketing: Math.round(
        Math.max(memory.ticketing.maxMb(), readStatusMb(ticketingServer, 'VmHWM')),
      ),
      exchange: Math.round(
        Math.max(memory.exchange.maxMb(), readStatusMb(exchangeServer, 'VmHWM')),
      ),
    };
    memory.exchange.stop();
    memory.ticketing.stop();
    for (const client of clients) client.close();
    // Let the workers finish (refunds, late webhooks) before stopping: a few seconds of quiet.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await stop(ticketingServer);
    await stop(exchangeServer);

    const checks = await integrity(exchangeDb, ticketingDb, performanceId, merchant.id);
    latencies.sort((a, b) => a - b);
    const quantile = (q: number) =>
      Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0);
    const result = {
      backend,
      purchases: latencies.length,
      purchases_per_s: Math.round(latencies.length / elapsedS),
      p50_ms: quantile(0.5),
      p99_ms: quantile(0.99),
      ...checks,
      rss_mb: rss,
      cpu_ms_per_purchase: cpuPerPurchase,
      failures: Object.fromEntries(failures),
    };
    log(
      `${backend}: ${latencies.length} purchases in ${elapsedS.toFixed(1)} s = ${result.purchases_per_s}/s, ` +
        `p50 ${result.p50_ms} ms, p99 ${result.p99_ms} ms, RSS ticketing ${rss.ticketing} MB exchange ${rss.exchange} MB, ` +
        `oversold ${checks.oversold}, paid without ticket ${checks.paid_without_ticket}, ` +
        `ticket without payment ${checks.ticket_without_payment}, ledger ${checks.ledger_balanced ? 'balanced' : 'NOT BALANCED'}` +
        (failures.size > 0 ? `, failures ${JSON.stringify(Object.fromEntries(failures))}` : ''),
    );
    return result;
  } finally {
    for (const client of clients) client.close();
    for (const server of servers) await stop(server);
    await exchangeDb.close();
    await ticketingDb.close();
    for (const drop of drops) await drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The books after the sale, read straight from both databases. */
async function integrity(
  exchangeDb: ReturnType<typeof openDatabase<ExchangeDB>>,
  ticketingDb: ReturnType<typeof openDatabase<TicketingDB>>,
  performanceId: string,
  merchantId: string,
) {
  const tickets = await ticketingDb.db
    .selectFrom('tickets')
    .select(['id', 'seat_id', 'order_id', 'status'])
    .where('performance_id', '=', performanceId)
    .execute();
  const live = tickets.filter(
    (ticket) => ticket.status === 'valid' || ticket.status === 'awaiting_device',
  );
  const seatsTaken = new Map<string, number>();
  for (const ticket of live)
    seatsTaken.set(
      ticket.seat_id ?? ticket.id,
      (seatsTaken.get(ticket.seat_id ?? ticket.id) ?? 0) + 1,
    );
  const oversold = [...seatsTaken.values()].filter((count) => count > 1).length;

  const orders = await ticketingDb.db
    .selectFrom('orders')
    .select(['id', 'status', 'payment_request_id'])
    .execute();
  const orderById = new Map(orders.map((order) => [order.id, order]));
  const refunds = await ticketingDb.db
    .selectFrom('refunds')
    .select(['order_id', 'status'])
    .execute();
  const refunded = new Set(refunds.map((refund) => refund.order_id));
  const ticketsByOrder = new Map<string, number>();
  for (const ticket of tickets)
    ticketsByOrder.set(ticket.order_id, (ticketsByOrder.get(ticket.order_id) ?? 0) + 1);

  const paid = await exchangeDb.db
    .selectFrom('payment_requests')
    .select(['id', 'reference', 'status'])
    .where('merchant_id', '=', merchantId)
    .where('status', '=', 'paid')
    .execute();
  const paidIds = new Set(paid.map((request) => request.id));
  let paidWithoutTicket = 0;
  for (const request of paid) {
    const order = orderById.get(request.reference);
    if (!order || (!(ticketsByOrder.get(order.id) ?? 0) && !refunded.has(order.id)))
      paidWithoutTicket += 1;
  }
  let ticketWithoutPayment = 0;
  for (const ticket of tickets) {
    const order = orderById.get(ticket.order_id);
    if (!order?.payment_request_id || !paidIds.has(order.payment_request_id))
      ticketWithoutPayment += 1;
  }
  const audit = await auditLedger(exchangeDb);
  return {
    oversold,
    paid_without_ticket: paidWithoutTicket,
    ticket_without_payment: ticketWithoutPayment,
    ledger_balanced: audit.ok,
    tickets: live.length,
  };
}

/** The baseline: an empty Fastify route, as the exchange bench measures it. */
async function baseline() {
  const port = await freePort();
  const { default: Fastify } = await import('fastify');
  const app = Fastify({ logger: false });
  app.get('/noop', async () => ({}));
  await app.listen({ host, port });
  try {
    const result = await autocannon({
      url: `http://${host}:${port}/noop`,
      connections: 64,
      duration: 3,
      method: 'GET',
    });
    return Math.round(result.requests.total / result.duration);
  } finally {
    await app.close();
  }
}

async function main() {
  for (const build of builds) await import(build);
  const noop = await baseline();
  log(`baseline: empty Fastify route ${noop} requests/s (in this process)`);
  const only = process.env.BENCH_BACKENDS?.split(',');
  const results = [];
  for (const backend of (['sqlite', 'postgres'] as const).filter(
    (b) => !only || only.includes(b),
  )) {
    results.push(await runBackend(backend));
  }
  const failed = results.some(
    (r) =>
      r.oversold > 0 ||
      r.paid_without_ticket > 0 ||
      r.ticket_without_payment > 0 ||
      !r.ledger_balanced,
  );
  console.log(
    JSON.stringify({
      scenario: 'onsale',
      results: results.map((r) => ({
        backend: r.backend,
        purchases_per_s: r.purchases_per_s,
        p50_ms: r.p50_ms,
        p99_ms: r.p99_ms,
        oversold: r.oversold,
        paid_without_ticket: r.paid_without_ticket,
        ticket_without_payment: r.ticket_without_payment,
        ledger_balanced: r.ledger_balanced,
        rss_mb: r.rss_mb,
        purchases: r.purchases,
        ratio_to_noop: Number((r.purchases_per_s / noop).toFixed(4)),
      })),
      baseline_noop_rps: noop,
      seats: seatsWanted,
      buyers: buyersWanted,
    }),
  );
  if (failed) process.exit(1);
}

await main();
