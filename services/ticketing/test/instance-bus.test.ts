/**
 * Two ticketing instances on one PostgreSQL database: an admission made through one reaches the
 * other's live feed, a terminal revoked through one ends its feed on the other, a long poll on the
 * other wakes when the order is issued, and what one instance changes (a retired key, a revoked
 * terminal) the other's caches forget before the change is answered. SQLite is one process and
 * has no bus.
 */
import { fromBase64url } from '@tessera/protocol';
import { protocol } from '@tessera/protocol/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { injectJson } from '../../../scripts/test/inject.ts';
import { buildApp } from '../src/app.ts';
import type { GateAdmission, Ticketing } from '../src/context.ts';
import { createTicketing } from '../src/context.ts';
import { startInstanceBus } from '../src/instance-bus.ts';
import { allRoutes } from '../src/routes.ts';
import { buy, holdAndOrder, setupEvent } from './fixtures.ts';
import {
  barcode,
  enrolTerminal,
  type GateScan,
  type HeldTicket,
  nowS,
  ticketsOfOrder,
  toDoors,
} from './gate-kit.ts';
import { backends, key, startTestSystem, type TestSystem } from './harness.ts';

const quiet = { warn: () => {}, info: () => {} };

/** Waits until `check` passes or a second has gone (the feeds' promise). */
async function within(ms: number, check: () => boolean) {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}

