import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateToLatest, openDatabase, sql, writeTransaction } from '@tessera/db';
import { legacySignature } from '@tessera/service-kit/webhook-signature';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../src/app.ts';
import { ManualClock } from '../src/clock.ts';
import { loadConfig } from '../src/config.ts';
import { createExchange, type Exchange } from '../src/context.ts';
import { exchangeMigrations } from '../src/db/migrations/index.ts';
import type { ExchangeDB } from '../src/db/schema.ts';
import { houseAccounts } from '../src/ledger/house-accounts.ts';
import { postEntry } from '../src/ledger/service.ts';
import {
  decryptSecret,
  encryptSecret,
  maxRetryDelayMs,
  retryDelayMs,
} from '../src/notifications/webhooks.ts';
import { claimDueDeliveries, startWebhookWorker } from '../src/notifications/worker.ts';
import { allRoutes } from '../src/routes.ts';
import { DevelopmentSms } from '../src/sms.ts';
import { FileRateSource } from '../src/trading/rates.ts';
import {
  type Backend,
  backends,
  key,
  postgresUrl,
  startTestExchange,
  type TestExchange,
} from './harness.ts';

describe('webhook signatures, secrets and the retry schedule', () => {
  const secret = 'whsec_test-secret';

  it('encrypts secrets with a random IV, bound to the subscriber, and detects tampering', () => {
    const keyBytes = randomBytes(32);
    const a = encryptSecret(keyBytes, secret, 'mer_a');
    const b = encryptSecret(keyBytes, secret, 'mer_a');
    expect(a).not.toBe(b);
    // The sealing key's version, then base64url.
    expect(a).toMatch(/^k[0-9a-f]{8}\.[A-Za-z0-9_-]+$/);
    expect(a).not.toContain('test-secret');
    expect(decryptSecret(keyBytes, a, 'mer_a')).toBe(secret);
    expect(() => decryptSecret(keyBytes, a, 'mer_b')).toThrow();
    expect(() => decryptSecret(randomBytes(32), a, 'mer_a')).toThrow();
    const [version, body] = a.split('.') as [string, string];
    const raw = Buffer.from(body, 'base64url');
    raw[raw.length - 1] = (raw[raw.length - 1] as number) ^ 1;
    expect(() =>
      decryptSecret(keyBytes, `${version}.${raw.toString('base64url')}`, 'mer_a'),
    ).toThrow();
  });

  it('backs off exponentially from 5 s to at most an hour, with ±20 % jitter', () => {
    expect(retryDelayMs(1, () => 0.5)).toBe(5_000);
    expect(retryDelayMs(2, () => 0.5)).toBe(10_000);
    expect(retryDelayMs(5, () => 0.5)).toBe(80_000);
    expect(retryDelayMs(30, () => 0.5)).toBe(3_600_000);
    expect(retryDelayMs(1, () => 0)).toBe(4_000);
    expect(retryDelayMs(1, () => 0.999_999)).toBeLessThanOrEqual(maxRetryDelayMs(1));
    expect(maxRetryDelayMs(30)).toBe(4_320_000);
  });
});

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly answered: number;
  /** The exchange clock when it arrived: what the receiver checks the timestamp against. */
  readonly at: number;
}

/**
 * What a merchant does with a delivery: `Webhook.verify` of the `standardwebhooks` package on the
 * raw body and the headers, at `nowMs` (the library reads `Date.now()`, so the wall clock is set
 * to the tests' manual clock for the call, and only for it).
 */
function merchantVerifies(
  webhook: Webhook,
  body: string,
  headers: IncomingHttpHeaders,
  nowMs: number,
) {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(nowMs);
  try {
    webhook.verify(body, headers as Record<string, string>);
    return true;
  } catch {
    return false;
  } finally {
    vi.useRealTimers();
  }
}

/**
 * A real HTTP receiver on localhost; `status` is what it answers next (0: never answers). `now`
 * is the clock it reads on arrival (the tests' manual clock). With a `verifier`, it is a
 * merchant's endpoint: a delivery that `Webhook.verify` refuses is answered 400.
 */
