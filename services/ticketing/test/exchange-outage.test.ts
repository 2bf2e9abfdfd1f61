/**
 * A frozen exchange seen through the ticketing API (issue 18, item 3), on both databases: the
 * payment request the exchange made while its answer was lost is neither refused nor made twice;
 * once the circuit opens, orders are answered 503 `exchange_unavailable` with Retry-After at once,
 * without a call to the exchange, and /ready says the exchange is unavailable (still 200: the
 * rest of the service works); when the exchange answers again the probe closes the circuit, the
 * retried order adopts the request that was made, and the buyer pays and gets the ticket.
 *
 * The calls' timeout is 3 s: long enough that a loaded test machine never times out a call the
 * proxy passes through, short enough that the frozen calls cost seconds, not minutes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExchangeClient } from '../src/exchange-client.ts';
import { setupEvent } from './fixtures.ts';
import { startFrozenExchange } from './frozen-exchange.ts';
import { backends, key, startTestSystem, type TestSystem } from './harness.ts';

describe.each(backends)('a frozen exchange behind the ticketing API on %s', (backend) => {
  let s: TestSystem;
  let proxy: Awaited<ReturnType<typeof startFrozenExchange>>;
  beforeAll(async () => {
    proxy = await startFrozenExchange();
    s = await startTestSystem(
      backend,
      {},
      {
        exchangeClient: (exchangeUrl, clock) => {
          proxy.target(exchangeUrl);
          return new ExchangeClient(proxy.url, exchangeUrl, {
            timeoutMs: 3_000,
            breaker: { failureThreshold: 2, openMs: 10_000, now: () => clock.now() },
          });
        },
      },
    );
  });
  afterAll(async () => {
    await s?.close();
    await proxy?.close();
  });

  it('fails fast while open, loses no payment request, and sells once the exchange answers', async () => {
    const setup = await setupEvent(s);
    const performanceId = setup.performanceIds[0] as string;
    const buyer = await s.createBuyer();
    await s.ticketing.exchange.assets();
    const held = await s.request('POST', '/v1/holds', {
      token: buyer.token,
      body: { performanceId, categoryId: setup.categories.Seated, quantity: 1 },
    });
    expect(held.status, held.raw).toBe(201);
    const order = () =>
      s.request('POST', '/v1/orders', {
        token: buyer.token,
        body: { holdId: held.body.id, deviceId: buyer.deviceId },
      });

    // The exchange takes the calls and its answers are lost: it made the payment request.
    proxy.set('swallow');
    const before = proxy.requests;
    for (let i = 0; i < 2; i++) {
      const lost = await order();
      expect(lost.status, lost.raw).toBe(503);
      expect(lost.body.error.code).toBe('exchange_unavailable');
    }
    expect(proxy.requests - before).toBe(2);
    const stored = await s.database.db
      .selectFrom('orders')
      .select(['id', 'status'])
      .where('hold_id', '=', held.body.id)
      .executeTakeFirstOrThrow();
    expect(stored.status).toBe('creating');
    const atExchange = () =>
      s.x.request('GET', `/v1/payment-requests?reference=${stored.id}`, {
        token: setup.organizer.merchant.token,
      });
    expect((await atExchange()).body.requests).toHaveLength(1);

    // Open: answered at once, nothing sent; /ready says so without taking the service out.
    for (let i = 0; i < 5; i++) {
      const fast = await order();
      expect(fast.status).toBe(503);
      expect(fast.body.error.code).toBe('exchange_unavailable');
      expect(fast.headers['retry-after']).toBe('10');
    }
    expect(proxy.requests - before).toBe(2);
    const ready = await s.request('GET', '/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ready', exchange: 'unavailable' });
    expect(ready.body.exchangeRetryAfterS).toBe(10);

    // The exchange answers again; after the open period the retried order is the probe: it
    // finds the request made during the outage and adopts it.
    proxy.set('pass');
    s.clock.advance(10_000);
    const adopted = await order();
    expect([200, 201], adopted.raw).toContain(adopted.status);
    expect(adopted.body.status).toBe('awaiting_payment');
    expect((await s.request('GET', '/ready')).body.exchange).toBe('available');
    const requests = (await atExchange()).body.requests;
    expect(requests).toHaveLength(1);
    expect(adopted.body.payment.requestId).toBe(requests[0].id);

    const paid = await s.x.request(
      'POST',
      `/v1/payment-requests/${adopted.body.payment.requestId}/pay`,
      { token: buyer.wallet.token, key: key() },
    );
    expect(paid.status, paid.raw).toBe(200);
    await s.deliverWebhooks();
    const issued = await s.request('GET', `/v1/orders/${stored.id}`, { token: buyer.token });
    expect(issued.body.status).toBe('issued');
  });
});
