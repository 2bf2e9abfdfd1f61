/**
 * The two servers for ticketing tests: a real exchange (its own database, routes and webhook
 * worker) and a real ticketing server, both listening on loopback ports so that they talk over
 * HTTP as in production, sharing one manual clock. Tests drive the ticketing API through
 * Fastify's inject and deliver the exchange's webhooks when they choose to (`deliverWebhooks`),
 * so lost, late and replayed deliveries can be staged.
 */

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateToLatest, openDatabase, sql } from '@tessera/db';
import { type Ed25519Signer, toBase64url } from '@tessera/protocol';
import { protocol } from '@tessera/protocol/node';
import { DevelopmentSms } from '@tessera/service-kit/sms';
import { freePort } from '../../../scripts/free-port.ts';
import { injectJson, type TestRequest } from '../../../scripts/test/inject.ts';
import { startWebhookWorker } from '../../exchange/src/notifications/worker.ts';
import {
  type Backend,
  backends,
  key,
  postgresUrl,
  startTestExchange,
} from '../../exchange/test/harness.ts';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { createTicketing } from '../src/context.ts';
import { ticketingMigrations } from '../src/db/migrations/index.ts';
import type { TicketingDB } from '../src/db/schema.ts';
import { ExchangeClient } from '../src/exchange-client.ts';
import { deviceRegistrationMessage } from '../src/identity/devices.ts';
import { allRoutes } from '../src/routes.ts';

export { type Backend, backends, key };

export async function startTestSystem(
  backend: Backend,
  env: Record<string, string> = {},
  options: {
    /** Another client for the ticketing server (a short timeout, a proxy that can freeze). */
    exchangeClient?: (exchangeUrl: string, clock: { now(): number }) => ExchangeClient;
  } = {},
) {
  const x = await startTestExchange(backend, { EXCHANGE_WEBHOOK_ALLOW_PRIVATE: 'true' });
  await x.app.listen({ host: '127.0.0.1', port: 0 });
  const exchangeAddress = x.app.server.address();
  const exchangeUrl = `http://127.0.0.1:${typeof exchangeAddress === 'object' && exchangeAddress ? exchangeAddress.port : 0}`;
  const webhooks = startWebhookWorker(x.exchange, x.app.log, {
    loop: false,
    concurrency: 16,
    batchSize: 100,
  });

  const dir = mkdtempSync(join(tmpdir(), 'tessera-ticketing-'));
  const port = await freePort();
  const config = loadConfig({
    NODE_ENV: 'test',
    TICKETING_PORT: String(port),
    TICKETING_EXCHANGE_URL: exchangeUrl,
    TICKETING_SQLITE_PATH: join(dir, 'ticketing.db'),
    TICKETING_WORKERS: 'false',
    TICKETING_AUTH_RATE_LIMIT: '100000',
    TICKETING_CODES_PER_ADDRESS_HOUR: '1000000',
    TICKETING_CODES_PER_PREFIX_HOUR: '1000000',
    ...(backend === 'postgres' ? { DATABASE_URL: postgresUrl } : {}),
    ...env,
  });
  const schema = backend === 'postgres' ? `tk_${randomBytes(6).toString('hex')}` : undefined;
  const database = openDatabase<TicketingDB>({
    databaseUrl: config.databaseUrl,
    sqlitePath: config.sqlitePath,
    ...(schema ? { postgresSchema: schema, poolSize: 20 } : {}),
  });
  await migrateToLatest(database, ticketingMigrations);
  const sms = new DevelopmentSms();
  const ticketing = createTicketing({
    config,
    database,
    clock: x.clock,
    sms,
    exchange: options.exchangeClient?.(exchangeUrl, x.clock) ?? new ExchangeClient(exchangeUrl),
  });
  const app = await buildApp(ticketing, allRoutes);
  await app.listen({ host: '127.0.0.1', port });
  let phoneCounter = 0;

  const request = (method: string, url: string, options: TestRequest = {}) =>
    injectJson(app, method, url, options);

  const newPhone = () => {
    phoneCounter += 1;
    return `+8219${String(10_000_000 + phoneCounter * 7919 + Math.floor(Math.random() * 1000)).slice(-8)}`;
  };

  /** Signs in at the ticketing server through the real code flow. */
  async function signIn(phone = newPhone(), firstName?: string) {
    const sent = await request('POST', '/v1/auth/codes', { body: { phone } });
    if (sent.status !== 202) throw new Error(`code: ${sent.status} ${sent.raw}`);
    const code = sms.lastCode(phone);
    const session = await request('POST', '/v1/auth/sessions', {
      body: { phone, code, ...(firstName ? { firstName } : {}) },
    });
    if (session.status !== 201) throw new Error(`sign in: ${session.status} ${session.raw}`);
    return { token: session.body.token as string, userId: session.body.user.id as string, phone };
  }

  /** Makes a device key and registers it with its proof of possession. */
  async function registerDevice(user: { token: string; userId: string }, label = 'phone') {
    const signer: Ed25519Signer = await protocol.generateSigner({ extractable: false });
    const proof = await signer.sign(deviceRegistrationMessage(user.userId, signer.publicKey));
    const response = await request('POST', '/v1/me/devices', {
      token: user.token,
      body: { publicKey: toBase64url(signer.publicKey), proof: toBase64url(proof), label },
    });
    if (response.status !== 201) throw new Error(`device: ${response.status} ${response.raw}`);
    return { deviceId: response.body.id as string, signer };
  }

  /** An organizer whose owner is signed in and whose merchant wallet at the exchange is linked. */
  async function createOrganizer(name = 'Seoul Arts Center') {
    const owner = await signIn();
    const created = await request('POST', '/v1/organizers', { token: owner.token, body: { name } });
    if (created.status !== 201) throw new Error(`organizer: ${created.status} ${created.raw}`);
    const merchant = await x.signUp('merchant', name);
    const apiKey = await x.request('POST', '/v1/merchant/api-keys', {
      token: merchant.token,
      body: { label: 'ticketing' },
    });
    const linked = await request('PUT', `/v1/organizers/${created.body.id}/wallet`, {
      token: owner.token,
      body: { apiKey: apiKey.body.key },
    });
    if (linked.status !== 200) throw new Error(`link: ${linked.status} ${linked.raw}`);
    return { id: created.body.id as string, owner, merchant, apiKey: apiKey.body.key as string };
  }

  /** A buyer with a ticketing session, a registered device and a funded exchange wallet. */
  async function createBuyer(funds: Record<string, bigint> = { USDT: 1_000_000_000n }) {
    const user = await signIn();
    const device = await registerDevice(user);
    const wallet = await x.signUp('person');
    for (const [asset, units] of Object.entries(funds))
      await x.fund(wallet.accountId, asset, units);
    return { ...user, ...device, wallet };
  }

  /** Delivers every due webhook now; returns how many were delivered. */
  async function deliverWebhooks() {
    let delivered = 0;
    for (;;) {
      const round = await webhooks.runOnce();
      delivered += round.delivered;
      if (round.claimed === 0) return delivered;
    }
  }

  return {
    backend,
    x,
    exchangeUrl,
    ticketing,
    app,
    clock: x.clock,
    sms,
    database,
    request,
    newPhone,
    signIn,
    registerDevice,
    createOrganizer,
    createBuyer,
    deliverWebhooks,
    async close() {
      await webhooks.stop();
      await app.close();
      if (schema) await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(database.db);
      await database.close();
      await x.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type TestSystem = Awaited<ReturnType<typeof startTestSystem>>;
