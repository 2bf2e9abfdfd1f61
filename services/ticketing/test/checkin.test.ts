/**
 * The organizer's check-in dashboard (issue 20 items 2 and 3, server): the snapshot against the
 * gate report, the live feed (online admissions, offline uploads, refusals, resume), the feed on
 * another instance (PostgreSQL), the admission log searched and paged, one ticket's history,
 * and nothing of it for another organizer's staff.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sseKeepAliveMs } from '@tessera/service-kit/sse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { dashboardsPerCallerMax, openDashboards } from '../src/checkin/live.ts';
import { createTicketing } from '../src/context.ts';
import { startInstanceBus } from '../src/instance-bus.ts';
import { allRoutes } from '../src/routes.ts';
import { type Buyer, buy, type EventSetup, setupEvent } from './fixtures.ts';
import {
  barcode,
  enrolTerminal,
  type HeldTicket,
  nowS,
  type OfflineAdmission,
  scan,
  type Terminal,
  ticketsOfOrder,
  toDoors,
  upload,
} from './gate-kit.ts';
import { backends, startTestSystem, type TestSystem } from './harness.ts';

const atVenue = { latitude: 37.4786, longitude: 127.0115, accuracyM: 15 };
/** About 2 km north of the venue, whose radius is 300 m. */
const downTheRoad = { latitude: 37.4966, longitude: 127.0115, accuracyM: 20 };

