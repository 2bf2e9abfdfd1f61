/**
 * GET /metrics at the exchange: refused to anyone but the operator, counts real requests by
 * route pattern, and reports the webhook outbox as the database holds it.
 */

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  documentedMetrics,
  samples,
  undocumented,
} from '../../../packages/service-kit/test/exposition.ts';
import { startWebhookWorker } from '../src/notifications/worker.ts';
import { backends, key, startTestExchange, type TestExchange } from './harness.ts';

describe.each(backends)('exchange metrics on %s', (backend) => {
  let x: TestExchange;
  beforeAll(async () => {
    x = await startTestExchange(backend, { EXCHANGE_WEBHOOK_ALLOW_PRIVATE: 'true' });
  });
  afterAll(async () => x?.close());

  it('refuses an anonymous caller and a subscriber', async () => {
    const anonymous = await x.request('GET', '/metrics');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('unauthenticated');
    const person = await x.signUp('person');
    const subscriber = await x.request('GET', '/metrics', { token: person.token });
    expect(subscriber.status).toBe(403);
    expect(subscriber.raw).not.toContain('http_requests_total');
  });

  it('counts transfers by route and reports the outbox: pending, due, oldest', async () => {
    const merchant = await x.signUp('merchant');
    // Nobody listens on port 9: every delivery attempt fails and is retried later.
    const hook = await x.request('PUT', '/v1/merchant/webhook', {
      token: merchant.token,
      body: { url: 'http://127.0.0.1:9/hooks' },
    });
    expect(hook.status, hook.raw).toBe(200);
    const buyer = await x.signUp('person');
    await x.fund(buyer.accountId, 'USDT', 100_000_000n);
    for (const amount of ['1', '2', '3']) {
      const sent = await x.request('POST', '/v1/transfers', {
        token: buyer.token,
        key: key(),
        body: { to: { subscriberId: merchant.id }, asset: 'USDT', amount },
      });
      expect(sent.status, sent.raw).toBe(201);
    }
    x.clock.advance(90_000);
    // One delivery attempted (and failed): still pending, but not due until its retry.
    const worker = startWebhookWorker(x.exchange, x.app.log, {
      loop: false,
      batchSize: 1,
      random: () => 1,
    });
    expect(await worker.runOnce()).toMatchObject({ claimed: 1, retrying: 1 });
    await worker.stop();

    const scraped = await x.request('GET', '/metrics', {
      token: x.exchange.config.operatorToken,
    });
    expect(scraped.status).toBe(200);
    expect(scraped.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    const found = samples(scraped.raw);
    expect(found.get('http_requests_total{method="POST",route="/v1/transfers",status="201"}')).toBe(
      3,
    );
    expect(
      found.get('http_request_duration_seconds_count{method="POST",route="/v1/transfers"}'),
    ).toBe(3);
    expect(found.get('http_requests_total{method="GET",route="/metrics",status="401"}')).toBe(1);
    expect(found.get('tessera_exchange_webhook_deliveries_pending')).toBe(3);
    expect(found.get('tessera_exchange_outbox_backlog')).toBe(2);
    expect(found.get('tessera_exchange_outbox_oldest_age_seconds')).toBe(90);
    expect(found.get('tessera_exchange_webhook_deliveries_failed')).toBe(0);
    expect(found.get('tessera_metrics_collector_up{collector="exchange"}')).toBe(1);
    // Every series docs/operations.md lists is served with its type and labels, and no other.
    const operations = readFileSync(
      new URL('../../../docs/operations.md', import.meta.url),
      'utf8',
    );
    const documented = [
      ...documentedMetrics(operations, 'Both servers:'),
      ...documentedMetrics(operations, 'Exchange:'),
    ];
    expect(documented.length).toBeGreaterThan(5);
    expect(undocumented(scraped.raw, documented)).toEqual([]);
    // Route patterns only: no subscriber or delivery id becomes a label.
    expect(scraped.raw).not.toContain(merchant.id);
  });
});
