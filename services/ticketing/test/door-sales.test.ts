/**
 * Door sales (unit 404) through the HTTP API: the terminal offers, a buyer claims and pays, and
 * issuance admits the ticket at the selling gate; two buyers racing for one offer, an offer that
 * expires, one withdrawn, one for a sold-out category, and another terminal's offer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupEvent } from './fixtures.ts';
import { enrolTerminal, toDoors } from './gate-kit.ts';
import { backends, key, startTestSystem, type TestSystem } from './harness.ts';

describe.each(backends)('door sales on %s', (backend) => {
  let s: TestSystem;
  beforeAll(async () => {
    s = await startTestSystem(backend);
  });
  afterAll(async () => s?.close());

  async function gateOf(options: Parameters<typeof setupEvent>[1] = {}) {
    const setup = await setupEvent(s, options);
    const terminal = await enrolTerminal(s, setup, { gate: 'Box office' });
    return { setup, terminal };
  }

  function offer(terminal: { token: string }, body: Record<string, unknown>) {
    return s.request('POST', '/v1/terminal/door-sales', { token: terminal.token, body });
  }

  const claimOf = (claimUrl: string) => {
    const url = new URL(claimUrl);
    return { id: url.pathname.split('/').pop() as string, token: url.searchParams.get('t') ?? '' };
  };

  it('a fiat-priced door sale is paid in the crypto asset the buyer picks, at a quote', async () => {
    const { setup, terminal } = await gateOf({
      standing: 10,
      categories: [
        {
          name: 'Door',
          pricing: 'fiat',
          priceAsset: 'KRW',
          price: '45000',
          seating: 'ga',
          area: 'Standing',
          kind: 'single',
        },
      ],
    });
    toDoors(s, setup.startsAt);
    // Fresh rates at the doors' time (the exchange refuses to quote from stale ones).
    s.x.setRates();
    const made = await offer(terminal, {
      performanceId: setup.performanceIds[0],
      categoryId: setup.categories.Door,
    });
    expect(made.status, made.raw).toBe(201);
    expect(made.body.price).toEqual({ fiat: 'KRW', amount: '45000' });
    const claim = claimOf(made.body.claimUrl);
    const buyer = await s.createBuyer();
    const claimed = await s.request('POST', `/v1/door-sales/${claim.id}/claim`, {
      token: buyer.token,
      body: { token: claim.token, deviceId: buyer.deviceId, asset: 'ETH' },
    });
    expect(claimed.status, claimed.raw).toBe(201);
    expect(claimed.body).toMatchObject({ asset: 'ETH', fiatAmount: '45000' });
    expect(claimed.body.quoteId).not.toBeNull();
    // 45,000 KRW at 4,500,000 KRW an ETH, plus the exchange's spread: a little over 0.01 ETH.
    expect(Number(claimed.body.amount)).toBeGreaterThan(0.01);
    expect(Number(claimed.body.amount)).toBeLessThan(0.0105);
    const request = await s.x.request(
      'GET',
      `/v1/payment-requests/${claimed.body.payment.requestId}`,
      { token: buyer.wallet.token },
    );
    expect(request.body).toMatchObject({ asset: 'ETH' });
  });

  it('sells at the gate: claimed, paid, issued to the phone and admitted there at once', async () => {
    const { setup, terminal } = await gateOf();
    toDoors(s, setup.startsAt);
    const made = await offer(terminal, {
      performanceId: setup.performanceIds[0],
      categoryId: setup.categories.Seated,
    });
    expect(made.status, made.raw).toBe(201);
    expect(made.body).toMatchObject({
      status: 'open',
      quantity: 1,
      category: 'Seated',
      price: { asset: 'USDT', amount: '25' },
      orderId: null,
      tickets: [],
    });
    const claim = claimOf(made.body.claimUrl);
    expect(made.body.claimUrl.startsWith(`${s.ticketing.config.mobileAppUrl}/door/`)).toBe(true);

    const buyer = await s.createBuyer();
    const seen = await s.request('GET', `/v1/door-sales/${claim.id}?t=${claim.token}`, {
      token: buyer.token,
    });
    expect(seen.status, seen.raw).toBe(200);
    expect(seen.body).toMatchObject({ category: 'Seated', event: { id: setup.eventId } });
    expect(seen.body.claimUrl).toBeUndefined();
    const wrongToken = await s.request(
      'GET',
      `/v1/door-sales/${claim.id}?t=${'x'.repeat(claim.token.length)}`,
      { token: buyer.token },
    );
    expect(wrongToken.status).toBe(404);

    const claimed = await s.request('POST', `/v1/door-sales/${claim.id}/claim`, {
      token: buyer.token,
      body: { token: claim.token, deviceId: buyer.deviceId },
    });
    expect(claimed.status, claimed.raw).toBe(201);
    expect(claimed.body.status).toBe('awaiting_payment');
    // A retry answers the same order.
    const again = await s.request('POST', `/v1/door-sales/${claim.id}/claim`, {
      token: buyer.token,
      body: { token: claim.token, deviceId: buyer.deviceId },
    });
    expect(again.status, again.raw).toBe(200);
    expect(again.body.id).toBe(claimed.body.id);
    const waiting = await s.request('GET', `/v1/terminal/door-sales/${claim.id}`, {
      token: terminal.token,
    });
    expect(waiting.body).toMatchObject({ status: 'claimed', orderId: claimed.body.id });

    const paid = await s.x.request(
      'POST',
      `/v1/payment-requests/${claimed.body.payment.requestId}/pay`,
      { token: buyer.wallet.token, key: key() },
    );
    expect(paid.status, paid.raw).toBe(200);
    await s.deliverWebhooks();

    const done = await s.request('GET', `/v1/terminal/door-sales/${claim.id}`, {
      token: terminal.token,
    });
    expect(done.body.status).toBe('admitted');
    expect(done.body.admittedAt).not.toBeNull();
    expect(done.body.tickets).toHaveLength(1);
    const ticketId = done.body.tickets[0].id as string;
    const mine = await s.request('GET', '/v1/me/tickets', { token: buyer.token });
    expect(mine.body.tickets.map((ticket: { id: string }) => ticket.id)).toContain(ticketId);

    const admissions = await s.database.db
      .selectFrom('admissions')
      .select(['terminal_id', 'gate', 'direction', 'source'])
      .where('ticket_id', '=', ticketId)
      .execute();
    expect(admissions).toEqual([
      { terminal_id: terminal.id, gate: 'Box office', direction: 'entry', source: 'online' },
    ]);
    const audit = await s.database.db
      .selectFrom('gate_decisions')
      .select(['input', 'admitted', 'reason'])
      .where('terminal_id', '=', terminal.id)
      .execute();
    expect(audit).toEqual([{ input: 'door_sale', admitted: 1, reason: 'valid' }]);

    // The ticket is inside: showing its barcode at a gate now answers already used.
    const report = await s.request(
      'GET',
      `/v1/terminal/report?performanceId=${setup.performanceIds[0]}`,
      { token: terminal.token },
    );
    expect(report.status, report.raw).toBe(200);
    expect(report.body.tickets).toMatchObject({ sold: 1, admitted: 1 });
  });

  it('lets one buyer of two claim an offer, and none after it expires or is withdrawn', async () => {
    const { setup, terminal } = await gateOf();
    toDoors(s, setup.startsAt);
    const body = { performanceId: setup.performanceIds[0], categoryId: setup.categories.Seated };
    const made = await offer(terminal, body);
    const claim = claimOf(made.body.claimUrl);
    const [first, second] = [await s.createBuyer(), await s.createBuyer()];
    const answers = await Promise.all(
      [first, second].map((buyer) =>
        s.request('POST', `/v1/door-sales/${claim.id}/claim`, {
          token: buyer.token,
          body: { token: claim.token, deviceId: buyer.deviceId },
        }),
      ),
    );
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409]);
    expect(answers.find((answer) => answer.status === 409)?.body.error.code).toBe(
      'door_sale_claimed',
    );
    const holds = await s.database.db
      .selectFrom('holds')
      .select('id')
      .where('performance_id', '=', setup.performanceIds[0] as string)
      .where('status', 'in', ['active', 'ordered'])
      .execute();
    expect(holds).toHaveLength(1);

    const late = await offer(terminal, body);
    s.clock.advance(11 * 60_000);
    const expired = await s.request('GET', `/v1/terminal/door-sales/${late.body.id}`, {
      token: terminal.token,
    });
    expect(expired.body.status).toBe('expired');
    const lateClaim = claimOf(late.body.claimUrl);
    const tooLate = await s.request('POST', `/v1/door-sales/${lateClaim.id}/claim`, {
      token: first.token,
      body: { token: lateClaim.token, deviceId: first.deviceId },
    });
    expect(tooLate.status).toBe(409);
    expect(tooLate.body.error.code).toBe('door_sale_expired');

    const withdrawn = await offer(terminal, body);
    const cancelled = await s.request('DELETE', `/v1/terminal/door-sales/${withdrawn.body.id}`, {
      token: terminal.token,
    });
    expect(cancelled.body.status).toBe('cancelled');
    const afterWithdraw = claimOf(withdrawn.body.claimUrl);
    const refused = await s.request('POST', `/v1/door-sales/${afterWithdraw.id}/claim`, {
      token: second.token,
      body: { token: afterWithdraw.token, deviceId: second.deviceId },
    });
    expect(refused.body.error.code).toBe('door_sale_cancelled');
  });

  it('sells after the on-sale window, refuses sold-out and other terminals, reopens after a failed claim', async () => {
    const { setup, terminal } = await gateOf({ rows: 1, seatsPerRow: 1 });
    toDoors(s, setup.startsAt);
    // The online sale has ended by the doors; the gate may still sell.
    await s.database.db
      .updateTable('performances')
      .set({ sales_end: s.clock.now() - 60_000 })
      .where('id', '=', setup.performanceIds[0] as string)
      .execute();
    const online = await s.createBuyer();
    const held = await s.request('POST', '/v1/holds', {
      token: online.token,
      body: {
        performanceId: setup.performanceIds[0],
        categoryId: setup.categories.Seated,
        quantity: 1,
      },
    });
    expect(held.body.error.code).toBe('not_on_sale');

    const body = { performanceId: setup.performanceIds[0], categoryId: setup.categories.Seated };
    const [one, two] = [await offer(terminal, body), await offer(terminal, body)];
    const [claimer, latecomer] = [await s.createBuyer(), await s.createBuyer()];
    const firstClaim = claimOf(one.body.claimUrl);
    const took = await s.request('POST', `/v1/door-sales/${firstClaim.id}/claim`, {
      token: claimer.token,
      body: { token: firstClaim.token, deviceId: claimer.deviceId },
    });
    expect(took.status, took.raw).toBe(201);
    // The only seat is held: the second offer cannot be claimed, and stays open for later.
    const secondClaim = claimOf(two.body.claimUrl);
    const soldOut = await s.request('POST', `/v1/door-sales/${secondClaim.id}/claim`, {
      token: latecomer.token,
      body: { token: secondClaim.token, deviceId: latecomer.deviceId },
    });
    expect(soldOut.status).toBe(409);
    expect(soldOut.body.error.code).toBe('sold_out');
    const reopened = await s.request('GET', `/v1/terminal/door-sales/${secondClaim.id}`, {
      token: terminal.token,
    });
    expect(reopened.body.status).toBe('open');

    // Another organizer's terminal sees neither the performance nor the sale.
    const other = await gateOf();
    const foreign = await offer(other.terminal, body);
    expect(foreign.status).toBe(404);
    const peek = await s.request('GET', `/v1/terminal/door-sales/${firstClaim.id}`, {
      token: other.terminal.token,
    });
    expect(peek.status).toBe(404);
    const report = await s.request(
      'GET',
      `/v1/terminal/report?performanceId=${setup.performanceIds[0]}`,
      { token: other.terminal.token },
    );
    expect(report.status).toBe(404);
  });
});
