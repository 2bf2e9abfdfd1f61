/**
 * Webhook targets through the API, on both databases: a URL aimed at a non-public address is
 * refused at registration with a clear 400, a URL stored before that check is refused by the
 * worker at connect time, and the delivery log (database rows and API) never holds any of a
 * receiver's answer: only the status code and a reason of ours.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookWorker } from '../src/notifications/worker.ts';
import { backends, key, startTestExchange, type TestExchange } from './harness.ts';

const secretBody = 'INTERNAL-SECRET-db-password-hunter2';

/** A real HTTP server on loopback playing an internal service: counts requests, leaks a secret. */
async function internalService(status: number) {
  let received = 0;
  const server: Server = createServer((request, response) => {
    received += 1;
    request.resume();
    response.statusCode = status;
    if (status >= 300 && status < 400) response.setHeader('location', 'http://127.0.0.2/admin');
    response.end(`${secretBody} <html>admin console</html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get received() {
      return received;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe.each(backends)('webhook targets through the API on %s', (backend) => {
  let x: TestExchange;
  beforeAll(async () => {
    // Said outright, whatever the test environment's default.
    x = await startTestExchange(backend, { EXCHANGE_WEBHOOK_ALLOW_PRIVATE: 'false' });
  });
  afterAll(async () => {
    await x?.close();
  });

  const put = (token: string, url: string) =>
    x.request('PUT', '/v1/merchant/webhook', { token, body: { url } });

  it.each([
    'http://[::ffff:7f00:1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[64:ff9b::7f00:1]/',
    'http://[64:ff9b::a00:1]/',
    'http://[2002:7f00:1::]/',
    'http://[::1]/',
    'http://0x7f.1/',
    'http://2130706433/',
    'http://0/',
    'http://127.1/',
    'http://169.254.169.254/',
    'http://100.64.0.1/',
    'http://[fd00::1]/',
    'http://[fe80::1]/',
  ])('refuses to register %s with a 400', async (url) => {
    const shop = await x.signUp('merchant');
    const refused = await put(shop.token, url);
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('private_address');
    expect(refused.body.error.message).toMatch(/^url must reach a public address: /);
    const stored = await x.request('GET', '/v1/merchant/webhook', { token: shop.token });
    expect(stored.body.url).toBeNull();
  });

  it('refuses other schemes, credentials and over-long URLs, and takes a public one', async () => {
    const shop = await x.signUp('merchant');
    for (const url of [
      'ftp://shop.example/hook',
      'file:///etc/passwd',
      'gopher://shop.example/',
      'https://user:pw@shop.example/hook',
      'https://:pw@shop.example/hook',
      `https://shop.example/${'a'.repeat(500)}`,
    ]) {
      const refused = await put(shop.token, url);
      expect(refused.status, url).toBe(400);
      expect(refused.body.error.code, url).toMatch(/^invalid_(url|request)$/);
      expect(refused.body.error.message, url).toMatch(/url/);
    }
    const accepted = await put(shop.token, 'https://93.184.216.34/hooks');
    expect(accepted.status).toBe(200);
  });

  /** A merchant whose URL was stored before registration checked it, and one event for it. */
  async function storedHook(url: string) {
    const shop = await x.signUp('merchant');
    const set = await put(shop.token, 'https://93.184.216.34/hooks');
    expect(set.status).toBe(200);
    await x.database.db
      .updateTable('subscribers')
      .set({ webhook_url: url })
      .where('id', '=', shop.id)
      .execute();
    const buyer = await x.signUp('person');
    await x.fund(buyer.accountId, 'USDT', 10_000_000n);
    const sent = await x.request('POST', '/v1/transfers', {
      token: buyer.token,
      key: key(),
      body: { to: { subscriberId: shop.id }, asset: 'USDT', amount: '1' },
    });
    expect(sent.status).toBe(201);
    return shop;
  }

  /** What the merchant and the database hold about the shop's one delivery. */
  async function deliveryLog(shop: { id: string; token: string }) {
    const list = await x.request('GET', '/v1/merchant/webhook/deliveries', { token: shop.token });
    expect(list.status).toBe(200);
    const [delivery] = list.body.deliveries;
    const one = await x.request('GET', `/v1/merchant/webhook/deliveries/${delivery.id}`, {
      token: shop.token,
    });
    const rows = await x.database.db
      .selectFrom('webhook_deliveries')
      .leftJoin('webhook_attempts', 'webhook_attempts.delivery_id', 'webhook_deliveries.id')
      .selectAll()
      .where('webhook_deliveries.subscriber_id', '=', shop.id)
      .execute();
    return { delivery, detail: one.body, raw: `${list.raw}${one.raw}${JSON.stringify(rows)}` };
  }

  it('refuses, at connect time, a private URL stored before registration checked it', async () => {
    const internal = await internalService(200);
    try {
      const shop = await storedHook(`http://[::ffff:7f00:1]:${internal.port}/hook`);
      const worker = startWebhookWorker(x.exchange, x.app.log, { loop: false });
      await worker.runOnce();
      await worker.stop();
      expect(internal.received).toBe(0);
      const { delivery } = await deliveryLog(shop);
      expect(delivery).toMatchObject({
        status: 'pending',
        lastStatus: null,
        lastError: 'refused: 127.0.0.1 is not a public address (loopback)',
      });
    } finally {
      await internal.close();
    }
  });

  it.each([500, 302])(
    "keeps only the status and a reason of ours from an HTTP %i answer, never the receiver's body",
    async (status) => {
      // This exchange lets the receiver through by naming its network, as an operator would.
      const allowed = await startTestExchange(backend, {
        EXCHANGE_WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1/32',
      });
      const internal = await internalService(status);
      const previous = x;
      x = allowed;
      try {
        const shop = await storedHook(`http://127.0.0.1:${internal.port}/hook`);
        const worker = startWebhookWorker(x.exchange, x.app.log, { loop: false });
        await worker.runOnce();
        await worker.stop();
        expect(internal.received).toBe(1);
        const { delivery, detail, raw } = await deliveryLog(shop);
        const reason = status === 500 ? 'HTTP 500' : 'HTTP 302: redirect not followed';
        expect(delivery).toMatchObject({ lastStatus: status, lastError: reason });
        expect(detail.attemptLog).toMatchObject([{ statusCode: status, error: reason }]);
        expect(raw).not.toContain('INTERNAL-SECRET');
        expect(raw).not.toContain('admin console');
      } finally {
        x = previous;
        await internal.close();
        await allowed.close();
      }
    },
  );
});
