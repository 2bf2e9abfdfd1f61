/**
 * Crash safety (issue 8, item 3): an on-sale during which the exchange or the ticketing server
 * is killed with SIGKILL at random moments, and restarted on the same database and port, again
 * and again; then the books must hold.
 *
 * Both servers run as in production (their bundles, plain node, each its own process and
 * database). Buyers buy continuously through the real APIs: hold a seat, order it (the ticketing
 * server asks the exchange for a payment request), pay at the exchange, wait for the webhook to
 * issue the ticket, and give about half the tickets back (a refund the ticketing server sends to
 * the exchange), so seats are sold, freed and sold again through the whole run. A buyer whose
 * call fails because a server is down does what the mobile app does: retries the same call (the
 * order by its hold, the payment by its idempotency key) until it is answered or gives up.
 *
 * A killer waits until a purchase has gone through since the last restart and then a random
 * time more, picks one of the two servers at random, SIGKILLs it, restarts it and waits until it
 * is ready. After the last kill the load stops and the workers finish:
 * the run waits (bounded) until no order is being made, no paid order awaits its tickets or
 * refund, no refund is pending and no webhook delivery is pending. Then both servers are
 * stopped and the books are read from both databases (bench/books.ts): no seat sold twice, every
 * paid request has its tickets or its refund, no ticket without payment, the exchange's audit
 * passes, no webhook lost. Every violation is listed with its rows.
 *
 * `npm run bench -- crash`: BENCH_CRASH_KILLS kills per backend (default 200), BENCH_BACKENDS
 * (sqlite,postgres by default). It prints progress on stderr and last one JSON line:
 * {"scenario":"crash","kills":N,"violations":0,...}. The test (scripts/test/crash.test.ts) runs
 * the same scenario with 20 kills on a small event.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sql } from '@tessera/db';
import { checkBooks } from './books.ts';
import { freePort, stop, waitForServer, writeRatesFile } from './lib.ts';
import {
  type Backend,
  type Buyer,
  buildServers,
  Client,
  createSale,
  exchangeServerEnv,
  fundBuyers,
  openSaleDatabases,
  type SaleDatabases,
  type Service,
  signUpBuyers,
  startServer,
  ticketingServerEnv,
} from './onsale-setup.ts';

export interface CrashOptions {
  readonly backend: Backend;
  readonly kills: number;
  readonly seats: number;
  readonly buyers: number;
  /** The killer waits between `min` and `max` ms (uniform) after a restart before the next kill. */
  readonly killGapMs: { readonly min: number; readonly max: number };
  /** A buyer pauses between `min` and `max` ms before each purchase or return, as a person does. */
  readonly thinkMs: { readonly min: number; readonly max: number };
  /** How long the workers may take to finish after the last kill before the books are read. */
  readonly drainMs: number;
  /** Progress lines (stderr in the bench); none when absent. */
  readonly log?: (message: string) => void;
}

export interface CrashResult {
  readonly backend: Backend;
  readonly kills: number;
  readonly killed: Record<Service, number>;
  readonly violations: string[];
  readonly purchases: number;
  readonly ticketsReturned: number;
  readonly paidRequests: number;
  readonly webhookDeliveries: number;
  /** Seconds from the last kill until the workers had finished. */
  readonly drainS: number;
  /** Mean time from a kill until the restarted server was ready, in ms. */
  readonly downMs: number;
  readonly seconds: number;
  /** Failed buyer calls by step and cause: what the crashes cost the buyers. */
  readonly buyerErrors: Record<string, number>;
}

/** Seats per row of the venue; sections have up to 20 rows, so a small event is one section. */
const seatsPerRow = 10;
const rowsPerSectionMax = 20;
const price = '1';
const fundUnits = 1_000_000_000n; // 1,000 USDT: more seats than a buyer can buy in a run.
/**
 * How often a buyer who holds tickets gives one back instead of buying another: seats keep
 * changing hands all run long, so the sale never sells out and every kill lands mid-sale.
 */
