/**
 * An on-sale's stage, shared by the on-sale and crash benchmarks (and the crash test): both
 * servers as real processes (their bundles, plain node) over fresh databases, an organizer with
 * a linked merchant wallet, a venue with a seat map, a published event with one seated
 * category, and buyers signed up through the real flows with a device key and a funded wallet.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrateToLatest, openDatabase, writeTransaction } from '@tessera/db';
import { toBase64url } from '@tessera/protocol';
import { protocol } from '@tessera/protocol/node';
import { exchangeMigrations } from '../services/exchange/src/db/migrations/index.ts';
import type { ExchangeDB } from '../services/exchange/src/db/schema.ts';
import { houseAccounts } from '../services/exchange/src/ledger/house-accounts.ts';
import { postEntry } from '../services/exchange/src/ledger/service.ts';
import { ticketingMigrations } from '../services/ticketing/src/db/migrations/index.ts';
import type { TicketingDB } from '../services/ticketing/src/db/schema.ts';
import { deviceRegistrationMessage } from '../services/ticketing/src/identity/devices.ts';
import { call, createPostgresDatabase, host, productionNodeFlags } from './lib.ts';

export type Backend = 'sqlite' | 'postgres';
export type Service = 'exchange' | 'ticketing';

const builds = (['exchange', 'ticketing'] as const).map((service) =>
  fileURLToPath(new URL(`../services/${service}/build.mjs`, import.meta.url)),
);
const bundle = (service: Service) =>
  fileURLToPath(new URL(`../services/${service}/dist/server.mjs`, import.meta.url));

/** Bundles both servers (services/<name>/dist/server.mjs), as production runs them. */
export async function buildServers() {
  for (const build of builds) await import(build);
}

/**
 * Starts a server's bundle in its own process. `nodeArgs` go before the script (profiling);
 * `output` is a file descriptor for its log (default: this process's stderr).
 */
export function startServer(
  service: Service,
  env: Record<string, string>,
  options: { nodeArgs?: readonly string[]; output?: number } = {},
): ChildProcess {
  const output = options.output ?? 2;
  return spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), ...productionNodeFlags[service], bundle(service)],
    {
      env: { ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', output, output],
    },
  );
}

/** A keep-alive JSON client for one server. */
export class Client {
  private readonly agent: http.Agent;
  constructor(
    readonly port: number,
    maxSockets: number,
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets });
  }

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

export async function signInTicketing(ticketing: Client, phone: string) {
  await ticketing.request('POST', '/v1/auth/codes', { body: { phone } });
  const inbox = await ticketing.request('GET', `/dev/sms?phone=${encodeURIComponent(phone)}`);
  const session = await ticketing.request('POST', '/v1/auth/sessions', {
    body: { phone, code: inbox.body.lastCode },
  });
  if (session.status !== 201)
    throw new Error(`sign-in: ${session.status} ${JSON.stringify(session.body)}`);
  return { token: session.body.token as string, userId: session.body.user.id as string };
}

export async function signUpExchange(exchange: Client, phone: string, kind: 'person' | 'merchant') {
  await exchange.request('POST', '/v1/auth/codes', { body: { phone } });
  const inbox = await exchange.request('GET', `/dev/sms?phone=${encodeURIComponent(phone)}`);
  const opened = await exchange.request('POST', '/v1/subscribers', {
    body: { phone, code: inbox.body.lastCode, kind, displayName: `${kind} ${phone}` },
  });
  if (opened.status !== 201)
    throw new Error(`sign-up: ${opened.status} ${JSON.stringify(opened.body)}`);
  return { token: opened.body.token as string, id: opened.body.subscriber.id as string };
}

export interface Buyer {
  token: string;
  deviceId: string;
  walletToken: string;
  walletId: string;
}

/**
 * Fresh databases for both servers, migrated: SQLite files in a temporary folder, or two
 * throwaway PostgreSQL databases (the ticketing server's tables in its `ticketing` schema).
 * `remove()` closes them and deletes the files or drops the databases; `keep()` only closes
 * them, leaving them for a person to look at.
 */
