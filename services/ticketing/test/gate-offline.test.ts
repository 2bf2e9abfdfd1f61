/**
 * Offline admissions and live sync (claim 11's afterwards, unit 412): what terminals admitted
 * with no network comes up in batches with nonces. Uploaded twice, out of order, or after the
 * performance closed, each admission is counted once; a scan the ticket no longer covered (two
 * gates offline admitted the same ticket) is kept and flagged a duplicate, and the first
 * admission stays the earliest scan whatever order the uploads come in; scans outside the venue
 * radius are flagged. The live feed (server-sent events, over a real socket) tells every online
 * terminal of the performance about each admission within a second.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Buyer, buy, type EventSetup, setupEvent } from './fixtures.ts';
import {
  admissionsOf,
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

describe.each(backends)('offline admissions and live sync on %s', (backend) => {
  let s: TestSystem;
  beforeAll(async () => {
    s = await startTestSystem(backend);
  });
  afterAll(async () => {
    await s?.close();
  });

  let nonceCounter = 0;
  const nonce = () => `nonce-${backend}-${++nonceCounter}-${Math.random().toString(36).slice(2)}`;

  async function show(category: Record<string, unknown> = { kind: 'single' }) {
    return setupEvent(s, {
      standing: 200,
      categories: [
        {
          name: 'Pass',
          pricing: 'crypto',
          priceAsset: 'USDT',
          price: '10',
          seating: 'ga',
          area: 'Standing',
          ...category,
        },
      ],
    });
  }

  async function passes(setup: EventSetup, buyer: Buyer, quantity: number) {
    const { order } = await buy(s, buyer, {
      performanceId: setup.performanceIds[0] as string,
      categoryId: setup.categories.Pass as string,
      quantity,
    });
    const tickets = await ticketsOfOrder(s, buyer, order?.body.id);
    expect(tickets).toHaveLength(quantity);
    return tickets;
  }

  /** What a terminal wrote down when it admitted `ticket` offline at `atMs`. */
  const offline = (
    setup: EventSetup,
    ticket: HeldTicket,
    atMs: number,
    extra: Partial<OfflineAdmission> = {},
  ): OfflineAdmission => ({
    nonce: nonce(),
    performanceCode: setup.performanceCodes[0] as string,
    ticketId: ticket.number,
    revision: ticket.revision,
    direction: 'entry',
    scannedAt: new Date(atMs).toISOString(),
    presentationTimeS: Math.floor(atMs / 1000) - 3,
    position: atVenue,
    ...extra,
  });

  it('counts an upload sent twice, or twice at once, once', async () => {
    const setup = await show();
    const buyer = await s.createBuyer();
    const tickets = await passes(setup, buyer, 4);
    const gate = await enrolTerminal(s, setup);
    toDoors(s, setup.startsAt);
    const start = s.clock.now();
    s.clock.advance(10 * 60_000);

    const batch = tickets.slice(0, 3).map((ticket, i) => offline(setup, ticket, start + i * 1000));
    const first = await upload(s, gate, batch, 1);
    expect(first.status, first.raw).toBe(200);
    expect(first.body.results).toEqual(
      batch.map((admission) => ({
        nonce: admission.nonce,
        recorded: 'new',
        duplicate: false,
        outsideVenue: false,
        revokedRevision: false,
      })),
    );
    // The answer was lost; the terminal sends the whole batch again.
    const again = await upload(s, gate, batch, 1);
    expect(again.body.results.map((r: { recorded: string }) => r.recorded)).toEqual([
      'already',
      'already',
      'already',
    ]);
    // A retry racing the original: the same nonce sent in two requests at once.
    const last = offline(setup, tickets[3] as HeldTicket, start + 5000);
    const racing = await Promise.all([upload(s, gate, [last], 0), upload(s, gate, [last], 0)]);
    expect(racing.map((r) => r.status)).toEqual([200, 200]);
    expect(racing.map((r) => r.body.results[0].recorded).sort()).toEqual(['already', 'new']);

    for (const [i, ticket] of tickets.entries()) {
      const rows = await admissionsOf(s, ticket.id);
      expect(rows, `ticket ${i}`).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        source: 'offline',
        terminal_id: gate.id,
        gate: 'North',
        duplicate: 0,
        scanned_at: i < 3 ? start + i * 1000 : start + 5000,
        latitude: atVenue.latitude,
      });
    }
    const terminal = await s.database.db
      .selectFrom('terminals')
      .select(['pending_uploads', 'last_seen_at'])
      .where('id', '=', gate.id)
      .executeTakeFirstOrThrow();
    expect(terminal).toMatchObject({ pending_uploads: 0, last_seen_at: s.clock.now() });

    // The uploaded admissions count at the gate: the barcode is now refused.
    const online = await scan(s, gate, {
      barcode: await barcode(tickets[0] as HeldTicket, buyer.signer, nowS(s)),
    });
    expect(online.body).toMatchObject({ admitted: false, reason: 'already_used' });
  });

  it('two gates that admitted the same ticket offline: counted once, the later scan flagged, both kept', async () => {
    const setup = await show();
    const buyer = await s.createBuyer();
    const [ticket] = (await passes(setup, buyer, 1)) as [HeldTicket];
    const north = await enrolTerminal(s, setup, { gate: 'North' });
    const south = await enrolTerminal(s, setup, { gate: 'South' });
    toDoors(s, setup.startsAt);
    const early = s.clock.now();
    const late = early + 5 * 60_000;
    s.clock.advance(30 * 60_000);

    // North admitted it first; South, five minutes later, a copy. South's network comes back
    // first, so the later scan reaches the server first.
    const southUpload = await upload(s, south, [offline(setup, ticket, late)]);
    expect(southUpload.body.results[0]).toMatchObject({ recorded: 'new' });
    const northUpload = await upload(s, north, [offline(setup, ticket, early)]);
    expect(northUpload.body.results[0]).toMatchObject({ recorded: 'new' });

    // Both scans are kept; exactly one of them is counted.
    const rows = await admissionsOf(s, ticket.id);
    expect(rows).toHaveLength(2);
    expect(rows.filter((row) => row.duplicate === 0)).toHaveLength(1);
    const distinct = await s.database.db
      .selectFrom('admissions')
      .select((eb) => eb.fn.count<number>('ticket_id').distinct().as('n'))
      .where('performance_id', '=', setup.performanceIds[0] as string)
      .where('duplicate', '=', 0)
      .executeTakeFirstOrThrow();
    expect(Number(distinct.n)).toBe(1);

    // The admission is the earliest scan, whatever order the uploads came in: North's at
    // `early`; South's copy is the duplicate, and a gate is told North let the ticket in.
    const byGate = Object.fromEntries(rows.map((row) => [row.gate, row.duplicate]));
    expect(byGate, 'the scan flagged as the duplicate').toEqual({ North: 0, South: 1 });
    const online = await scan(s, south, {
      barcode: await barcode(ticket, buyer.signer, nowS(s)),
    });
    expect(online.body).toMatchObject({
      admitted: false,
      reason: 'already_used',
      firstAdmission: { gate: 'North', at: new Date(early).toISOString() },
    });
  });

  it('refuses scan times from the future or over a month old, and takes a late weekend upload', async () => {
    const setup = await show();
    const buyer = await s.createBuyer();
    const [early, late] = (await passes(setup, buyer, 2)) as [HeldTicket, HeldTicket];
    const gate = await enrolTerminal(s, setup);
    toDoors(s, setup.startsAt);
    const now = s.clock.now();
    const ahead = await upload(s, gate, [offline(setup, early, now + 60 * 60_000)]);
    expect(ahead.status).toBe(400);
    expect(ahead.body.error.code).toBe('invalid_time');
    const ancient = await upload(s, gate, [offline(setup, early, now - 40 * 86_400_000)]);
    expect(ancient.status).toBe(400);
    expect(await admissionsOf(s, early.id)).toEqual([]);
    // The terminal comes back three days after the doors: its scans are recorded.
    const scannedAt = now;
    s.clock.advance(3 * 86_400_000);
    const weekend = await upload(s, gate, [offline(setup, late, scannedAt)]);
    expect(weekend.status, weekend.raw).toBe(200);
    expect(weekend.body.results).toMatchObject([{ recorded: 'new' }]);
  });

  it('takes every revision the protocol allows (0 to 65,535) and no other', async () => {
    const setup = await show();
    const buyer = await s.createBuyer();
    const [ticket] = (await passes(setup, buyer, 1)) as [HeldTicket];
    const gate = await enrolTerminal(s, setup);
    toDoors(s, setup.startsAt);
    const now = s.clock.now();
    const beyond = await upload(s, gate, [offline(setup, ticket, now, { revision: 65_536 })]);
    expect(beyond.status).toBe(400);
    const zero = await upload(s, gate, [offline(setup, ticket, now, { revision: 0 })]);
    expect(zero.status, zero.raw).toBe(200);
    expect(zero.body.results).toMatchObject([{ recorded: 'new' }]);
  });

  it('flags an offline admission of a revision revoked before the scan, not one made before', async () => {
    const setup = await show();
    const seller = await s.createBuyer();
    const [ticket] = (await passes(setup, seller, 1)) as [HeldTicket];
    const gate = await enrolTerminal(s, setup, { gate: 'North' });
    const beforeTransfer = s.clock.now();
    s.clock.advance(60_000);
    const recipient = await s.createBuyer();
    const offer = await s.request('POST', `/v1/tickets/${ticket.id}/transfers`, {
      token: seller.token,
      body: { toPhone: recipient.phone },
    });
    const accepted = await s.request('POST', `/v1/transfers/${offer.body.id}/accept`, {
      token: recipient.token,
      body: { deviceId: recipient.deviceId },
    });
    expect(accepted.status, accepted.raw).toBe(200);
    toDoors(s, setup.startsAt);
    // A gate whose package predates the transfer let the seller's old copy in; another scan of
    // revision 1 is dated before the transfer (a clock the terminal had wrong, or a pass used
    // earlier): only the first is an old holder's copy.
    const copy = offline(setup, ticket, s.clock.now());
    const early = offline(setup, ticket, beforeTransfer, { direction: 'exit' });
    const sent = await upload(s, gate, [copy, early]);
    expect(sent.body.results).toMatchObject([
      { recorded: 'new', revokedRevision: true },
      { recorded: 'new', revokedRevision: false },
    ]);
    const again = await upload(s, gate, [copy]);
    expect(again.body.results).toMatchObject([{ recorded: 'already', revokedRevision: true }]);
    const decisions = await s.database.db
      .selectFrom('gate_decisions')
      .select(['reason'])
      .where('terminal_id', '=', gate.id)
      .orderBy('seq')
      .execute();
    expect(decisions.map((row) => row.reason)).toContain('revoked');
    const report = await s.request(
      'GET',
      `/v1/performances/${setup.performanceIds[0]}/gate-report`,
      { token: setup.organizer.owner.token },
    );
    expect(report.body.admissions.revokedRevisions).toBe(1);
  });

  it('a multi-entry pass used offline past its entries: the scans beyond them are flagged, by scan time', async () => {
    const setup = await show({ kind: 'multi', entriesAllowed: 2 });
    const buyer = await s.createBuyer();
    const [ticket] = (await passes(setup, buyer, 1)) as [HeldTicket];
    const gates: Terminal[] = [];
    for (const gate of ['A', 'B', 'C']) gates.push(await enrolTerminal(s, setup, { gate }));
    toDoors(s, setup.startsAt);
    const t0 = s.clock.now();
    s.clock.advance(60 * 60_000);

    // Three offline entries at t0, t0+10 min, t0+20 min, by gates A, B, C; uploaded C, A, B.
    const scans = gates.map((_, i) => offline(setup, ticket, t0 + i * 10 * 60_000));
    for (const i of [2, 0, 1]) {
      const response = await upload(s, gates[i] as Terminal, [scans[i] as OfflineAdmission]);
      expect(response.body.results[0].recorded).toBe('new');
    }
    const rows = await admissionsOf(s, ticket.id);
    expect(rows).toHaveLength(3);
    expect(rows.filter((row) => row.duplicate === 1)).toHaveLength(1);
    const flagged = Object.fromEntries(rows.map((row) => [row.gate, row.duplicate]));
    expect(flagged, 'the entry beyond the two allowed').toEqual({ A: 0, B: 0, C: 1 });

    // The pass is used up online too.
    const online = await scan(s, gates[0] as Terminal, {
      barcode: await barcode(ticket, buyer.signer, nowS(s)),
    });
    expect(online.body).toMatchObject({ admitted: false, reason: 'entitlement_exhausted' });
  });

  it('accepts uploads after the performance closed: counted once, duplicates flagged', async () => {
    const setup = await show();
    const buyer = await s.createBuyer();
    const [one, two, three] = (await passes(setup, buyer, 3)) as [
      HeldTicket,
      HeldTicket,
      HeldTicket,
    ];
    const north = await enrolTerminal(s, setup, { gate: 'North' });
    const south = await enrolTerminal(s, setup, { gate: 'South' });
    toDoors(s, setup.startsAt);
    const doors = s.clock.now();

    // North uploaded part of its work during the show and still holds the rest.
    const sentEarly = offline(setup, one, doors + 60_000);
    expect((await upload(s, north, [sentEarly], 2)).status).toBe(200);
    const heldBack = [offline(setup, two, doors + 120_000), offline(setup, three, doors + 180_000)];
    // South admitted tickets two and three as well, later, the second outside the venue.
    const southWork = [
      offline(setup, two, doors + 600_000),
      offline(setup, three, doors + 900_000, { position: downTheRoad }),
    ];

    // After the show, staff close the performance.
    s.clock.advance(5 * 3_600_000);
    const closed = await s.request('POST', `/v1/performances/${setup.performanceIds[0]}/close`, {
      token: setup.organizer.owner.token,
      body: {},
    });
    expect(closed.status, closed.raw).toBe(200);
    // North said it still holds two: the close names it among the terminals to bring online.
    expect(
      closed.body.terminalsOutstanding.map((t: { id: string; pendingUploads: number }) => [
        t.id,
        t.pendingUploads,
      ]),
    ).toContainEqual([north.id, 2]);

    // The terminals come back online: everything is recorded, repeats once.
    const fromNorth = await upload(s, north, [sentEarly, ...heldBack], 0);
    expect(fromNorth.status, fromNorth.raw).toBe(200);
    expect(fromNorth.body.results.map((r: { recorded: string }) => r.recorded)).toEqual([
      'already',
      'new',
      'new',
    ]);
    const fromSouth = await upload(s, south, southWork, 0);
    expect(fromSouth.body.results).toEqual([
      expect.objectContaining({ recorded: 'new', duplicate: true, outsideVenue: false }),
      expect.objectContaining({ recorded: 'new', duplicate: true, outsideVenue: true }),
    ]);
    const againSouth = await upload(s, south, southWork, 0);
    expect(againSouth.body.results.map((r: { recorded: string }) => r.recorded)).toEqual([
      'already',
      'already',
    ]);

    // Five scans kept; each ticket counted once, by North; South's two copies flagged.
    const rows = await s.database.db
      .selectFrom('admissions')
      .select(['ticket_id', 'gate', 'duplicate', 'outside_venue'])
      .where('performance_id', '=', setup.performanceIds[0] as string)
      .execute();
    expect(rows).toHaveLength(5);
    const counted = rows.filter((row) => row.duplicate === 0);
    expect(counted.map((row) => row.ticket_id).sort()).toEqual([one.id, two.id, three.id].sort());
    expect(counted.every((row) => row.gate === 'North')).toBe(true);
    expect(
      rows
        .filter((row) => row.gate === 'South')
        .map((row) => [row.ticket_id, row.duplicate, row.outside_venue]),
    ).toEqual(
      expect.arrayContaining([
        [two.id, 1, 0],
        [three.id, 1, 1],
      ]),
    );
    const terminals = await s.database.db
      .selectFrom('terminals')
      .select('pending_uploads')
      .where('id', 'in', [north.id, south.id])
      .execute();
    expect(terminals.map((row) => row.pending_uploads)).toEqual([0, 0]);
  });

  it('flags scans outside the venue radius, online and offline', async () => {
    const setup = await show();
    const buyer = await s.createBuyer();
    const tickets = await passes(setup, buyer, 4);
    const gate = await enrolTerminal(s, setup);
    toDoors(s, setup.startsAt);

    const far = await scan(s, gate, {
      barcode: await barcode(tickets[0] as HeldTicket, buyer.signer, nowS(s)),
      position: downTheRoad,
    });
    expect(far.body.admitted).toBe(true);
    // 400 m off with 150 m of uncertainty may still be inside a 300 m radius: not flagged.
    const vague = await scan(s, gate, {
      barcode: await barcode(tickets[1] as HeldTicket, buyer.signer, nowS(s)),
      position: { latitude: 37.4822, longitude: 127.0115, accuracyM: 150 },
    });
    expect(vague.body.admitted).toBe(true);
    const uploaded = await upload(s, gate, [
      offline(setup, tickets[2] as HeldTicket, s.clock.now() - 60_000, { position: downTheRoad }),
      offline(setup, tickets[3] as HeldTicket, s.clock.now() - 50_000),
    ]);
    expect(uploaded.body.results.map((r: { outsideVenue: boolean }) => r.outsideVenue)).toEqual([
      true,
      false,
    ]);
    const flags = await Promise.all(
      tickets.map(async (ticket) => (await admissionsOf(s, ticket.id))[0]?.outside_venue),
    );
    expect(flags).toEqual([1, 0, 1, 0]);
  });

  /** An SSE client over a real socket: the events it has received so far. */
  async function openFeed(terminal: Terminal, headers: Record<string, string> = {}) {
    const { port } = s.app.server.address() as AddressInfo;
    const controller = new AbortController();
    const response = await fetch(`http://127.0.0.1:${port}/v1/terminal/feed`, {
      headers: { authorization: `Bearer ${terminal.token}`, ...headers },
      signal: controller.signal,
    });
    const events: { id: string; data: Record<string, unknown>; at: number }[] = [];
    let ended = false;
    if (response.body) {
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      void (async () => {
        try {
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            buffer += decoder.decode(value, { stream: true });
            let end = buffer.indexOf('\n\n');
            while (end >= 0) {
              const block = buffer.slice(0, end);
              buffer = buffer.slice(end + 2);
              const fields = new Map<string, string>();
              for (const line of block.split('\n')) {
                const colon = line.indexOf(':');
                if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
              }
              if (fields.get('event') === 'admission') {
                events.push({
                  id: fields.get('id') ?? '',
                  data: JSON.parse(fields.get('data') ?? '{}'),
                  at: Date.now(),
                });
              }
              end = buffer.indexOf('\n\n');
            }
          }
        } catch {
          // Aborted.
        }
        ended = true;
      })();
    }
    return {
      status: response.status,
      events,
      ended: () => ended,
      close: () => controller.abort(),
      /** Waits up to `ms` for an event matching `match`; its arrival time, or undefined. */
      async waitFor(match: (data: Record<string, unknown>) => boolean, ms = 2_000) {
        const deadline = Date.now() + ms;
        for (;;) {
          const found = events.find((event) => match(event.data));
          if (found || Date.now() > deadline) return found;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      },
    };
  }

  it('live feed: every online terminal of the performance hears of each admission within a second', async () => {
    const setup = await show();
    const buyer = await s.createBuyer();
    const [scanned, uploaded, later] = (await passes(setup, buyer, 3)) as [
      HeldTicket,
      HeldTicket,
      HeldTicket,
    ];
    const north = await enrolTerminal(s, setup, { gate: 'North' });
    const south = await enrolTerminal(s, setup, { gate: 'South' });
    const east = await enrolTerminal(s, setup, { gate: 'East' });
    const elsewhere = await setupEvent(s);
    const stranger = await enrolTerminal(s, elsewhere, { gate: 'Other' });
    toDoors(s, setup.startsAt);

    const feeds = {
      north: await openFeed(north),
      south: await openFeed(south),
      stranger: await openFeed(stranger),
    };
    try {
      expect(feeds.north.status).toBe(200);
      // An online admission at East reaches North and South.
      const sent = Date.now();
      const online = await scan(s, east, {
        barcode: await barcode(scanned, buyer.signer, nowS(s)),
      });
      expect(online.body.admitted).toBe(true);
      for (const feed of [feeds.north, feeds.south]) {
        const heard = await feed.waitFor((data) => data.ticketId === scanned.number);
        expect(heard, 'the admission on the feed').toBeDefined();
        expect((heard?.at ?? Number.POSITIVE_INFINITY) - sent).toBeLessThan(1_000);
        expect(heard?.data).toMatchObject({
          performanceCode: setup.performanceCodes[0],
          gate: 'East',
          terminalId: east.id,
          direction: 'entry',
          revision: 1,
          duplicate: false,
        });
      }
      // So does an offline admission East uploads.
      const before = Date.now();
      await upload(s, east, [offline(setup, uploaded, s.clock.now() - 60_000)]);
      const heard = await feeds.south.waitFor((data) => data.ticketId === uploaded.number);
      expect((heard?.at ?? Number.POSITIVE_INFINITY) - before).toBeLessThan(1_000);
      // Another organizer's terminal hears nothing of it.
      expect(feeds.stranger.events).toEqual([]);
      // Refusals are not admissions.
      await scan(s, east, { barcode: await barcode(scanned, buyer.signer, nowS(s) - 1) });

      // North loses the server, misses an admission, reconnects with Last-Event-ID: replayed.
      const lastSeen = feeds.north.events.at(-1)?.id as string;
      feeds.north.close();
      await scan(s, south, { barcode: await barcode(later, buyer.signer, nowS(s)) });
      feeds.north = await openFeed(north, { 'last-event-id': lastSeen });
      const replayed = await feeds.north.waitFor((data) => data.ticketId === later.number);
      expect(replayed?.data).toMatchObject({ gate: 'South' });
      expect(feeds.north.events).toHaveLength(1);
      expect(feeds.south.events.map((event) => event.data.ticketId)).toEqual([
        scanned.number,
        uploaded.number,
        later.number,
      ]);
    } finally {
      for (const feed of Object.values(feeds)) feed.close();
    }
  });

  it('live feed: a terminal revoked while connected hears nothing more', async () => {
    const setup = await show();
    const buyer = await s.createBuyer();
    const [first, second] = (await passes(setup, buyer, 2)) as [HeldTicket, HeldTicket];
    const north = await enrolTerminal(s, setup, { gate: 'North' });
    const stolen = await enrolTerminal(s, setup, { gate: 'South' });
    toDoors(s, setup.startsAt);
    const feed = await openFeed(stolen);
    try {
      await scan(s, north, { barcode: await barcode(first, buyer.signer, nowS(s)) });
      expect(await feed.waitFor((data) => data.ticketId === first.number)).toBeDefined();
      const revoked = await s.request(
        'DELETE',
        `/v1/organizers/${setup.organizer.id}/terminals/${stolen.id}`,
        { token: setup.organizer.owner.token },
      );
      expect(revoked.status).toBe(200);
      await scan(s, north, { barcode: await barcode(second, buyer.signer, nowS(s)) });
      expect(
        await feed.waitFor((data) => data.ticketId === second.number, 1_500),
        'an admission sent to a revoked terminal',
      ).toBeUndefined();
    } finally {
      feed.close();
    }
  });
});