const returnShare = 0.5;
/** How long a buyer keeps retrying one call while a server is down before giving the step up. */
const callRetryMs = 20_000;
/** How long a buyer waits for an order it paid to be issued before giving the purchase up. */
const issueWaitMs = 40_000;
/**
 * How long the killer waits for the sale to go on (a purchase) before the next kill; a sale that
 * stays stuck that long is a finding, and the run goes on to show it in its numbers and books.
 */
const saleProgressBoundMs = 60_000;

/**
 * The servers' settings for this run. Holds last the shortest time allowed (60 s) and the
 * payment window closes 5 s before them, so holds and orders left behind by a crash (their
 * answers lost) end within the run and their seats come back. Webhook attempts time out after
 * 2 s and a round claims no more than it sends at once, so a delivery leased by an exchange that
 * was then killed is claimed again after the shortest lease the exchange allows (one timeout
 * plus its fixed 60 s margin). Rates last a day: a long run must not see them go stale.
 */
const exchangeSettings = {
  EXCHANGE_WEBHOOK_TIMEOUT_MS: '2000',
  // A delivery the killed exchange was sending is taken over 5 s after its lease, not a minute.
  EXCHANGE_WEBHOOK_LEASE_MARGIN_MS: '5000',
  EXCHANGE_WEBHOOK_BATCH: '32',
  EXCHANGE_WEBHOOK_CONCURRENCY: '32',
  EXCHANGE_RATE_MAX_AGE_S: '86400',
};
const ticketingSettings = {
  TICKETING_HOLD_TTL_S: '60',
  TICKETING_PAYMENT_MARGIN_S: '5',
  // A buyer whose hold a crash left unpaid cools down as long as the hold lasted, as with the
  // defaults (600 s each), not for the rest of the run.
  TICKETING_HOLD_COOLDOWN_S: '60',
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A server process that can be killed and started again on the same port and database. */
class Supervised {
  private child: ChildProcess;
  private output: number | undefined;

  constructor(
    readonly service: Service,
    readonly port: number,
    private readonly env: Record<string, string>,
    private readonly logPath: string,
  ) {
    // Each server's log goes to a file beside the databases; it is kept when the books fail.
    this.output = openSync(logPath, 'a');
    this.child = this.spawn();
  }

  private spawn() {
    if (this.output === undefined) throw new Error(`${this.service} was stopped`);
    return startServer(this.service, this.env, { output: this.output });
  }

  /** Waits until the server answers /ready; if it exits first, the error ends with its log. */
  async ready() {
    try {
      await waitForServer(this.child, this.port, '/ready', 'GET');
    } catch (error) {
      const tail = readFileSync(this.logPath, 'utf8').slice(-2_000);
      throw new Error(`${this.service}: ${(error as Error).message}; its log ends:\n${tail}`);
    }
  }

  /**
   * SIGKILL: no shutdown hook runs, in-flight requests and transactions are cut where they are.
   * Answers how long the server was away, from the kill until it was ready again (ms).
   */
  async killAndRestart() {
    const killedAt = performance.now();
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGKILL');
    await exited;
    this.child = this.spawn();
    await this.ready();
    return performance.now() - killedAt;
  }

  /** SIGTERM, as an operator stops it; safe to call twice. */
  async stop() {
    await stop(this.child);
    if (this.output !== undefined) closeSync(this.output);
    this.output = undefined;
  }
}

type Answer = Awaited<ReturnType<Client['request']>>;
type Owned = { ticketId: string; seatId: string };

/** Transient failures (a server down or restarting, a cut connection, 5xx) are retried. */
class Unanswered extends Error {}

export async function runCrash(options: CrashOptions): Promise<CrashResult> {
  const log = options.log ?? (() => {});
  const started = performance.now();
  const databases = await openSaleDatabases(options.backend, 'tessera-crash-');
  const ratesPath = join(databases.dir, 'rates.json');
  writeRatesFile(ratesPath);
  const exchangePort = await freePort();
  const ticketingPort = await freePort();
  const servers = {
    exchange: new Supervised(
      'exchange',
      exchangePort,
      { ...exchangeServerEnv(databases, exchangePort, ratesPath), ...exchangeSettings },
      join(databases.dir, 'exchange.log'),
    ),
    ticketing: new Supervised(
      'ticketing',
      ticketingPort,
      { ...ticketingServerEnv(databases, ticketingPort, exchangePort), ...ticketingSettings },
      join(databases.dir, 'ticketing.log'),
    ),
  };
  // Sockets per server: one per buyer at most, as each buyer makes one call at a time.
  const exchange = new Client(exchangePort, options.buyers + 8);
  const ticketing = new Client(ticketingPort, options.buyers + 8);
  let keep = false;
  try {
    await servers.exchange.ready();
    await servers.ticketing.ready();
    const sale = await createSale(exchange, ticketing, {
      seats: options.seats,
      seatsPerRow,
      rowsPerSection: Math.min(rowsPerSectionMax, Math.ceil(options.seats / seatsPerRow)),
      price,
      refundPolicy: 'until_start',
    });
    const buyers = await signUpBuyers(exchange, ticketing, options.buyers);
    await fundBuyers(databases.exchangeDb, buyers, fundUnits);
    log(
      `${options.backend}: set up in ${((performance.now() - started) / 1000).toFixed(1)} s; ${sale.seatIds.length} seats, ${buyers.length} buyers; the sale opens and the killer starts`,
    );

    const load = startLoad(
      exchange,
      ticketing,
      buyers,
      sale.performanceId,
      sale.seatIds,
      options.thinkMs,
    );
    const killed: Record<Service, number> = { exchange: 0, ticketing: 0 };
    let downMs = 0;
    let stalled = 0;
    const killsStarted = performance.now();
    for (let kill = 1; kill <= options.kills; kill++) {
      // Each kill lands mid-sale: a purchase has gone through since the sale opened or since
      // the last restart, then a random gap. With a fixed gap alone, a loaded machine (servers
      // slow to start again, the exchange breaker open after each exchange kill) had the killer
      // strike again before any sale could finish: 20 kills and 2 purchases on PostgreSQL.
      if (!(await load.purchaseWithin(saleProgressBoundMs))) {
        stalled += 1;
        log(
          `${options.backend}: no purchase within ${saleProgressBoundMs / 1000} s before kill ${kill}`,
        );
      }
      await sleep(
        options.killGapMs.min + randomInt(options.killGapMs.max - options.killGapMs.min + 1),
      );
      const victim: Service = randomInt(2) === 0 ? 'exchange' : 'ticketing';
      downMs += await servers[victim].killAndRestart();
      killed[victim] += 1;
      if (kill % 5 === 0 || kill === options.kills)
        log(
          `${options.backend}: ${kill}/${options.kills} kills (exchange ${killed.exchange}, ticketing ${killed.ticketing}); ${load.stats.purchases} purchases, ${load.stats.returned} tickets returned`,
        );
    }
    const lastKill = performance.now();
    await load.stop();
    if (stalled > 0) log(`${options.backend}: the sale stalled before ${stalled} kill(s)`);
    log(
      `${options.backend}: failed buyer calls (retried): ${
        [...load.stats.errors]
          .sort((a, b) => b[1] - a[1])
          .map(([what, count]) => `${what} x${count}`)
          .join(', ') || 'none'
      }`,
    );

    const drained = await drain(
      databases,
      sale.merchantId,
      drainBoundMs(options.drainMs, lastKill - killsStarted),
      (left) => log(`${options.backend}: waiting for the workers: ${left.join(', ')}`),
    );
    const drainS = (performance.now() - lastKill) / 1000;
    log(
      `${options.backend}: workers ${drained.length === 0 ? 'finished' : 'NOT finished'} ${drainS.toFixed(1)} s after the last kill`,
    );
    await servers.ticketing.stop();
    await servers.exchange.stop();

    const books = await checkBooks(databases, {
      performanceId: sale.performanceId,
      merchantId: sale.merchantId,
    });
    const violations = [...drained.map((left) => `not finished: ${left}`), ...books.violations];
    keep = violations.length > 0;
    if (keep) {
      log(
        `${options.backend}: ${violations.length} violation(s); databases and server logs kept in ${databases.dir}` +
          (databases.urls.exchange
            ? ` and ${databases.urls.exchange}, ${databases.urls.ticketing}`
            : ''),
      );
      for (const violation of violations.slice(0, 50)) log(`  ${violation}`);
    }
    return {
      backend: options.backend,
      kills: options.kills,
      killed,
      violations,
      purchases: load.stats.purchases,
      ticketsReturned: load.stats.returned,
      paidRequests: books.paidRequests,
      webhookDeliveries: books.webhookDeliveries,
      drainS: Number(drainS.toFixed(1)),
      downMs: Math.round(downMs / Math.max(1, options.kills)),
      seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
      buyerErrors: Object.fromEntries(load.stats.errors),
    };
  } catch (error) {
    // A server that will not start again after a kill is itself a finding: keep what it left.
    keep = true;
    log(`${options.backend}: failed; databases and server logs kept in ${databases.dir}`);
    throw error;
  } finally {
    exchange.close();
    ticketing.close();
    await servers.ticketing.stop();
    await servers.exchange.stop();
    if (keep) await databases.keep();
    else await databases.remove();
  }
}

/**
 * The buyers, each in its own loop until `stop()`: hold a seat, order, pay and wait for the
 * ticket, or give back one of the tickets bought earlier. Seats are picked at random among those not known to be taken;
 * when none are left the guess starts over from the whole venue (holds lost in a crash expire,
 * returned tickets free their seats).
 */
export function startLoad(
  exchange: Client,
  ticketing: Client,
  buyers: readonly Buyer[],
  performanceId: string,
  seatIds: readonly string[],
  thinkMs: CrashOptions['thinkMs'],
  /** Told of every HTTP answer (step and status), retried ones included. */
  onAnswer?: (step: string, status: number, code: string | undefined) => void,
) {
  let stopping = false;
  const free = new Set(seatIds);
  const stats = { purchases: 0, returned: 0, errors: new Map<string, number>() };
  /** Told of the next completed purchase (purchaseWithin). */
  const purchaseWaiters = new Set<() => void>();
  const failed = (what: string) => stats.errors.set(what, (stats.errors.get(what) ?? 0) + 1);
  const runTag = randomBytes(4).toString('hex');
  let payments = 0;

  /** One call, repeated while the answer is a transient failure, for `callRetryMs` at most. */
  const answered = async (step: string, send: () => Promise<Answer>): Promise<Answer> => {
    const deadline = Date.now() + callRetryMs;
    for (;;) {
      let cause: string;
      try {
        const response = await send();
        onAnswer?.(step, response.status, response.body?.error?.code);
        if (response.status < 500) return response;
        cause = `${response.status} ${response.body?.error?.code ?? ''}`.trim();
      } catch (error) {
        cause = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      }
      failed(`${step}: ${cause}`);
      if (stopping || Date.now() > deadline) throw new Unanswered(`${step}: ${cause}`);
      await sleep(100 + randomInt(200));
    }
  };

  const pickSeat = () => {
    if (free.size === 0) for (const seat of seatIds) free.add(seat);
    const seats = [...free];
    return seats[randomInt(seats.length)] as string;
  };

  const purchase = async (buyer: Buyer, owned: Owned[]) => {
    const seatId = pickSeat();
    free.delete(seatId);
    // A hold is not idempotent: a retry after a lost answer finds the seat held (409) by the
    // hold it made, which then expires unused.
    const held = await answered('hold', () =>
      ticketing.request('POST', '/v1/holds', {
        token: buyer.token,
        body: { performanceId, seats: [seatId] },
      }),
    );
    if (held.status !== 201) {
      if (held.status !== 409) failed(`hold ${held.status} ${held.body?.error?.code}`);
      else await sleep(50);
      return;
    }
    // Posting the same hold again answers the same order: safe to retry.
    const order = await answered('order', () =>
      ticketing.request('POST', '/v1/orders', {
        token: buyer.token,
        body: { holdId: held.body.id, deviceId: buyer.deviceId },
      }),
    );
    const requestId = order.body?.payment?.requestId;
    if ((order.status !== 201 && order.status !== 200) || typeof requestId !== 'string') {
      failed(`order ${order.status} ${order.body?.error?.code ?? order.body?.status}`);
      return;
    }
    payments += 1;
    const key = `crash-${runTag}-${payments}`;
    const paid = await answered('pay', () =>
      exchange.request('POST', `/v1/payment-requests/${requestId}/pay`, {
        token: buyer.walletToken,
        key,
      }),
    );
    if (paid.status !== 200) {
      failed(`pay ${paid.status} ${paid.body?.error?.code}`);
      return;
    }
    // The webhook (or, if it is late, the ticketing server's own poll) issues the ticket.
    const deadline = Date.now() + issueWaitMs;
    let view: Answer | undefined;
    while (Date.now() < deadline && !stopping) {
      view = await answered('wait', () =>
        ticketing.request('GET', `/v1/orders/${order.body.id}?waitS=5`, { token: buyer.token }),
      );
      if (view.body?.status !== 'awaiting_payment' && view.body?.status !== 'creating') break;
    }
    if (view?.body?.status !== 'issued') {
      if (stopping) return;
      failed(`not issued: ${view?.body?.status}`);
      return;
    }
    stats.purchases += 1;
    for (const told of purchaseWaiters) told();
    purchaseWaiters.clear();
    owned.push({ ticketId: view.body.tickets[0]?.id as string, seatId });
  };

  /** Gives a ticket back: the ticketing server revokes it, frees the seat and owes a refund. */
  const giveBack = async (buyer: Buyer, owned: Owned[]) => {
    const ticket = owned.shift() as Owned;
    const returned = await answered('return', () =>
      ticketing.request('POST', `/v1/tickets/${ticket.ticketId}/refund`, { token: buyer.token }),
    );
    if (returned.status !== 200) {
      failed(`return ${returned.status} ${returned.body?.error?.code}`);
      return;
    }
    stats.returned += 1;
    free.add(ticket.seatId);
  };

  const loops = buyers.map(async (buyer) => {
    const owned: Owned[] = [];
    while (!stopping) {
      await sleep(thinkMs.min + randomInt(thinkMs.max - thinkMs.min + 1));
      if (stopping) break;
      try {
        if (owned.length > 0 && Math.random() < returnShare) await giveBack(buyer, owned);
        else await purchase(buyer, owned);
      } catch (error) {
        // Gave the purchase up after retrying (counted above); the next one starts afresh.
        if (!(error instanceof Unanswered)) throw error;
      }
    }
  });
  return {
    stats,
    /** Whether a purchase completes within `boundMs` from now (answered as soon as one does). */
    purchaseWithin(boundMs: number) {
      return new Promise<boolean>((resolve) => {
        const told = () => {
          clearTimeout(timer);
          resolve(true);
        };
        const timer = setTimeout(() => {
          purchaseWaiters.delete(told);
          resolve(false);
        }, boundMs);
        purchaseWaiters.add(told);
      });
    },
    async stop() {
      stopping = true;
      await Promise.all(loops);
    },
  };
}

/**
 * How long the drain may take: `drainMs`, or longer when the kills went on longer. A webhook
 * delivery or a refund that kept failing while servers were down waits before its next attempt
 * about as long as all its failed attempts took (5 s doubling; webhooks spread ±20 %), so after
 * kills that lasted `killsMs` the last retries may come up to 1.5 × `killsMs` later. On an idle
 * machine the kills last under a minute and `drainMs` bounds it; on a loaded one (servers slow to
 * start again) they last longer, and the bound follows instead of failing a run whose work was
 * still legitimately waiting to be retried.
 */
export function drainBoundMs(drainMs: number, killsMs: number) {
  return Math.max(drainMs, Math.round(1.5 * killsMs) + 30_000);
}

/**
 * Waits until the workers have nothing left to do, or `boundMs` has passed; answers what is
 * still unfinished (empty when all finished). Open orders that nobody paid are not work: they
 * end when their payment window closes.
 */
export async function drain(
  databases: SaleDatabases,
  merchantId: string,
  boundMs: number,
  progress: (left: string[]) => void,
) {
  const started = Date.now();
  let reported = started;
  for (;;) {
    const left = await unfinished(databases, merchantId);
    if (left.length === 0 || Date.now() > started + boundMs) return left;
    if (Date.now() - reported >= 10_000) {
      reported = Date.now();
      progress(left);
    }
    await sleep(500);
  }
}

async function unfinished(
  { exchangeDb, ticketingDb }: SaleDatabases,
  merchantId: string,
): Promise<string[]> {
  const left: string[] = [];
  const creating = await ticketingDb.db
    .selectFrom('orders')
    .select(sql<number>`count(*)`.as('n'))
    .where('status', '=', 'creating')
    .executeTakeFirstOrThrow();
  if (Number(creating.n) > 0) left.push(`${creating.n} order(s) still creating`);
  const refunds = await ticketingDb.db
    .selectFrom('refunds')
    .select(sql<number>`count(*)`.as('n'))
    .where('status', '=', 'pending')
    .executeTakeFirstOrThrow();
  if (Number(refunds.n) > 0) left.push(`${refunds.n} refund(s) pending`);
  const deliveries = await exchangeDb.db
    .selectFrom('webhook_deliveries')
    .select(sql<number>`count(*)`.as('n'))
    .where('status', '=', 'pending')
    .executeTakeFirstOrThrow();
  if (Number(deliveries.n) > 0) left.push(`${deliveries.n} webhook deliveries pending`);
  // Paid at the exchange, but the order still waits for its tickets or refund.
  const paid = await exchangeDb.db
    .selectFrom('payment_requests')
    .select('reference')
    .where('merchant_id', '=', merchantId)
    .where('status', '=', 'paid')
    .execute();
  const settled = new Set(
    (
      await ticketingDb.db
        .selectFrom('orders')
        .select('id')
        .where('status', 'in', ['issued', 'refunded'])
        .execute()
    ).map((order) => order.id),
  );
  const waiting = paid.filter((request) => !settled.has(request.reference)).length;
  if (waiting > 0) left.push(`${waiting} paid order(s) without tickets or refund yet`);
  return left;
}

function crashOptions(backend: Backend, log: (message: string) => void): CrashOptions {
  return {
    backend,
    kills: Number(process.env.BENCH_CRASH_KILLS ?? 200),
    seats: Number(process.env.BENCH_CRASH_SEATS ?? 100),
    buyers: Number(process.env.BENCH_CRASH_BUYERS ?? 40),
    killGapMs: { min: 500, max: 2_000 },
    // Paced so that refunds are owed no faster than the refund sender pays them (about 30 a
    // second here): a faster churn only grows a backlog that the drain then waits out.
    thinkMs: { min: 200, max: 800 },
    drainMs: 300_000,
    log,
  };
}

async function main() {
  const log = (message: string) => console.error(`[crash bench] ${message}`);
  await buildServers();
  const only = process.env.BENCH_BACKENDS?.split(',');
  const results: CrashResult[] = [];
  for (const backend of (['sqlite', 'postgres'] as const).filter(
    (b) => !only || only.includes(b),
  )) {
    const result = await runCrash(crashOptions(backend, log));
    log(
      `${backend}: ${result.kills} kills (exchange ${result.killed.exchange}, ticketing ${result.killed.ticketing}) in ${result.seconds} s, ` +
        `${result.purchases} purchases, ${result.ticketsReturned} returned, ${result.paidRequests} paid requests, ` +
        `${result.webhookDeliveries} webhooks; back ${result.downMs} ms after a kill on average; workers done ${result.drainS} s after the last kill; ${result.violations.length} violation(s)`,
    );
    results.push(result);
  }
  const violations = results.reduce((sum, result) => sum + result.violations.length, 0);
  console.log(
    JSON.stringify({
      scenario: 'crash',
      kills: results.reduce((sum, result) => sum + result.kills, 0),
      violations,
      results: results.map((result) => ({
        backend: result.backend,
        kills: result.kills,
        killed: result.killed,
        violations: result.violations.length,
        purchases: result.purchases,
        tickets_returned: result.ticketsReturned,
        paid_requests: result.paidRequests,
        webhook_deliveries: result.webhookDeliveries,
        drain_s: result.drainS,
        down_ms: result.downMs,
        seconds: result.seconds,
      })),
    }),
  );
  if (violations > 0) process.exit(1);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
