/**
 * The gate: verified admissions per second through the ticketing server's online API (claim 12),
 * on SQLite and on PostgreSQL, from many terminals at once.
 *
 * Both servers run as in production (their bundles, plain node, their own processes and fresh
 * databases); the exchange is there because an organizer's wallet must be linked to publish.
 * Setup goes through the real API: the organizer signs in, links its merchant wallet, creates a
 * venue with one standing area and an event whose doors opened half an hour ago, and publishes
 * it; its staff make one enrolment code per terminal and each terminal trades its code for its
 * credential. The tickets are minted with the server's own issuance code (`mintTickets`) straight
 * into the server's database, each for its own holder and bound to its own device key, which only
 * this process holds: the same signed credentials a paid order carries, without tens of
 * thousands of purchases through the exchange (the on-sale bench measures those).
 *
 * The holders' phones make their live barcodes (each device key signs its credential with the
 * current time) just before the gates open: phones do that on their own processors, so it is
 * kept out of the timed part, which shares two cores with the server; a barcode that would be
 * over 20 s old (of the 30 s it lives) when its holder reaches a gate is made again then. Then
 * every terminal at once, each in a loop, takes the next holder in the queue and sends the
 * holder's barcode to `POST /v1/terminal/verifications`, which verifies it as the protocol says,
 * compares it with the ticket on record and records the admission and the audit entry together
 * (one statement on PostgreSQL). One holder in 25 is also scanned a second time right away, at whichever terminal
 * is free next (two gates at the same moment): exactly one of the two scans may pass, the other
 * must be refused as already used. Latencies are the verification requests' round trips.
 *
 * Afterwards the servers stop and the database is read: a ticket with more than one counted
 * admission, or a holder the answers admitted twice, is a duplicate admitted
 * (`duplicates_admitted`, which must be 0); every holder must have been admitted once. The
 * baseline, measured in the same run, is an empty Fastify route's requests/s.
 *
 * The ticketing server runs without its background workers: minting tens of thousands of
 * tickets at once would otherwise queue as many PBKDF2 manual-code records (made off the
 * purchase path, a few hundred a minute) in the middle of the measurement.
 *
 * The concurrency sweep: after the measured run, `BENCH_GATE_SWEEP_TICKETS` (default 2,000) more
 * holders at each of `BENCH_CONCURRENCY_LEVELS` terminals scanning at once (default 8,32,128;
 * empty to skip), reported as `sweep` for the charts of bench/report.ts. Their barcodes are made
 * just before each step, and their admissions are checked with the rest.
 *
 * BENCH_BACKENDS=sqlite|postgres runs one backend; BENCH_GATE_TICKETS (default 20,000) and
 * BENCH_GATE_TERMINALS (default 64) resize the run; BENCH_PROFILE_DIR writes the ticketing
 * server's CPU profile.
 */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { type Ed25519Signer, fromBase64url, toBase64url } from '@tessera/protocol';
import { protocol } from '@tessera/protocol/node';
import { systemClock } from '@tessera/service-kit/clock';
import { DevelopmentSms } from '@tessera/service-kit/sms';
import { loadConfig } from '../services/ticketing/src/config.ts';
import { createTicketing, inTransaction } from '../services/ticketing/src/context.ts';
import { ExchangeClient } from '../services/ticketing/src/exchange-client.ts';
import { newId } from '../services/ticketing/src/ids.ts';
import { signerFor } from '../services/ticketing/src/organizers/keys.ts';
import { mintTickets } from '../services/ticketing/src/tickets/issuance.ts';
import {
  concurrencyLevels,
  cpuMs,
  freePort,
  host,
  percentile,
  postgresBackendCpu,
  readStatusMb,
  sampleMemory,
  stop,
  waitForServer,
  writeRatesFile,
} from './lib.ts';
import {
  Client,
  exchangeServerEnv,
  openSaleDatabases,
  type Service,
  signInTicketing,
  signUpExchange,
  startServer,
  ticketingServerEnv,
} from './onsale-setup.ts';
import type { SweepPoint } from './report.ts';