/** Waits until `check` passes, or fails after `ms`. */
async function until(check: () => boolean, what: string, ms = 5_000) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`waited ${ms} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

interface SseEvent {
  id: string | undefined;
  event: string;
  data: Record<string, unknown>;
}

/** An open event stream, its events parsed as they come. */
async function openStream(port: number, path: string, headers: Record<string, string>) {
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers }, resolve);
    req.on('error', reject);
    req.end();
  });
  let text = '';
  const events: SseEvent[] = [];
  response.setEncoding('utf8');
  response.on('data', (chunk: string) => {
    text += chunk;
    let end = text.indexOf('\n\n');
    while (end >= 0) {
      const block = text.slice(0, end);
      text = text.slice(end + 2);
      end = text.indexOf('\n\n');
      const field = (name: string) =>
        block
          .split('\n')
          .find((line) => line.startsWith(`${name}:`))
          ?.slice(name.length + 1)
          .trim();
      const event = field('event');
      const data = field('data');
      if (event && data) events.push({ id: field('id'), event, data: JSON.parse(data) });
    }
  });
  return { response, events, close: () => response.destroy() };
}

const portOf = (app: { server: { address(): unknown } }) =>
  (app.server.address() as AddressInfo).port;

describe.each(backends)('the check-in dashboard on %s', (backend) => {
  let s: TestSystem;
  beforeAll(async () => {
    s = await startTestSystem(backend);
  });
  afterAll(async () => {
    await s?.close();
  });

  let nonceCounter = 0;
  const nonce = () => `nonce-${backend}-${++nonceCounter}-${Math.random().toString(36).slice(2)}`;

  interface Show {
    setup: EventSetup;
    performanceId: string;
    owner: string;
    north: Terminal;
    south: Terminal;
  }

  async function show(): Promise<Show> {
    const setup = await setupEvent(s, {
      standing: 50,
      categories: [
        {
          name: 'Pass',
          pricing: 'crypto',
          priceAsset: 'USDT',
          price: '10',
          seating: 'ga',
          area: 'Standing',
          kind: 'single',
        },
      ],
    });
    const north = await enrolTerminal(s, setup, { gate: 'North' });
    const south = await enrolTerminal(s, setup, { gate: 'South' });
    return {
      setup,
      performanceId: setup.performanceIds[0] as string,
      owner: setup.organizer.owner.token,
      north,
      south,
    };
  }

  async function passOf(on: Show, buyer: Buyer) {
    const { order } = await buy(s, buyer, {
      performanceId: on.performanceId,
      categoryId: on.setup.categories.Pass as string,
      quantity: 1,
    });
    const [ticket] = await ticketsOfOrder(s, buyer, order?.body.id);
    if (!ticket) throw new Error('no ticket');
    return ticket;
  }

  const admit = async (gate: Terminal, ticket: HeldTicket, buyer: Buyer, position = atVenue) => {
    const answer = await scan(s, gate, {
      barcode: await barcode(ticket, buyer.signer, nowS(s)),
      position,
    });
    expect(answer.status, answer.raw).toBe(200);
    return answer.body;
  };

  const offline = (on: Show, ticket: HeldTicket, atMs: number): OfflineAdmission => ({
    nonce: nonce(),
    performanceCode: on.setup.performanceCodes[0] as string,
    ticketId: ticket.number,
    revision: ticket.revision,
    direction: 'entry',
    scannedAt: new Date(atMs).toISOString(),
    presentationTimeS: Math.floor(atMs / 1000) - 3,
    position: atVenue,
  });

  /** Two holders admitted, one outside the venue, one refused again, one offline duplicate. */
  async function busyDoors() {
    const on = await show();
    const [ann, bob] = [await s.createBuyer(), await s.createBuyer()];
    const [annPass, bobPass] = [await passOf(on, ann), await passOf(on, bob)];
    toDoors(s, on.setup.startsAt);
    expect((await admit(on.north, annPass, ann)).admitted).toBe(true);
    s.clock.advance(61_000);
    expect((await admit(on.south, bobPass, bob, downTheRoad)).admitted).toBe(true);
    s.clock.advance(5_000);
    expect(await admit(on.south, annPass, ann)).toMatchObject({ reason: 'already_used' });
    const copied = await upload(s, on.north, [offline(on, bobPass, s.clock.now() - 1_000)]);
    expect(copied.body.results[0]).toMatchObject({ recorded: 'new', duplicate: true });
    return { on, ann, bob, annPass, bobPass };
  }

  it('opens on a snapshot whose figures are the gate report’s', async () => {
    const { on, annPass } = await busyDoors();
    const url = `/v1/performances/${on.performanceId}`;
    const snapshot = await s.request('GET', `${url}/checkin`, { token: on.owner });
    expect(snapshot.status, snapshot.raw).toBe(200);
    const report = await s.request('GET', `${url}/gate-report`, { token: on.owner });
    expect(report.status, report.raw).toBe(200);
    const live = snapshot.body;
    const { tickets, admissions, refusals } = report.body;
    expect(live).toMatchObject({
      expected: tickets.sold,
      admitted: tickets.admitted,
      entries: admissions.entries,
      exits: admissions.exits,
      duplicates: admissions.duplicates,
      outsideVenue: admissions.outsideVenue,
      online: admissions.online,
      offline: admissions.offline,
      refusals,
    });
    // And the figures themselves, so that both cannot be wrong together.
    expect(live).toMatchObject({
      expected: 2,
      admitted: 2,
      inside: 2,
      entries: 3,
      exits: 0,
      duplicates: 1,
      outsideVenue: 1,
      online: 2,
      offline: 1,
      refusals: [{ reason: 'already_used', count: 1 }],
      storedValueDebits: [],
    });
    expect(live.performance.venue).toMatchObject({ timeZone: 'Asia/Seoul', radiusM: 300 });
    // The report counts per gate and quarter hour; summed per gate, the dashboard's lines.
    const perGate = new Map<string, { entries: number; duplicates: number }>();
    for (const cell of report.body.gates as {
      gate: string;
      entries: number;
      duplicates: number;
    }[]) {
      const line = perGate.get(cell.gate) ?? { entries: 0, duplicates: 0 };
      line.entries += cell.entries;
      line.duplicates += cell.duplicates;
      perGate.set(cell.gate, line);
    }
    expect(
      live.gates.map((line: { gate: string; entries: number; duplicates: number }) => [
        line.gate,
        { entries: line.entries, duplicates: line.duplicates },
      ]),
    ).toEqual([...perGate.entries()]);
    expect(live.gates).toEqual([
      { gate: 'North', entries: 2, exits: 0, duplicates: 1, outsideVenue: 0 },
      { gate: 'South', entries: 1, exits: 0, duplicates: 0, outsideVenue: 1 },
    ]);
    expect(live.perMinute.map((line: { entries: number }) => line.entries)).toHaveLength(3);
    expect(
      live.perMinute.reduce((n: number, line: { entries: number }) => n + line.entries, 0),
    ).toBe(3);
    const seqs = live.recent.map((admission: { seq: number }) => admission.seq);
    expect(seqs).toEqual([...seqs].sort((a: number, b: number) => b - a));
    expect(live.lastSeq).toBe(seqs[0]);
    expect(live.recent).toHaveLength(3);
    expect(live.recent.at(-1)).toMatchObject({
      ticketNumber: annPass.number,
      gate: 'North',
      source: 'online',
      direction: 'entry',
      duplicate: false,
      outsideVenue: false,
      latitude: atVenue.latitude,
    });
    expect(
      live.flagged.map((a: { duplicate: boolean; outsideVenue: boolean }) => [
        a.duplicate,
        a.outsideVenue,
      ]),
    ).toEqual([
      [true, false],
      [false, true],
    ]);
    expect(live.points).toHaveLength(3);
    const south = live.terminals.find((t: { id: string }) => t.id === on.south.id);
    expect(south).toMatchObject({ gate: 'South', outsideVenue: true });
    expect(south.lastFix).toMatchObject({ latitude: downTheRoad.latitude });
  });

  it('shares a recent snapshot with a caller that accepts one, never one older than asked', async () => {
    const on = await show();
    const [ann, bob] = [await s.createBuyer(), await s.createBuyer()];
    const [annPass, bobPass] = [await passOf(on, ann), await passOf(on, bob)];
    toDoors(s, on.setup.startsAt);
    const url = `/v1/performances/${on.performanceId}/checkin`;
    const read = (query = '') => s.request('GET', `${url}${query}`, { token: on.owner });
    expect((await admit(on.north, annPass, ann)).admitted).toBe(true);
    const first = await read('?maxAgeMs=5000');
    expect(first.status, first.raw).toBe(200);
    expect(first.body.admitted).toBe(1);
    expect((await admit(on.north, bobPass, bob)).admitted).toBe(true);
    // Made for the first caller a moment ago: the same snapshot, lastSeq and all (the feed's
    // replay after that lastSeq brings Bob's admission to the dashboard).
    const shared = await read('?maxAgeMs=5000');
    expect(shared.body).toEqual(first.body);
    // Not accepting one: made now, with Bob in.
    const fresh = await read();
    expect(fresh.body.admitted).toBe(2);
    expect(fresh.body.lastSeq).toBeGreaterThan(first.body.lastSeq);
    // A caller that accepts 1 ms gets a snapshot with Bob in as soon as 1 ms has passed.
    let recent = first.body;
    for (let tries = 0; recent.admitted !== 2 && tries < 100; tries++) {
      recent = (await read('?maxAgeMs=1')).body;
    }
    expect(recent.admitted).toBe(2);
    expect(recent.lastSeq).toBe(fresh.body.lastSeq);
    for (const bad of ['?maxAgeMs=5001', '?maxAgeMs=-1', '?maxAgeMs=soon', '?maxAge=1']) {
      const refused = await read(bad);
      expect(refused.status, bad).toBe(400);
    }
  });

  it('shows nothing to another organizer’s staff', async () => {
    const { on, annPass } = await busyDoors();
    const stranger = (await s.createOrganizer('Elsewhere')).owner.token;
    const url = `/v1/performances/${on.performanceId}/checkin`;
    for (const path of [url, `${url}/log`, `${url}/feed`, `/v1/tickets/${annPass.id}/history`]) {
      const answer = await s.request('GET', path, { token: stranger });
      expect(answer.status, path).toBe(404);
    }
  });

  it('streams admissions online and uploaded, and refusals; resumes after its last event', async () => {
    const on = await show();
    const [ann, bob, cat] = [await s.createBuyer(), await s.createBuyer(), await s.createBuyer()];
    const [annPass, bobPass, catPass] = [
      await passOf(on, ann),
      await passOf(on, bob),
      await passOf(on, cat),
    ];
    toDoors(s, on.setup.startsAt);
    const snapshot = await s.request('GET', `/v1/performances/${on.performanceId}/checkin`, {
      token: on.owner,
    });
    const path = `/v1/performances/${on.performanceId}/checkin/feed`;
    const auth = { authorization: `Bearer ${on.owner}` };
    const feed = await openStream(portOf(s.app), `${path}?since=${snapshot.body.lastSeq}`, auth);
    expect(feed.response.statusCode).toBe(200);
    expect(feed.response.headers['content-type']).toContain('text/event-stream');

    await admit(on.north, annPass, ann, downTheRoad);
    await until(() => feed.events.length === 1, 'the online admission');
    expect(feed.events[0]).toMatchObject({
      event: 'admission',
      data: {
        ticketNumber: annPass.number,
        gate: 'North',
        terminalId: on.north.id,
        source: 'online',
        direction: 'entry',
        duplicate: false,
        outsideVenue: true,
        latitude: downTheRoad.latitude,
        debit: '0',
      },
    });
    expect(feed.events[0]?.id).toBe(String(feed.events[0]?.data.seq));
    expect(feed.events[0]?.data.admissionId).toMatch(/^adm_/);
    // What the terminals' feed sends stays as it was: no position, no source.
    const gates = await openStream(portOf(s.app), '/v1/terminal/feed?since=0', {
      authorization: `Bearer ${on.south.token}`,
    });
    await until(() => gates.events.length === 1, "the terminals' replay");
    gates.close();
    expect(Object.keys(gates.events[0]?.data ?? {}).sort()).toEqual(
      [
        'debit',
        'direction',
        'duplicate',
        'gate',
        'performanceCode',
        'performanceId',
        'presentationTimeS',
        'revision',
        'scannedAt',
        'seq',
        'terminalId',
        'ticketId',
      ].sort(),
    );

    s.clock.advance(30_000);
    await admit(on.south, annPass, ann);
    await until(() => feed.events.length === 2, 'the refusal');
    expect(feed.events[1]).toMatchObject({
      id: undefined,
      event: 'refusal',
      data: { gate: 'South', terminalId: on.south.id, reason: 'already_used', input: 'barcode' },
    });
    expect(feed.events[1]?.data.ticketNumber).toBe(annPass.number);

    const copied = await upload(s, on.south, [offline(on, annPass, s.clock.now() - 5_000)]);
    expect(copied.body.results[0]).toMatchObject({ duplicate: true });
    await until(() => feed.events.length === 3, 'the upload');
    expect(feed.events[2]).toMatchObject({
      event: 'admission',
      data: { ticketNumber: annPass.number, source: 'offline', duplicate: true, gate: 'South' },
    });
    const lastId = feed.events[2]?.id as string;
    feed.close();

    // While the dashboard is away, two more people come in; it resumes where it stopped.
    await admit(on.north, bobPass, bob);
    await admit(on.north, catPass, cat);
    const again = await openStream(portOf(s.app), path, { ...auth, 'last-event-id': lastId });
    await until(() => again.events.length === 2, 'the replay');
    expect(again.events.map((event) => event.data.ticketNumber)).toEqual([
      bobPass.number,
      catPass.number,
    ]);
    expect(Number(again.events[0]?.id)).toBeGreaterThan(Number(lastId));
    again.close();
  });

  it('holds at most six dashboard feeds per user, and frees one when it closes', async () => {
    const on = await show();
    const path = `/v1/performances/${on.performanceId}/checkin/feed`;
    const auth = { authorization: `Bearer ${on.owner}` };
    const open = [];
    for (let i = 0; i < dashboardsPerCallerMax; i++) {
      const feed = await openStream(portOf(s.app), path, auth);
      expect(feed.response.statusCode).toBe(200);
      open.push(feed);
    }
    expect(openDashboards(s.ticketing)).toBeGreaterThanOrEqual(dashboardsPerCallerMax);
    const refused = await s.request('GET', path, { token: on.owner });
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('too_many_streams');
    open.pop()?.close();
    await until(() => openDashboards(s.ticketing) === dashboardsPerCallerMax - 1, 'the close');
    const again = await openStream(portOf(s.app), path, auth);
    expect(again.response.statusCode).toBe(200);
    for (const feed of [...open, again]) feed.close();
    await until(() => openDashboards(s.ticketing) === 0, 'every close');
  });

  it('ends the stream at once when its session is signed out', async () => {
    const on = await show();
    const staff = await s.signIn();
    const staffUrl = `/v1/organizers/${on.setup.organizer.id}/staff`;
    const role = (phone: string, name: string) =>
      s.request('PUT', `${staffUrl}/${encodeURIComponent(phone)}`, {
        token: on.owner,
        body: { role: name },
      });
    expect((await role(staff.phone, 'box_office')).status).toBe(200);
    // The gate role admits people but does not read sales: not the dashboard.
    const gatekeeper = await s.signIn();
    expect((await role(gatekeeper.phone, 'gate')).status).toBe(200);
    const forbidden = await s.request('GET', `/v1/performances/${on.performanceId}/checkin`, {
      token: gatekeeper.token,
    });
    expect(forbidden.status).toBe(403);
    const feed = await openStream(
      portOf(s.app),
      `/v1/performances/${on.performanceId}/checkin/feed`,
      { authorization: `Bearer ${staff.token}` },
    );
    expect(feed.response.statusCode).toBe(200);
    let ended = false;
    feed.response.on('end', () => {
      ended = true;
    });
    const out = await s.request('DELETE', '/v1/auth/session', { token: staff.token });
    expect(out.status, out.raw).toBeLessThan(300);
    // At once: well before the next keep-alive would have checked the session.
    await until(() => ended, 'the end of the stream', sseKeepAliveMs / 3);
  });

  it('searches the admission log by ticket, phone, gate and decision, page by page', async () => {
    const { on, ann, bob, annPass, bobPass } = await busyDoors();
    const log = (query: string) =>
      s.request('GET', `/v1/performances/${on.performanceId}/checkin/log?${query}`, {
        token: on.owner,
      });
    const all = await log('');
    expect(all.status, all.raw).toBe(200);
    // Ann admitted, Bob admitted outside, Ann refused, Bob's offline copy: newest first.
    expect(
      all.body.entries.map((entry: { ticketNumber: string; reason: string }) => [
        entry.ticketNumber,
        entry.reason,
      ]),
    ).toEqual([
      [bobPass.number, 'duplicate'],
      [annPass.number, 'already_used'],
      [bobPass.number, 'valid'],
      [annPass.number, 'valid'],
    ]);
    expect(all.body.next).toBeNull();
    expect(all.body.entries[3]).toMatchObject({
      gate: 'North',
      terminalId: on.north.id,
      terminalName: on.north.name,
      input: 'barcode',
      admitted: true,
      ticketId: annPass.id,
      holderPhone: ann.phone,
      source: 'online',
      direction: 'entry',
      duplicate: false,
      outsideVenue: false,
    });

    const byNumber = await log(`q=${annPass.number.toUpperCase()}`);
    expect(byNumber.body.entries.map((e: { reason: string }) => e.reason)).toEqual([
      'already_used',
      'valid',
    ]);
    const local = `0${bob.phone.slice(3, 5)}-${bob.phone.slice(5, 9)}-${bob.phone.slice(9)}`;
    for (const phone of [bob.phone, local]) {
      const byPhone = await log(`q=${encodeURIComponent(phone)}`);
      expect(byPhone.status, byPhone.raw).toBe(200);
      expect(byPhone.body.entries.map((e: { ticketId: string }) => e.ticketId)).toEqual([
        bobPass.id,
        bobPass.id,
      ]);
    }
    expect((await log('q=nonsense!')).status).toBe(400);
    const south = await log('gate=South');
    expect(south.body.entries.map((e: { reason: string }) => e.reason)).toEqual([
      'already_used',
      'valid',
    ]);
    const decided = async (decision: string) =>
      (await log(`decision=${decision}`)).body.entries.map((e: { reason: string }) => e.reason);
    expect(await decided('refused')).toEqual(['already_used']);
    expect(await decided('duplicate')).toEqual(['duplicate']);
    expect(await decided('outside')).toEqual(['valid']);
    expect(await decided('admitted')).toHaveLength(3);

    const pages: string[][] = [];
    let cursor = '';
    for (let page = 0; page < 5; page++) {
      const answer = await log(`limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      pages.push(answer.body.entries.map((e: { id: string }) => e.id));
      if (!answer.body.next) break;
      cursor = answer.body.next;
    }
    expect(pages.map((page) => page.length)).toEqual([3, 1]);
    expect(pages.flat()).toEqual(all.body.entries.map((e: { id: string }) => e.id));
    const before = new Date(s.clock.now() - 30_000).toISOString();
    const early = await log(`to=${encodeURIComponent(before)}`);
    expect(early.body.entries.map((e: { ticketNumber: string }) => e.ticketNumber)).toEqual([
      annPass.number,
    ]);
    expect((await log('limit=201')).status).toBe(400);
  });

  it("tells one ticket's history: sold, transferred, scanned, in order", async () => {
    const on = await show();
    const [ann, bob] = [await s.createBuyer(), await s.createBuyer()];
    const pass = await passOf(on, ann);
    s.clock.advance(60_000);
    const offered = await s.request('POST', `/v1/tickets/${pass.id}/transfers`, {
      token: ann.token,
      body: { toPhone: bob.phone },
    });
    expect(offered.status, offered.raw).toBe(201);
    s.clock.advance(60_000);
    const accepted = await s.request('POST', `/v1/transfers/${offered.body.id}/accept`, {
      token: bob.token,
      body: { deviceId: bob.deviceId },
    });
    expect(accepted.status, accepted.raw).toBe(200);
    toDoors(s, on.setup.startsAt);
    const held = { ...pass, credential: accepted.body.credential, revision: 2 };
    expect((await admit(on.north, pass, ann)).admitted).toBe(false);
    s.clock.advance(1_000);
    expect((await admit(on.south, held, bob)).admitted).toBe(true);

    const history = await s.request('GET', `/v1/tickets/${pass.id}/history`, { token: on.owner });
    expect(history.status, history.raw).toBe(200);
    expect(history.body.ticket).toMatchObject({
      id: pass.id,
      number: pass.number,
      performanceId: on.performanceId,
      category: 'Pass',
      seat: null,
      status: 'valid',
      holderPhone: bob.phone,
      revision: 2,
    });
    const events = history.body.events;
    expect(events.map((event: { kind: string }) => event.kind)).toEqual([
      'sold',
      'transferred',
      'scan',
      'scan',
    ]);
    expect(events[0]).toMatchObject({ orderId: pass.orderId, toPhone: ann.phone, revision: 1 });
    expect(events[1]).toMatchObject({ fromPhone: ann.phone, toPhone: bob.phone, revision: 1 });
    expect(events[2]).toMatchObject({ gate: 'North', admitted: false, reason: 'revoked' });
    expect(events[3]).toMatchObject({
      gate: 'South',
      terminalName: on.south.name,
      admitted: true,
      source: 'online',
      direction: 'entry',
      duplicate: false,
    });
    const times = events.map((event: { at: string }) => Date.parse(event.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('hears on one instance what another recorded (PostgreSQL)', async () => {
    if (backend === 'sqlite') return; // one process: no other instance to hear from
    const other = createTicketing({
      config: s.ticketing.config,
      database: s.database,
      clock: s.clock,
      sms: s.sms,
      exchange: s.ticketing.exchange,
    });
    const otherApp = await buildApp(other, allRoutes);
    const quiet = { warn: () => {}, info: () => {} };
    const buses = [startInstanceBus(s.ticketing, quiet), startInstanceBus(other, quiet)];
    try {
      await Promise.all(buses.map((bus) => bus?.listening));
      await otherApp.listen({ host: '127.0.0.1', port: 0 });
      const on = await show();
      const ann = await s.createBuyer();
      const pass = await passOf(on, ann);
      toDoors(s, on.setup.startsAt);
      const feed = await openStream(
        portOf(otherApp),
        `/v1/performances/${on.performanceId}/checkin/feed`,
        { authorization: `Bearer ${on.owner}` },
      );
      expect(feed.response.statusCode).toBe(200);
      await admit(on.north, pass, ann);
      s.clock.advance(5_000);
      await admit(on.north, pass, ann);
      await until(() => feed.events.length === 2, 'the other instance’s events');
      expect(feed.events.map((event) => event.event)).toEqual(['admission', 'refusal']);
      expect(feed.events[0]?.data).toMatchObject({ ticketNumber: pass.number, gate: 'North' });
      feed.close();
    } finally {
      await Promise.all(buses.map((bus) => bus?.stop()));
      await otherApp.close();
    }
  });
});
