/**
 * Issue 18 item 8: one account cannot hold a performance's seats away from everyone else. What a
 * buyer holds unpaid of a performance is limited (a count, and a share of the capacity), under
 * concurrency on both databases; a hold that runs out unpaid, or holds let go again and again,
 * start a cool-down; paid tickets never count (docs/ticketing.md, "Hold limits").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cancelPerformance } from '../src/after-sale/cancellation.ts';
import { holdLimitFor } from '../src/holds/limits.ts';
import { reconcileOnce } from '../src/workers/reconcile.ts';
import { buy, holdAndOrder, setupEvent } from './fixtures.ts';
import { backends, startTestSystem, type TestSystem } from './harness.ts';

const seatedOnly = [
  {
    name: 'Seated',
    pricing: 'crypto',
    priceAsset: 'USDT',
    price: '25',
    seating: 'seated',
    sections: ['A'],
    kind: 'single',
  },
];

describe('the hold limit of a performance', () => {
  it('is the configured count, or the share of the capacity, and never less than one', () => {
    const limits = { tickets: 10, sharePercent: 25, cooldownS: 600, releasesBeforeCooldown: 3 };
    expect(holdLimitFor(limits, 150)).toBe(10);
    expect(holdLimitFor(limits, 12)).toBe(3);
    expect(holdLimitFor(limits, 2)).toBe(1);
    expect(holdLimitFor({ ...limits, sharePercent: 100 }, 5)).toBe(5);
  });
});

describe.each(backends)('hold limits on %s', (backend) => {
  let s: TestSystem;
  beforeAll(async () => {
    s = await startTestSystem(backend);
  });
  afterAll(async () => {
    await s?.close();
  });

  const hold = (token: string, body: Record<string, unknown>) =>
    s.request('POST', '/v1/holds', { token, body });

  /** A published 12-seat event (one row, nothing standing) and the seat ids of its performance. */
  const twelveSeats = async () => {
    const setup = await setupEvent(s, {
      rows: 1,
      seatsPerRow: 12,
      standing: 0,
      categories: seatedOnly,
    });
    const performanceId = setup.performanceIds[0] as string;
    const seats = await s.database.db
      .selectFrom('inventory_seats')
      .select('seat_id')
      .where('performance_id', '=', performanceId)
      .orderBy('seat_id')
      .execute();
    return { setup, performanceId, seatIds: seats.map((seat) => seat.seat_id) };
  };

  /** What the buyer holds unpaid of the performance, from the holds themselves. */
  const unpaidHeld = async (performanceId: string, userId: string) => {
    const rows = await s.database.db
      .selectFrom('holds')
      .select('quantity')
      .where('performance_id', '=', performanceId)
      .where('user_id', '=', userId)
      .where('status', 'in', ['active', 'ordered'])
      .execute();
    return rows.reduce((sum, row) => sum + Number(row.quantity), 0);
  };

  it('one account cannot hold a 12-seat event: a quarter of it at most, then 409 hold_limit', async () => {
    const { performanceId, seatIds } = await twelveSeats();
    const buyer = await s.signIn();
    const answers = [];
    for (const seatId of seatIds)
      answers.push(await hold(buyer.token, { performanceId, seats: [seatId] }));
    expect(answers.filter((answer) => answer.status === 201)).toHaveLength(3);
    const refused = answers[3];
    expect(refused?.status).toBe(409);
    expect(refused?.body.error.code).toBe('hold_limit');
    expect(refused?.body.error.message).toMatch(/at most 3 unpaid tickets/);
    expect(refused?.body.error.details).toEqual({ limit: 3, held: 3 });
    // One order of more than the share is refused as a whole.
    const other = await s.signIn();
    const big = await hold(other.token, { performanceId, seats: seatIds.slice(3, 7) });
    expect(big.status).toBe(409);
    expect(big.body.error.details).toEqual({ limit: 3, held: 0 });
    expect(await unpaidHeld(performanceId, buyer.userId)).toBe(3);
  });

  it('caps a big performance at the configured count (10 of 150 places)', async () => {
    const setup = await setupEvent(s);
    const performanceId = setup.performanceIds[0] as string;
    const buyer = await s.signIn();
    const standing = setup.categories.Standing as string;
    expect(
      (await hold(buyer.token, { performanceId, categoryId: standing, quantity: 10 })).status,
    ).toBe(201);
    const more = await hold(buyer.token, { performanceId, categoryId: standing, quantity: 1 });
    expect(more.status).toBe(409);
    expect(more.body.error).toMatchObject({ code: 'hold_limit', details: { limit: 10, held: 10 } });
    // Another performance of the same event is counted apart (the event's per-buyer limit is not).
    const setup2 = await setupEvent(s, { performances: 2 });
    const second = setup2.performanceIds[1] as string;
    const first = setup2.performanceIds[0] as string;
    const standing2 = setup2.categories.Standing as string;
    const b2 = await s.signIn();
    expect(
      (await hold(b2.token, { performanceId: first, categoryId: standing2, quantity: 10 })).status,
    ).toBe(201);
    expect(
      (await hold(b2.token, { performanceId: second, categoryId: standing2, quantity: 5 })).status,
    ).toBe(201);
  });

  it('20 concurrent holds from one account stay within the limit', async () => {
    const setup = await setupEvent(s);
    const performanceId = setup.performanceIds[0] as string;
    const buyer = await s.signIn();
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        hold(buyer.token, {
          performanceId,
          categoryId: (index % 2 ? setup.categories.Standing : setup.categories.Seated) as string,
          quantity: 1,
        }),
      ),
    );
    const held = answers.filter((answer) => answer.status === 201);
    const refused = answers.filter((answer) => answer.status === 409);
    expect(held).toHaveLength(10);
    expect(refused).toHaveLength(10);
    for (const answer of refused) expect(answer.body.error.code).toBe('hold_limit');
    expect(await unpaidHeld(performanceId, buyer.userId)).toBe(10);
    const counter = await s.database.db
      .selectFrom('hold_limits')
      .select('held')
      .where('performance_id', '=', performanceId)
      .where('user_id', '=', buyer.userId)
      .executeTakeFirstOrThrow();
    expect(Number(counter.held)).toBe(10);
  });

  it('holds and releases of one account at once: the count stays the holds it has, within the limit', async () => {
    const setup = await setupEvent(s);
    const performanceId = setup.performanceIds[0] as string;
    const standing = setup.categories.Standing as string;
    const buyer = await s.signIn();
    const first = [];
    for (let index = 0; index < 5; index++) {
      first.push(await hold(buyer.token, { performanceId, categoryId: standing, quantity: 2 }));
    }
    const answers = await Promise.all([
      ...first.map((held) =>
        s.request('DELETE', `/v1/holds/${held.body.id}`, { token: buyer.token }),
      ),
      ...Array.from({ length: 15 }, () =>
        hold(buyer.token, { performanceId, categoryId: standing, quantity: 1 }),
      ),
    ]);
    for (const answer of answers) expect([201, 204, 409]).toContain(answer.status);
    const held = await unpaidHeld(performanceId, buyer.userId);
    expect(held).toBeLessThanOrEqual(10);
    const counter = await s.database.db
      .selectFrom('hold_limits')
      .select('held')
      .where('performance_id', '=', performanceId)
      .where('user_id', '=', buyer.userId)
      .executeTakeFirstOrThrow();
    expect(Number(counter.held)).toBe(held);
  });

  it('a hold that runs out unpaid starts a cool-down for that performance (Retry-After)', async () => {
    const { performanceId, seatIds } = await twelveSeats();
    const buyer = await s.signIn();
    expect((await hold(buyer.token, { performanceId, seats: [seatIds[0]] })).status).toBe(201);
    s.clock.advance(s.ticketing.config.holdTtlS * 1000 + 1);
    expect((await reconcileOnce(s.ticketing)).holdsReleased).toBeGreaterThanOrEqual(1);
    const again = await hold(buyer.token, { performanceId, seats: [seatIds[1]] });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('hold_limit');
    const cooldownS = s.ticketing.config.holdLimits.cooldownS;
    expect(again.body.error.details).toMatchObject({ limit: 3, held: 0, retryAfterS: cooldownS });
    expect(again.headers['retry-after']).toBe(String(cooldownS));
    // Others are not held back by it; one who lets a hold go after its time is up (before the
    // worker came by) ran out unpaid all the same.
    const other = await s.signIn();
    const late = await hold(other.token, { performanceId, seats: [seatIds[1]] });
    expect(late.status).toBe(201);
    s.clock.advance(s.ticketing.config.holdTtlS * 1000 + 1);
    expect(
      (await s.request('DELETE', `/v1/holds/${late.body.id}`, { token: other.token })).status,
    ).toBe(204);
    const lateAgain = await hold(other.token, { performanceId, seats: [seatIds[1]] });
    expect(lateAgain.body.error.details.retryAfterS).toBe(cooldownS);
    const third = await s.signIn();
    expect((await hold(third.token, { performanceId, seats: [seatIds[1]] })).status).toBe(201);
    s.clock.advance(cooldownS * 1000 - s.ticketing.config.holdTtlS * 1000 - 1_001);
    const early = await hold(buyer.token, { performanceId, seats: [seatIds[2]] });
    expect(early.body.error.details.retryAfterS).toBe(1);
    s.clock.advance(1_000);
    expect((await hold(buyer.token, { performanceId, seats: [seatIds[2]] })).status).toBe(201);
  });

  it('an order whose payment window closes unpaid starts the cool-down too', async () => {
    const setup = await setupEvent(s);
    const performanceId = setup.performanceIds[0] as string;
    const buyer = await s.createBuyer();
    const { order } = await holdAndOrder(
      s,
      buyer,
      performanceId,
      setup.categories.Seated as string,
    );
    expect(order.status).toBe(201);
    s.clock.set(Date.parse(order.body.holdExpiresAt) + 1);
    await reconcileOnce(s.ticketing);
    expect(
      (await s.request('GET', `/v1/orders/${order.body.id}`, { token: buyer.token })).body.status,
    ).toBe('expired');
    const again = await hold(buyer.token, {
      performanceId,
      categoryId: setup.categories.Standing,
      quantity: 1,
    });
    expect(again.status).toBe(409);
    expect(again.body.error.details.retryAfterS).toBeGreaterThan(0);
  });

  it('letting holds go again and again starts the cool-down at the third in a row', async () => {
    const { performanceId, seatIds } = await twelveSeats();
    const buyer = await s.signIn();
    for (let round = 0; round < 3; round++) {
      const held = await hold(buyer.token, { performanceId, seats: [seatIds[round]] });
      expect(held.status).toBe(201);
      s.clock.advance(5_000);
      const gone = await s.request('DELETE', `/v1/holds/${held.body.id}`, { token: buyer.token });
      expect(gone.status).toBe(204);
    }
    const again = await hold(buyer.token, { performanceId, seats: [seatIds[3]] });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'hold_limit', details: { held: 0 } });
    // Two let go far apart (more than a cool-down between them) never add up.
    const patient = await s.signIn();
    for (let round = 0; round < 4; round++) {
      const held = await hold(patient.token, { performanceId, seats: [seatIds[4]] });
      expect(held.status).toBe(201);
      await s.request('DELETE', `/v1/holds/${held.body.id}`, { token: patient.token });
      s.clock.advance(s.ticketing.config.holdLimits.cooldownS * 1000 + 1);
    }
  });

  it('a paying buyer is not blocked by their own paid tickets; unpaid holds alone count', async () => {
    const { performanceId, seatIds } = await twelveSeats();
    const buyer = await s.createBuyer();
    for (const seatId of seatIds.slice(0, 3)) {
      const { held, order } = await buy(s, buyer, { performanceId, seats: [seatId] });
      expect(held.status).toBe(201);
      expect(
        (await s.request('GET', `/v1/orders/${order?.body.id}`, { token: buyer.token })).body
          .status,
      ).toBe('issued');
    }
    expect(await unpaidHeld(performanceId, buyer.userId)).toBe(0);
    expect((await hold(buyer.token, { performanceId, seats: seatIds.slice(3, 6) })).status).toBe(
      201,
    );
    const more = await hold(buyer.token, { performanceId, seats: [seatIds[6]] });
    expect(more.status).toBe(409);
    expect(more.body.error.details).toEqual({ limit: 3, held: 3 });
  });

  it('the count follows every way a hold ends; what the organizer ends counts nothing against the buyer', async () => {
    const setup = await setupEvent(s);
    const performanceId = setup.performanceIds[0] as string;
    const seated = setup.categories.Seated as string;
    const counter = async (userId: string) => {
      const row = await s.database.db
        .selectFrom('hold_limits')
        .select(['held', 'blocked_until'])
        .where('performance_id', '=', performanceId)
        .where('user_id', '=', userId)
        .executeTakeFirstOrThrow();
      return { held: Number(row.held), blocked: Number(row.blocked_until) > s.clock.now() };
    };
    const buyer = await s.createBuyer();
    // Paid: no longer counted.
    await buy(s, buyer, { performanceId, categoryId: seated, quantity: 2 });
    expect(await counter(buyer.userId)).toEqual({ held: 0, blocked: false });
    // An order the buyer cancels is a hold let go (the first in a row).
    const { order } = await holdAndOrder(s, buyer, performanceId, seated);
    expect(await counter(buyer.userId)).toEqual({ held: 1, blocked: false });
    const cancelled = await s.request('POST', `/v1/orders/${order.body.id}/cancel`, {
      token: buyer.token,
    });
    expect(cancelled.body.status).toBe('cancelled');
    expect(await counter(buyer.userId)).toEqual({ held: 0, blocked: false });
    for (let round = 0; round < 2; round++) {
      const held = await hold(buyer.token, { performanceId, categoryId: seated, quantity: 1 });
      await s.request('DELETE', `/v1/holds/${held.body.id}`, { token: buyer.token });
    }
    expect(await counter(buyer.userId)).toEqual({ held: 0, blocked: true });
    // The organizer cancels the performance: the holds it releases and the orders it closes
    // start no cool-down.
    const other = await s.createBuyer();
    expect(
      (await hold(other.token, { performanceId, categoryId: seated, quantity: 2 })).status,
    ).toBe(201);
    const ordered = await holdAndOrder(s, other, performanceId, seated);
    expect(ordered.order.status).toBe(201);
    expect(await counter(other.userId)).toEqual({ held: 3, blocked: false });
    await cancelPerformance(s.ticketing, performanceId);
    expect(await counter(other.userId)).toEqual({ held: 0, blocked: false });
    expect(await unpaidHeld(performanceId, other.userId)).toBe(0);
  });
});
