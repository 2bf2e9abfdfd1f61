/**
 * What the gates may sell at the door (issue 20 item 5) through the HTTP API: the settings read
 * and replaced by the organizer's staff, validated, enforced when a terminal offers (nothing
 * written on a refusal), carried in the terminal package; and the console's list of a
 * performance's door sales with its totals after a real sale.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EventSetup, setupEvent } from './fixtures.ts';
import { enrolTerminal, type Terminal, toDoors } from './gate-kit.ts';
import { backends, key, startTestSystem, type TestSystem } from './harness.ts';

describe.each(backends)('door-sale settings and list on %s', (backend) => {
  let s: TestSystem;
  beforeAll(async () => {
    s = await startTestSystem(backend);
  });
  afterAll(async () => s?.close());

  async function gateOf(): Promise<{ setup: EventSetup; terminal: Terminal; owner: string }> {
    const setup = await setupEvent(s);
    const terminal = await enrolTerminal(s, setup, { gate: 'Box office' });
    toDoors(s, setup.startsAt);
    return { setup, terminal, owner: setup.organizer.owner.token };
  }

  const settingsPath = (setup: EventSetup) =>
    `/v1/performances/${setup.performanceIds[0]}/door-sales/settings`;

  function offer(terminal: Terminal, body: Record<string, unknown>) {
    return s.request('POST', '/v1/terminal/door-sales', { token: terminal.token, body });
  }

  async function salesCount(setup: EventSetup) {
    const rows = await s.database.db
      .selectFrom('door_sales')
      .select('id')
      .where('performance_id', '=', setup.performanceIds[0] as string)
      .execute();
    return rows.length;
  }

  async function packagePerformance(terminal: Terminal) {
    const response = await s.request('GET', '/v1/terminal/package', { token: terminal.token });
    expect(response.status, response.raw).toBe(200);
    return response.body.performances[0];
  }

  it('starts as before settings existed: on, every category, the per-order limit', async () => {
    const { setup, terminal, owner } = await gateOf();
    const read = await s.request('GET', settingsPath(setup), { token: owner });
    expect(read.status, read.raw).toBe(200);
    expect(read.body).toEqual({
      performanceId: setup.performanceIds[0],
      enabled: true,
      categoryIds: null,
      maxPerSale: 10,
      custom: false,
      updatedAt: null,
      perOrderLimit: 10,
      categories: [
        { id: setup.categories.Seated, name: 'Seated' },
        { id: setup.categories.Standing, name: 'Standing' },
      ],
    });
    expect((await packagePerformance(terminal)).doorSales).toEqual({
      enabled: true,
      categoryIds: [setup.categories.Seated, setup.categories.Standing],
      maxPerSale: 10,
    });
  });

  it('validates what is set, and lets only manage_catalogue set it', async () => {
    const { setup, owner } = await gateOf();
    const other = await setupEvent(s);
    const put = (body: unknown, token = owner) =>
      s.request('PUT', settingsPath(setup), { token, body });
    const good = { enabled: true, categoryIds: [setup.categories.Seated], maxPerSale: 2 };

    const foreign = await put({ ...good, categoryIds: [other.categories.Seated] });
    expect(foreign.status, foreign.raw).toBe(400);
    expect(foreign.body.error.code).toBe('unknown_category');
    for (const bad of [
      { ...good, maxPerSale: 0 },
      { ...good, maxPerSale: 21 },
      { ...good, maxPerSale: 1.5 },
      { ...good, categoryIds: [] },
      { ...good, categoryIds: ['cat_nonsense!'] },
      { ...good, categoryIds: [setup.categories.Seated, setup.categories.Seated] },
      { ...good, surprise: true },
      { enabled: true, maxPerSale: 2 },
    ]) {
      const refused = await put(bad);
      expect(refused.status, JSON.stringify(bad)).toBe(400);
      expect(refused.body.error.code).toBeTypeOf('string');
    }
    // Nothing was written by the refusals.
    expect((await s.request('GET', settingsPath(setup), { token: owner })).body.custom).toBe(false);

    const boxOffice = await s.signIn();
    const added = await s.request(
      'PUT',
      `/v1/organizers/${setup.organizer.id}/staff/${encodeURIComponent(boxOffice.phone)}`,
      { token: owner, body: { role: 'box_office' } },
    );
    expect(added.status, added.raw).toBe(200);
    expect((await s.request('GET', settingsPath(setup), { token: boxOffice.token })).status).toBe(
      200,
    );
    expect((await put(good, boxOffice.token)).status).toBe(403);
    expect((await put(good, other.organizer.owner.token)).status).toBe(404);
    expect(
      (await s.request('GET', settingsPath(setup), { token: other.organizer.owner.token })).status,
    ).toBe(404);

    const saved = await put(good);
    expect(saved.status, saved.raw).toBe(200);
    expect(saved.body).toMatchObject({ ...good, custom: true });
    expect(saved.body.updatedAt).not.toBeNull();
    const everything = await put({ enabled: true, categoryIds: null, maxPerSale: 20 });
    expect(everything.body).toMatchObject({ categoryIds: null, maxPerSale: 20 });
  });

  it('refuses what the settings forbid, writes nothing then, and tells the gate', async () => {
    const { setup, terminal, owner } = await gateOf();
    const seated = { performanceId: setup.performanceIds[0], categoryId: setup.categories.Seated };
    const standing = { ...seated, categoryId: setup.categories.Standing };
    const set = await s.request('PUT', settingsPath(setup), {
      token: owner,
      body: { enabled: true, categoryIds: [setup.categories.Seated], maxPerSale: 2 },
    });
    expect(set.status, set.raw).toBe(200);
    expect((await packagePerformance(terminal)).doorSales).toEqual({
      enabled: true,
      categoryIds: [setup.categories.Seated],
      maxPerSale: 2,
    });

    const notAllowed = await offer(terminal, standing);
    expect(notAllowed.status, notAllowed.raw).toBe(409);
    expect(notAllowed.body.error.code).toBe('door_sale_category_not_allowed');
    const tooMany = await offer(terminal, { ...seated, quantity: 3 });
    expect(tooMany.status, tooMany.raw).toBe(400);
    expect(tooMany.body.error.code).toBe('order_limit');
    expect(tooMany.body.error.message).toContain('1 to 2');
    expect(await salesCount(setup)).toBe(0);
    const two = await offer(terminal, { ...seated, quantity: 2 });
    expect(two.status, two.raw).toBe(201);
    expect(await salesCount(setup)).toBe(1);

    const off = await s.request('PUT', settingsPath(setup), {
      token: owner,
      body: { enabled: false, categoryIds: null, maxPerSale: 2 },
    });
    expect(off.status, off.raw).toBe(200);
    const closed = await offer(terminal, seated);
    expect(closed.status, closed.raw).toBe(409);
    expect(closed.body.error.code).toBe('door_sales_closed');
    expect(await salesCount(setup)).toBe(1);
    expect((await packagePerformance(terminal)).doorSales).toEqual({
      enabled: false,
      categoryIds: [setup.categories.Seated, setup.categories.Standing],
      maxPerSale: 2,
    });
  });

  it('lists the door sales newest first with their terminal and order, and totals them', async () => {
    const { setup, terminal, owner } = await gateOf();
    const listPath = `/v1/performances/${setup.performanceIds[0]}/door-sales`;
    const empty = await s.request('GET', listPath, { token: owner });
    expect(empty.status, empty.raw).toBe(200);
    expect(empty.body).toEqual({
      doorSales: [],
      totals: { offers: 0, claimed: 0, admitted: 0, cancelled: 0, tickets: 0, revenue: [] },
    });

    const body = { performanceId: setup.performanceIds[0], categoryId: setup.categories.Seated };
    const sold = await offer(terminal, { ...body, quantity: 2 });
    expect(sold.status, sold.raw).toBe(201);
    const claimUrl = new URL(sold.body.claimUrl);
    const buyer = await s.createBuyer();
    const claimed = await s.request('POST', `/v1/door-sales/${sold.body.id}/claim`, {
      token: buyer.token,
      body: { token: claimUrl.searchParams.get('t'), deviceId: buyer.deviceId },
    });
    expect(claimed.status, claimed.raw).toBe(201);
    const paid = await s.x.request(
      'POST',
      `/v1/payment-requests/${claimed.body.payment.requestId}/pay`,
      { token: buyer.wallet.token, key: key() },
    );
    expect(paid.status, paid.raw).toBe(200);
    await s.deliverWebhooks();
    s.clock.advance(1_000);
    const withdrawn = await offer(terminal, body);
    await s.request('DELETE', `/v1/terminal/door-sales/${withdrawn.body.id}`, {
      token: terminal.token,
    });
    s.clock.advance(1_000);
    const waiting = await offer(terminal, body);

    const list = await s.request('GET', listPath, { token: owner });
    expect(list.status, list.raw).toBe(200);
    expect(list.body.doorSales.map((sale: { id: string }) => sale.id)).toEqual([
      waiting.body.id,
      withdrawn.body.id,
      sold.body.id,
    ]);
    expect(list.body.doorSales.map((sale: { status: string }) => sale.status)).toEqual([
      'open',
      'cancelled',
      'admitted',
    ]);
    const [open, , admitted] = list.body.doorSales;
    expect(admitted).toMatchObject({
      terminalId: terminal.id,
      terminalName: terminal.name,
      gate: 'Box office',
      categoryId: setup.categories.Seated,
      category: 'Seated',
      quantity: 2,
      amount: '50',
      asset: 'USDT',
      orderId: claimed.body.id,
    });
    expect(admitted.claimedAt).not.toBeNull();
    expect(admitted.admittedAt).not.toBeNull();
    expect(open).toMatchObject({ amount: null, asset: null, claimedAt: null, orderId: null });
    expect(list.body.totals).toEqual({
      offers: 3,
      claimed: 1,
      admitted: 1,
      cancelled: 1,
      tickets: 2,
      revenue: [{ asset: 'USDT', amount: '50' }],
    });

    // The list is the organizer's: the gate role and other organizers do not see it.
    const gateStaff = await s.signIn();
    await s.request(
      'PUT',
      `/v1/organizers/${setup.organizer.id}/staff/${encodeURIComponent(gateStaff.phone)}`,
      { token: owner, body: { role: 'gate' } },
    );
    expect((await s.request('GET', listPath, { token: gateStaff.token })).status).toBe(403);
    const rival = await s.createOrganizer('Rival Hall');
    expect((await s.request('GET', listPath, { token: rival.owner.token })).status).toBe(404);
    expect((await s.request('GET', listPath, { token: terminal.token })).status).toBe(403);
  });
});
