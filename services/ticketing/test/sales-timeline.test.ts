/**
 * An event's sales over time (issue 20 item 6) through the HTTP API: orders paid seconds and
 * minutes apart and a refund, read per second and per minute; the points add up to the sales
 * report's totals, also with 10,000 orders more; one performance alone; the query's bounds
 * refused with 400.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buy, type EventSetup, setupEvent } from './fixtures.ts';
import { backends, startTestSystem, type TestSystem } from './harness.ts';

interface Point {
  at: string;
  tickets: number;
  orders: number;
  refunds: number;
  revenue: { asset: string; amount: string }[];
}

/** A decimal amount as integer millionths, to add amounts exactly. */
const micro = (amount: string) => {
  const [whole, fraction = ''] = amount.split('.');
  return BigInt(whole as string) * 1_000_000n + BigInt(fraction.padEnd(6, '0'));
};

const sum = (points: Point[], field: 'tickets' | 'orders' | 'refunds') =>
  points.reduce((total, point) => total + point[field], 0);

const revenueOf = (points: Point[], asset: string) =>
  points.reduce(
    (total, point) =>
      total + micro(point.revenue.find((entry) => entry.asset === asset)?.amount ?? '0'),
    0n,
  );

describe.each(backends)('sales over time on %s', (backend) => {
  let s: TestSystem;
  let setup: EventSetup;
  let owner: string;
  let openedAt: number;

  const timeline = (query = '') =>
    s.request('GET', `/v1/events/${setup.eventId}/sales/timeline${query}`, { token: owner });

  beforeAll(async () => {
    s = await startTestSystem(backend);
    setup = await setupEvent(s, {
      performances: 2,
      categories: [
        {
          name: 'Front',
          pricing: 'crypto',
          priceAsset: 'USDT',
          price: '25',
          seating: 'seated',
          sections: ['A'],
          kind: 'single',
        },
        {
          name: 'Standing',
          pricing: 'crypto',
          priceAsset: 'USDT',
          price: '10.5',
          seating: 'ga',
          area: 'Standing',
          kind: 'single',
        },
      ],
    });
    owner = setup.organizer.owner.token;
  }, 30_000);

  afterAll(async () => s?.close());

  it('is empty before the first sale', async () => {
    const empty = await timeline();
    expect(empty.status, empty.raw).toBe(200);
    expect(empty.body.salesOpenedAt).toBeNull();
    expect(empty.body.points).toEqual([]);
    // Before any sale, a span that ends in the past starts there too.
    const past = new Date(s.clock.now() - 3_600_000).toISOString();
    const before = await timeline(`?to=${past}`);
    expect(before.status, before.raw).toBe(200);
    expect(before.body).toMatchObject({ from: past, to: past, points: [] });
  });

  it('buckets sales per second and per minute, adding up to the sales report', async () => {
    const [first, second] = setup.performanceIds as [string, string];
    const front = setup.categories.Front as string;
    const standing = setup.categories.Standing as string;
    // Start on a whole second, so the first two orders fall in buckets five seconds apart.
    s.clock.advance(1_000 - (s.clock.now() % 1_000) + 100);
    const one = await s.createBuyer();
    const a = await buy(s, one, { performanceId: first, categoryId: front, quantity: 2 });
    expect(a.order?.status).toBe(201);
    s.clock.advance(5_000);
    const two = await s.createBuyer();
    await buy(s, two, { performanceId: first, categoryId: standing, quantity: 3 });
    s.clock.advance(125_000);
    await buy(s, two, { performanceId: second, categoryId: front, quantity: 1 });
    s.clock.advance(70_000);
    const mine = await s.request('GET', '/v1/me/tickets', { token: one.token });
    const refunded = await s.request(
      'POST',
      `/v1/organizers/${setup.organizer.id}/tickets/${mine.body.tickets[0].id}/refund`,
      { token: owner },
    );
    expect(refunded.status, refunded.raw).toBe(200);

    const paid = await s.database.db
      .selectFrom('orders')
      .select('paid_at')
      .where('event_id', '=', setup.eventId)
      .where('paid_at', 'is not', null)
      .orderBy('paid_at')
      .execute();
    expect(paid).toHaveLength(3);
    openedAt = Number(paid[0]?.paid_at);

    const report = await s.request('GET', `/v1/events/${setup.eventId}/sales`, { token: owner });
    expect(report.body.totals.tickets).toBe(5);
    const reportUsdt = micro(report.body.totals.revenue[0].amount);
    expect(reportUsdt).toBe(micro('81.5'));

    const whole = await timeline();
    expect(whole.status, whole.raw).toBe(200);
    expect(whole.body.salesOpenedAt).toBe(new Date(openedAt).toISOString());
    expect(whole.body.from).toBe(whole.body.salesOpenedAt);
    const wholePoints = whole.body.points as Point[];
    expect(sum(wholePoints, 'tickets')).toBe(report.body.totals.tickets);
    expect(revenueOf(wholePoints, 'USDT')).toBe(reportUsdt);
    expect(sum(wholePoints, 'orders')).toBe(3);
    expect(sum(wholePoints, 'refunds')).toBe(1);

    const from = new Date(openedAt).toISOString();
    const to = new Date(openedAt + 10 * 60_000).toISOString();
    const perSecond = await timeline(`?stepS=1&from=${from}&to=${to}`);
    expect(perSecond.status, perSecond.raw).toBe(200);
    expect(perSecond.body).toMatchObject({ from, to, stepS: 1 });
    const seconds = perSecond.body.points as Point[];
    // A's second (one ticket left after the refund), B's, C's, and the refund's.
    expect(seconds.map((point) => point.tickets)).toEqual([1, 3, 1, 0]);
    expect(seconds.map((point) => point.refunds)).toEqual([0, 0, 0, 1]);
    expect(seconds[0]?.at).toBe(new Date(Math.floor(openedAt / 1000) * 1000).toISOString());
    expect(Date.parse(seconds[1]?.at as string) - Date.parse(seconds[0]?.at as string)).toBe(5_000);
    expect(seconds[1]?.revenue).toEqual([{ asset: 'USDT', amount: '31.5' }]);
    expect(revenueOf(seconds, 'USDT')).toBe(reportUsdt);

    const perMinute = await timeline(`?stepS=60&from=${from}&to=${to}`);
    const minutes = perMinute.body.points as Point[];
    for (const point of minutes) expect(Date.parse(point.at) % 60_000).toBe(0);
    expect(minutes.length).toBeLessThan(seconds.length);
    expect(sum(minutes, 'tickets')).toBe(5);
    expect(sum(minutes, 'orders')).toBe(3);
    expect(revenueOf(minutes, 'USDT')).toBe(reportUsdt);

    const secondOnly = await timeline(`?performanceId=${second}`);
    expect(secondOnly.status, secondOnly.raw).toBe(200);
    expect(sum(secondOnly.body.points, 'tickets')).toBe(1);
    expect(revenueOf(secondOnly.body.points, 'USDT')).toBe(micro('25'));
  });

  it('chooses a step that keeps a long span under 1,500 points', async () => {
    const from = new Date(openedAt).toISOString();
    const to = new Date(openedAt + 2 * 86_400_000).toISOString();
    const twoDays = await timeline(`?from=${from}&to=${to}`);
    expect(twoDays.status, twoDays.raw).toBe(200);
    // 172,800 s / 1,500 is 115 s: the next step that reads well is two minutes.
    expect(twoDays.body.stepS).toBe(120);
    expect(sum(twoDays.body.points, 'tickets')).toBe(5);
  });

  it('adds up for 10,000 orders, in at most 1,500 points by default', async () => {
    const db = s.database.db;
    // Copies of a real Standing order and its ticket, one a second for close to three hours,
    // from ten minutes after the last real sale.
    const template = await db
      .selectFrom('tickets')
      .selectAll()
      .where('event_id', '=', setup.eventId)
      .where('category_id', '=', setup.categories.Standing as string)
      .where('status', '=', 'valid')
      .executeTakeFirstOrThrow();
    const order = await db
      .selectFrom('orders')
      .selectAll()
      .where('id', '=', template.order_id)
      .executeTakeFirstOrThrow();
    const start = s.clock.now() + 600_000;
    const n = 10_000;
    for (let from = 0; from < n; from += 500) {
      const batch = Array.from({ length: Math.min(500, n - from) }, (_, i) => from + i);
      await db
        .insertInto('orders')
        .values(
          batch.map((i) => ({
            ...order,
            id: `ord_bulk${String(i).padStart(8, '0')}`,
            hold_id: `hold_bulk${i}`,
            payment_request_id: `pr_bulk${i}`,
            paid_at: start + i * 1_000,
            issued_at: start + i * 1_000,
          })),
        )
        .execute();
      await db
        .insertInto('tickets')
        .values(
          batch.map((i) => ({
            ...template,
            id: `tkt_bulk${String(i).padStart(8, '0')}`,
            number: `B${String(i).padStart(7, '0')}`,
            manual_number: `9${String(i).padStart(9, '0')}`,
            order_id: `ord_bulk${String(i).padStart(8, '0')}`,
            line_no: 0,
          })),
        )
        .execute();
    }
    s.clock.advance(start + n * 1_000 - s.clock.now());

    const report = await s.request('GET', `/v1/events/${setup.eventId}/sales`, { token: owner });
    expect(report.body.totals.tickets).toBe(5 + n);
    const whole = await timeline();
    expect(whole.status, whole.raw).toBe(200);
    const points = whole.body.points as Point[];
    expect(points.length).toBeLessThanOrEqual(1_500);
    expect(sum(points, 'tickets')).toBe(report.body.totals.tickets);
    expect(sum(points, 'orders')).toBe(3 + n);
    expect(revenueOf(points, 'USDT')).toBe(micro(report.body.totals.revenue[0].amount));
    // The bulk's first minute, per second: one order a second.
    const first = new Date(start).toISOString();
    const minute = new Date(start + 59_999).toISOString();
    const perSecond = await timeline(`?stepS=1&from=${first}&to=${minute}`);
    expect((perSecond.body.points as Point[]).map((point) => point.tickets)).toEqual(
      Array(60).fill(1),
    );
  }, 60_000);

  it('refuses a query out of bounds with 400, and strangers with 403 or 404', async () => {
    const day = new Date(openedAt).toISOString();
    const later = new Date(openedAt + 2 * 86_400_000).toISOString();
    for (const query of [
      '?stepS=0',
      '?stepS=86401',
      '?stepS=1.5',
      '?from=yesterday',
      '?to=2026-13-45T00:00:00Z',
      `?from=${later}&to=${day}`,
      `?from=${day}&to=${later}&stepS=1`,
      '?performanceId=nope',
      '?surprise=1',
    ]) {
      const refused = await timeline(query);
      expect(refused.status, query).toBe(400);
      expect(refused.body.error.code, query).toMatch(/^(invalid_request|invalid_time)$/);
    }
    expect((await timeline('?performanceId=perf_zzzzzzzzzz')).status).toBe(404);
    const gate = await s.signIn();
    await s.request(
      'PUT',
      `/v1/organizers/${setup.organizer.id}/staff/${encodeURIComponent(gate.phone)}`,
      { token: owner, body: { role: 'gate' } },
    );
    const path = `/v1/events/${setup.eventId}/sales/timeline`;
    expect((await s.request('GET', path, { token: gate.token })).status).toBe(403);
    const rival = await s.createOrganizer('Rival Hall');
    expect((await s.request('GET', path, { token: rival.owner.token })).status).toBe(404);
  });
});
