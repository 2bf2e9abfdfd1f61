/**
 * The whole system for the apps' browser tests, the full story and the benchmarks (here, out of
 * apps/, because the buyer's app and the gate app both use it): the real exchange and the real
 * ticketing server (their own start functions, as `npm start` runs them, with their workers, so
 * webhooks and issuance happen by themselves) on free loopback ports with fresh SQLite files, or
 * sharing a fresh PostgreSQL database as `npm start` does with DATABASE_URL; the demo data of
 * `npm start`; and the built buyer's app served by its own server, which both servers allow by
 * CORS (the gate app's tests add theirs: apps/gate/test/system.ts).
 * Nothing is mocked; the tests reach the servers only over HTTP, as the app does.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureMobileBuild } from '../../../apps/mobile/server/build.ts';
import { type MobileServer, startMobileServer } from '../../../apps/mobile/server/serve.ts';
import { createApiKey } from '../../../services/exchange/src/accounts/auth.ts';
import { loadConfig as loadExchangeConfig } from '../../../services/exchange/src/config.ts';
import { demoAccounts, seedDemo } from '../../../services/exchange/src/demo.ts';
import { startExchange } from '../../../services/exchange/src/server.ts';
import { loadConfig as loadTicketingConfig } from '../../../services/ticketing/src/config.ts';
import { seedDemo as seedTicketingDemo } from '../../../services/ticketing/src/demo.ts';
import { deviceRegistrationMessage } from '../../../services/ticketing/src/identity/devices.ts';
import { startTicketing } from '../../../services/ticketing/src/server.ts';
import { freePort } from '../../free-port.ts';
import { createThrowawayDatabase, testPostgresUrl } from '../postgres.ts';

const host = '127.0.0.1';
/** The exchange refuses rates older than 300 s; the feed rewrites them well before that. */
const rateRefreshMs = 60_000;

export type Backend = 'sqlite' | 'postgres';

export interface Json {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers, read by shape in the tests.
  body: any;
}

/**
 * `otherOrigins`: more app origins both servers allow (the gate app's tests start their own app
 * server beside this one). `backend`: where both servers keep their data, SQLite by default.
 */
