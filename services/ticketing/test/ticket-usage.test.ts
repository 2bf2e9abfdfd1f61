/**
 * The ticket as its holder sees it after the gates (issue 21, item 6), through the HTTP API on
 * both databases: an admitted single ticket is used up, a multi-ride pass after one ride says
 * how many rides are left, a stored-value card shows its balance after a debit, and a ticket
 * allowing re-entry says whether its holder is inside.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Buyer, buy, type EventSetup, setupEvent } from './fixtures.ts';
import {
  barcode,
  enrolTerminal,
  type HeldTicket,
  nowS,
  scan,
  type Terminal,
  ticketsOfOrder,
  toDoors,
} from './gate-kit.ts';
import { backends, startTestSystem, type TestSystem } from './harness.ts';

describe.each(backends)('ticket usage on %s', (backend) => {
  let s: TestSystem;
  let setup: EventSetup;
  let gate: Terminal;
  let buyer: Buyer;

  beforeAll(async () => {
    s = await startTestSystem(backend);
    setup = await setupEvent(s, {
      standing: 100,
      categories: [
        ['Single', { kind: 'single' }],
        ['Rides', { kind: 'multi', entriesAllowed: 3 }],
        ['Card', { kind: 'stored_value', storedValue: '10000', storedValueAsset: 'KRW' }],
        ['Reentry', { kind: 'single', reentryAllowed: true }],
      ].map(([name, terms]) => ({
        name,
        pricing: 'crypto',
        priceAsset: 'USDT',
        price: '10',
        seating: 'ga',
        area: 'Standing',
        quota: 20,
        ...(terms as Record<string, unknown>),
      })),
    });
    gate = await enrolTerminal(s, setup, { gate: 'North' });
    buyer = await s.createBuyer();
  });

  afterAll(async () => {
    await s?.close();
  });

  /** One ticket of a category, bought and on the buyer's device. */
  async function ticketOf(category: string): Promise<HeldTicket> {
    const { order } = await buy(s, buyer, {
      performanceId: setup.performanceIds[0] as string,
      categoryId: setup.categories[category] as string,
      quantity: 1,
    });
    const [ticket] = await ticketsOfOrder(s, buyer, order?.body.id);
    if (!ticket) throw new Error(`no ${category} ticket`);
    return ticket;
  }

  /** The ticket as its holder reads it, alone and in the list (the two must agree). */
  async function seen(ticket: HeldTicket) {
    const one = await s.request('GET', `/v1/tickets/${ticket.id}`, { token: buyer.token });
    expect(one.status, one.raw).toBe(200);
    const list = await s.request('GET', '/v1/me/tickets', { token: buyer.token });
    const listed = (list.body.tickets as { id: string; usage: unknown }[]).find(
      (candidate) => candidate.id === ticket.id,
    );
    expect(listed?.usage).toEqual(one.body.usage);
    return one.body;
  }

  /** Scans the holder's live barcode at the gate, two seconds after the scan before. */
  async function scanAtGate(ticket: HeldTicket, body: { direction?: 'exit'; debit?: string } = {}) {
    s.clock.advance(2_000);
    const code = await barcode(ticket, buyer.signer, nowS(s));
    return scan(s, gate, { barcode: code, ...body });
  }

  it('an unused ticket says so; once admitted it is used up, with the time it was admitted', async () => {
    const ticket = await ticketOf('Single');
    toDoors(s, setup.startsAt);
    const before = await seen(ticket);
    expect(before.status).toBe('valid');
    expect(before.usage).toEqual({
      state: 'unused',
      entriesUsed: 0,
      entriesLeft: 1,
      firstEntryAt: null,
      lastEntryAt: null,
      lastExitAt: null,
      inside: false,
      balance: null,
    });

    const admitted = await scanAtGate(ticket);
    expect(admitted.body.admitted, admitted.raw).toBe(true);
    const after = await seen(ticket);
    expect(after.status).toBe('valid');
    expect(after.usage).toMatchObject({
      state: 'used_up',
      entriesUsed: 1,
      entriesLeft: 0,
      lastEntryAt: new Date(s.clock.now()).toISOString(),
      inside: false,
    });
    expect(after.usage.firstEntryAt).toBe(after.usage.lastEntryAt);

    // The gate agrees: the same ticket again is refused as used.
    const again = await scanAtGate(ticket);
    expect(again.body).toMatchObject({ admitted: false, reason: 'already_used' });
    expect((await seen(ticket)).usage).toMatchObject({ state: 'used_up', entriesUsed: 1 });
  });

  it('a multi-ride pass after one ride has the others left, and is used up after the last', async () => {
    const ticket = await ticketOf('Rides');
    expect((await scanAtGate(ticket)).body.admitted).toBe(true);
    expect((await seen(ticket)).usage).toMatchObject({
      state: 'partly_used',
      entriesUsed: 1,
      entriesLeft: 2,
      balance: null,
    });
    expect((await scanAtGate(ticket)).body.admitted).toBe(true);
    expect((await scanAtGate(ticket)).body.admitted).toBe(true);
    expect((await seen(ticket)).usage).toMatchObject({
      state: 'used_up',
      entriesUsed: 3,
      entriesLeft: 0,
    });
  });

  it("a stored-value card shows its balance after the gates' debits", async () => {
    const ticket = await ticketOf('Card');
    expect((await seen(ticket)).usage).toMatchObject({
      state: 'unused',
      entriesLeft: null,
      balance: { asset: 'KRW', amount: '10000' },
    });
    const first = await scanAtGate(ticket, { debit: '2500' });
    expect(first.body.admitted, first.raw).toBe(true);
    expect((await seen(ticket)).usage).toMatchObject({
      state: 'partly_used',
      entriesUsed: 1,
      entriesLeft: null,
      balance: { asset: 'KRW', amount: '7500' },
    });
    expect((await scanAtGate(ticket, { debit: '7500' })).body.admitted).toBe(true);
    expect((await seen(ticket)).usage).toMatchObject({
      state: 'used_up',
      entriesUsed: 2,
      balance: { asset: 'KRW', amount: '0' },
    });
  });

  it('a ticket allowing re-entry is inside after an entry, and outside (not used up) after the exit', async () => {
    const ticket = await ticketOf('Reentry');
    expect((await scanAtGate(ticket)).body.admitted).toBe(true);
    const inside = await seen(ticket);
    expect(inside.usage).toMatchObject({ state: 'inside', inside: true, entriesUsed: 1 });
    expect(inside.usage.lastExitAt).toBeNull();

    const out = await scanAtGate(ticket, { direction: 'exit' });
    expect(out.body.admitted, out.raw).toBe(true);
    const outside = await seen(ticket);
    expect(outside.usage).toMatchObject({
      state: 'partly_used',
      inside: false,
      entriesUsed: 1,
      lastExitAt: new Date(s.clock.now()).toISOString(),
    });

    // Back in: a re-entry, not a second use.
    expect((await scanAtGate(ticket)).body).toMatchObject({ admitted: true, reason: 'reentry' });
    expect((await seen(ticket)).usage).toMatchObject({ state: 'inside', entriesUsed: 1 });
  });
});
