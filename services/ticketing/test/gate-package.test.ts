/**
 * The event package a gate terminal downloads to verify offline (unit 408, claim 11): what it
 * holds, that its manual-code records verify with the protocol exactly as a terminal would, and
 * that it syncs incrementally with its cursor. Through the HTTP API, as an enrolled terminal.
 */

import { gunzipSync } from 'node:zlib';
import { fromBase64url, prepareRevocations } from '@tessera/protocol';
import { protocol } from '@tessera/protocol/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type EventPackage,
  eventPackage,
  packageSettleMs,
  toManualCodeRecord,
} from '../src/admission/package/service.ts';
import { reconcileOnce } from '../src/workers/reconcile.ts';
import { type Buyer, buy, type EventSetup, setupEvent } from './fixtures.ts';
import {
  barcode,
  enrolTerminal,
  mintDirect,
  scan,
  type Terminal,
  ticketsOfOrder,
  toDoors,
} from './gate-kit.ts';
import { backends, startTestSystem, type TestSystem } from './harness.ts';

/** The lowest the protocol allows: the records are real PBKDF2, just quick to make in tests. */
const iterations = 1_000;

describe.each(backends)('the event package on %s', (backend) => {
  let s: TestSystem;
  let setup: EventSetup;
  let terminal: Terminal;
  let buyer: Buyer;
  let tickets: Awaited<ReturnType<typeof ticketsOfOrder>>;

  /** GET /v1/terminal/package as a terminal; throws on anything but 200. */
  async function fetchPackage(
    as: Pick<Terminal, 'token'>,
    query: Record<string, string | number> = {},
  ): Promise<EventPackage> {
    const search = new URLSearchParams(
      Object.entries(query).map(([key, value]) => [key, String(value)]),
    );
    const response = await s.request('GET', `/v1/terminal/package?${search}`, {
      token: as.token,
    });
    if (response.status !== 200) throw new Error(`package: ${response.status} ${response.raw}`);
    return response.body as EventPackage;
  }

  /** Lets every change so far settle, so the next cursor moves past all of it. */
  const settle = () => s.clock.advance(packageSettleMs + 1);

  beforeAll(async () => {
    s = await startTestSystem(backend, { TICKETING_MANUAL_CODE_ITERATIONS: String(iterations) });
    setup = await setupEvent(s, {
      performances: 2,
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
        {
          name: 'Bar card',
          pricing: 'crypto',
          priceAsset: 'USDT',
          price: '20',
          seating: 'ga',
          area: 'Standing',
          kind: 'stored_value',
          storedValue: '10',
        },
      ],
    });
    buyer = await s.createBuyer();
    const [first] = setup.performanceIds as [string];
    const { order } = await buy(s, buyer, {
      performanceId: first,
      categoryId: setup.categories.Seated as string,
      quantity: 2,
    });
    tickets = await ticketsOfOrder(s, buyer, order?.body.id);
    expect(tickets).toHaveLength(2);
    // A ticket of the other performance, which this terminal does not admit to.
    await buy(s, buyer, {
      performanceId: setup.performanceIds[1] as string,
      categoryId: setup.categories['Bar card'] as string,
      quantity: 1,
    });
    terminal = await enrolTerminal(s, setup, { gate: 'North', performanceIds: [first] });
  });

  afterAll(async () => {
    await s?.close();
  });

  it("holds the organizer's keyring scoped to the terminal's performances, their terms, the venue and the gate", async () => {
    // Another organizer's event and key exist on the same server.
    const other = await setupEvent(s, { name: 'Elsewhere' });
    const pkg = await fetchPackage(terminal);
    expect(pkg.full).toBe(true);
    expect(pkg.packageVersion).toBe(1);
    expect(pkg.terminal).toEqual({ id: terminal.id, name: terminal.name, gate: 'North' });
    expect(pkg.venue).toMatchObject({
      id: setup.venueId,
      latitude: 37.4786,
      longitude: 127.0115,
      radiusM: 300,
    });

    const organizer = await s.request('GET', `/v1/organizers/${setup.organizer.id}`, {
      token: setup.organizer.owner.token,
    });
    const active = organizer.body.keys.filter((key: { status: string }) => key.status === 'active');
    expect(pkg.keys.map((key) => key.publicKey).sort()).toEqual(
      active.map((key: { publicKey: string }) => key.publicKey).sort(),
    );
    for (const key of pkg.keys) expect(key.eventIds).toEqual([setup.performanceCodes[0]]);

    // Only the terminal's own performance, with every category's terms.
    expect(pkg.performances.map((p) => p.code)).toEqual([setup.performanceCodes[0]]);
    const performance = pkg.performances[0] as EventPackage['performances'][number];
    expect(performance.status).toBe('scheduled');
    const doorsS = Math.floor(Date.parse(performance.doorsAt) / 1000);
    const endsS = Math.floor(Date.parse(performance.endsAt) / 1000);
    expect(performance.categories).toEqual([
      {
        id: setup.categories.Seated,
        name: 'Seated',
        kind: 'single',
        entriesAllowed: 1,
        reentryAllowed: true,
        validFromS: doorsS,
        validUntilS: endsS,
        storedValue: '0',
        storedValueAsset: null,
        storedValueScale: null,
      },
      {
        id: setup.categories['Bar card'],
        name: 'Bar card',
        kind: 'stored_value',
        entriesAllowed: 0,
        reentryAllowed: false,
        validFromS: doorsS,
        validUntilS: endsS,
        storedValue: '10000000',
        storedValueAsset: 'USDT',
        storedValueScale: 6,
      },
    ]);

    // The keyring verifies a real barcode of this organizer, the way a terminal builds it.
    const keyring = await protocol.prepareKeyring(
      pkg.keys.map((key) => ({ publicKey: fromBase64url(key.publicKey), eventIds: key.eventIds })),
    );
    const ticket = tickets[0] as (typeof tickets)[number];
    const atDoorsS = Math.floor((Date.parse(performance.doorsAt) + 60_000) / 1000);
    const decision = await protocol.verifyPresentation(
      await barcode(ticket, buyer.signer, atDoorsS),
      { keyring, eventIds: [setup.performanceCodes[0] as string], nowS: atDoorsS },
    );
    expect(decision).toMatchObject({ admitted: true, reason: 'valid' });
    // Nothing of the other organizer.
    const otherKeys = await s.request('GET', `/v1/organizers/${other.organizer.id}`, {
      token: other.organizer.owner.token,
    });
    const theirs = new Set(otherKeys.body.keys.map((key: { publicKey: string }) => key.publicKey));
    expect(pkg.keys.some((key) => theirs.has(key.publicKey))).toBe(false);
  });

  it('carries salted PIN hashes that check a typed manual code offline, and never the PIN', async () => {
    const pkg = await fetchPackage(terminal);
    expect(pkg.manualCodesComplete).toBe(true);
    // Both tickets of the terminal's performance; not the other performance's.
    expect(pkg.manualCodes).toHaveLength(2);
    const byNumber = new Map(pkg.manualCodes.map((entry) => [entry.ticketNumber, entry]));
    for (const ticket of tickets) {
      const code = ticket.manualCode as { ticketNumber: string; pin: string };
      const entry = byNumber.get(code.ticketNumber);
      expect(entry).toMatchObject({
        performanceCode: setup.performanceCodes[0],
        ticketId: ticket.number,
        revision: 1,
        kind: 'single',
        iterations,
      });
      expect(JSON.stringify(entry)).not.toContain(code.pin);
      expect(entry?.salt).toMatch(/^[0-9a-f]{32}$/);
      expect(entry?.pinHash).toMatch(/^[0-9a-f]{64}$/);
      // The ticket's category, which the credential does not carry (offline answers name it).
      expect(entry?.categoryId).toBe(setup.categories.Seated);
      const category = pkg.performances[0]?.categories.find((c) => c.id === entry?.categoryId);
      expect(category?.name).toBe('Seated');
    }

    // A terminal's offline check (docs/protocol.md, manual codes) with the package alone.
    const records = new Map(
      pkg.manualCodes.map((entry) => [entry.ticketNumber, toManualCodeRecord(entry)]),
    );
    const context = {
      eventIds: pkg.performances.map((p) => p.code),
      nowS: (pkg.performances[0]?.categories[0]?.validFromS ?? 0) + 60,
      lookup: (number: string) => records.get(number),
    };
    const ticket = tickets[0] as (typeof tickets)[number];
    const code = ticket.manualCode as { ticketNumber: string; pin: string };
    await expect(protocol.verifyManualCode(code, context)).resolves.toMatchObject({
      admitted: true,
      reason: 'valid',
    });
    const wrongPin = String((Number(code.pin) + 1) % 1_000_000).padStart(6, '0');
    await expect(
      protocol.verifyManualCode({ ticketNumber: code.ticketNumber, pin: wrongPin }, context),
    ).resolves.toMatchObject({ admitted: false, reason: 'wrong_code' });
  });

  it('sends only what changed since the cursor: admissions, revocations and remade manual codes', async () => {
    toDoors(s, setup.startsAt);
    const first = await fetchPackage(terminal);
    settle();
    // The first package's rows were fresh; they may come once more, then the lists are empty.
    const second = await fetchPackage(terminal, { since: first.cursor });
    expect(second.full).toBe(false);
    const quiet = await fetchPackage(terminal, { since: second.cursor });
    expect(quiet.full).toBe(false);
    expect(quiet.revocations).toEqual([]);
    expect(quiet.manualCodes).toEqual([]);
    expect(quiet.admissions).toEqual([]);
    // Keys, performances and the venue always come whole.
    expect(quiet.keys).toEqual(first.keys);
    expect(quiet.performances).toEqual(first.performances);

    // Changes: an online admission at the gate, and a transfer of the other ticket.
    const [entering, moving] = tickets as [(typeof tickets)[number], (typeof tickets)[number]];
    const scanned = await scan(s, terminal, {
      barcode: await barcode(entering, buyer.signer, Math.floor(s.clock.now() / 1000)),
    });
    expect(scanned.body).toMatchObject({ admitted: true });
    const recipient = await s.createBuyer();
    const offered = await s.request('POST', `/v1/tickets/${moving.id}/transfers`, {
      token: buyer.token,
      body: { toPhone: recipient.phone },
    });
    const accepted = await s.request('POST', `/v1/transfers/${offered.body.id}/accept`, {
      token: recipient.token,
      body: { deviceId: recipient.deviceId },
    });
    expect(accepted.status).toBe(200);

    const changed = await fetchPackage(terminal, { since: quiet.cursor });
    expect(changed.full).toBe(false);
    expect(changed.admissions).toEqual([
      expect.objectContaining({
        id: scanned.body.admissionId,
        performanceCode: setup.performanceCodes[0],
        ticketId: entering.number,
        revision: 1,
        direction: 'entry',
        debit: '0',
        gate: 'North',
        terminalId: terminal.id,
        duplicate: false,
      }),
    ]);
    expect(changed.revocations).toEqual([
      {
        performanceCode: setup.performanceCodes[0],
        ticketId: moving.number,
        throughRevision: 1,
        reason: 'transferred',
      },
    ]);
    // The transferred ticket's record is remade for revision 2, same manual number.
    expect(changed.manualCodes).toEqual([
      expect.objectContaining({
        ticketNumber: moving.manualCode?.ticketNumber,
        ticketId: moving.number,
        revision: 2,
      }),
    ]);

    // Still younger than the settle time: the same changes come again with the new cursor...
    const repeated = await fetchPackage(terminal, { since: changed.cursor });
    expect(repeated.admissions.map((a) => a.id)).toEqual([scanned.body.admissionId]);
    expect(repeated.revocations).toHaveLength(1);
    // ...and once settled, the cursor moves past them for good.
    settle();
    const settled = await fetchPackage(terminal, { since: repeated.cursor });
    expect(settled.admissions.map((a) => a.id)).toEqual([scanned.body.admissionId]);
    const after = await fetchPackage(terminal, { since: settled.cursor });
    expect(after.admissions).toEqual([]);
    expect(after.revocations).toEqual([]);
    expect(after.manualCodes).toEqual([]);

    // Offline, with only the packages: the old revision's barcode is refused as revoked.
    const keyring = await protocol.prepareKeyring(
      after.keys.map((key) => ({
        publicKey: fromBase64url(key.publicKey),
        eventIds: key.eventIds,
      })),
    );
    const revocations = prepareRevocations(
      changed.revocations.map((entry) => ({
        eventId: entry.performanceCode,
        ticketId: entry.ticketId,
        throughRevision: entry.throughRevision,
      })),
    );
    const nowS = Math.floor(s.clock.now() / 1000);
    const old = await protocol.verifyPresentation(await barcode(moving, buyer.signer, nowS), {
      keyring,
      eventIds: [setup.performanceCodes[0] as string],
      nowS,
      revocations,
    });
    expect(old).toMatchObject({ admitted: false, reason: 'revoked' });
  });

  it('pages a long list: more=true until the cursor has caught up', async () => {
    const principal = {
      type: 'terminal' as const,
      id: terminal.id,
      organizerId: setup.organizer.id,
      venueId: setup.venueId,
      gate: terminal.gate,
      name: terminal.name,
      performanceIds: [setup.performanceIds[0] as string],
    };
    settle();
    const page1 = await eventPackage(s.ticketing, principal, { pageSize: 1 });
    expect(page1.more).toBe(true);
    expect(page1.manualCodes).toHaveLength(1);
    const page2 = await eventPackage(s.ticketing, principal, { since: page1.cursor, pageSize: 1 });
    expect(page2.more).toBe(true);
    expect(page2.manualCodes).toHaveLength(1);
    expect(page2.manualCodes[0]?.ticketNumber).not.toBe(page1.manualCodes[0]?.ticketNumber);
    const page3 = await eventPackage(s.ticketing, principal, { since: page2.cursor, pageSize: 1 });
    expect(page3.manualCodes).toHaveLength(0);
    expect(page3.more).toBe(false);
  });

  it("records the terminal's unsent admissions and when it was last seen", async () => {
    s.clock.advance(60_000);
    await fetchPackage(terminal, { pending: 7 });
    const listed = await s.request('GET', `/v1/organizers/${setup.organizer.id}/terminals`, {
      token: setup.organizer.owner.token,
    });
    const mine = listed.body.terminals.find((t: { id: string }) => t.id === terminal.id);
    expect(mine).toMatchObject({
      pendingUploads: 7,
      lastSeenAt: new Date(s.clock.now()).toISOString(),
    });
    await fetchPackage(terminal, { pending: 0 });
    const again = await s.request('GET', `/v1/organizers/${setup.organizer.id}/terminals`, {
      token: setup.organizer.owner.token,
    });
    expect(
      again.body.terminals.find((t: { id: string }) => t.id === terminal.id).pendingUploads,
    ).toBe(0);
  });

  it('refuses bad input with a clear error, and restarts whole on a cursor of another terminal', async () => {
    const garbage = await s.request('GET', '/v1/terminal/package?since=pk1.bm90LWpzb24', {
      token: terminal.token,
    });
    expect(garbage.status).toBe(400);
    expect(garbage.body.error.code).toBe('invalid_cursor');
    const notOurs = await s.request('GET', '/v1/terminal/package?since=hello', {
      token: terminal.token,
    });
    expect(notOurs.status).toBe(400);
    const negative = await s.request('GET', '/v1/terminal/package?pending=-1', {
      token: terminal.token,
    });
    expect(negative.status).toBe(400);
    const forged = Buffer.from(JSON.stringify(['x', -5, 0, null, null])).toString('base64url');
    const badSeq = await s.request('GET', `/v1/terminal/package?since=pk1.${forged}`, {
      token: terminal.token,
    });
    expect(badSeq.status).toBe(400);
    expect(badSeq.body.error.code).toBe('invalid_cursor');

    const south = await enrolTerminal(s, setup, {
      gate: 'South',
      performanceIds: [setup.performanceIds[0] as string],
    });
    const mine = await fetchPackage(terminal);
    const theirs = await fetchPackage(south, { since: mine.cursor });
    expect(theirs.full).toBe(true);
    expect(theirs.manualCodes).toHaveLength(2);
    expect(theirs.terminal.gate).toBe('South');

    // The OpenAPI document describes the package, the close and the report.
    const docs = await s.request('GET', '/docs/json');
    expect(docs.body.paths['/v1/terminal/package'].get.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'since', in: 'query' })]),
    );
    expect(docs.body.paths['/v1/performances/{performanceId}/close'].post).toBeDefined();
    expect(docs.body.paths['/v1/performances/{performanceId}/gate-report'].get).toBeDefined();
  });

  it('is for enrolled terminals only: staff get 403, a revoked terminal 401 at once', async () => {
    const staff = await s.request('GET', '/v1/terminal/package', {
      token: setup.organizer.owner.token,
    });
    expect(staff.status).toBe(403);
    const anonymous = await s.request('GET', '/v1/terminal/package');
    expect(anonymous.status).toBe(401);
    const doomed = await enrolTerminal(s, setup, { gate: 'East' });
    await fetchPackage(doomed);
    const revoked = await s.request(
      'DELETE',
      `/v1/organizers/${setup.organizer.id}/terminals/${doomed.id}`,
      { token: setup.organizer.owner.token },
    );
    expect(revoked.status).toBeLessThan(300);
    const refused = await s.request('GET', '/v1/terminal/package', { token: doomed.token });
    expect(refused.status).toBe(401);
  });

  it('the worker makes missing records off the purchase path, and remakes one after a transfer', async () => {
    const late = await s.createBuyer();
    const [, second] = setup.performanceIds as [string, string];
    const { order } = await buy(s, late, {
      performanceId: second,
      categoryId: setup.categories['Bar card'] as string,
      quantity: 1,
    });
    const [card] = await ticketsOfOrder(s, late, order?.body.id);
    const recordOf = (ticketId: string) =>
      s.database.db
        .selectFrom('manual_code_records')
        .selectAll()
        .where('ticket_id', '=', ticketId)
        .executeTakeFirst();
    expect(await recordOf(card?.id as string)).toBeUndefined();
    const round = await reconcileOnce(s.ticketing);
    expect(round.manualCodesMade).toBeGreaterThanOrEqual(1);
    const made = await recordOf(card?.id as string);
    expect(made).toMatchObject({ revision: 1, iterations });
    // Nothing left to do: the next round makes none.
    expect((await reconcileOnce(s.ticketing)).manualCodesMade).toBe(0);

    const recipient = await s.createBuyer();
    const offered = await s.request('POST', `/v1/tickets/${card?.id}/transfers`, {
      token: late.token,
      body: { toPhone: recipient.phone },
    });
    await s.request('POST', `/v1/transfers/${offered.body.id}/accept`, {
      token: recipient.token,
      body: { deviceId: recipient.deviceId },
    });
    expect((await reconcileOnce(s.ticketing)).manualCodesMade).toBe(1);
    const remade = await recordOf(card?.id as string);
    expect(remade?.revision).toBe(2);
    expect(remade?.salt).not.toBe(made?.salt);

    // An event weeks away is left alone: its hashing must not compete with its on-sale.
    const later = await setupEvent(s, { name: 'Next season' });
    const early = await s.createBuyer();
    const bought = await buy(s, early, {
      performanceId: later.performanceIds[0] as string,
      categoryId: later.categories.Seated as string,
      quantity: 1,
    });
    const [ahead] = await ticketsOfOrder(s, early, bought.order?.body.id);
    expect((await reconcileOnce(s.ticketing)).manualCodesMade).toBe(0);
    expect(await recordOf(ahead?.id as string)).toBeUndefined();
  });

  it('comes gzipped to a terminal that accepts it, once it is large', async () => {
    const second = setup.performanceIds[1] as string;
    const big = await enrolTerminal(s, setup, { gate: 'West', performanceIds: [second] });
    const holder = await s.createBuyer();
    await mintDirect(s, setup, second, setup.categories['Bar card'] as string, holder, 60);
    const plain = await fetchPackage(big);
    expect(plain.manualCodes.length).toBeGreaterThanOrEqual(60);
    const zipped = await s.app.inject({
      method: 'GET',
      url: '/v1/terminal/package',
      headers: { authorization: `Bearer ${big.token}`, 'accept-encoding': 'gzip, deflate' },
    });
    expect(zipped.statusCode).toBe(200);
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.rawPayload.length).toBeLessThan(JSON.stringify(plain).length / 2);
    const unzipped = JSON.parse(gunzipSync(zipped.rawPayload).toString('utf8')) as EventPackage;
    expect(unzipped.manualCodes).toEqual(plain.manualCodes);
    expect(unzipped.keys).toEqual(plain.keys);
    // Small answers (no changes since a settled cursor) stay plain.
    settle();
    const caughtUp = await fetchPackage(big, { since: plain.cursor });
    const small = await s.app.inject({
      method: 'GET',
      url: `/v1/terminal/package?since=${caughtUp.cursor}`,
      headers: { authorization: `Bearer ${big.token}`, 'accept-encoding': 'gzip' },
    });
    expect(small.headers['content-encoding']).toBeUndefined();
    expect(small.json().full).toBe(false);
  });
});