async function startReceiver(now: () => number, port = 0) {
  const received: Received[] = [];
  const state: { status: number; verifier?: Webhook } = { status: 200 };
  const server: Server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      body += chunk;
    });
    request.on('end', () => {
      const refused =
        state.verifier !== undefined &&
        !merchantVerifies(state.verifier, body, request.headers, now());
      const answered = refused ? 400 : state.status;
      received.push({ headers: request.headers, body, answered, at: now() });
      if (answered === 0) return;
      response.writeHead(answered, { 'content-type': 'text/plain' });
      response.end(answered < 300 ? 'ok' : 'receiver is unwell');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    received,
    state,
    port: bound,
    url: `http://127.0.0.1:${bound}/hooks/tessera`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/** Every request the receiver accepted (2xx), checked as a merchant would check it. */
function verifiedEvents(receiver: Receiver, secret: string) {
  return receiver.received
    .filter((item) => item.answered >= 200 && item.answered < 300)
    .map((item) => {
      expect(item.headers['content-type']).toBe('application/json');
      expect(merchantVerifies(new Webhook(secret), item.body, item.headers, item.at)).toBe(true);
      const event = JSON.parse(item.body) as { id: string; type: string };
      expect(item.headers['webhook-id']).toBe(event.id);
      return event;
    });
}

describe.each(backends)('webhook delivery on %s', (backend) => {
  let x: TestExchange;
  const receivers: Receiver[] = [];
  beforeAll(async () => {
    x = await startTestExchange(backend, {
      EXCHANGE_WEBHOOK_MAX_ATTEMPTS: '3',
      EXCHANGE_WEBHOOK_TIMEOUT_MS: '1000',
      // The test receivers listen on loopback, which webhooks may reach only when allowed.
      EXCHANGE_WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1/32',
    });
  });
  afterAll(async () => {
    for (const receiver of receivers) await receiver.close();
    await x?.close();
  });
  // The worker serves the whole database; a test must not pick up what an earlier one left due.
  beforeEach(async () => {
    await x.database.db
      .updateTable('webhook_deliveries')
      .set({ status: 'failed', last_error: 'left over by an earlier test' })
      .where('status', '=', 'pending')
      .execute();
  });

  const worker = () => startWebhookWorker(x.exchange, x.app.log, { loop: false, random: () => 1 });

  async function merchantWithHook(url: string) {
    const merchant = await x.signUp('merchant');
    const hook = await x.request('PUT', '/v1/merchant/webhook', {
      token: merchant.token,
      body: { url },
    });
    expect(hook.status).toBe(200);
    return { ...merchant, secret: hook.body.secret as string };
  }

  async function payer(units = 100_000_000n) {
    const person = await x.signUp('person');
    await x.fund(person.accountId, 'USDT', units);
    return person;
  }

  async function transfer(from: { token: string }, to: string, amount = '1') {
    const sent = await x.request('POST', '/v1/transfers', {
      token: from.token,
      key: key(),
      body: { to: { subscriberId: to }, asset: 'USDT', amount },
    });
    expect(sent.status).toBe(201);
    return sent.body;
  }

  async function deliveriesOf(token: string, query = '') {
    const list = await x.request('GET', `/v1/merchant/webhook/deliveries${query}`, { token });
    expect(list.status).toBe(200);
    return list.body.deliveries as {
      id: string;
      eventId: string;
      status: string;
      attempts: number;
      lastStatus: number | null;
      lastError: string | null;
      nextAttemptAt: string | null;
    }[];
  }

  it('retries a receiver that is down, then failing, until it answers 2xx: every event once', async () => {
    // A port nobody listens on yet: the receiver "comes up" on it later.
    const probe = await startReceiver(() => x.clock.now());
    await probe.close();
    const shop = await merchantWithHook(`http://127.0.0.1:${probe.port}/hooks/tessera`);
    const buyer = await payer();
    await transfer(buyer, shop.id, '1');
    await transfer(buyer, shop.id, '2');
    const invoice = await x.request('POST', '/v1/payment-requests', {
      token: shop.token,
      key: key(),
      body: { asset: 'USDT', amount: '3', reference: 'order-77', expiresInS: 600 },
    });
    const paid = await x.request('POST', `/v1/payment-requests/${invoice.body.id}/pay`, {
      token: buyer.token,
      key: key(),
    });
    expect(paid.status).toBe(200);
    const history = await x.request('GET', '/v1/notifications', { token: shop.token });
    const eventIds = (history.body.notifications as { id: string }[]).map((n) => n.id);
    expect(history.body.notifications.map((n: { type: string }) => n.type)).toEqual([
      'transfer.received',
      'transfer.received',
      'payment_request.paid',
    ]);

    const w = worker();
    const down = await w.runOnce();
    expect(down).toMatchObject({ claimed: 3, delivered: 0, retrying: 3, failed: 0 });
    let log = await deliveriesOf(shop.token);
    expect(log).toHaveLength(3);
    for (const delivery of log) {
      expect(delivery).toMatchObject({ status: 'pending', attempts: 1, lastStatus: null });
      expect(delivery.lastError).toBe('connection refused');
    }
    // Not due yet: nothing happens before the backoff runs out.
    expect((await w.runOnce()).claimed).toBe(0);

    const receiver = await startReceiver(() => x.clock.now(), probe.port);
    receivers.push(receiver);
    receiver.state.status = 500;
    x.clock.advance(maxRetryDelayMs(1));
    expect(await w.runOnce()).toMatchObject({ claimed: 3, retrying: 3 });
    expect(receiver.received.map((item) => item.answered)).toEqual([500, 500, 500]);
    log = await deliveriesOf(shop.token);
    for (const delivery of log) {
      expect(delivery).toMatchObject({ status: 'pending', attempts: 2, lastStatus: 500 });
      // The status and a reason of ours; never the receiver's body.
      expect(delivery.lastError).toBe('HTTP 500');
    }

    receiver.state.status = 200;
    x.clock.advance(maxRetryDelayMs(2) - 1);
    expect((await w.runOnce()).claimed).toBe(0);
    x.clock.advance(1);
    expect(await w.runOnce()).toMatchObject({ claimed: 3, delivered: 3 });
    x.clock.advance(24 * 3_600_000);
    expect((await w.runOnce()).claimed).toBe(0);
    await w.stop();

    const events = verifiedEvents(receiver, shop.secret);
    expect(events.map((event) => event.id).sort()).toEqual([...eventIds].sort());
    // The body is the stored payload exactly, the same event as in the history.
    expect(events.find((event) => event.type === 'payment_request.paid')).toMatchObject({
      data: { paymentRequestId: invoice.body.id, reference: 'order-77', amount: '3' },
    });
    log = await deliveriesOf(shop.token);
    expect(log.map((delivery) => delivery.status)).toEqual(['delivered', 'delivered', 'delivered']);
    const detail = await x.request('GET', `/v1/merchant/webhook/deliveries/${log[0]?.id}`, {
      token: shop.token,
    });
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({ status: 'delivered', attempts: 3, lastStatus: 200 });
    expect(detail.body.nextAttemptAt).toBeNull();
    expect(detail.body.deliveredAt).not.toBeNull();
    expect(
      detail.body.attemptLog.map((a: { attempt: number; statusCode: number | null }) => [
        a.attempt,
        a.statusCode,
      ]),
    ).toEqual([
      [1, null],
      [2, 500],
      [3, 200],
    ]);
    // The buyer has no webhook: it has notifications but no deliveries.
    const rows = await x.database.db
      .selectFrom('webhook_deliveries')
      .select('id')
      .where('subscriber_id', '=', buyer.id)
      .execute();
    expect(rows).toHaveLength(0);
  });

  it('gives up after the configured attempts; redelivery starts over and reaches the new URL', async () => {
    const failing = await startReceiver(() => x.clock.now());
    receivers.push(failing);
    failing.state.status = 503;
    const shop = await merchantWithHook(failing.url);
    const buyer = await payer();
    await transfer(buyer, shop.id);
    const w = worker();
    for (let attempt = 1; attempt <= 3; attempt++) {
      const summary = await w.runOnce();
      expect(summary.claimed).toBe(1);
      x.clock.advance(maxRetryDelayMs(attempt));
    }
    let [delivery] = await deliveriesOf(shop.token);
    expect(delivery).toMatchObject({ status: 'failed', attempts: 3, lastStatus: 503 });
    expect(delivery?.nextAttemptAt).toBeNull();
    x.clock.advance(24 * 3_600_000);
    expect((await w.runOnce()).claimed).toBe(0);
    expect(await deliveriesOf(shop.token, '?status=failed')).toHaveLength(1);
    expect(await deliveriesOf(shop.token, '?status=pending')).toHaveLength(0);

    // The merchant moves to a working endpoint; the PUT rotates the secret too.
    const working = await startReceiver(() => x.clock.now());
    receivers.push(working);
    const moved = await x.request('PUT', '/v1/merchant/webhook', {
      token: shop.token,
      body: { url: working.url },
    });
    expect(moved.body.secret).not.toBe(shop.secret);
    const redeliverKey = key();
    const redelivered = await x.request(
      'POST',
      `/v1/merchant/webhook/deliveries/${delivery?.id}/redeliver`,
      { token: shop.token, key: redeliverKey },
    );
    expect(redelivered.status).toBe(200);
    expect(redelivered.body).toMatchObject({ status: 'pending', attempts: 0 });
    expect(await w.runOnce()).toMatchObject({ claimed: 1, delivered: 1 });
    expect(failing.received).toHaveLength(3);
    // Sent to the current URL with the current secret; the old secret no longer verifies.
    const [event] = verifiedEvents(working, moved.body.secret);
    expect(event?.id).toBe(delivery?.eventId);
    const stale = working.received[0] as Received;
    expect(merchantVerifies(new Webhook(shop.secret), stale.body, stale.headers, stale.at)).toBe(
      false,
    );

    // A retried redeliver request with the same key replays; it does not send it again.
    const replay = await x.request(
      'POST',
      `/v1/merchant/webhook/deliveries/${delivery?.id}/redeliver`,
      { token: shop.token, key: redeliverKey },
    );
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect((await w.runOnce()).claimed).toBe(0);
    [delivery] = await deliveriesOf(shop.token);
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 1, lastStatus: 200 });
    expect(delivery?.lastError).toBeNull();

    // A delivered one can be sent again too (the merchant lost it): same event id.
    const again = await x.request(
      'POST',
      `/v1/merchant/webhook/deliveries/${delivery?.id}/redeliver`,
      { token: shop.token, key: key() },
    );
    expect(again.status).toBe(200);
    expect(await w.runOnce()).toMatchObject({ claimed: 1, delivered: 1 });
    expect(working.received.map((item) => JSON.parse(item.body).id)).toEqual([
      delivery?.eventId,
      delivery?.eventId,
    ]);
    const detail = await x.request('GET', `/v1/merchant/webhook/deliveries/${delivery?.id}`, {
      token: shop.token,
    });
    expect(detail.body.attemptLog.map((a: { statusCode: number }) => a.statusCode)).toEqual([
      503, 503, 503, 200, 200,
    ]);
    await w.stop();
  });

  it('is verified by the standardwebhooks package as a merchant would; a legacy secret also gets Tessera-Signature until rotated', async () => {
    const receiver = await startReceiver(() => x.clock.now());
    receivers.push(receiver);
    const shop = await merchantWithHook(receiver.url);
    expect(shop.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    // The merchant's endpoint answers 400 to anything `Webhook.verify` refuses.
    receiver.state.verifier = new Webhook(shop.secret);
    const buyer = await payer();
    const w = worker();
    const delivered = async () => {
      await transfer(buyer, shop.id);
      expect(await w.runOnce()).toMatchObject({ claimed: 1, delivered: 1 });
      const item = receiver.received.at(-1) as Received;
      expect(item.answered).toBe(200);
      expect(item.headers['webhook-id']).toBe(JSON.parse(item.body).id);
      expect(item.headers['webhook-timestamp']).toBe(String(Math.floor(item.at / 1000)));
      expect(item.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
      return item;
    };
    const standard = await delivered();
    expect(standard.headers).not.toHaveProperty('tessera-signature');
    expect(standard.headers).not.toHaveProperty('tessera-event-id');
    // Replayed more than 5 minutes later, the same request is refused.
    const verifier = receiver.state.verifier;
    expect(merchantVerifies(verifier, standard.body, standard.headers, standard.at + 300_000)).toBe(
      true,
    );
    expect(merchantVerifies(verifier, standard.body, standard.headers, standard.at + 301_000)).toBe(
      false,
    );

    // A merchant set up before Standard Webhooks holds a legacy secret (base64url, the whole
    // string was the HMAC key). It keeps getting the old headers, and the standard ones keyed
    // with the secret's bytes, which the library verifies with { format: 'raw' }.
    const legacy = `whsec_${randomBytes(32).toString('base64url')}`;
    await x.database.db
      .updateTable('subscribers')
      .set({ webhook_secret: encryptSecret(x.exchange.config.secretKeys, legacy, shop.id) })
      .where('id', '=', shop.id)
      .execute();
    receiver.state.verifier = new Webhook(legacy, { format: 'raw' });
    const old = await delivered();
    const t = Math.floor(old.at / 1000);
    expect(old.headers['tessera-signature']).toBe(legacySignature(legacy, t, old.body));
    expect(old.headers['tessera-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(old.headers['tessera-event-id']).toBe(old.headers['webhook-id']);

    // Rotating (any PUT) gives a standard secret; from then on only the standard headers.
    const rotated = await x.request('PUT', '/v1/merchant/webhook', {
      token: shop.token,
      body: { url: receiver.url },
    });
    receiver.state.verifier = new Webhook(rotated.body.secret);
    const after = await delivered();
    expect(after.headers).not.toHaveProperty('tessera-signature');
    expect(merchantVerifies(new Webhook(shop.secret), after.body, after.headers, after.at)).toBe(
      false,
    );
    await w.stop();
  });

  it('times out a receiver that never answers and records why', async () => {
    const silent = await startReceiver(() => x.clock.now());
    receivers.push(silent);
    silent.state.status = 0;
    const shop = await merchantWithHook(silent.url);
    await transfer(await payer(), shop.id);
    const w = worker();
    expect(await w.runOnce()).toMatchObject({ claimed: 1, retrying: 1 });
    await w.stop();
    const [delivery] = await deliveriesOf(shop.token);
    expect(delivery).toMatchObject({ status: 'pending', attempts: 1, lastStatus: null });
    expect(delivery?.lastError).toBe('timed out');
    expect(silent.received).toHaveLength(1);
  });

  it('never delivers one row twice when two workers run at once', async () => {
    const receiver = await startReceiver(() => x.clock.now());
    receivers.push(receiver);
    const shop = await merchantWithHook(receiver.url);
    const buyer = await payer();
    for (let i = 0; i < 12; i++) await transfer(buyer, shop.id, '0.5');
    const a = startWebhookWorker(x.exchange, x.app.log, { loop: false, batchSize: 5 });
    const b = startWebhookWorker(x.exchange, x.app.log, { loop: false, batchSize: 5 });
    const rounds = await Promise.all([a.runOnce(), b.runOnce(), a.runOnce(), b.runOnce()]);
    const total = rounds.reduce((sum, round) => sum + round.delivered, 0);
    const leftover = (await a.runOnce()).delivered + (await b.runOnce()).delivered;
    await Promise.all([a.stop(), b.stop()]);
    expect(total + leftover).toBe(12);
    const ids = verifiedEvents(receiver, shop.secret).map((event) => event.id);
    expect(ids).toHaveLength(12);
    expect(new Set(ids).size).toBe(12);
  });

  it('wakes on commit and delivers in the background; stop waits for the request in flight', async () => {
    const receiver = await startReceiver(() => x.clock.now());
    receivers.push(receiver);
    const shop = await merchantWithHook(receiver.url);
    const buyer = await payer();
    // A long poll interval: only the commit can wake the loop in time.
    const w = startWebhookWorker(x.exchange, x.app.log, { pollMs: 600_000 });
    await transfer(buyer, shop.id);
    await expect
      .poll(async () => (await deliveriesOf(shop.token)).map((d) => d.status), { timeout: 10_000 })
      .toEqual(['delivered']);
    await transfer(buyer, shop.id);
    await w.stop();
    // Whatever the loop had claimed when stop() was called has been recorded: nothing is leased.
    const leased = await x.database.db
      .selectFrom('webhook_deliveries')
      .select('id')
      .where('subscriber_id', '=', shop.id)
      .where('locked_until', '>', x.clock.now())
      .execute();
    expect(leased).toHaveLength(0);
    expect(x.exchange.hub.onCommitted).toBeUndefined();
  });

  it('shows a merchant only its own deliveries, and refuses people', async () => {
    const receiver = await startReceiver(() => x.clock.now());
    receivers.push(receiver);
    const shop = await merchantWithHook(receiver.url);
    const rival = await x.signUp('merchant');
    const buyer = await payer();
    await transfer(buyer, shop.id);
    const [delivery] = await deliveriesOf(shop.token);
    expect(delivery).toBeDefined();
    expect(await deliveriesOf(rival.token)).toHaveLength(0);
    const peek = await x.request('GET', `/v1/merchant/webhook/deliveries/${delivery?.id}`, {
      token: rival.token,
    });
    expect(peek.status).toBe(404);
    const poke = await x.request(
      'POST',
      `/v1/merchant/webhook/deliveries/${delivery?.id}/redeliver`,
      { token: rival.token, key: key() },
    );
    expect(poke.status).toBe(404);
    const person = await x.request('GET', '/v1/merchant/webhook/deliveries', {
      token: buyer.token,
    });
    expect(person.status).toBe(403);
    const unknown = await x.request('GET', '/v1/merchant/webhook/deliveries/whd_0000000000000000', {
      token: shop.token,
    });
    expect(unknown.status).toBe(404);
  });

  it('removing the webhook fails what is pending; redelivery then needs a URL', async () => {
    const receiver = await startReceiver(() => x.clock.now());
    receivers.push(receiver);
    const shop = await merchantWithHook(receiver.url);
    await transfer(await payer(), shop.id);
    const removed = await x.request('DELETE', '/v1/merchant/webhook', {
      token: shop.token,
      key: key(),
    });
    expect(removed.status).toBe(200);
    expect(removed.body).toEqual({ url: null, secretSet: false });
    const [delivery] = await deliveriesOf(shop.token);
    expect(delivery).toMatchObject({ status: 'failed', attempts: 0, lastError: 'webhook removed' });
    const w = worker();
    expect((await w.runOnce()).claimed).toBe(0);
    const refused = await x.request(
      'POST',
      `/v1/merchant/webhook/deliveries/${delivery?.id}/redeliver`,
      { token: shop.token, key: key() },
    );
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('no_webhook');

    // Removed after the worker claimed it: the worker finds no URL and fails it, sending nothing.
    const hook = await x.request('PUT', '/v1/merchant/webhook', {
      token: shop.token,
      body: { url: receiver.url },
    });
    expect(hook.status).toBe(200);
    const redo = await x.request(
      'POST',
      `/v1/merchant/webhook/deliveries/${delivery?.id}/redeliver`,
      { token: shop.token, key: key() },
    );
    expect(redo.status).toBe(200);
    await x.database.db
      .updateTable('subscribers')
      .set({ webhook_url: null, webhook_secret: null })
      .where('id', '=', shop.id)
      .execute();
    expect(await w.runOnce()).toMatchObject({ claimed: 1, failed: 1 });
    await w.stop();
    expect(receiver.received).toHaveLength(0);
    const [after] = await deliveriesOf(shop.token);
    expect(after).toMatchObject({ status: 'failed', lastError: 'no webhook configured' });
  });
});

/**
 * An exchange that can be stopped and started again on the same database: the same SQLite file,
 * or the same PostgreSQL schema, each boot with its own connection.
 */
function restartableExchange(backend: Backend) {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-webhooks-'));
  const schema = backend === 'postgres' ? `t_${randomBytes(6).toString('hex')}` : undefined;
  const clock = new ManualClock();
  const sms = new DevelopmentSms();
  const config = loadConfig({
    NODE_ENV: 'test',
    EXCHANGE_WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1/32',
    EXCHANGE_RATES_FILE: join(dir, 'no-rates.json'),
    EXCHANGE_SQLITE_PATH: join(dir, 'exchange.db'),
    EXCHANGE_WORKERS: 'false',
    ...(backend === 'postgres' ? { DATABASE_URL: postgresUrl } : {}),
  });
  const open = () =>
    openDatabase<ExchangeDB>({
      databaseUrl: config.databaseUrl,
      sqlitePath: config.sqlitePath,
      ...(schema ? { postgresSchema: schema } : {}),
    });
  let phones = 0;

  async function boot() {
    const database = open();
    await migrateToLatest(database, exchangeMigrations);
    const rates = new FileRateSource(join(dir, 'no-rates.json'), 'KRW', () => clock.now());
    const exchange: Exchange = createExchange({ config, database, clock, rates, sms });
    const app = await buildApp(exchange, allRoutes);
    async function request(method: string, url: string, token?: string, body?: object) {
      const response = await app.inject({
        method: method as 'GET',
        url,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          'idempotency-key': key(),
        },
        ...(body ? { payload: body } : {}),
      });
      return { status: response.statusCode, body: response.json() };
    }
    async function signUp(kind: 'person' | 'merchant') {
      phones += 1;
      const phone = `+8219${String(Math.floor(Math.random() * 1e6) * 10 + phones)
        .padStart(8, '0')
        .slice(-8)}`;
      await request('POST', '/v1/auth/codes', undefined, { phone });
      const opened = await request('POST', '/v1/subscribers', undefined, {
        phone,
        code: sms.lastCode(phone),
        kind,
        displayName: `${kind} ${phones}`,
      });
      expect(opened.status).toBe(201);
      return { id: opened.body.subscriber.id as string, token: opened.body.token as string };
    }
    async function fund(subscriberId: string, units: bigint) {
      const { account_id } = await database.db
        .selectFrom('subscribers')
        .select('account_id')
        .where('id', '=', subscriberId)
        .executeTakeFirstOrThrow();
      await writeTransaction(database, (trx) =>
        postEntry(trx, database.dialect, clock.now(), {
          kind: 'deposit',
          memo: 'test funding',
          postings: [
            { account: houseAccounts.bank, asset: 'USDT', amount: -units },
            { account: account_id, asset: 'USDT', amount: units },
          ],
        }),
      );
    }
    return {
      exchange,
      app,
      database,
      request,
      signUp,
      fund,
      async close() {
        await app.close();
        await database.close();
      },
    };
  }

  return {
    clock,
    boot,
    async destroy() {
      if (schema) {
        const database = open();
        await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(database.db);
        await database.close();
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe.each(backends)('webhook delivery across a restart on %s', (backend) => {
  it('loses nothing: a delivery claimed by a worker that died is retried after its lease', async () => {
    const persistent = restartableExchange(backend);
    const receiver = await startReceiver(() => persistent.clock.now());
    try {
      const first = await persistent.boot();
      const shop = await first.signUp('merchant');
      const buyer = await first.signUp('person');
      await first.fund(buyer.id, 50_000_000n);
      const hook = await first.request('PUT', '/v1/merchant/webhook', shop.token, {
        url: receiver.url,
      });
      expect(hook.status).toBe(200);
      const secret = hook.body.secret as string;
      for (const amount of ['1', '2']) {
        const sent = await first.request('POST', '/v1/transfers', buyer.token, {
          to: { subscriberId: shop.id },
          asset: 'USDT',
          amount,
        });
        expect(sent.status).toBe(201);
      }
      // The first worker claims one delivery and dies before sending it: the row stays leased.
      const dying = startWebhookWorker(first.exchange, first.app.log, { loop: false });
      const [claimed] = await claimDueDeliveries(first.exchange, 1, dying.leaseMs);
      expect(claimed).toBeDefined();
      await dying.stop();
      await first.close();
      expect(receiver.received).toHaveLength(0);

      const second = await persistent.boot();
      const w = startWebhookWorker(second.exchange, second.app.log, { loop: false });
      // The other event goes out; the leased one waits for its lease, not for a human.
      expect(await w.runOnce()).toMatchObject({ claimed: 1, delivered: 1 });
      const third = await second.request('POST', '/v1/transfers', buyer.token, {
        to: { subscriberId: shop.id },
        asset: 'USDT',
        amount: '3',
      });
      expect(third.status).toBe(201);
      expect(await w.runOnce()).toMatchObject({ claimed: 1, delivered: 1 });
      expect(receiver.received.map((item) => JSON.parse(item.body).id)).not.toContain(
        claimed?.notificationId,
      );
      persistent.clock.advance(w.leaseMs);
      expect(await w.runOnce()).toMatchObject({ claimed: 1, delivered: 1 });
      expect((await w.runOnce()).claimed).toBe(0);
      await w.stop();

      const history = await second.request('GET', '/v1/notifications', shop.token);
      const expected = history.body.notifications.map((n: { id: string }) => n.id).sort();
      expect(expected).toHaveLength(3);
      const delivered = verifiedEvents(receiver, secret).map((e) => e.id);
      expect(delivered.sort()).toEqual(expected);
      const statuses = await second.database.db
        .selectFrom('webhook_deliveries')
        .select('status')
        .where('subscriber_id', '=', shop.id)
        .execute();
      expect(statuses.map((row) => row.status)).toEqual(['delivered', 'delivered', 'delivered']);
      await second.close();
    } finally {
      await receiver.close();
      await persistent.destroy();
    }
  });
});