export type GateLoadResult = Awaited<ReturnType<typeof runGateLoad>>;

/** The size of one gate load: what `npm run bench -- gate` runs, and what others reuse. */
export interface GateLoadOptions {
  /** Holders scanned in the measured run. */
  tickets: number;
  terminals: number;
  /** Terminals scanning at once in each sweep step, and the holders of each step. */
  sweepLevels: number[];
  sweepTickets: number;
  /** More holders for `extra`, which runs after the measured run and before the sweep. */
  extraTickets?: number;
  extra?: (kit: GateKit) => Promise<unknown>;
}

/** What `extra` may do with the running system. */
export interface GateKit {
  backend: 'sqlite' | 'postgres';
  ticketingPort: number;
  ownerToken: string;
  organizerId: string;
  performanceId: string;
  terminals: number;
  /** The next `count` fresh holders (of `extraTickets`) shown their barcodes and scanned by every terminal. */
  scanFresh(
    count: number,
  ): Promise<{ admitted: number; elapsedS: number; p50: number; p99: number }>;
  /** CPU time the ticketing server's process has used so far, in ms. */
  ticketingCpuMs(): number;
}

/** The gate bench's default size (BENCH_GATE_TICKETS, BENCH_GATE_TERMINALS, the sweep's). */
export function gateLoadFromEnv(): GateLoadOptions {
  return {
    tickets: Number(process.env.BENCH_GATE_TICKETS ?? 20_000),
    terminals: Number(process.env.BENCH_GATE_TERMINALS ?? 64),
    sweepLevels: concurrencyLevels('8,32,128', 'terminal'),
    sweepTickets: Number(process.env.BENCH_GATE_SWEEP_TICKETS ?? 2_000),
  };
}
/** One holder in this many is scanned twice at once. */
const repeatEvery = 25;
/** Tickets minted per transaction. */
const mintChunk = 500;

const log = (message: string) => console.error(`[gate bench] ${message}`);

function must(what: string, response: { status: number; body: unknown }, status = 200) {
  if (response.status !== status) {
    throw new Error(`${what}: ${response.status} ${JSON.stringify(response.body)}`);
  }
  // biome-ignore lint/suspicious/noExplicitAny: the bench reads whatever JSON came back.
  return response.body as any;
}

const profileDir = process.env.BENCH_PROFILE_DIR;

/** The ticketing server's CPU profile, when asked for (BENCH_PROFILE_DIR). */
const profileArgs = (service: Service) =>
  profileDir && service === 'ticketing'
    ? ['--cpu-prof', `--cpu-prof-dir=${join(profileDir, service)}`]
    : [];

interface Holder {
  signer: Ed25519Signer;
  credential: Uint8Array;
}

