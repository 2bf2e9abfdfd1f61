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
 * The concurrency sweep: after the measured run, one more sale of `BENCH_ONSALE_SWEEP_SEATS`
 * seats (default 1,500) at each of `BENCH_CONCURRENCY_LEVELS` buyers buying at once (default
 * 50,200,800; empty to skip), reported as `sweep` for the charts of bench/report.ts. Each step
 * sells an event of its own, set up like the measured one just before it, so its seats are fresh
 * and its buyers' per-buyer counts start at zero; its buyers are the first of the measured run's
 * (more are signed up when a level needs them), each given another wallet's worth before the step.
 * Its purchases are checked with the rest.
 *
 * BENCH_BACKENDS=sqlite|postgres runs one backend; BENCH_SEATS and BENCH_BUYERS resize the sale.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { join } from 'node:path';
import { auditLedger } from '../services/exchange/src/ledger/audit.ts';
import {
  concurrencyLevels,
  cpuMs,
  freePort,
  noopBaseline,
  percentile,
  postgresBackendCpu,
  readStatusMb,
  sampleMemory,
  stop,
  waitForServer,
  writeRatesFile,
} from './lib.ts';
import {
  type Buyer,
  buildServers,
  Client,
  createEvent,
  createOrganizer,
  exchangeServerEnv,
  fundBuyers,
  openSaleDatabases,
  type SaleDatabases,
  type Service,
  signUpBuyers,
  startServer,
  ticketingServerEnv,
} from './onsale-setup.ts';
import type { SweepPoint } from './report.ts';

const seatsWanted = Number(process.env.BENCH_SEATS ?? 10_000);
const buyersWanted = Number(process.env.BENCH_BUYERS ?? 1_000);
const seatsPerRow = 50;
const rowsPerSection = 20;
/** Sockets per server: a thousand buyers share them, as a thousand phones share a load balancer. */
const socketsPerServer = 256;
const price = '10';
const fundUnits = 1_000_000_000n; // 1,000 USDT each: enough for every seat a buyer can win.

/** Buyers buying at once in each sweep step; parsed at start, so a bad value fails before any work. */
const sweepLevels = concurrencyLevels('50,200,800', 'buyer');
const sweepSeats = Number(process.env.BENCH_ONSALE_SWEEP_SEATS ?? 1_500);
if (!Number.isInteger(sweepSeats) || sweepSeats < 1) {
  throw new Error(`BENCH_ONSALE_SWEEP_SEATS: ${sweepSeats} is not a whole number of seats`);
}
/**
 * Seats one buyer may buy at a sweep step's event (the API's maximum). A buyer at the limit is
 * refused with a 409, which a sale takes for a seat lost to another buyer, so a step would end
 * short without saying so: a level whose even share of the seats is over half of it is refused
 * at start instead.
 */
const sweepBuyerLimit = 500;
for (const level of sweepLevels) {
  if (Math.ceil(sweepSeats / level) * 2 > sweepBuyerLimit) {
    throw new Error(
      `BENCH_CONCURRENCY_LEVELS: ${level} buyers for ${sweepSeats} seats is over ${sweepBuyerLimit / 2} seats each; ` +
        'raise the level or lower BENCH_ONSALE_SWEEP_SEATS',
    );
  }
}
/** What each buyer of a sweep step is given before it: every seat its limit lets it win. */
const sweepFundUnits = BigInt(sweepBuyerLimit) * BigInt(price) * 1_000_000n; // USDT has 6 decimals.

const log = (message: string) => console.error(`[onsale bench] ${message}`);

