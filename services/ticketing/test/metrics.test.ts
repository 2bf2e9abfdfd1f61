/**
 * GET /metrics at the ticketing server: refused to anyone but the operator, counts real requests
 * by route pattern, and reports holds, orders by status, admissions and the reconciliation
 * backlog as the database holds them.
 */

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  documentedMetrics,
  families,
  samples,
  undocumented,
} from '../../../packages/service-kit/test/exposition.ts';
import { buy, holdAndOrder, setupEvent } from './fixtures.ts';
import { barcode, enrolTerminal, nowS, scan, ticketsOfOrder, toDoors } from './gate-kit.ts';
import { backends, startTestSystem, type TestSystem } from './harness.ts';

describe.each(backends)('ticketing metrics on %s', (backend) => {
  let s: TestSystem;
  beforeAll(async () => {
    s = await startTestSystem(backend);
  });
  afterAll(async () => s?.close());

  it('refuses an anonymous caller and a signed-in user', async () => {
    const anonymous = await s.request('GET', '/metrics');
    expect(anonymous.status).toBe(401);
    const user = await s.signIn();
    const signedIn = await s.request('GET', '/metrics', { token: user.token });
    expect(signedIn.status).toBe(403);
    expect(signedIn.raw).not.toContain('http_requests_total');
  });

  it('reports a sale, an unpaid order, a hold, an entry and an exit apart, as they happened', async () => {
    // Re-entry allowed, so the holder can go out and the gate records an exit.
    const setup = await setupEvent(s, {
      categories: [
        {
          name: 'Seated',
          pricing: 'crypto',
          priceAsset: 'USDT',
          price: '25',
          seating: 'seated',
          sections: ['A'],
          kind: 'single',
          reentryAllowed: true,
        },
      ],
    });
    const performanceId = setup.performanceIds[0] as string;
    const seated = setup.categories.Seated as string;
    const buyer = await s.createBuyer();
    const bought = await buy(s, buyer, { performanceId, categoryId: seated, quantity: 1 });
    expect(bought.paid?.status).toBe(200);
    const unpaid = await holdAndOrder(s, await s.createBuyer(), performanceId, seated);
    expect(unpaid.order.status, unpaid.order.raw).toBe(201);

    // At the doors, a week later: the unpaid order's window has closed (the worker is off).
    toDoors(s, setup.startsAt);
    const terminal = await enrolTerminal(s, setup);
    const [ticket] = await ticketsOfOrder(s, buyer, bought.order?.body.id);
    if (!ticket) throw new Error('the paid order has no ticket');
    const admitted = await scan(s, terminal, {
      barcode: await barcode(ticket, buyer.signer, nowS(s)),
    });
    expect(admitted.status, admitted.raw).toBe(200);
    expect(admitted.body).toMatchObject({ admitted: true, reason: 'valid' });
    // Out through the gate a minute later: an exit, recorded, and not a second person let in.
    s.clock.advance(60_000);
    const left = await scan(s, terminal, {
      barcode: await barcode(ticket, buyer.signer, nowS(s)),
      direction: 'exit',
    });
    expect(left.status, left.raw).toBe(200);
    expect(left.body, left.raw).toMatchObject({ admitted: true });
    const waiting = await s.createBuyer();
    const held = await s.request('POST', '/v1/holds', {
      token: waiting.token,
      body: { performanceId, categoryId: seated, quantity: 2 },
    });
    expect(held.status, held.raw).toBe(201);

    const scraped = await s.request('GET', '/metrics', { token: s.ticketing.config.operatorToken });
    expect(scraped.status).toBe(200);
    const found = samples(scraped.raw);
    expect(found.get('http_requests_total{method="POST",route="/v1/holds",status="201"}')).toBe(3);
    expect(found.get('http_requests_total{method="POST",route="/v1/orders",status="201"}')).toBe(2);
    expect(
      found.get('http_request_duration_seconds_count{method="GET",route="/v1/me/tickets"}'),
    ).toBe(1);
    expect(found.get('http_requests_total{method="GET",route="/metrics",status="401"}')).toBe(1);
    expect(found.get('http_requests_total{method="GET",route="/metrics",status="403"}')).toBe(1);
    expect(found.get('tessera_ticketing_active_holds')).toBe(1);
    expect(found.get('tessera_ticketing_orders{status="issued"}')).toBe(1);
    expect(found.get('tessera_ticketing_orders{status="awaiting_payment"}')).toBe(1);
    expect(found.get('tessera_ticketing_orders{status="refunded"}')).toBe(0);
    expect(found.get('tessera_ticketing_admissions_total{direction="entry"}')).toBe(1);
    expect(found.get('tessera_ticketing_admissions_total{direction="exit"}')).toBe(1);
    expect(found.get('tessera_ticketing_reconcile_backlog{step="lapsed"}')).toBe(1);
    expect(found.get('tessera_ticketing_reconcile_backlog{step="quiet"}')).toBe(0);
    expect(found.get('tessera_ticketing_reconcile_backlog{step="creating"}')).toBe(0);
    expect(found.get('tessera_metrics_collector_up{collector="ticketing"}')).toBe(1);
    const declared = families(scraped.raw);
    expect(declared.get('tessera_ticketing_admissions_total')?.type).toBe('counter');
    expect(declared.get('tessera_ticketing_orders')?.help).toBe('Orders by status');
    // The process's own figures come with every scrape: event-loop lag, CPU, memory.
    expect(declared.get('nodejs_eventloop_lag_seconds')?.type).toBe('gauge');
    expect(declared.get('process_cpu_seconds_total')?.type).toBe('counter');
    expect(declared.get('process_resident_memory_bytes')?.type).toBe('gauge');
    // Every series docs/operations.md lists is served with its type and labels, and no other.
    const operations = readFileSync(
      new URL('../../../docs/operations.md', import.meta.url),
      'utf8',
    );
    const documented = [
      ...documentedMetrics(operations, 'Both servers:'),
      ...documentedMetrics(operations, 'Ticketing server:'),
    ];
    expect(documented.length).toBeGreaterThan(5);
    expect(undocumented(scraped.raw, documented)).toEqual([]);
    // Route patterns only: no order id becomes a label.
    expect(scraped.raw).not.toContain(bought.order?.body.id);
  });
});
