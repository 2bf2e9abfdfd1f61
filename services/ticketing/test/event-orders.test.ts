/**
 * The organizer's orders search (GET /v1/events/:eventId/orders): by order id, ticket number and
 * phone number as people type it, pages, each ticket's state and refund with its reason, and who
 * may look.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizePhone, searchTerms } from '../src/reports/orders.ts';
import { type Buyer, buy, type EventSetup, setupEvent } from './fixtures.ts';
import { backends, startTestSystem, type TestSystem } from './harness.ts';

interface OrderBody {
  id: string;
  status: string;
  buyerPhone: string;
  buyerFirstName: string | null;
  total: { asset: string; amount: string };
  tickets: {
    id: string;
    number: string;
    status: string;
    holderPhone: string;
    seat: { section: string; row: string; number: string } | null;
    area: string | null;
    usage: { state: string };
    refund: { status: string; amount: string; asset: string; reason: string } | null;
  }[];
}

/** `+821912345678` as a person writes it at the desk: `019-1234-5678`. */
const typed = (e164: string) => {
  const national = `0${e164.slice(3)}`;
  return `${national.slice(0, 3)}-${national.slice(3, 7)}-${national.slice(7)}`;
};

describe.each(backends)('the orders of an event on %s', (backend) => {
  let s: TestSystem;
  let setup: EventSetup;
  let owner: string;
  let one: Buyer;
  let two: Buyer;
  let giftPhone: string;
  const orderIds: string[] = [];

  beforeAll(async () => {
    s = await startTestSystem(backend);
    setup = await setupEvent(s, { performances: 2 });
    owner = setup.organizer.owner.token;
    const [first, second] = setup.performanceIds as [string, string];
    const seated = setup.categories.Seated as string;
    one = await s.createBuyer();
    await s.signIn(one.phone, 'Minji');
    two = await s.createBuyer();
    giftPhone = s.newPhone();
    // Four orders: one buys twice, two buys once for itself and once for a friend's phone.
    for (const [buyer, performanceId, options] of [
      [one, first, {}],
      [two, first, {}],
      [one, second, {}],
      [two, second, { deliverTo: giftPhone }],
    ] as const) {
      const bought = await buy(
        s,
        buyer,
        { performanceId, categoryId: seated, quantity: 2 },
        options,
      );
      expect(bought.order?.status).toBe(201);
      orderIds.push(bought.order?.body.id as string);
      // The test clock stands still unless moved: a second apart, newest first is this order.
      s.clock.advance(1_000);
    }
  }, 60_000);

  afterAll(async () => {
    await s?.close();
  });

  const list = (query: string, token = owner) =>
    s.request('GET', `/v1/events/${setup.eventId}/orders${query ? `?${query}` : ''}`, { token });

  it('lists every order newest first with its buyer, total and tickets', async () => {
    const page = await list('');
    expect(page.status).toBe(200);
    expect(page.body.total).toBe(4);
    const orders = page.body.orders as OrderBody[];
    expect(orders.map((order) => order.id)).toEqual([...orderIds].reverse());
    const first = orders.at(-1) as OrderBody;
    expect(first).toMatchObject({
      status: 'issued',
      buyerPhone: one.phone,
      buyerFirstName: 'Minji',
    });
    expect(first.tickets).toHaveLength(2);
    for (const ticket of first.tickets) {
      expect(ticket.number).toMatch(/^[0-9]{10}$/);
      expect(ticket.status).toBe('valid');
      expect(ticket.seat).not.toBeNull();
      expect(ticket.usage.state).toBe('unused');
      expect(ticket.refund).toBeNull();
    }
    // The gift waits for the friend's phone.
    const gift = orders[0] as OrderBody;
    expect(gift.buyerPhone).toBe(two.phone);
    expect(gift.tickets.map((ticket) => [ticket.status, ticket.holderPhone])).toEqual([
      ['awaiting_device', giftPhone],
      ['awaiting_device', giftPhone],
    ]);
  });

  it('finds an order by its id, by a ticket number and by a phone number typed with dashes', async () => {
    const byId = await list(`q=${orderIds[1]}`);
    expect(byId.body.orders.map((order: OrderBody) => order.id)).toEqual([orderIds[1]]);

    const all = (await list('')).body.orders as OrderBody[];
    const target = all.find((order) => order.id === orderIds[2]) as OrderBody;
    const number = (target.tickets[0] as OrderBody['tickets'][number]).number;
    const grouped = `${number.slice(0, 3)}-${number.slice(3, 6)}-${number.slice(6)}`;
    for (const text of [number, grouped]) {
      const found = await list(`q=${encodeURIComponent(text)}`);
      expect(found.status).toBe(200);
      expect(found.body.orders.map((order: OrderBody) => order.id)).toEqual([orderIds[2]]);
    }

    // The buyer's number finds both of one's orders; the friend's finds the gift it holds.
    const byBuyer = await list(`q=${encodeURIComponent(typed(one.phone))}`);
    expect(byBuyer.body.total).toBe(2);
    expect(byBuyer.body.orders.map((order: OrderBody) => order.id)).toEqual([
      orderIds[2],
      orderIds[0],
    ]);
    const byHolder = await list(`q=${encodeURIComponent(`+82 ${giftPhone.slice(3)}`)}`);
    expect(byHolder.body.orders.map((order: OrderBody) => order.id)).toEqual([orderIds[3]]);

    // Narrowed to a performance and a status.
    const second = await list(
      `q=${encodeURIComponent(typed(two.phone))}&performanceId=${setup.performanceIds[1]}`,
    );
    expect(second.body.orders.map((order: OrderBody) => order.id)).toEqual([orderIds[3]]);
    expect((await list('status=awaiting_payment')).body.total).toBe(0);

    // Nothing an order could be found by is refused, not answered with nothing.
    const nonsense = await list('q=Minji');
    expect(nonsense.status).toBe(400);
    expect(nonsense.body.error.code).toBe('invalid_request');
    // A number nobody used finds nothing.
    expect((await list(`q=${encodeURIComponent('010-0000-0001')}`)).body.orders).toEqual([]);
  });

  it('pages with a keyset cursor and refuses a made-up one', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const query: string = `limit=3${after ? `&after=${encodeURIComponent(after)}` : ''}`;
      const page = await list(query);
      expect(page.status).toBe(200);
      expect(page.body.total).toBe(4);
      seen.push(...page.body.orders.map((order: OrderBody) => order.id));
      after = page.body.next;
      pages += 1;
    } while (after && pages < 5);
    expect(pages).toBe(2);
    expect(seen).toEqual([...orderIds].reverse());
    const bad = await list('after=yesterday');
    expect(bad.status).toBe(400);
    expect((await list('limit=201')).status).toBe(400);
    expect((await list('performanceId=perf_zzzzzzzzzz')).status).toBe(404);
  });

  it("keeps the organizer's refund reason and shows it with the ticket", async () => {
    const order = ((await list(`q=${orderIds[0]}`)).body.orders as OrderBody[])[0] as OrderBody;
    const ticketId = (order.tickets[0] as OrderBody['tickets'][number]).id;
    const path = `/v1/organizers/${setup.organizer.id}/tickets/${ticketId}/refund`;
    const tooLong = await s.request('POST', path, {
      token: owner,
      body: { reason: 'x'.repeat(201) },
    });
    expect(tooLong.status).toBe(400);
    const empty = await s.request('POST', path, { token: owner, body: { reason: '' } });
    expect(empty.status).toBe(400);
    const refunded = await s.request('POST', path, {
      token: owner,
      body: { reason: 'The buyer cannot come' },
    });
    expect(refunded.status, refunded.raw).toBe(200);
    expect(refunded.body.ticket.status).toBe('refunded');
    expect(refunded.body.refund).toMatchObject({
      status: 'pending',
      reason: 'The buyer cannot come',
    });
    const after = ((await list(`q=${orderIds[0]}`)).body.orders as OrderBody[])[0] as OrderBody;
    expect(after.status).toBe('issued');
    const [gone, kept] = after.tickets as [
      OrderBody['tickets'][number],
      OrderBody['tickets'][number],
    ];
    expect(gone.status).toBe('refunded');
    expect(gone.refund).toMatchObject({
      status: 'pending',
      reason: 'The buyer cannot come',
      asset: order.total.asset,
    });
    expect(kept).toMatchObject({ status: 'valid', refund: null });

    // Without a body (the command line's call) the reason names the ticket.
    const other = await s.request(
      'POST',
      `/v1/organizers/${setup.organizer.id}/tickets/${kept.id}/refund`,
      { token: owner },
    );
    expect(other.status, other.raw).toBe(200);
    expect(other.body.refund.reason).toMatch(/^ticket .+ refunded$/);
    const done = ((await list(`q=${orderIds[0]}`)).body.orders as OrderBody[])[0] as OrderBody;
    expect(done.status).toBe('refunded');
  });

  it('shows orders to view_sales roles only; other organizers get 404', async () => {
    const org = setup.organizer.id;
    const boxOffice = await s.signIn();
    const gate = await s.signIn();
    for (const [member, role] of [
      [boxOffice, 'box_office'],
      [gate, 'gate'],
    ] as const) {
      const added = await s.request(
        'PUT',
        `/v1/organizers/${org}/staff/${encodeURIComponent(member.phone)}`,
        { token: owner, body: { role } },
      );
      expect(added.status).toBe(200);
    }
    expect((await list('', boxOffice.token)).status).toBe(200);
    expect((await list('', gate.token)).status).toBe(403);
    const rival = await s.createOrganizer('Rival Hall');
    const hidden = await list('', rival.owner.token);
    expect(hidden.status).toBe(404);
    expect(hidden.raw).not.toContain('+82');
    expect((await s.request('GET', `/v1/events/${setup.eventId}/orders`)).status).toBe(401);
  });

  it('reads a search text as an order id, a ticket number or a phone number', () => {
    expect(normalizePhone('010-1234-5678')).toBe('+821012345678');
    expect(normalizePhone('+82 10 1234 5678')).toBe('+821012345678');
    expect(normalizePhone('(02) 123-4567')).toBe('+8221234567');
    expect(normalizePhone('hello')).toBeUndefined();
    expect(searchTerms(' ord_abcdefgh12 ')).toEqual({ orderId: 'ord_abcdefgh12' });
    // Eleven digits are only a phone number.
    expect(searchTerms('010-1234-5678')).toEqual({ phone: '+821012345678' });
    expect(() => searchTerms('ord_')).toThrow();
  });
});