const profileDir = process.env.BENCH_PROFILE_DIR;
const profileArgs = (service: Service) =>
  profileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(profileDir, service)}`] : [];

async function runBackend(backend: 'sqlite' | 'postgres') {
  const databases = await openSaleDatabases(backend, 'tessera-bench-onsale-');
  const { exchangeDb, ticketingDb } = databases;
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
    const ratesPath = join(databases.dir, 'rates.json');
    writeRatesFile(ratesPath);
    const exchangePort = await freePort();
    const ticketingPort = await freePort();
    const exchangeServer = startServer(
      'exchange',
      exchangeServerEnv(databases, exchangePort, ratesPath),
      { nodeArgs: profileArgs('exchange') },
    );
    servers.push(exchangeServer);
    const ticketingServer = startServer(
      'ticketing',
      ticketingServerEnv(databases, ticketingPort, exchangePort),
      { nodeArgs: profileArgs('ticketing') },
    );
    servers.push(ticketingServer);
    await waitForServer(exchangeServer, exchangePort, '/health', 'GET');
    await waitForServer(ticketingServer, ticketingPort, '/health', 'GET');
    const exchange = new Client(exchangePort, socketsPerServer);
    const ticketing = new Client(ticketingPort, socketsPerServer);
    clients.push(exchange, ticketing);

    const organizer = await createOrganizer(exchange, ticketing);
    const { merchantId } = organizer;
    const layout = { seatsPerRow, rowsPerSection, price };
    const { performanceId, seatIds } = await createEvent(ticketing, organizer, 'bench-onsale', {
      ...layout,
      seats: seatsWanted,
    });
    const buyersSignedUp = Math.max(buyersWanted, ...sweepLevels);
    log(`${backend}: ${seatIds.length} seats on sale; signing up ${buyersSignedUp} buyers`);

    // The buyers: a ticketing session with a registered device key, and a funded wallet. The
    // sale's are the first; a sweep level above their number brings its own, funded at its step.
    const buyers: Buyer[] = await signUpBuyers(exchange, ticketing, buyersSignedUp);
    const saleBuyers = buyers.slice(0, buyersWanted);
    await fundBuyers(exchangeDb, saleBuyers, fundUnits);

    let keyCounter = 0;
    const runTag = randomBytes(4).toString('hex');
    /**
     * A sale: every buyer at once, each in its own loop, buys one seat after another, picked at
     * random from those not yet known to be taken, until every seat has been tried.
     */
    const sell = async (
      salePerformanceId: string,
      seatsOnSale: readonly string[],
      sellingTo: readonly Buyer[],
    ) => {
      const remaining = seatsOnSale.slice();
      const latencies: number[] = [];
      const failures = new Map<string, number>();
      const fail = (what: string) => failures.set(what, (failures.get(what) ?? 0) + 1);
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
          body: { performanceId: salePerformanceId, seats: [seatId] },
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
      const started = performance.now();
      await Promise.all(
        sellingTo.map(async (buyer) => {
          while (await purchase(buyer)) {
            // Next seat.
          }
        }),
      );
      const elapsedS = (performance.now() - started) / 1000;
      return {
        ...percentiles(latencies),
        purchases: latencies.length,
        elapsedS,
        steps,
        taken,
        failures,
      };
    };

    // The sale.
    log(`${backend}: ${saleBuyers.length} buyers funded; the sale opens`);
    const memory = {
      exchange: sampleMemory(exchangeServer),
      ticketing: sampleMemory(ticketingServer),
    };
    const cpuBefore = await cpuSplit();
    const sale = await sell(performanceId, seatIds, saleBuyers);
    const { purchases, elapsedS, failures } = sale;
    const cpuAfter = await cpuSplit();
    const cpuPerPurchase = Object.fromEntries(
      Object.entries(cpuAfter).map(([name, ms]) => [
        name,
        Number(
          ((ms - cpuBefore[name as keyof typeof cpuAfter]) / Math.max(1, purchases)).toFixed(2),
        ),
      ]),
    );
    log(
      `${backend}: CPU ms per purchase: ${Object.entries(cpuPerPurchase)
        .map(([name, ms]) => `${name} ${ms}`)
        .join(', ')}`,
    );
    log(
      `${backend}: mean ms per purchase by step: ${Object.entries(sale.steps)
        .map(([name, ms]) => `${name} ${(ms / Math.max(1, purchases)).toFixed(0)}`)
        .join(', ')}; ${sale.taken} holds lost to another buyer`,
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

    // The sweep: a fresh event per level, sold to that many buyers at once.
    const sweep: SweepPoint[] = [];
    const performanceIds = [performanceId];
    for (const [step, level] of sweepLevels.entries()) {
      const event = await createEvent(ticketing, organizer, `bench-onsale-sweep-${step + 1}`, {
        ...layout,
        seats: sweepSeats,
        perBuyerLimit: sweepBuyerLimit,
      });
      performanceIds.push(event.performanceId);
      const stepBuyers = buyers.slice(0, level);
      await fundBuyers(exchangeDb, stepBuyers, sweepFundUnits);
      // The map is whole sections: the step sells the seats asked for, in map order.
      const point = await sell(event.performanceId, event.seatIds.slice(0, sweepSeats), stepBuyers);
      const throughput = Math.round(point.purchases / point.elapsedS);
      sweep.push({
        backend,
        concurrency: level,
        throughput_per_s: throughput,
        p50_ms: point.p50_ms,
        p99_ms: point.p99_ms,
      });
      log(
        `${backend}: sweep ${level} buyers: ${point.purchases} purchases, ${throughput}/s, ` +
          `p50 ${point.p50_ms} ms, p99 ${point.p99_ms} ms` +
          (point.failures.size > 0
            ? `, failures ${JSON.stringify(Object.fromEntries(point.failures))}`
            : ''),
      );
    }

    for (const client of clients) client.close();
    // Let the workers finish (refunds, late webhooks) before stopping: a few seconds of quiet.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await stop(ticketingServer);
    await stop(exchangeServer);

    const checks = await integrity(exchangeDb, ticketingDb, performanceIds, merchantId);
    const result = {
      backend,
      purchases,
      purchases_per_s: Math.round(purchases / elapsedS),
      p50_ms: sale.p50_ms,
      p99_ms: sale.p99_ms,
      ...checks,
      rss_mb: rss,
      cpu_ms_per_purchase: cpuPerPurchase,
      failures: Object.fromEntries(failures),
      sweep,
    };
    log(
      `${backend}: ${purchases} purchases in ${elapsedS.toFixed(1)} s = ${result.purchases_per_s}/s, ` +
        `p50 ${result.p50_ms} ms, p99 ${result.p99_ms} ms, RSS ticketing ${rss.ticketing} MB exchange ${rss.exchange} MB, ` +
        `oversold ${checks.oversold}, paid without ticket ${checks.paid_without_ticket}, ` +
        `ticket without payment ${checks.ticket_without_payment}, ledger ${checks.ledger_balanced ? 'balanced' : 'NOT BALANCED'}` +
        (failures.size > 0 ? `, failures ${JSON.stringify(Object.fromEntries(failures))}` : ''),
    );
    return result;
  } finally {
    for (const client of clients) client.close();
    for (const server of servers) await stop(server);
    await databases.remove();
  }
}

/** The median and 99th percentile of a sale's purchase latencies, in whole milliseconds. */
function percentiles(latencies: readonly number[]) {
  const quantile = (share: number) => Math.round(percentile(latencies, share) || 0);
  return { p50_ms: quantile(0.5), p99_ms: quantile(0.99) };
}

/** The books after the sales (the measured run's and the sweep's), read straight from both databases. */
async function integrity(
  exchangeDb: SaleDatabases['exchangeDb'],
  ticketingDb: SaleDatabases['ticketingDb'],
  performanceIds: readonly string[],
  merchantId: string,
) {
  const tickets = await ticketingDb.db
    .selectFrom('tickets')
    .select(['id', 'performance_id', 'seat_id', 'order_id', 'status'])
    .where('performance_id', 'in', performanceIds)
    .execute();
  const live = tickets.filter(
    (ticket) => ticket.status === 'valid' || ticket.status === 'awaiting_device',
  );
  // A seat is sold once per performance: the key names both.
  const seatsTaken = new Map<string, number>();
  for (const ticket of live) {
    const place = `${ticket.performance_id}/${ticket.seat_id ?? ticket.id}`;
    seatsTaken.set(place, (seatsTaken.get(place) ?? 0) + 1);
  }
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

async function main() {
  await buildServers();
  const noop = await noopBaseline();
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
      sweep: results.flatMap((r) => r.sweep),
      sweep_seats: sweepSeats,
    }),
  );
  if (failed) process.exit(1);
}

await main();