export async function runGateLoad(backend: 'sqlite' | 'postgres', options: GateLoadOptions) {
  const { tickets: ticketsWanted, terminals: terminalsWanted, sweepLevels, sweepTickets } = options;
  const extraTickets = options.extraTickets ?? 0;
  /** Holders minted: the measured run's, `extra`'s, then one batch per sweep step. */
  const ticketsMinted = ticketsWanted + extraTickets + sweepTickets * sweepLevels.length;
  const databases = await openSaleDatabases(backend, 'tessera-bench-gate-', {
    ticketingPoolSize: 4,
  });
  const { dir, ticketingDb } = databases;
  const servers: ChildProcess[] = [];
  const clients: Client[] = [];
  try {
    const ratesPath = join(dir, 'rates.json');
    writeRatesFile(ratesPath);
    const exchangePort = await freePort();
    const ticketingPort = await freePort();
    const exchangeServer = startServer(
      'exchange',
      exchangeServerEnv(databases, exchangePort, ratesPath),
    );
    servers.push(exchangeServer);
    const ticketingEnv = {
      ...ticketingServerEnv(databases, ticketingPort, exchangePort),
      TICKETING_WORKERS: 'false',
    };
    const ticketingServer = startServer('ticketing', ticketingEnv, {
      nodeArgs: profileArgs('ticketing'),
    });
    servers.push(ticketingServer);
    await waitForServer(exchangeServer, exchangePort, '/health', 'GET');
    await waitForServer(ticketingServer, ticketingPort, '/health', 'GET');
    const exchange = new Client(exchangePort, 64);
    const ticketing = new Client(ticketingPort, terminalsWanted);
    clients.push(exchange, ticketing);

    // The organizer, its wallet, a stadium with one standing field, and an event with open doors.
    const owner = await signInTicketing(ticketing, '+821091000001');
    const organizer = must(
      'organizer',
      await ticketing.request('POST', '/v1/organizers', {
        token: owner.token,
        body: { name: 'Bench Stadium' },
      }),
      201,
    );
    const merchant = await signUpExchange(exchange, '+821091000002', 'merchant');
    const apiKey = must(
      'api key',
      await exchange.request('POST', '/v1/merchant/api-keys', {
        token: merchant.token,
        body: { label: 'ticketing' },
      }),
      201,
    );
    must(
      'link',
      await ticketing.request('PUT', `/v1/organizers/${organizer.id}/wallet`, {
        token: owner.token,
        body: { apiKey: apiKey.key },
      }),
    );
    const venue = must(
      'venue',
      await ticketing.request('POST', `/v1/organizers/${organizer.id}/venues`, {
        token: owner.token,
        body: {
          name: 'Bench Stadium',
          address: 'Olympic-ro 25, Seoul',
          latitude: 37.5154,
          longitude: 127.0727,
          radiusM: 500,
        },
      }),
      201,
    );
    must(
      'seat map',
      await ticketing.request('PUT', `/v1/venues/${venue.id}/seat-map`, {
        token: owner.token,
        body: { sections: [], areas: [{ name: 'Field', capacity: ticketsMinted }] },
      }),
    );
    const startsAt = Date.now() + 30 * 60_000;
    const event = must(
      'event',
      await ticketing.request('POST', `/v1/organizers/${organizer.id}/events`, {
        token: owner.token,
        body: {
          slug: 'bench-gate',
          name: 'Bench Gate',
          venueId: venue.id,
          categories: [
            {
              name: 'Field',
              pricing: 'crypto',
              priceAsset: 'USDT',
              price: '10',
              seating: 'ga',
              area: 'Field',
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
      }),
      201,
    );
    must(
      'publish',
      await ticketing.request('POST', `/v1/events/${event.id}/publish`, { token: owner.token }),
    );
    const performanceId = event.performances[0].id as string;
    const categoryId = event.categories[0].id as string;

    // The terminals: one enrolment code each, traded for the terminal's credential.
    const terminals: { token: string; id: string }[] = [];
    for (let index = 0; index < terminalsWanted; index++) {
      const enrolment = must(
        'enrolment',
        await ticketing.request('POST', `/v1/organizers/${organizer.id}/enrolments`, {
          token: owner.token,
          body: {
            venueId: venue.id,
            gate: `Gate ${1 + (index % 8)}`,
            performanceIds: [performanceId],
          },
        }),
        201,
      );
      const enrolled = must(
        'enrol',
        await ticketing.request('POST', '/v1/terminals/enrol', {
          body: { code: enrolment.code, name: `Scanner ${index + 1}` },
        }),
        201,
      );
      terminals.push({ token: enrolled.token, id: enrolled.terminal.id });
    }

    // The holders: each a user with its own device key, and a ticket bound to that key.
    log(`${backend}: minting ${ticketsMinted} tickets for as many phones`);
    const mintStarted = performance.now();
    const context = createTicketing({
      config: loadConfig({ ...process.env, ...ticketingEnv }),
      database: ticketingDb,
      clock: systemClock,
      sms: new DevelopmentSms(),
      exchange: new ExchangeClient(`http://${host}:${exchangePort}`),
    });
    const issuer = await signerFor(context, organizer.id);
    const holders: Holder[] = [];
    for (let start = 0; start < ticketsMinted; start += mintChunk) {
      const size = Math.min(mintChunk, ticketsMinted - start);
      const people = await Promise.all(
        Array.from({ length: size }, async (_, offset) => ({
          userId: newId('usr'),
          deviceId: newId('dev'),
          phone: `+8210${String(20_000_000 + start + offset).padStart(8, '0')}`,
          signer: await protocol.generateSigner(),
        })),
      );
      for (let attempt = 1; ; attempt++) {
        try {
          const credentials = await inTransaction(context, async ({ trx, now }) => {
            await trx
              .insertInto('users')
              .values(
                people.map((p) => ({
                  id: p.userId,
                  phone: p.phone,
                  first_name: null,
                  created_at: now,
                  verified_at: now,
                })),
              )
              .execute();
            await trx
              .insertInto('devices')
              .values(
                people.map((p) => ({
                  id: p.deviceId,
                  user_id: p.userId,
                  public_key: toBase64url(p.signer.publicKey),
                  label: 'phone',
                  created_at: now,
                  revoked_at: null,
                })),
              )
              .execute();
            const holdId = newId('hld');
            const orderId = newId('ord');
            const first = people[0] as (typeof people)[number];
            await trx
              .insertInto('holds')
              .values({
                id: holdId,
                performance_id: performanceId,
                event_id: event.id,
                user_id: first.userId,
                status: 'converted',
                quantity: size,
                expires_at: now,
                created_at: now,
                released_at: null,
              })
              .execute();
            await trx
              .insertInto('orders')
              .values({
                id: orderId,
                user_id: first.userId,
                organizer_id: organizer.id,
                event_id: event.id,
                performance_id: performanceId,
                hold_id: holdId,
                status: 'issued',
                asset: 'USDT',
                amount: '0',
                fiat_amount: null,
                quote_id: null,
                payment_request_id: null,
                pay_expires_at: now,
                device_id: null,
                deliver_to_phone: first.phone,
                return_url: null,
                failure: null,
                created_at: now,
                paid_at: now,
                issued_at: now,
                updated_at: now,
              })
              .execute();
            // One line per holder, each minted for its own holder and device.
            const out: string[] = [];
            for (const [index, person] of people.entries()) {
              const [row] = await mintTickets(
                context,
                trx,
                now,
                {
                  id: orderId,
                  organizer_id: organizer.id,
                  event_id: event.id,
                  performance_id: performanceId,
                  asset: 'USDT',
                  holder_user_id: person.userId,
                  holder_phone: person.phone,
                  device: { id: person.deviceId, publicKey: person.signer.publicKey },
                },
                [{ line_no: index + 1, category_id: categoryId, seat_id: null, amount: '0' }],
                issuer,
              );
              out.push(row?.credential as string);
            }
            return out;
          });
          for (const [index, person] of people.entries()) {
            holders.push({
              signer: person.signer,
              credential: fromBase64url(credentials[index] as string),
            });
          }
          break;
        } catch (error) {
          // A random manual number collided with one already drawn: mint the chunk again.
          if (attempt >= 5) throw error;
        }
      }
    }
    log(
      `${backend}: minted in ${((performance.now() - mintStarted) / 1000).toFixed(1)} s; ` +
        `${terminals.length} terminals open the gates`,
    );

    // The holders get their phones out: each phone makes its live barcode on its own processor,
    // so they are made now rather than on the bench's two cores while the gates are timed. A
    // barcode that would be more than 20 s old when scanned (of the 30 s it lives) is made again
    // at the scan, with the time then.
    /** The scans of holders [from, to): each once, one in `repeatEvery` twice at once. */
    const queueOf = (from: number, to: number) => {
      const queue: { holder: number; repeat: boolean }[] = [];
      for (let index = from; index < to; index++) {
        queue.push({ holder: index, repeat: false });
        if (index % repeatEvery === 0) queue.push({ holder: index, repeat: true });
      }
      return queue;
    };
    const shown: string[] = [];
    let shownAtS = 0;
    const showBarcodes = async (from: number, to: number) => {
      shownAtS = Math.floor(Date.now() / 1000);
      for (let index = from; index < to; index++) {
        const holder = holders[index] as Holder;
        shown[index] = (
          await protocol.createPresentation(holder.credential, holder.signer, shownAtS)
        ).text;
      }
    };
    let remade = 0;
    /** Admissions each holder got: exactly one is right, whichever of its scans won. */
    const admits = new Uint8Array(holders.length);
    const refusals = new Map<string, number>();
    const failures = new Map<string, number>();
    const fail = (what: string) => failures.set(what, (failures.get(what) ?? 0) + 1);
    /** `loops` terminals at once (taking turns with the enrolled credentials) work through `queue`. */
    const scanAll = async (queue: { holder: number; repeat: boolean }[], loops: number) => {
      let next = 0;
      let admitted = 0;
      const latencies: number[] = [];
      const started = performance.now();
      await Promise.all(
        Array.from({ length: loops }, async (_, loop) => {
          const terminal = terminals[loop % terminals.length] as (typeof terminals)[number];
          for (;;) {
            const item = queue[next++];
            if (!item) return;
            const holder = holders[item.holder] as Holder;
            const began = performance.now();
            const nowS = Math.floor(Date.now() / 1000);
            let text = shown[item.holder] as string;
            if (nowS - shownAtS > 20) {
              text = (await protocol.createPresentation(holder.credential, holder.signer, nowS))
                .text;
              remade += 1;
            }
            const response = await ticketing.request('POST', '/v1/terminal/verifications', {
              token: terminal.token,
              body: { barcode: text },
            });
            latencies.push(performance.now() - began);
            if (response.status !== 200) {
              fail(`HTTP ${response.status} ${response.body?.error?.code}`);
            } else if (response.body.admitted) {
              admitted += 1;
              admits[item.holder] = (admits[item.holder] as number) + 1;
            } else {
              const reason = String(response.body.reason);
              refusals.set(reason, (refusals.get(reason) ?? 0) + 1);
            }
          }
        }),
      );
      const quantile = (share: number) => Math.round(percentile(latencies, share) || 0);
      const elapsedS = (performance.now() - started) / 1000;
      return { admitted, elapsedS, p50: quantile(0.5), p99: quantile(0.99) };
    };

    const queue = queueOf(0, ticketsWanted);
    await showBarcodes(0, ticketsWanted);
    const memory = sampleMemory(ticketingServer);
    const cpuSplit = async () => {
      const own = process.cpuUsage();
      return {
        ticketing: cpuMs(ticketingServer),
        postgres: [...(await postgresBackendCpu(ticketingDb)).values()].reduce((a, b) => a + b, 0),
        client: (own.user + own.system) / 1000,
      };
    };
    const cpuBefore = await cpuSplit();
    const measured = await scanAll(queue, terminals.length);
    const { admitted, elapsedS } = measured;
    const cpuAfter = await cpuSplit();
    const cpuPerAdmission = Object.fromEntries(
      Object.entries(cpuAfter).map(([name, ms]) => [
        name,
        Number(
          ((ms - cpuBefore[name as keyof typeof cpuAfter]) / Math.max(1, admitted)).toFixed(3),
        ),
      ]),
    );
    const rss = Math.round(Math.max(memory.maxMb(), readStatusMb(ticketingServer, 'VmHWM')));
    memory.stop();

    // What another bench adds (the console's dashboards): fresh holders of its own.
    let repeatScans = queue.length - ticketsWanted;
    let extraUsed = 0;
    const extraResult = await options.extra?.({
      backend,
      ticketingPort,
      ownerToken: owner.token,
      organizerId: organizer.id,
      performanceId,
      terminals: terminals.length,
      scanFresh: async (count) => {
        if (extraUsed + count > extraTickets) throw new Error('scanFresh: beyond extraTickets');
        const from = ticketsWanted + extraUsed;
        extraUsed += count;
        await showBarcodes(from, from + count);
        const batch = queueOf(from, from + count);
        repeatScans += batch.length - count;
        return scanAll(batch, terminals.length);
      },
      ticketingCpuMs: () => cpuMs(ticketingServer),
    });
    // Holders `extra` left unscanned are scanned now, so that the books below stay exact.
    if (extraUsed < extraTickets) {
      const from = ticketsWanted + extraUsed;
      await showBarcodes(from, ticketsWanted + extraTickets);
      const rest = queueOf(from, ticketsWanted + extraTickets);
      repeatScans += rest.length - (extraTickets - extraUsed);
      await scanAll(rest, terminals.length);
    }

    // The sweep: fresh holders at each number of terminals scanning at once.
    const sweep: SweepPoint[] = [];
    for (const [step, level] of sweepLevels.entries()) {
      const from = ticketsWanted + extraTickets + step * sweepTickets;
      await showBarcodes(from, from + sweepTickets);
      const stepQueue = queueOf(from, from + sweepTickets);
      repeatScans += stepQueue.length - sweepTickets;
      const point = await scanAll(stepQueue, level);
      sweep.push({
        backend,
        concurrency: level,
        throughput_per_s: Math.round(point.admitted / point.elapsedS),
        p50_ms: point.p50,
        p99_ms: point.p99,
      });
      log(
        `${backend}: sweep ${level} terminals: ${sweep.at(-1)?.throughput_per_s}/s, p50 ${point.p50} ms, p99 ${point.p99} ms`,
      );
    }
    for (const client of clients) client.close();
    await stop(ticketingServer);
    await stop(exchangeServer);

    // The books: admissions counted per ticket, straight from the database.
    const counted = await ticketingDb.db
      .selectFrom('admissions')
      .select(['ticket_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('performance_id', '=', performanceId)
      .where('duplicate', '=', 0)
      .where('direction', '=', 'entry')
      .groupBy('ticket_id')
      .execute();
    const extra = counted.reduce((sum, row) => sum + Math.max(0, Number(row.n) - 1), 0);
    let seenTwice = 0;
    let neverAdmitted = 0;
    for (const count of admits) {
      if (count > 1) seenTwice += count - 1;
      if (count === 0) neverAdmitted += 1;
    }
    if (neverAdmitted > 0) failures.set('holders never admitted', neverAdmitted);
    const duplicatesAdmitted = Math.max(extra, seenTwice);
    const ticketsAdmitted = counted.length;
    // Every holder scanned twice at once must have had exactly one scan refused as already used
    // (the measured run's and the sweep's repeats alike).
    const repeatsRefused = refusals.get('already_used') ?? 0;

    const result = {
      backend,
      admissions_per_s: Math.round(admitted / elapsedS),
      p99_ms: measured.p99,
      duplicates_admitted: duplicatesAdmitted,
      p50_ms: measured.p50,
      admissions: admitted,
      tickets_admitted: ticketsAdmitted,
      repeat_scans: repeatScans,
      barcodes_remade_at_scan: remade,
      repeat_scans_refused: repeatsRefused,
      refusals: Object.fromEntries(refusals),
      terminals: terminals.length,
      cpu_ms_per_admission: cpuPerAdmission,
      rss_mb: rss,
      failures: Object.fromEntries(failures),
      sweep,
      tickets_minted: ticketsMinted,
      extra: extraResult,
    };
    log(
      `${backend}: ${admitted} admissions in ${elapsedS.toFixed(1)} s = ${result.admissions_per_s}/s, ` +
        `p50 ${result.p50_ms} ms, p99 ${result.p99_ms} ms, refusals ${JSON.stringify(result.refusals)}, ` +
        `duplicates admitted ${duplicatesAdmitted}, ${remade} barcodes remade at the scan, RSS ${rss} MB, CPU ms per admission ${JSON.stringify(cpuPerAdmission)}` +
        (failures.size > 0 ? `, failures ${JSON.stringify(result.failures)}` : ''),
    );
    return result;
  } finally {
    for (const client of clients) client.close();
    for (const server of servers) await stop(server);
    await databases.remove();
  }
}