export async function openSaleDatabases(
  backend: Backend,
  prefix: string,
  options: { ticketingPoolSize?: number; postgresAdminUrl?: string } = {},
) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const urls = {
    exchange: undefined as string | undefined,
    ticketing: undefined as string | undefined,
  };
  const drops: (() => Promise<void>)[] = [];
  if (backend === 'postgres') {
    for (const name of ['exchange', 'ticketing'] as const) {
      const created = await createPostgresDatabase(options.postgresAdminUrl);
      urls[name] = created.url;
      drops.push(created.drop);
    }
  }
  const exchangeDb = openDatabase<ExchangeDB>({
    databaseUrl: urls.exchange,
    sqlitePath: join(dir, 'exchange.db'),
    poolSize: 2,
  });
  const ticketingDb = openDatabase<TicketingDB>({
    databaseUrl: urls.ticketing,
    sqlitePath: join(dir, 'ticketing.db'),
    poolSize: options.ticketingPoolSize ?? 2,
    // Where the ticketing server keeps its tables on PostgreSQL (TICKETING_DATABASE_SCHEMA).
    ...(urls.ticketing ? { postgresSchema: 'ticketing' } : {}),
  });
  await migrateToLatest(exchangeDb, exchangeMigrations);
  await migrateToLatest(ticketingDb, ticketingMigrations);
  return {
    dir,
    urls,
    exchangeDb,
    ticketingDb,
    async keep() {
      await exchangeDb.close();
      await ticketingDb.close();
    },
    async remove() {
      await this.keep();
      for (const drop of drops) await drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type SaleDatabases = Awaited<ReturnType<typeof openSaleDatabases>>;

/** The exchange server's environment over the sale's database (auth rate limit off for the bench). */
export function exchangeServerEnv(
  databases: SaleDatabases,
  port: number,
  ratesPath: string,
): Record<string, string> {
  return {
    // Development, asked for by name (production is the default): the bench's servers use the
    // development keys, the SMS inbox and private webhook targets (the ticketing server on loopback).
    NODE_ENV: 'development',
    EXCHANGE_HOST: host,
    EXCHANGE_PORT: String(port),
    EXCHANGE_SQLITE_PATH: join(databases.dir, 'exchange.db'),
    EXCHANGE_RATES_FILE: ratesPath,
    EXCHANGE_AUTH_RATE_LIMIT: '1000000',
    EXCHANGE_CODES_PER_ADDRESS_HOUR: '1000000',
    EXCHANGE_CODES_PER_PREFIX_HOUR: '1000000',
    DATABASE_URL: databases.urls.exchange ?? '',
  };
}

/** The ticketing server's environment over the sale's database, talking to the exchange at `exchangePort`. */
export function ticketingServerEnv(
  databases: SaleDatabases,
  port: number,
  exchangePort: number,
): Record<string, string> {
  return {
    NODE_ENV: 'development',
    TICKETING_HOST: host,
    TICKETING_PORT: String(port),
    TICKETING_EXCHANGE_URL: `http://${host}:${exchangePort}`,
    TICKETING_SQLITE_PATH: join(databases.dir, 'ticketing.db'),
    TICKETING_AUTH_RATE_LIMIT: '1000000',
    TICKETING_CODES_PER_ADDRESS_HOUR: '1000000',
    TICKETING_CODES_PER_PREFIX_HOUR: '1000000',
    DATABASE_URL: databases.urls.ticketing ?? '',
  };
}

export interface SaleOptions {
  readonly seats: number;
  readonly seatsPerRow: number;
  readonly rowsPerSection: number;
  /** The seat price in whole USDT. */
  readonly price: string;
  /** 'until_start': buyers may give tickets back for a refund (the crash bench does). */
  readonly refundPolicy?: 'none' | 'until_start';
  /** Tickets one buyer may buy at the event (default 100; the API allows up to 500). */
  readonly perBuyerLimit?: number;
}

/** The organizer (a ticketing owner and a merchant wallet, linked), through the real APIs. */
export async function createOrganizer(exchange: Client, ticketing: Client) {
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
  return {
    ownerToken: owner.token,
    organizerId: organizer.body.id as string,
    merchantId: merchant.id,
  };
}

export type Organizer = Awaited<ReturnType<typeof createOrganizer>>;

/**
 * A venue of its own (sections of `rowsPerSection` rows of `seatsPerRow` seats, as many as make
 * the seats wanted) and a published event on it with one performance on sale now, for
 * `organizer`, through the real APIs. `slug` must be new among the organizer's events.
 */
export async function createEvent(
  ticketing: Client,
  organizer: Organizer,
  slug: string,
  options: SaleOptions,
) {
  const token = organizer.ownerToken;
  const sections = Math.ceil(options.seats / (options.seatsPerRow * options.rowsPerSection));
  const venue = await ticketing.request('POST', `/v1/organizers/${organizer.organizerId}/venues`, {
    token,
    body: {
      name: 'Bench Arena',
      address: 'Olympic-ro 25, Seoul',
      latitude: 37.5154,
      longitude: 127.0727,
      radiusM: 500,
    },
  });
  const map = await ticketing.request('PUT', `/v1/venues/${venue.body.id}/seat-map`, {
    token,
    body: {
      sections: Array.from({ length: sections }, (_, section) => ({
        name: `S${section + 1}`,
        rows: Array.from({ length: options.rowsPerSection }, (_, row) => ({
          label: String(row + 1),
          seats: Array.from({ length: options.seatsPerRow }, (_, seat) => ({
            number: String(seat + 1),
          })),
        })),
      })),
      areas: [],
    },
  });
  if (map.status !== 200) throw new Error(`seat map: ${JSON.stringify(map.body)}`);
  const startsAt = Date.now() + 30 * 86_400_000;
  const event = await ticketing.request('POST', `/v1/organizers/${organizer.organizerId}/events`, {
    token,
    body: {
      slug,
      name: 'Bench On-sale',
      venueId: venue.body.id,
      perOrderLimit: 4,
      perBuyerLimit: options.perBuyerLimit ?? 100,
      ...(options.refundPolicy ? { refundPolicy: options.refundPolicy } : {}),
      categories: [
        {
          name: 'Seat',
          pricing: 'crypto',
          priceAsset: 'USDT',
          price: options.price,
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
  await ticketing.request('POST', `/v1/events/${event.body.id}/publish`, { token });
  const performanceId = event.body.performances[0].id as string;
  const seatMap = await ticketing.request('GET', `/v1/venues/${venue.body.id}/seat-map`);
  const seatIds: string[] = [];
  for (const section of seatMap.body.sections) {
    for (const row of section.rows) for (const seat of row.seats) seatIds.push(seat.id);
  }
  return { eventId: event.body.id as string, performanceId, seatIds };
}

/** The organizer and its event, for a bench that sells one event. */
export async function createSale(exchange: Client, ticketing: Client, options: SaleOptions) {
  const organizer = await createOrganizer(exchange, ticketing);
  const event = await createEvent(ticketing, organizer, 'bench-onsale', options);
  return { organizerId: organizer.organizerId, merchantId: organizer.merchantId, ...event };
}

/**
 * Buyers through the real sign-in flows, 50 at a time: a ticketing session with a registered
 * device key, and a wallet at the exchange. Buyer n signs in with phone +82108 and n in 7 digits.
 */
export async function signUpBuyers(exchange: Client, ticketing: Client, count: number) {
  const buyers: Buyer[] = [];
  for (let start = 0; start < count; start += 50) {
    const batch = Array.from({ length: Math.min(50, count - start) }, (_, i) => start + i);
    buyers.push(
      ...(await Promise.all(
        batch.map(async (index) => {
          const phone = `+82108${String(index).padStart(7, '0')}`;
          const user = await signInTicketing(ticketing, phone);
          const signer = await protocol.generateSigner();
          const proof = await signer.sign(deviceRegistrationMessage(user.userId, signer.publicKey));
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
  return buyers;
}

/** Funds every buyer's wallet with `units` of USDT by real deposit entries, in one transaction. */
export async function fundBuyers(
  exchangeDb: SaleDatabases['exchangeDb'],
  buyers: readonly Buyer[],
  units: bigint,
) {
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
          { account: houseAccounts.bank, asset: 'USDT', amount: -units },
          { account: accountOf.get(buyer.walletId) as string, asset: 'USDT', amount: units },
        ],
      });
    }
  });
}