describe.each(backends)('instances sharing a database on %s', (backend) => {
  let s: TestSystem;
  let other: Ticketing;
  let buses: (ReturnType<typeof startInstanceBus> | undefined)[] = [];
  beforeAll(async () => {
    s = await startTestSystem(backend);
    // A second instance: its own memory (feeds, waiters, caches), the same database.
    other = createTicketing({
      config: s.ticketing.config,
      database: s.database,
      clock: s.clock,
      sms: s.sms,
      exchange: s.ticketing.exchange,
    });
    buses = [startInstanceBus(s.ticketing, quiet), startInstanceBus(other, quiet)];
    await Promise.all(buses.map((bus) => bus?.listening));
  });
  afterAll(async () => {
    await Promise.all(buses.map((bus) => bus?.stop()));
    await s?.close();
  });

  it('tells the other instance of admissions, revocations and issued orders', async () => {
    if (backend === 'sqlite') {
      // One process holds the database: there is nobody to tell.
      expect(buses).toEqual([undefined, undefined]);
      return;
    }
    const setup = await setupEvent(s);
    const buyer = await s.createBuyer();
    const { order } = await buy(s, buyer, {
      performanceId: setup.performanceIds[0] as string,
      categoryId: setup.categories.Seated as string,
      quantity: 1,
    });
    const [ticket] = await ticketsOfOrder(s, buyer, order?.body.id);
    const gate = await enrolTerminal(s, setup);
    toDoors(s, setup.startsAt);

    const heard: GateAdmission[] = [];
    const unsubscribe = other.gates.subscribe((admission) => heard.push(admission));
    const scanned = await s.request('POST', '/v1/terminal/verifications', {
      token: gate.token,
      body: {
        barcode: (
          await protocol.createPresentation(
            fromBase64url(ticket?.credential as string),
            buyer.signer,
            nowS(s),
          )
        ).text,
      },
    });
    expect(scanned.body.admitted).toBe(true);
    expect(await within(1_000, () => heard.length === 1)).toBe(true);
    expect(heard[0]).toMatchObject({ ticketId: ticket?.number, gate: gate.gate });
    unsubscribe();

    const revoked: string[] = [];
    other.gates.onRevoked((terminalId) => revoked.push(terminalId));
    const gone = await s.request(
      'DELETE',
      `/v1/organizers/${setup.organizer.id}/terminals/${gate.id}`,
      { token: setup.organizer.owner.token },
    );
    expect(gone.status, gone.raw).toBe(200);
    expect(await within(1_000, () => revoked.includes(gate.id))).toBe(true);

    // A buyer's long poll waits on the other instance; the payment lands through this one.
    const second = await s.createBuyer();
    const { order: placed } = await holdAndOrder(
      s,
      second,
      setup.performanceIds[0] as string,
      setup.categories.Seated as string,
    );
    let woke = false;
    const waiting = other.orders.wait(placed.body.id, 20_000).then(() => {
      woke = true;
    });
    const started = Date.now();
    const paid = await s.x.request(
      'POST',
      `/v1/payment-requests/${placed.body.payment.requestId}/pay`,
      {
        token: second.wallet.token,
        key: key(),
      },
    );
    expect(paid.status).toBe(200);
    await s.deliverWebhooks();
    await waiting;
    expect(woke).toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe.each(backends)('caches of instances sharing a database on %s', (backend) => {
  let s: TestSystem;
  let other: Ticketing;
  let otherApp: Awaited<ReturnType<typeof buildApp>>;
  let buses: (ReturnType<typeof startInstanceBus> | undefined)[] = [];
  beforeAll(async () => {
    s = await startTestSystem(backend);
    other = createTicketing({
      config: s.ticketing.config,
      database: s.database,
      clock: s.clock,
      sms: s.sms,
      exchange: s.ticketing.exchange,
    });
    otherApp = await buildApp(other, allRoutes);
    buses = [startInstanceBus(s.ticketing, quiet), startInstanceBus(other, quiet)];
    await Promise.all(buses.map((bus) => bus?.listening));
  });
  afterAll(async () => {
    await Promise.all(buses.map((bus) => bus?.stop()));
    await otherApp?.close();
    await s?.close();
  });

  /** The other instance has heard everything sent on the bus so far (a no-op on SQLite). */
  const otherHasHeard = async () => {
    await buses[1]?.sync();
  };
  const scanOnOther = (token: string, body: GateScan) =>
    injectJson(otherApp, 'POST', '/v1/terminal/verifications', { token, body });

  it('refuses a key retired through one instance on the other at once, with no time passing', async () => {
    if (backend === 'sqlite') {
      // One process holds the database: there is no other instance.
      expect(buses).toEqual([undefined, undefined]);
      return;
    }
    const setup = await setupEvent(s);
    const buyer = await s.createBuyer();
    const { order } = await buy(s, buyer, {
      performanceId: setup.performanceIds[0] as string,
      categoryId: setup.categories.Seated as string,
      quantity: 2,
    });
    const [first, second] = await ticketsOfOrder(s, buyer, order?.body.id);
    const gate = await enrolTerminal(s, setup);
    toDoors(s, setup.startsAt);
    const owner = setup.organizer.owner.token;
    const keysPath = `/v1/organizers/${setup.organizer.id}/keys`;
    const organizer = await s.request('GET', `/v1/organizers/${setup.organizer.id}`, {
      token: owner,
    });
    const [old] = organizer.body.keys as { id: string }[];

    // The other instance checks a ticket of the old key: its keyring is now in its memory, and
    // the clock stands still, so only an invalidation can make it forget.
    const early = await scanOnOther(gate.token, {
      barcode: await barcode(first as HeldTicket, buyer.signer, nowS(s)),
    });
    expect(early.body).toMatchObject({ admitted: true, reason: 'valid' });

    expect((await s.request('POST', keysPath, { token: owner })).status).toBe(201);
    const retired = await s.request('POST', `${keysPath}/${old?.id}/retire`, { token: owner });
    expect(retired.status, retired.raw).toBe(200);
    await otherHasHeard();

    const refused = await scanOnOther(gate.token, {
      barcode: await barcode(second as HeldTicket, buyer.signer, nowS(s)),
    });
    expect(refused.body).toMatchObject({ admitted: false, reason: 'forged' });
  });

  it('refuses a terminal revoked through one instance on both at once', async () => {
    if (backend === 'sqlite') return;
    const setup = await setupEvent(s);
    const gate = await enrolTerminal(s, setup);
    const packageOf = (request: typeof s.request) =>
      request('GET', '/v1/terminal/package', { token: gate.token });
    const viaOther: typeof s.request = (method, url, options) =>
      injectJson(otherApp, method, url, options);
    // Both instances know the terminal (its credential is cached on each).
    expect((await packageOf(s.request)).status).toBe(200);
    expect((await packageOf(viaOther)).status).toBe(200);

    const revoked = await s.request(
      'DELETE',
      `/v1/organizers/${setup.organizer.id}/terminals/${gate.id}`,
      { token: setup.organizer.owner.token },
    );
    expect(revoked.status, revoked.raw).toBe(200);
    await otherHasHeard();

    expect((await packageOf(s.request)).status).toBe(401);
    expect((await packageOf(viaOther)).status).toBe(401);
  });
});