export async function startMobileSystem(
  options: { otherOrigins?: readonly string[]; backend?: Backend } = {},
) {
  await ensureMobileBuild();
  const dir = mkdtempSync(join(tmpdir(), 'tessera-mobile-'));
  // One database for both servers: the ticketing tables go in their own schema (its config's
  // default), the exchange's stay in public.
  const postgres =
    options.backend === 'postgres'
      ? await createThrowawayDatabase({
          adminUrl: testPostgresUrl,
          prefix: 'tessera_story_',
          urlVariable: 'TEST_DATABASE_URL',
        })
      : undefined;
  const ratesFile = join(dir, 'rates.json');
  const writeRates = () =>
    writeFileSync(
      ratesFile,
      JSON.stringify({
        source: 'test feed',
        observedAt: new Date().toISOString(),
        fiat: 'KRW',
        rates: { BTC: '95000000', ETH: '4500000', USDT: '1400' },
      }),
    );
  writeRates();
  const rateFeed = setInterval(writeRates, rateRefreshMs);

  const [exchangePort, ticketingPort, appPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const appUrl = `http://${host}:${appPort}`;
  const exchangeUrl = `http://${host}:${exchangePort}`;
  const exchange = await startExchange(
    loadExchangeConfig({
      NODE_ENV: 'test',
      EXCHANGE_HOST: host,
      EXCHANGE_PORT: String(exchangePort),
      ...(postgres
        ? { DATABASE_URL: postgres.url }
        : { EXCHANGE_SQLITE_PATH: join(dir, 'exchange.db') }),
      EXCHANGE_RATES_FILE: ratesFile,
      EXCHANGE_CORS_ORIGINS: [appUrl, ...(options.otherOrigins ?? [])].join(','),
      // Every test signs several people in from this one address.
      EXCHANGE_AUTH_RATE_LIMIT: '10000',
      // The ticketing server, the webhook receiver, listens on loopback: allowed by name.
      EXCHANGE_WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1/32',
      EXCHANGE_CODES_PER_ADDRESS_HOUR: '10000',
      EXCHANGE_CODES_PER_PREFIX_HOUR: '10000',
      EXCHANGE_CODES_PER_PHONE_DAY: '1000',
    }),
  );
  await seedDemo(exchange.exchange);
  const ticketing = await startTicketing(
    loadTicketingConfig({
      NODE_ENV: 'test',
      TICKETING_HOST: host,
      TICKETING_PORT: String(ticketingPort),
      ...(postgres
        ? { DATABASE_URL: postgres.url }
        : { TICKETING_SQLITE_PATH: join(dir, 'ticketing.db') }),
      TICKETING_EXCHANGE_URL: exchangeUrl,
      TICKETING_CORS_ORIGINS: [appUrl, ...(options.otherOrigins ?? [])].join(','),
      TICKETING_MOBILE_APP_URL: appUrl,
      TICKETING_AUTH_RATE_LIMIT: '10000',
      TICKETING_CODES_PER_ADDRESS_HOUR: '10000',
      TICKETING_CODES_PER_PREFIX_HOUR: '10000',
      TICKETING_CODES_PER_PHONE_DAY: '1000',
    }),
  );
  const ticketingUrl = `http://${host}:${ticketingPort}`;
  const merchant = await exchange.exchange.database.db
    .selectFrom('subscribers')
    .select('id')
    .where('phone', '=', demoAccounts.organizer.phone)
    .where('kind', '=', 'merchant')
    .executeTakeFirstOrThrow();
  const { key } = await createApiKey(exchange.exchange, merchant.id, 'mobile tests');
  const demo = await seedTicketingDemo(
    ticketing.ticketing,
    { phone: demoAccounts.organizer.phone, name: demoAccounts.organizer.name },
    key,
  );
  if (!demo) throw new Error('the demo data was not created');

  const appConfig = { ticketingUrl, exchangeUrl, development: true };
  let app: MobileServer | undefined = await startMobileServer({
    host,
    port: appPort,
    app: appConfig,
  });

  async function call(
    base: string,
    method: string,
    path: string,
    body?: unknown,
    token?: string,
    headers: Record<string, string> = {},
  ) {
    const response = await fetch(new URL(path, base), {
      method,
      headers: {
        ...headers,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined } as Json;
  }

  /** The last code each server's development SMS inbox holds for a phone, as a person reads it. */
  async function smsCode(server: 'ticketing' | 'exchange', phone: string): Promise<string> {
    const base = server === 'ticketing' ? ticketingUrl : exchangeUrl;
    const inbox = await call(base, 'GET', `/dev/sms?phone=${encodeURIComponent(phone)}`);
    if (typeof inbox.body?.lastCode !== 'string') throw new Error(`no ${server} code for ${phone}`);
    return inbox.body.lastCode;
  }

  /** Signs the demo organizer in at the ticketing server (its owner's phone and code). */
  async function organizerSession() {
    const phone = demoAccounts.organizer.phone;
    await call(ticketingUrl, 'POST', '/v1/auth/codes', { phone });
    const session = await call(ticketingUrl, 'POST', '/v1/auth/sessions', {
      phone,
      code: await smsCode('ticketing', phone),
    });
    if (session.status !== 201) throw new Error(`organizer sign-in: ${session.status}`);
    return session.body.token as string;
  }

  /**
   * A published event of the demo organizer on now: doors opened ten minutes ago, so its tickets
   * are inside their admission window and a gate would admit them today (the demo's own events
   * are weeks ahead).
   */
  async function createTonight(token: string, name = 'Tonight Recital') {
    const venues = await call(
      ticketingUrl,
      'GET',
      `/v1/organizers/${demo?.organizerId}/venues`,
      undefined,
      token,
    );
    const hall = (venues.body.venues as { id: string; name: string }[]).find((venue) =>
      venue.name.startsWith('Seoul Arts Center'),
    );
    if (!hall) throw new Error('the demo concert hall is missing');
    const now = Date.now();
    const created = await call(
      ticketingUrl,
      'POST',
      `/v1/organizers/${demo?.organizerId}/events`,
      {
        slug: `tonight-${Math.random().toString(36).slice(2, 8)}`,
        name,
        venueId: hall.id,
        refundPolicy: 'until_start',
        refundCutoffS: 0,
        categories: [
          {
            name: 'Orchestra',
            pricing: 'crypto',
            priceAsset: 'USDT',
            price: '55',
            seating: 'seated',
            sections: ['Orchestra'],
            kind: 'single',
          },
          // One standing place only, so a test can sell it out.
          {
            name: 'Standing',
            pricing: 'crypto',
            priceAsset: 'USDT',
            price: '20',
            seating: 'ga',
            area: 'Standing',
            quota: 1,
            kind: 'single',
          },
        ],
        performances: [
          {
            doorsAt: new Date(now - 10 * 60_000).toISOString(),
            startsAt: new Date(now + 2 * 3_600_000).toISOString(),
            endsAt: new Date(now + 5 * 3_600_000).toISOString(),
          },
        ],
      },
      token,
    );
    if (created.status !== 201)
      throw new Error(`event: ${created.status} ${JSON.stringify(created.body)}`);
    const published = await call(
      ticketingUrl,
      'POST',
      `/v1/events/${created.body.id}/publish`,
      undefined,
      token,
    );
    if (published.status !== 200) throw new Error(`publish: ${published.status}`);
    const performance = created.body.performances[0] as { id: string; code: string };
    const categories = created.body.categories as { id: string; name: string }[];
    return {
      eventId: created.body.id as string,
      performanceId: performance.id,
      performanceCode: performance.code,
      standingId: categories.find((category) => category.name === 'Standing')?.id as string,
    };
  }

  /** The organizer's active signing keys, raw: what a gate terminal keeps in its keyring. */
  async function organizerKeys(token: string): Promise<Uint8Array[]> {
    const organizer = await call(
      ticketingUrl,
      'GET',
      `/v1/organizers/${demo?.organizerId}`,
      undefined,
      token,
    );
    return (organizer.body.keys as { publicKey: string; status: string }[])
      .filter((key) => key.status === 'active')
      .map((key) => new Uint8Array(Buffer.from(key.publicKey, 'base64url')));
  }

  /**
   * The demo buyer, on another device (its own key, made here), buys a seat through the APIs and
   * has it delivered to `toPhone` (seed 001: bought on a PC for a chosen phone). Returns the order
   * once the tickets are issued, waiting for that phone to claim them.
   */
  async function buyForNumber(toPhone: string, performanceId: string, seat: string) {
    const phone = demoAccounts.buyer.phone;
    await call(ticketingUrl, 'POST', '/v1/auth/codes', { phone });
    const session = await call(ticketingUrl, 'POST', '/v1/auth/sessions', {
      phone,
      code: await smsCode('ticketing', phone),
    });
    const token = session.body.token as string;
    const keys = (await crypto.subtle.generateKey({ name: 'Ed25519' }, false, [
      'sign',
      'verify',
    ])) as CryptoKeyPair;
    const publicKey = new Uint8Array(await crypto.subtle.exportKey('raw', keys.publicKey));
    const proof = new Uint8Array(
      await crypto.subtle.sign(
        { name: 'Ed25519' },
        keys.privateKey,
        deviceRegistrationMessage(session.body.user.id, publicKey) as BufferSource,
      ),
    );
    const device = await call(
      ticketingUrl,
      'POST',
      '/v1/me/devices',
      {
        publicKey: Buffer.from(publicKey).toString('base64url'),
        proof: Buffer.from(proof).toString('base64url'),
        label: 'desktop',
      },
      token,
    );
    if (device.status !== 201) throw new Error(`device: ${device.status}`);
    const [section, row, number] = seat.split('/');
    const seats = await call(ticketingUrl, 'GET', `/v1/performances/${performanceId}/availability`);
    const seatRow = (
      seats.body.seats.rows as { section: string; row: string; ids: string[]; numbers: string[] }[]
    ).find((r) => r.section === section && r.row === row);
    const seatId = seatRow?.ids[seatRow.numbers.indexOf(number as string)];
    const hold = await call(
      ticketingUrl,
      'POST',
      '/v1/holds',
      { performanceId, seats: [seatId] },
      token,
    );
    if (hold.status !== 201) throw new Error(`hold: ${hold.status} ${JSON.stringify(hold.body)}`);
    const order = await call(
      ticketingUrl,
      'POST',
      '/v1/orders',
      { holdId: hold.body.id, deliverTo: toPhone },
      token,
    );
    if (order.status !== 201)
      throw new Error(`order: ${order.status} ${JSON.stringify(order.body)}`);
    await call(exchangeUrl, 'POST', '/v1/auth/codes', { phone });
    const wallet = await call(exchangeUrl, 'POST', '/v1/auth/sessions', {
      phone,
      code: await smsCode('exchange', phone),
      kind: 'person',
    });
    const paid = await call(
      exchangeUrl,
      'POST',
      `/v1/payment-requests/${order.body.payment.requestId}/pay`,
      {},
      wallet.body.token,
      { 'idempotency-key': `test-pay-${order.body.id}` },
    );
    if (paid.status !== 200) throw new Error(`pay: ${paid.status} ${JSON.stringify(paid.body)}`);
    const issued = await call(
      ticketingUrl,
      'GET',
      `/v1/orders/${order.body.id}?waitS=20`,
      undefined,
      token,
    );
    if (issued.body.status !== 'issued') throw new Error(`order is ${issued.body.status}`);
    return issued.body as { id: string; tickets: { id: string }[] };
  }

  /** Someone else, through the API, holds `quantity` places of a category (they stay held). */
  async function holdPlaces(performanceId: string, categoryId: string, quantity: number) {
    const phone = `+8210${String(66_000_000 + Math.floor(Math.random() * 999_999)).slice(-8)}`;
    await call(ticketingUrl, 'POST', '/v1/auth/codes', { phone });
    const session = await call(ticketingUrl, 'POST', '/v1/auth/sessions', {
      phone,
      code: await smsCode('ticketing', phone),
    });
    const hold = await call(
      ticketingUrl,
      'POST',
      '/v1/holds',
      { performanceId, categoryId, quantity },
      session.body.token,
    );
    if (hold.status !== 201) throw new Error(`hold: ${hold.status} ${JSON.stringify(hold.body)}`);
  }

  let phoneCounter = 0;
  return {
    dir,
    appUrl,
    appOrigin: appUrl,
    ticketingUrl,
    exchangeUrl,
    organizerId: demo.organizerId,
    ticketing: (method: string, path: string, body?: unknown, token?: string) =>
      call(ticketingUrl, method, path, body, token),
    exchange: (
      method: string,
      path: string,
      body?: unknown,
      token?: string,
      headers?: Record<string, string>,
    ) => call(exchangeUrl, method, path, body, token, headers),
    /** The demo organizer's merchant API key at the exchange (what its wallet link uses). */
    merchantApiKey: key,
    smsCode,
    organizerSession,
    createTonight,
    organizerKeys,
    buyForNumber,
    holdPlaces,
    /** A phone number nobody has used yet in this system. */
    newPhone() {
      phoneCounter += 1;
      return `+8210${String(55_000_000 + phoneCounter * 7_919 + Math.floor(Math.random() * 997)).slice(-8)}`;
    },
    /** Stops the app's server (the phone is offline from it) and starts it again on its port. */
    async stopApp() {
      await app?.close();
      app = undefined;
    },
    async startApp() {
      app ??= await startMobileServer({ host, port: appPort, app: appConfig });
    },
    async close() {
      clearInterval(rateFeed);
      await app?.close();
      await ticketing.close();
      await exchange.close();
      await postgres?.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type MobileSystem = Awaited<ReturnType<typeof startMobileSystem>>;
