import { decodeCredential, fromBase64url } from '@tessera/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cancelPerformance } from '../src/after-sale/cancellation.ts';
import { sendDueRefunds } from '../src/orders/refunds.ts';
import { type Buyer, setupEvent } from './fixtures.ts';
import { barcode, enrolTerminal, nowS, scan, toDoors } from './gate-kit.ts';
import { backends, key, startTestSystem, type TestSystem } from './harness.ts';

type Organizer = Awaited<ReturnType<TestSystem['createOrganizer']>>;

interface Show {
  organizer: Organizer;
  eventId: string;
  venueId: string;
  performanceId: string;
  performanceCode: string;
  startsAt: number;
  seated: string;
  standing: string;
  /** Seat ids of section A in map order. */
  seats: string[];
}

describe.each(backends)('after the sale on %s', (backend) => {
  let s: TestSystem;
  beforeAll(async () => {
    s = await startTestSystem(backend);
  });
  afterAll(async () => {
    await s?.close();
  });

  /** A published event through the catalogue API: 2 rows of 5 seats at 25 USDT, 20 standing. */
  async function createShow(
    options: { refundPolicy?: 'none' | 'until_start'; refundCutoffS?: number } = {},
  ): Promise<Show> {
    const setup = await setupEvent(s, {
      name: 'Spring Recital',
      rows: 2,
      seatsPerRow: 5,
      standing: 20,
      refundPolicy: options.refundPolicy ?? 'until_start',
      refundCutoffS: options.refundCutoffS ?? 86_400,
      categories: [
        {
          name: 'Seated',
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
          price: '10',
          seating: 'ga',
          area: 'Standing',
          kind: 'single',
        },
      ],
    });
    const seatMap = await s.request('GET', `/v1/venues/${setup.venueId}/seat-map`);
    return {
      organizer: setup.organizer,
      eventId: setup.eventId,
      venueId: setup.venueId,
      performanceId: setup.performanceIds[0] as string,
      performanceCode: setup.performanceCodes[0] as string,
      startsAt: setup.startsAt,
      seated: setup.categories.Seated as string,
      standing: setup.categories.Standing as string,
      seats: seatMap.body.sections[0].rows.flatMap((row: { seats: { id: string }[] }) =>
        row.seats.map((seat) => seat.id),
      ),
    };
  }

  /** Holds and orders for the buyer's device; the order, not yet paid. */
  async function order(
    buyer: Buyer,
    show: Show,
    what: { seats: string[] } | { categoryId: string; quantity: number },
  ) {
    const held = await s.request('POST', '/v1/holds', {
      token: buyer.token,
      body: { performanceId: show.performanceId, ...what },
    });
    expect(held.status).toBe(201);
    const placed = await s.request('POST', '/v1/orders', {
      token: buyer.token,
      body: { holdId: held.body.id, deviceId: buyer.deviceId },
    });
    expect(placed.status).toBe(201);
    return placed.body;
  }

  /** The whole purchase: hold, order, pay at the exchange, webhook; the tickets of the order. */
  async function purchase(
    buyer: Buyer,
    show: Show,
    what: { seats: string[] } | { categoryId: string; quantity: number },
  ) {
    const placed = await order(buyer, show, what);
    const paid = await s.x.request('POST', `/v1/payment-requests/${placed.payment.requestId}/pay`, {
      token: buyer.wallet.token,
      key: key(),
    });
    expect(paid.status).toBe(200);
    await s.deliverWebhooks();
    const mine = await s.request('GET', '/v1/me/tickets', { token: buyer.token });
    const tickets = mine.body.tickets.filter(
      (ticket: { orderId: string }) => ticket.orderId === placed.id,
    );
    expect(tickets.length).toBeGreaterThan(0);
    for (const ticket of tickets) expect(ticket.status).toBe('valid');
    return tickets;
  }

  async function buyOne(buyer: Buyer, show: Show, seat: number) {
    const [ticket] = await purchase(buyer, show, { seats: [show.seats[seat] as string] });
    return ticket;
  }

  const usdt = async (buyer: Buyer) => {
    const wallet = await s.x.request('GET', '/v1/wallet', { token: buyer.wallet.token });
    expect(wallet.status).toBe(200);
    return wallet.body.balances.find((balance: { asset: string }) => balance.asset === 'USDT')
      .amount as string;
  };

  const ticketRow = (id: string) =>
    s.database.db.selectFrom('tickets').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  const revocations = async (show: Show, token = show.organizer.owner.token, query = '') => {
    const feed = await s.request(
      'GET',
      `/v1/performances/${show.performanceId}/revocations${query}`,
      { token },
    );
    expect(feed.status).toBe(200);
    return feed.body;
  };

  const myTicketIds = async (user: { token: string }) =>
    (await s.request('GET', '/v1/me/tickets', { token: user.token })).body.tickets.map(
      (ticket: { id: string }) => ticket.id,
    );

  it('transfers a ticket: the recipient accepts, revision 2 binds to their device, revision 1 is revoked', async () => {
    const show = await createShow();
    const sender = await s.createBuyer();
    const recipient = await s.createBuyer();
    const ticket = await buyOne(sender, show, 0);
    const original = decodeCredential(fromBase64url(ticket.credential));
    expect(original.revision).toBe(1);

    const offered = await s.request('POST', `/v1/tickets/${ticket.id}/transfers`, {
      token: sender.token,
      body: { toPhone: recipient.phone },
    });
    expect(offered.status).toBe(201);
    expect(offered.body).toMatchObject({
      ticketId: ticket.id,
      toPhone: recipient.phone,
      status: 'pending',
    });
    expect(offered.body.ticket.event).toBe('Spring Recital');
    expect(s.sms.messages(recipient.phone).at(-1)?.text).toContain('Spring Recital');

    // One pending transfer per ticket; the same offer again is the same transfer.
    const other = await s.request('POST', `/v1/tickets/${ticket.id}/transfers`, {
      token: sender.token,
      body: { toPhone: s.newPhone() },
    });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('transfer_pending');
    const again = await s.request('POST', `/v1/tickets/${ticket.id}/transfers`, {
      token: sender.token,
      body: { toPhone: recipient.phone },
    });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(offered.body.id);
    const toSelf = await s.request('POST', `/v1/tickets/${ticket.id}/transfers`, {
      token: sender.token,
      body: { toPhone: sender.phone },
    });
    expect(toSelf.status).toBe(400);

    const inbox = await s.request('GET', '/v1/me/transfers', { token: recipient.token });
    expect(inbox.body.incoming.map((t: { id: string }) => t.id)).toEqual([offered.body.id]);
    const outbox = await s.request('GET', '/v1/me/transfers', { token: sender.token });
    expect(outbox.body.outgoing.map((t: { id: string }) => t.id)).toEqual([offered.body.id]);

    // Someone else cannot take it, nor onto someone else's device.
    const stranger = await s.createBuyer();
    const stolen = await s.request('POST', `/v1/transfers/${offered.body.id}/accept`, {
      token: stranger.token,
      body: { deviceId: stranger.deviceId },
    });
    expect(stolen.status).toBe(404);
    const wrongDevice = await s.request('POST', `/v1/transfers/${offered.body.id}/accept`, {
      token: recipient.token,
      body: { deviceId: sender.deviceId },
    });
    expect(wrongDevice.status).toBe(404);

    const accepted = await s.request('POST', `/v1/transfers/${offered.body.id}/accept`, {
      token: recipient.token,
      body: { deviceId: recipient.deviceId },
    });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({
      id: ticket.id,
      status: 'valid',
      revision: 2,
      deviceId: recipient.deviceId,
      holderPhone: recipient.phone,
    });
    const credential = decodeCredential(fromBase64url(accepted.body.credential));
    expect(credential.revision).toBe(2);
    expect(credential.ticketId).toBe(ticket.number);
    expect(credential.eventId).toBe(show.performanceCode);
    expect(Buffer.from(credential.devicePublicKey)).toEqual(
      Buffer.from(recipient.signer.publicKey),
    );
    expect(Buffer.from(credential.phoneTag)).not.toEqual(Buffer.from(original.phoneTag));

    // Exactly one valid revision: the row at 2, and the feed voids everything up to 1.
    const row = await ticketRow(ticket.id);
    expect(row).toMatchObject({ revision: 2, status: 'valid', holder_user_id: recipient.userId });
    const feed = await revocations(show);
    expect(feed.performanceCode).toBe(show.performanceCode);
    expect(feed.entries).toEqual([
      expect.objectContaining({
        ticketId: ticket.number,
        throughRevision: 1,
        reason: 'transferred',
      }),
    ]);
    expect(await myTicketIds(sender)).not.toContain(ticket.id);
    expect(await myTicketIds(recipient)).toContain(ticket.id);
    const outcome = await s.request('GET', '/v1/me/transfers', { token: sender.token });
    expect(outcome.body.outgoing[0].status).toBe('accepted');
    expect(
      (await s.request('GET', '/v1/me/transfers', { token: recipient.token })).body.incoming,
    ).toEqual([]);

    // A retry of the accept answers the ticket; nothing moves twice.
    const retry = await s.request('POST', `/v1/transfers/${offered.body.id}/accept`, {
      token: recipient.token,
      body: { deviceId: recipient.deviceId },
    });
    expect(retry.status).toBe(200);
    expect(retry.body.revision).toBe(2);
    expect((await revocations(show)).entries).toHaveLength(1);

    // The sender no longer holds it: no further transfer, refund or reissue by them.
    const resend = await s.request('POST', `/v1/tickets/${ticket.id}/transfers`, {
      token: sender.token,
      body: { toPhone: s.newPhone() },
    });
    expect(resend.status).toBe(404);
    // A refund goes to the buyer who paid, who must still hold the ticket: neither may now.
    for (const user of [sender, recipient]) {
      const refund = await s.request('POST', `/v1/tickets/${ticket.id}/refund`, {
        token: user.token,
      });
      expect(refund.status).toBe(404);
    }
  });

  it('declines and cancels transfers; the ticket stays with the sender', async () => {
    const show = await createShow();
    const sender = await s.createBuyer();
    const recipient = await s.createBuyer();
    const ticket = await buyOne(sender, show, 1);

    const first = await s.request('POST', `/v1/tickets/${ticket.id}/transfers`, {
      token: sender.token,
      body: { toPhone: recipient.phone },
    });
    // Only the recipient declines, only the sender cancels.
    expect(
      (
        await s.request('POST', `/v1/transfers/${first.body.id}/decline`, {
          token: sender.token,
        })
      ).status,
    ).toBe(404);
    expect(
      (await s.request('DELETE', `/v1/transfers/${first.body.id}`, { token: recipient.token }))
        .status,
    ).toBe(404);
    const declined = await s.request('POST', `/v1/transfers/${first.body.id}/decline`, {
      token: recipient.token,
    });
    expect(declined.status).toBe(200);
    expect(declined.body.status).toBe('declined');
    const late = await s.request('POST', `/v1/transfers/${first.body.id}/accept`, {
      token: recipient.token,
      body: { deviceId: recipient.deviceId },
    });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('transfer_not_pending');

    const second = await s.request('POST', `/v1/tickets/${ticket.id}/transfers`, {
      token: sender.token,
      body: { toPhone: recipient.phone },
    });
    expect(second.status).toBe(201);
    const cancelled = await s.request('DELETE', `/v1/transfers/${second.body.id}`, {
      token: sender.token,
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    const afterCancel = await s.request('POST', `/v1/transfers/${second.body.id}/accept`, {
      token: recipient.token,
      body: { deviceId: recipient.deviceId },
    });
    expect(afterCancel.status).toBe(409);

    expect(await ticketRow(ticket.id)).toMatchObject({
      revision: 1,
      status: 'valid',
      holder_user_id: sender.userId,
    });
    expect((await revocations(show)).entries).toEqual([]);
    expect(await myTicketIds(sender)).toContain(ticket.id);
  });

  it('reissues to a new device only with a fresh code for the holder’s phone', async () => {
    const show = await createShow();
    const buyer = await s.createBuyer();
    const ticket = await buyOne(buyer, show, 2);
    const newPhone = await s.registerDevice(buyer, 'new phone');

    await s.request('POST', '/v1/auth/codes', { body: { phone: buyer.phone } });
    const code = s.sms.lastCode(buyer.phone) as string;
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');

    // Someone else cannot move it, even with the holder's code.
    const other = await s.createBuyer();
    const theft = await s.request('POST', `/v1/tickets/${ticket.id}/reissue`, {
      token: other.token,
      body: { deviceId: other.deviceId, code },
    });
    expect(theft.status).toBe(404);

    const refused = await s.request('POST', `/v1/tickets/${ticket.id}/reissue`, {
      token: buyer.token,
      body: { deviceId: newPhone.deviceId, code: wrong },
    });
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('invalid_code');
    expect((await ticketRow(ticket.id)).revision).toBe(1);

    const moved = await s.request('POST', `/v1/tickets/${ticket.id}/reissue`, {
      token: buyer.token,
      body: { deviceId: newPhone.deviceId, code },
    });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ revision: 2, deviceId: newPhone.deviceId, status: 'valid' });
    const credential = decodeCredential(fromBase64url(moved.body.credential));
    expect(credential.revision).toBe(2);
    expect(Buffer.from(credential.devicePublicKey)).toEqual(Buffer.from(newPhone.signer.publicKey));
    expect((await revocations(show)).entries).toEqual([
      expect.objectContaining({
        ticketId: ticket.number,
        throughRevision: 1,
        reason: 'reissued',
      }),
    ]);

    // The code is spent: moving it back needs a new one.
    const reused = await s.request('POST', `/v1/tickets/${ticket.id}/reissue`, {
      token: buyer.token,
      body: { deviceId: buyer.deviceId, code },
    });
    expect(reused.status).toBe(401);
    expect((await ticketRow(ticket.id)).revision).toBe(2);
  });

  it('refunds the buyer under until_start: money back at the exchange, the seat sold again', async () => {
    const show = await createShow();
    const buyer = await s.createBuyer();
    const before = await usdt(buyer);
    const ticket = await buyOne(buyer, show, 3);
    const [standing] = await purchase(buyer, show, { categoryId: show.standing, quantity: 1 });
    expect(await usdt(buyer)).not.toBe(before);

    const other = await s.createBuyer();
    const theft = await s.request('POST', `/v1/tickets/${ticket.id}/refund`, {
      token: other.token,
    });
    expect(theft.status).toBe(404);

    const refunded = await s.request('POST', `/v1/tickets/${ticket.id}/refund`, {
      token: buyer.token,
    });
    expect(refunded.status).toBe(200);
    expect(refunded.body.ticket.status).toBe('refunded');
    expect(refunded.body.refund).toMatchObject({ status: 'pending', asset: 'USDT', amount: '25' });
    const gaRefund = await s.request('POST', `/v1/tickets/${standing.id}/refund`, {
      token: buyer.token,
    });
    expect(gaRefund.status).toBe(200);

    // Twice is once.
    const again = await s.request('POST', `/v1/tickets/${ticket.id}/refund`, {
      token: buyer.token,
    });
    expect(again.status).toBe(200);
    expect(again.body.refund.id).toBe(refunded.body.refund.id);
    const rows = await s.database.db
      .selectFrom('refunds')
      .select('id')
      .where('ticket_id', '=', ticket.id)
      .execute();
    expect(rows).toHaveLength(1);

    expect(await sendDueRefunds(s.ticketing)).toBeGreaterThanOrEqual(2);
    expect(await usdt(buyer)).toBe(before);
    const done = await s.request('POST', `/v1/tickets/${ticket.id}/refund`, { token: buyer.token });
    expect(done.body.refund.status).toBe('done');

    const feed = await revocations(show);
    expect(feed.entries.map((entry: { reason: string }) => entry.reason)).toEqual([
      'refunded',
      'refunded',
    ]);
    expect(feed.entries[0]).toMatchObject({ ticketId: ticket.number, throughRevision: 1 });
    const order = await s.request('GET', `/v1/orders/${ticket.orderId}`, { token: buyer.token });
    expect(order.body.status).toBe('refunded');
    const quota = await s.database.db
      .selectFrom('inventory_quotas')
      .select(['held', 'sold'])
      .where('performance_id', '=', show.performanceId)
      .where('category_id', '=', show.standing)
      .executeTakeFirstOrThrow();
    expect(quota).toEqual({ held: 0, sold: 0 });
    const count = await s.database.db
      .selectFrom('buyer_counts')
      .select('count')
      .where('event_id', '=', show.eventId)
      .where('user_id', '=', buyer.userId)
      .executeTakeFirstOrThrow();
    expect(count.count).toBe(0);

    // The seat is on sale again and another buyer gets it.
    const next = await s.createBuyer();
    const resold = await buyOne(next, show, 3);
    expect(resold.seat).toEqual(ticket.seat);
    expect(resold.id).not.toBe(ticket.id);
  });

  it('refuses a buyer refund under policy none and after the cutoff; staff may refund any time', async () => {
    const strict = await createShow({ refundPolicy: 'none' });
    const buyer = await s.createBuyer();
    const kept = await buyOne(buyer, strict, 0);
    const none = await s.request('POST', `/v1/tickets/${kept.id}/refund`, { token: buyer.token });
    expect(none.status).toBe(409);
    expect(none.body.error.code).toBe('refund_not_allowed');
    expect(none.body.error.message).toMatch(/policy/);
    expect((await ticketRow(kept.id)).status).toBe('valid');

    // Staff: a gate member may not, another organizer cannot even see it, a manager may.
    const gate = await s.signIn();
    await s.request(
      'PUT',
      `/v1/organizers/${strict.organizer.id}/staff/${encodeURIComponent(gate.phone)}`,
      { token: strict.organizer.owner.token, body: { role: 'gate' } },
    );
    const byGate = await s.request(
      'POST',
      `/v1/organizers/${strict.organizer.id}/tickets/${kept.id}/refund`,
      { token: gate.token },
    );
    expect(byGate.status).toBe(403);
    const stranger = await s.createOrganizer('Elsewhere');
    const byStranger = await s.request(
      'POST',
      `/v1/organizers/${stranger.id}/tickets/${kept.id}/refund`,
      { token: stranger.owner.token },
    );
    expect(byStranger.status).toBe(404);
    const byStaff = await s.request(
      'POST',
      `/v1/organizers/${strict.organizer.id}/tickets/${kept.id}/refund`,
      { token: strict.organizer.owner.token },
    );
    expect(byStaff.status).toBe(200);
    expect(byStaff.body.ticket.status).toBe('refunded');
    expect(byStaff.body.ticket.manualCode).toBeNull();
    expect(byStaff.body.refund.amount).toBe('25');

    // until_start with a one-day cutoff: refused from one day before the start.
    const lenient = await createShow({ refundPolicy: 'until_start', refundCutoffS: 86_400 });
    const late = await buyOne(buyer, lenient, 0);
    s.clock.advance(lenient.startsAt - 86_400_000 - s.clock.now());
    const tooLate = await s.request('POST', `/v1/tickets/${late.id}/refund`, {
      token: buyer.token,
    });
    expect(tooLate.status).toBe(409);
    expect(tooLate.body.error.code).toBe('refund_not_allowed');
    expect(tooLate.body.error.message).toMatch(/closed/);
    const staffLate = await s.request(
      'POST',
      `/v1/organizers/${lenient.organizer.id}/tickets/${late.id}/refund`,
      { token: lenient.organizer.owner.token },
    );
    expect(staffLate.status).toBe(200);
    expect(await sendDueRefunds(s.ticketing)).toBeGreaterThanOrEqual(2);
  });

  it('cancels a performance: every ticket cancelled, revoked and refunded; unpaid orders and holds closed', async () => {
    const show = await createShow();
    const alice = await s.createBuyer();
    const bob = await s.createBuyer();
    const carol = await s.createBuyer();
    const before = { alice: await usdt(alice), bob: await usdt(bob) };
    const aliceTickets = await purchase(alice, show, { seats: show.seats.slice(0, 2) });
    const bobTickets = await purchase(bob, show, { categoryId: show.standing, quantity: 3 });
    // Carol has an unpaid order; Dave only a hold.
    const unpaid = await order(carol, show, { seats: [show.seats[5] as string] });
    const dave = await s.createBuyer();
    const hold = await s.request('POST', '/v1/holds', {
      token: dave.token,
      body: { performanceId: show.performanceId, seats: [show.seats[6]] },
    });
    expect(hold.status).toBe(201);

    // Only staff of this organizer with the refund permission.
    const stranger = await s.createOrganizer('Elsewhere');
    const byStranger = await s.request('POST', `/v1/performances/${show.performanceId}/cancel`, {
      token: stranger.owner.token,
    });
    expect(byStranger.status).toBe(404);
    const byBuyer = await s.request('POST', `/v1/performances/${show.performanceId}/cancel`, {
      token: alice.token,
    });
    expect(byBuyer.status).toBe(404);

    const cancelled = await s.request('POST', `/v1/performances/${show.performanceId}/cancel`, {
      token: show.organizer.owner.token,
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({
      status: 'cancelled',
      ticketsCancelled: 5,
      refundsQueued: 5,
      ordersClosed: 1,
      holdsReleased: 1,
      ordersPending: 0,
    });
    for (const ticket of [...aliceTickets, ...bobTickets]) {
      expect((await ticketRow(ticket.id)).status).toBe('cancelled');
    }
    const feed = await revocations(show);
    expect(feed.entries).toHaveLength(5);
    expect(new Set(feed.entries.map((entry: { reason: string }) => entry.reason))).toEqual(
      new Set(['cancelled']),
    );
    const carolsOrder = await s.request('GET', `/v1/orders/${unpaid.id}`, { token: carol.token });
    expect(carolsOrder.body.status).toBe('cancelled');
    const carolPays = await s.x.request(
      'POST',
      `/v1/payment-requests/${unpaid.payment.requestId}/pay`,
      { token: carol.wallet.token, key: key() },
    );
    expect(carolPays.status).toBe(409);
    const noSale = await s.request('POST', '/v1/holds', {
      token: dave.token,
      body: { performanceId: show.performanceId, seats: [show.seats[7]] },
    });
    expect(noSale.status).toBe(409);
    const transfer = await s.request('POST', `/v1/tickets/${aliceTickets[0].id}/transfers`, {
      token: alice.token,
      body: { toPhone: bob.phone },
    });
    expect(transfer.status).toBe(409);

    // Again: nothing left to do, nothing done twice.
    const again = await s.request('POST', `/v1/performances/${show.performanceId}/cancel`, {
      token: show.organizer.owner.token,
    });
    expect(again.body).toMatchObject({ ticketsCancelled: 0, refundsQueued: 0, ordersClosed: 0 });

    // Their tickets no longer count against the per-buyer limit of the event.
    const counts = await s.database.db
      .selectFrom('buyer_counts')
      .select(['user_id', 'count'])
      .where('event_id', '=', show.eventId)
      .where('user_id', 'in', [alice.userId, bob.userId])
      .execute();
    expect(counts.map((row) => row.count)).toEqual([0, 0]);

    while ((await sendDueRefunds(s.ticketing)) > 0) {}
    expect(await usdt(alice)).toBe(before.alice);
    expect(await usdt(bob)).toBe(before.bob);
  });

  it('cancels in resumable batches', async () => {
    const show = await createShow();
    const buyer = await s.createBuyer();
    await purchase(buyer, show, { categoryId: show.standing, quantity: 5 });
    const summary = await cancelPerformance(s.ticketing, show.performanceId, 2);
    expect(summary.ticketsCancelled).toBe(5);
    const refunds = await s.database.db
      .selectFrom('refunds')
      .innerJoin('tickets', 'tickets.id', 'refunds.ticket_id')
      .select(['refunds.amount'])
      .where('tickets.performance_id', '=', show.performanceId)
      .execute();
    expect(refunds.map((refund) => String(refund.amount))).toEqual(Array(5).fill('10000000'));
    expect((await cancelPerformance(s.ticketing, show.performanceId, 2)).ticketsCancelled).toBe(0);
  });

  it('serves the revocation feed page by page to gate staff only', async () => {
    const show = await createShow();
    const buyer = await s.createBuyer();
    const tickets = await purchase(buyer, show, { categoryId: show.standing, quantity: 3 });
    for (const ticket of tickets) {
      const done = await s.request(
        'POST',
        `/v1/organizers/${show.organizer.id}/tickets/${ticket.id}/refund`,
        { token: show.organizer.owner.token },
      );
      expect(done.status).toBe(200);
    }
    const gate = await s.signIn();
    const boxOffice = await s.signIn();
    for (const [member, role] of [
      [gate, 'gate'],
      [boxOffice, 'box_office'],
    ] as const) {
      await s.request(
        'PUT',
        `/v1/organizers/${show.organizer.id}/staff/${encodeURIComponent(member.phone)}`,
        { token: show.organizer.owner.token, body: { role } },
      );
    }
    const first = await revocations(show, gate.token, '?limit=2');
    expect(first.entries).toHaveLength(2);
    expect(first.next).toBe(first.entries[1].seq);
    const rest = await revocations(show, gate.token, `?after=${first.next}&limit=2`);
    expect(rest.entries).toHaveLength(1);
    expect(rest.next).toBeNull();
    expect(rest.entries[0].seq).toBeGreaterThan(first.next);
    expect(
      [...first.entries, ...rest.entries]
        .map((entry: { ticketId: string }) => entry.ticketId)
        .sort(),
    ).toEqual(tickets.map((ticket: { number: string }) => ticket.number).sort());

    const url = `/v1/performances/${show.performanceId}/revocations`;
    expect((await s.request('GET', url, { token: boxOffice.token })).status).toBe(403);
    const other = await s.createOrganizer('Elsewhere');
    expect((await s.request('GET', url, { token: other.owner.token })).status).toBe(404);
    expect((await s.request('GET', url, { token: buyer.token })).status).toBe(404);
  });

  it('a ticket used at the gate is not refunded to its buyer nor passed on; staff may still refund it', async () => {
    // Refunds open until the start, and the doors open an hour before it.
    const show = await createShow({ refundCutoffS: 0 });
    const buyer = await s.createBuyer();
    const friend = await s.createBuyer();
    const [used, offered, spare] = await purchase(buyer, show, {
      seats: show.seats.slice(7, 10),
    });
    // Offered before the doors open; the sender goes in with it before the friend accepts.
    const transfer = await s.request('POST', `/v1/tickets/${offered.id}/transfers`, {
      token: buyer.token,
      body: { toPhone: friend.phone },
    });
    expect(transfer.status).toBe(201);

    toDoors(s, show.startsAt);
    const gate = await enrolTerminal(
      s,
      { organizer: show.organizer, venueId: show.venueId, performanceIds: [show.performanceId] },
      { gate: 'Main' },
    );
    for (const ticket of [used, offered]) {
      const admitted = await scan(s, gate, {
        barcode: await barcode(ticket, buyer.signer, nowS(s)),
      });
      expect(admitted.body).toMatchObject({ admitted: true, reason: 'valid' });
    }

    const refund = await s.request('POST', `/v1/tickets/${used.id}/refund`, { token: buyer.token });
    expect(refund.status).toBe(409);
    expect(refund.body.error.code).toBe('ticket_used');
    const passOn = await s.request('POST', `/v1/tickets/${used.id}/transfers`, {
      token: buyer.token,
      body: { toPhone: friend.phone },
    });
    expect(passOn.status).toBe(409);
    expect(passOn.body.error.code).toBe('ticket_used');
    const accept = await s.request('POST', `/v1/transfers/${transfer.body.id}/accept`, {
      token: friend.token,
      body: { deviceId: friend.deviceId },
    });
    expect(accept.status).toBe(409);
    expect(accept.body.error.code).toBe('ticket_used');
    // Nothing will ever be left to accept: the offer has ended.
    const offers = await s.request('GET', '/v1/me/transfers', { token: buyer.token });
    expect(
      offers.body.outgoing.find((sent: { id: string }) => sent.id === transfer.body.id)?.status,
    ).toBe('cancelled');
    // Nothing changed: both still the buyer's, valid, at revision 1, the seats sold.
    for (const ticket of [used, offered]) {
      expect(await ticketRow(ticket.id)).toMatchObject({
        status: 'valid',
        revision: 1,
        holder_user_id: buyer.userId,
      });
    }

    // The unused one is still the buyer's to give back; staff may refund a used one.
    const back = await s.request('POST', `/v1/tickets/${spare.id}/refund`, { token: buyer.token });
    expect(back.status).toBe(200);
    const byStaff = await s.request(
      'POST',
      `/v1/organizers/${show.organizer.id}/tickets/${used.id}/refund`,
      { token: show.organizer.owner.token },
    );
    expect(byStaff.status).toBe(200);
    expect(byStaff.body.ticket.status).toBe('refunded');
  });
});
