import { randomBytes } from 'node:crypto';
import { decodeCredential, fromBase64url, toBase64url } from '@tessera/protocol';
import { protocol } from '@tessera/protocol/node';
import { sealSecret } from '@tessera/service-kit/secret-box';
import { webhookHeaders } from '@tessera/service-kit/webhook-signature';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLedger } from '../../exchange/src/ledger/audit.ts';
import { encryptSecret } from '../../exchange/src/notifications/webhooks.ts';
import { orderPayWindowMinS } from '../src/orders/pay-window.ts';
import { sendDueRefunds } from '../src/orders/refunds.ts';
import { walletOf } from '../src/organizers/wallet.ts';
import { reconcileOnce } from '../src/workers/reconcile.ts';
import { buy, holdAndOrder, setupEvent } from './fixtures.ts';
import { backends, key, startTestSystem, type TestSystem } from './harness.ts';

describe.each(backends)('buying tickets on %s', (backend) => {
  let s: TestSystem;
  beforeAll(async () => {
    s = await startTestSystem(backend);
  });
  afterAll(async () => {
    await s?.close();
  });

  /** A published event, a buyer, and that buyer's unpaid order for one seat. */
  const seatedOrder = async () => {
    const setup = await setupEvent(s);
    const performanceId = setup.performanceIds[0] as string;
    const buyer = await s.createBuyer();
    const { held, order } = await holdAndOrder(
      s,
      buyer,
      performanceId,
      setup.categories.Seated as string,
    );
    return { setup, performanceId, buyer, held, order };
  };

  const audit = async () => {
    const report = await auditLedger(s.x.database, new Set(s.x.exchange.assets.keys()));
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
  };

  it('holds, orders, pays at the exchange and issues a signed, device-bound ticket (S120-S150)', async () => {
    const setup = await setupEvent(s);
    const buyer = await s.createBuyer();
    const performanceId = setup.performanceIds[0] as string;
    const { held, order, paid } = await buy(s, buyer, {
      performanceId,
      categoryId: setup.categories.Seated as string,
      quantity: 2,
    });
    expect(held.status).toBe(201);
    expect(held.body.items).toHaveLength(2);
    // Best seats together: the same row, neighbours.
    const [first, second] = held.body.items.map(
      (item: { seat: { row: string; number: string } }) => item.seat,
    );
    expect(first.row).toBe(second.row);
    expect(Math.abs(Number(first.number) - Number(second.number))).toBe(1);
    expect(order?.body.asset).toBe('USDT');
    expect(order?.body.amount).toBe('50');
    // The request expires before the hold does.
    expect(Date.parse(order?.body.payment.expiresAt)).toBeLessThan(
      Date.parse(order?.body.holdExpiresAt),
    );
    expect(paid?.status).toBe(200);

    const after = await s.request('GET', `/v1/orders/${order?.body.id}`, { token: buyer.token });
    expect(after.body.status).toBe('issued');
    const mine = await s.request('GET', '/v1/me/tickets', { token: buyer.token });
    expect(mine.body.tickets).toHaveLength(2);
    const ticket = mine.body.tickets[0];
    expect(ticket.status).toBe('valid');
    expect(ticket.manualCode.ticketNumber).toMatch(/^[0-9]{10}$/);
    expect(ticket.manualCode.pin).toMatch(/^[0-9]{6}$/);
    expect(ticket.seat.section).toBe('A');
    expect(ticket.event.name).toBe('Winter Concert');

    // Claim 8/9: the credential names the performance, the ticket, the device and the phone, and
    // the organizer's key verifies a presentation the buyer's device makes of it.
    const credentialBytes = fromBase64url(ticket.credential);
    const credential = decodeCredential(credentialBytes);
    expect(credential.eventId).toBe(ticket.performance.code);
    expect(credential.ticketId).toBe(ticket.number);
    expect(credential.revision).toBe(1);
    expect(toBase64url(credential.devicePublicKey)).toBe(toBase64url(buyer.signer.publicKey));
    const organizer = await s.request('GET', `/v1/organizers/${setup.organizer.id}`, {
      token: setup.organizer.owner.token,
    });
    const keyring = await protocol.prepareKeyring([
      { publicKey: fromBase64url(organizer.body.keys[0].publicKey) },
    ]);
    const nowS = Math.floor(Date.parse(ticket.performance.doorsAt) / 1000) + 60;
    const presentation = await protocol.createPresentation(credentialBytes, buyer.signer, nowS);
    const decision = await protocol.verifyPresentation(presentation.text, {
      keyring,
      nowS,
      eventIds: [ticket.performance.code],
    });
    expect(decision.admitted).toBe(true);
    // The exchange moved the money to the organizer, and its books balance.
    const wallet = await s.x.request('GET', '/v1/wallet', {
      token: setup.organizer.merchant.token,
    });
    const usdt = wallet.body.balances.find((b: { asset: string }) => b.asset === 'USDT');
    expect(usdt.amount).toBe('50');
    await audit();
  });

  it('never sells a seat twice: 200 buyers race for 50 seats', async () => {
    const setup = await setupEvent(s, {
      rows: 5,
      seatsPerRow: 10,
      standing: 0,
      categories: [
        {
          name: 'Seated',
          pricing: 'crypto',
          priceAsset: 'USDT',
          price: '10',
          seating: 'seated',
          sections: ['A'],
          kind: 'single',
        },
      ],
    });
    const performanceId = setup.performanceIds[0] as string;
    const buyers = await Promise.all(Array.from({ length: 200 }, () => s.createBuyer()));
    const results = await Promise.all(
      buyers.map((buyer) =>
        buy(
          s,
          buyer,
          { performanceId, categoryId: setup.categories.Seated as string, quantity: 1 },
          { deliverWebhooks: false },
        ),
      ),
    );
    const won = results.filter((result) => result.held.status === 201);
    const lost = results.filter((result) => result.held.status !== 201);
    const codes = lost.map((r) => `${r.held.status} ${r.held.body?.error?.code}`);
    const states = await s.database.db
      .selectFrom('inventory_seats')
      .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
      .where('performance_id', '=', performanceId)
      .groupBy('status')
      .execute();
    expect(won.length, JSON.stringify([...new Set(codes), states])).toBe(50);
    for (const result of lost) {
      expect(result.held.status).toBe(409);
      expect(['not_together', 'seats_unavailable', 'sold_out']).toContain(
        result.held.body.error.code,
      );
    }
    await s.deliverWebhooks();
    const tickets = await s.database.db
      .selectFrom('tickets')
      .select(['seat_id', 'order_id'])
      .where('performance_id', '=', performanceId)
      .execute();
    expect(tickets).toHaveLength(50);
    expect(new Set(tickets.map((t) => t.seat_id)).size).toBe(50);
    const orders = await s.database.db
      .selectFrom('orders')
      .select(['id', 'status'])
      .where('performance_id', '=', performanceId)
      .execute();
    expect(orders.every((o) => o.status === 'issued')).toBe(true);
    const seats = await s.database.db
      .selectFrom('inventory_seats')
      .select('status')
      .where('performance_id', '=', performanceId)
      .execute();
    expect(seats.filter((seat) => seat.status === 'sold')).toHaveLength(50);
    await audit();
  }, 120_000);

  it('handles a webhook once, however often it comes, and catches up on lost ones', async () => {
    const setup = await setupEvent(s);
    const performanceId = setup.performanceIds[0] as string;
    const buyer = await s.createBuyer();
    const { order } = await buy(
      s,
      buyer,
      { performanceId, categoryId: setup.categories.Seated as string, quantity: 1 },
      { deliverWebhooks: false },
    );
    // Lost: nothing delivered. The reconciliation worker polls orders quiet for 30 s.
    s.clock.advance(31_000);
    const round = await reconcileOnce(s.ticketing);
    expect(round.ordersPolled).toBeGreaterThanOrEqual(1);
    const issued = await s.request('GET', `/v1/orders/${order?.body.id}`, { token: buyer.token });
    expect(issued.body.status).toBe('issued');
    // The webhook arrives late, and again (redelivered): still one set of tickets.
    await s.deliverWebhooks();
    const delivery = await s.x.database.db
      .selectFrom('webhook_deliveries')
      .select('id')
      .where('subscriber_id', '=', setup.organizer.merchant.id)
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow();
    const again = await s.x.request(
      'POST',
      `/v1/merchant/webhook/deliveries/${delivery.id}/redeliver`,
      {
        token: setup.organizer.merchant.token,
        key: key(),
      },
    );
    expect(again.status).toBe(200);
    await s.deliverWebhooks();
    const count = await s.database.db
      .selectFrom('tickets')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('order_id', '=', order?.body.id)
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1);
  });

  it('refuses a forged or stale webhook', async () => {
    const setup = await setupEvent(s);
    const url = `/v1/exchange/webhooks/${setup.organizer.id}`;
    const body = JSON.stringify({ id: 'evt_forged000000', type: 'refund.sent', data: {} });
    const nowS = Math.floor(s.clock.now() / 1000);
    const post = (headers: Record<string, string>) =>
      s.request('POST', url, { body, headers: { 'content-type': 'application/json', ...headers } });
    const { webhookSecret } = await walletOf(s.ticketing, setup.organizer.id);
    const signed = (eventId: string, timestampS: number) =>
      webhookHeaders(webhookSecret, eventId, timestampS, body);
    // Signed as the exchange signs (Standard Webhooks), the event is accepted.
    const good = await post(signed('evt_forged000000', nowS));
    expect(good.status).toBe(200);
    expect(good.body).toEqual({ received: true, outcome: 'ignored' });
    // A made-up signature, none, the old header alone, a stale or future timestamp: 401.
    const forged = {
      ...signed('evt_forged000000', nowS),
      'webhook-signature': `v1,${'A'.repeat(43)}=`,
    };
    const legacyOnly = { 'tessera-signature': `t=${nowS},v1=${'0'.repeat(64)}` };
    for (const headers of [
      forged,
      {},
      legacyOnly,
      signed('evt_forged000000', nowS - 301),
      signed('evt_forged000000', nowS + 301),
    ]) {
      const refused = await post(headers);
      expect(refused.status).toBe(401);
      expect(refused.body.error.code).toBe('invalid_signature');
    }
    // The signed webhook-id is the event id: a body naming another event is refused.
    const mismatched = await post(signed('evt_other0000000', nowS));
    expect(mismatched.status).toBe(400);
    expect(mismatched.body.error.code).toBe('invalid_event');
  });

  it('is paid by webhook through a wallet linked before Standard Webhooks (a legacy secret)', async () => {
    const setup = await setupEvent(s);
    const organizerId = setup.organizer.id;
    // The secret both sides hold for a wallet linked before the switch: base64url, 43 characters.
    const legacy = `whsec_${randomBytes(32).toString('base64url')}`;
    await s.x.database.db
      .updateTable('subscribers')
      .set({
        webhook_secret: encryptSecret(
          s.x.exchange.config.secretKeys,
          legacy,
          setup.organizer.merchant.id,
        ),
      })
      .where('id', '=', setup.organizer.merchant.id)
      .execute();
    await s.database.db
      .updateTable('wallet_links')
      .set({
        webhook_secret: sealSecret(
          s.ticketing.config.secretKeys,
          legacy,
          `exchange-webhook-secret:${organizerId}`,
        ),
      })
      .where('organizer_id', '=', organizerId)
      .execute();
    await walletOf(s.ticketing, organizerId);
    await s.ticketing.caches
      .cache('wallets', { ttlMs: 1, max: 1 }, async () => undefined)
      .invalidate(organizerId);
    expect((await walletOf(s.ticketing, organizerId)).webhookSecret).toBe(legacy);
    // The exchange sends both header sets; the standard ones verify with the legacy key.
    const buyer = await s.createBuyer();
    const { order } = await buy(s, buyer, {
      performanceId: setup.performanceIds[0] as string,
      categoryId: setup.categories.Seated as string,
      quantity: 1,
    });
    const issued = await s.request('GET', `/v1/orders/${order?.body.id}`, { token: buyer.token });
    expect(issued.body.status).toBe('issued');
  });

  it('lets a payment window close: the exchange refuses to pay late and the seats come back', async () => {
    const { performanceId, buyer, held, order } = await seatedOrder();
    // The moment the hold expires: the request expired before it, so paying fails.
    s.clock.set(Date.parse(order.body.holdExpiresAt));
    const late = await s.x.request(
      'POST',
      `/v1/payment-requests/${order.body.payment.requestId}/pay`,
      {
        token: buyer.wallet.token,
        key: key(),
      },
    );
    expect(late.status).toBe(409);
    await reconcileOnce(s.ticketing);
    const ended = await s.request('GET', `/v1/orders/${order.body.id}`, { token: buyer.token });
    expect(ended.body.status).toBe('expired');
    const seat = await s.database.db
      .selectFrom('inventory_seats')
      .select('status')
      .where('seat_id', '=', held.body.items[0].seat.id)
      .where('performance_id', '=', performanceId)
      .executeTakeFirstOrThrow();
    expect(seat.status).toBe('available');
  });

  it('a payment made just in time is honoured even if its webhook is lost and the hold has run out', async () => {
    const { buyer, order } = await seatedOrder();
    s.clock.set(Date.parse(order.body.payment.expiresAt) - 1_000);
    const paid = await s.x.request(
      'POST',
      `/v1/payment-requests/${order.body.payment.requestId}/pay`,
      {
        token: buyer.wallet.token,
        key: key(),
      },
    );
    expect(paid.status).toBe(200);
    s.clock.set(Date.parse(order.body.holdExpiresAt) + 1_000);
    await reconcileOnce(s.ticketing);
    const after = await s.request('GET', `/v1/orders/${order.body.id}`, { token: buyer.token });
    expect(after.body.status).toBe('issued');
    await s.deliverWebhooks();
    expect(
      (await s.request('GET', '/v1/me/tickets', { token: buyer.token })).body.tickets,
    ).toHaveLength(1);
  });

  it('refunds a paid order in full when its seat was lost before the tickets could be issued (S150)', async () => {
    const { setup, performanceId, buyer, held, order } = await seatedOrder();
    expect(order.status).toBe(201);
    const paid = await s.x.request(
      'POST',
      `/v1/payment-requests/${order.body.payment.requestId}/pay`,
      { token: buyer.wallet.token, key: key() },
    );
    expect(paid.status).toBe(200);
    // Between the payment and its webhook, the held seat is taken out from under the order (an
    // organizer blocking it, or any inconsistency): issuing would sell a seat it no longer holds.
    const seatId = held.body.items[0].seat.id as string;
    await s.database.db
      .updateTable('inventory_seats')
      .set({ status: 'blocked', hold_id: null })
      .where('performance_id', '=', performanceId)
      .where('seat_id', '=', seatId)
      .execute();
    await s.deliverWebhooks();

    const after = await s.request('GET', `/v1/orders/${order.body.id}`, { token: buyer.token });
    expect(after.body.status).toBe('refunded');
    expect(after.body.tickets).toEqual([]);
    const row = await s.database.db
      .selectFrom('orders')
      .select('failure')
      .where('id', '=', order.body.id)
      .executeTakeFirstOrThrow();
    expect(row.failure).toBe('seats_lost');
    const tickets = await s.database.db
      .selectFrom('tickets')
      .select('id')
      .where('order_id', '=', order.body.id)
      .execute();
    expect(tickets).toEqual([]);
    // The refund goes back to the wallet that paid, in full.
    expect(await sendDueRefunds(s.ticketing)).toBeGreaterThanOrEqual(1);
    const request = await s.ticketing.exchange.paymentRequest(
      setup.organizer.apiKey,
      order.body.payment.requestId,
    );
    expect(request.refundedAmount).toBe(request.amount);
    await audit();
  });

  it('converts a fiat price with an exchange quote, and points a short buyer at the buy page (claim 6)', async () => {
    s.x.setRates();
    const setup = await setupEvent(s);
    const performanceId = setup.performanceIds[0] as string;
    const poor = await s.createBuyer({ USDT: 1n });
    const held = await s.request('POST', '/v1/holds', {
      token: poor.token,
      body: { performanceId, categoryId: setup.categories.Standing, quantity: 2 },
    });
    expect(held.status).toBe(201);
    const order = await s.request('POST', '/v1/orders', {
      token: poor.token,
      body: { holdId: held.body.id, deviceId: poor.deviceId, asset: 'USDT' },
    });
    expect(order.status).toBe(201);
    expect(order.body.fiatAmount).toBe('60000');
    expect(order.body.quoteId).toMatch(/^qt_/);
    // 60,000 KRW at 1,400 KRW per USDT less the spread: a little over 42.8 USDT.
    expect(Number(order.body.amount)).toBeGreaterThan(42);
    expect(Number(order.body.amount)).toBeLessThan(44);
    const short = await s.x.request(
      'POST',
      `/v1/payment-requests/${order.body.payment.requestId}/pay`,
      {
        token: poor.wallet.token,
        key: key(),
      },
    );
    expect(short.status).toBe(409);
    expect(short.body.error.code).toBe('insufficient_funds');
    const buyPage = new URL(order.body.payment.buyPageUrl);
    expect(buyPage.searchParams.get('returnUrl')).toContain(`/orders/${order.body.id}`);
    const check = await s.x.request('GET', `/v1/buy-page/check${buyPage.search}`);
    expect(check.body.allowed).toBe(true);
  });

  it('delivers to another phone: the ticket waits for that number and binds to its device', async () => {
    const setup = await setupEvent(s);
    const performanceId = setup.performanceIds[0] as string;
    const buyer = await s.createBuyer();
    const friendPhone = s.newPhone();
    const { order } = await buy(
      s,
      buyer,
      { performanceId, categoryId: setup.categories.Seated as string, quantity: 1 },
      { deliverTo: friendPhone },
    );
    expect(order?.body.deliverTo).toBe(friendPhone);
    expect(
      (await s.request('GET', '/v1/me/tickets', { token: buyer.token })).body.tickets,
    ).toHaveLength(0);
    expect(s.sms.messages(friendPhone).some((m) => m.text.includes('tickets are waiting'))).toBe(
      true,
    );
    const friend = await s.signIn(friendPhone);
    const device = await s.registerDevice(friend);
    const waiting = await s.request('GET', '/v1/me/tickets', { token: friend.token });
    expect(waiting.body.tickets).toHaveLength(1);
    expect(waiting.body.tickets[0].status).toBe('awaiting_device');
    expect(waiting.body.tickets[0].credential).toBeNull();
    const claimed = await s.request('POST', `/v1/tickets/${waiting.body.tickets[0].id}/claim`, {
      token: friend.token,
      body: { deviceId: device.deviceId },
    });
    expect(claimed.status).toBe(200);
    expect(claimed.body.status).toBe('valid');
    const credential = decodeCredential(fromBase64url(claimed.body.credential));
    expect(toBase64url(credential.devicePublicKey)).toBe(toBase64url(device.signer.publicKey));
    // Claimed once only.
    const again = await s.request('POST', `/v1/tickets/${waiting.body.tickets[0].id}/claim`, {
      token: friend.token,
      body: { deviceId: device.deviceId },
    });
    expect(again.status).toBe(409);
  });

  it("keeps buyers out of each other's orders and tickets", async () => {
    const setup = await setupEvent(s);
    const performanceId = setup.performanceIds[0] as string;
    const alice = await s.createBuyer();
    const bob = await s.createBuyer();
    const { order } = await buy(s, alice, {
      performanceId,
      categoryId: setup.categories.Seated as string,
      quantity: 1,
    });
    const ticket = (await s.request('GET', '/v1/me/tickets', { token: alice.token })).body
      .tickets[0];
    expect(
      (await s.request('GET', `/v1/orders/${order?.body.id}`, { token: bob.token })).status,
    ).toBe(404);
    expect((await s.request('GET', `/v1/tickets/${ticket.id}`, { token: bob.token })).status).toBe(
      404,
    );
    expect(
      (await s.request('GET', '/v1/me/tickets', { token: bob.token })).body.tickets,
    ).toHaveLength(0);
    // Another organizer's staff cannot see it either; its own staff can (without the PIN).
    const other = await s.createOrganizer('Elsewhere');
    expect(
      (await s.request('GET', `/v1/tickets/${ticket.id}`, { token: other.owner.token })).status,
    ).toBe(404);
    const staffView = await s.request('GET', `/v1/tickets/${ticket.id}`, {
      token: setup.organizer.owner.token,
    });
    expect(staffView.status).toBe(200);
    expect(staffView.body.manualCode).toBeNull();
    // Holding for someone else's hold id does not work.
    const held = await s.request('POST', '/v1/holds', {
      token: alice.token,
      body: { performanceId, categoryId: setup.categories.Seated, quantity: 1 },
    });
    const steal = await s.request('POST', '/v1/orders', {
      token: bob.token,
      body: { holdId: held.body.id, deviceId: bob.deviceId },
    });
    expect(steal.status).toBe(404);
  });

  it('places an order while more than the pay window is left after the margin, and refuses one with less (hold_expiring)', async () => {
    const setup = await setupEvent(s);
    const performanceId = setup.performanceIds[0] as string;
    const { holdTtlS, paymentMarginS } = s.ticketing.config;
    // The hold's age that leaves exactly the shortest pay window an order takes.
    const edgeMs = (holdTtlS - paymentMarginS - orderPayWindowMinS) * 1000;
    const orderAfter = async (ageMs: number) => {
      const buyer = await s.createBuyer();
      const held = await s.request('POST', '/v1/holds', {
        token: buyer.token,
        body: { performanceId, categoryId: setup.categories.Seated, quantity: 1 },
      });
      expect(held.status).toBe(201);
      s.clock.advance(ageMs);
      return s.request('POST', '/v1/orders', {
        token: buyer.token,
        body: { holdId: held.body.id, deviceId: buyer.deviceId },
      });
    };
    expect((await orderAfter(edgeMs - 1_000)).status).toBe(201);
    const late = await orderAfter(edgeMs + 1);
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('hold_expiring');
  });

  it('enforces the per-buyer limit and releases expired holds', async () => {
    const setup = await setupEvent(s, { perBuyerLimit: 3, perOrderLimit: 3 });
    const performanceId = setup.performanceIds[0] as string;
    const buyer = await s.createBuyer();
    const first = await s.request('POST', '/v1/holds', {
      token: buyer.token,
      body: { performanceId, categoryId: setup.categories.Standing, quantity: 3 },
    });
    expect(first.status).toBe(201);
    const more = await s.request('POST', '/v1/holds', {
      token: buyer.token,
      body: { performanceId, categoryId: setup.categories.Standing, quantity: 1 },
    });
    expect(more.status).toBe(409);
    expect(more.body.error.code).toBe('buyer_limit');
    s.clock.advance(s.ticketing.config.holdTtlS * 1000 + 1);
    const round = await reconcileOnce(s.ticketing);
    expect(round.holdsReleased).toBeGreaterThanOrEqual(1);
    // A hold that ran out unpaid starts the buyer's cool-down for the performance
    // (hold-limits.test.ts); after it, the released places count no more.
    s.clock.advance(s.ticketing.config.holdLimits.cooldownS * 1000);
    const again = await s.request('POST', '/v1/holds', {
      token: buyer.token,
      body: { performanceId, categoryId: setup.categories.Standing, quantity: 3 },
    });
    expect(again.status).toBe(201);
  });

  it('a retried order adopts the request the exchange already made, never a second one', async () => {
    const setup = await setupEvent(s);
    const performanceId = setup.performanceIds[0] as string;
    const buyer = await s.createBuyer();
    const { held, order: first } = await holdAndOrder(
      s,
      buyer,
      performanceId,
      setup.categories.Seated as string,
    );
    expect(first.status).toBe(201);
    // As if the exchange's answer had been lost: the order is still `creating` here.
    await s.database.db
      .updateTable('orders')
      .set({ status: 'creating', payment_request_id: null })
      .where('id', '=', first.body.id)
      .execute();
    s.clock.advance(5_000);
    const retried = await s.request('POST', '/v1/orders', {
      token: buyer.token,
      body: { holdId: held.body.id, deviceId: buyer.deviceId },
    });
    expect(retried.status).toBe(200);
    expect(retried.body.status).toBe('awaiting_payment');
    expect(retried.body.payment.requestId).toBe(first.body.payment.requestId);
    const requests = await s.x.database.db
      .selectFrom('payment_requests')
      .select('id')
      .where('reference', '=', first.body.id)
      .execute();
    expect(requests).toHaveLength(1);
  });
});
