/**
 * Event close and the gate reconciliation report, through the HTTP API and the organizer command
 * line: terminals that have not delivered are named, admissions uploaded after the close still
 * count, stored-value remainders are refunded once (and only when nothing can still debit them),
 * and the report adds up the admissions against the sales.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/organizer.ts';
import { sendDueRefunds } from '../src/orders/refunds.ts';
import { remainderRefundId } from '../src/reports/gate/close.ts';
import { type GateReport, gateBucketMs } from '../src/reports/gate/report.ts';
import { type Buyer, buy, type EventSetup, setupEvent } from './fixtures.ts';
import {
  barcode,
  enrolTerminal,
  type HeldTicket,
  scan,
  type Terminal,
  ticketsOfOrder,
  toDoors,
  upload,
} from './gate-kit.ts';
import { backends, startTestSystem, type TestSystem } from './harness.ts';

/** At the venue of `setupEvent`, and some 10 km away (Seoul City Hall). */
const atVenue = { latitude: 37.4786, longitude: 127.0115, accuracyM: 10 };
const farAway = { latitude: 37.5665, longitude: 126.978, accuracyM: 10 };

/** Splits RFC 4180 text (CRLF line ends, quoted cells) into records. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let at = 0; at < text.length; at++) {
    const char = text[at];
    if (quoted) {
      if (char === '"' && text[at + 1] === '"') {
        field += '"';
        at += 1;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      record.push(field);
      field = '';
    } else if (char === '\r' && text[at + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      at += 1;
    } else field += char;
  }
  if (field !== '' || record.length > 0) throw new Error('the CSV does not end with CRLF');
  return records;
}

describe.each(backends)('event close and the gate report on %s', (backend) => {
  let s: TestSystem;
  let setup: EventSetup;
  let owner: string;
  let north: Terminal;
  let south: Terminal;
  let ann: Buyer;
  let annTicket: HeldTicket;
  let card: HeldTicket;
  let url: string;
  let first: string;
  let second: string;
  let third: string;

  const close = (performanceId: string, token = owner, body: Record<string, unknown> = {}) =>
    s.request('POST', `/v1/performances/${performanceId}/close`, { token, body });
  const report = async (performanceId: string, token = owner) => {
    const response = await s.request('GET', `/v1/performances/${performanceId}/gate-report`, {
      token,
    });
    if (response.status !== 200) throw new Error(`report: ${response.status} ${response.raw}`);
    return response.body as GateReport;
  };
  const remainderRefunds = (performanceId: string) =>
    s.database.db
      .selectFrom('refunds as r')
      .innerJoin('orders as o', 'o.id', 'r.order_id')
      .select(['r.id', 'r.ticket_id', 'r.amount', 'r.asset', 'r.status'])
      .where('o.performance_id', '=', performanceId)
      .where('r.id', 'like', 'rfsv%')
      .execute();
  const isoAt = (ms: number) => new Date(ms).toISOString();

  /** The organizer command line in this process, against the listening test server. */
  async function cli(args: string[], token = owner) {
    let stdout = '';
    let stderr = '';
    const sink = (append: (text: string) => void) =>
      new Writable({
        write(chunk, _encoding, done) {
          append(String(chunk));
          done();
        },
      });
    const code = await main(args, {
      stdout: sink((text) => {
        stdout += text;
      }),
      stderr: sink((text) => {
        stderr += text;
      }),
      stdin: process.stdin,
      env: { TESSERA_URL: url, TESSERA_TOKEN: token },
    });
    return { code, stdout, stderr };
  }

  beforeAll(async () => {
    s = await startTestSystem(backend, { TICKETING_MANUAL_CODE_ITERATIONS: '1000' });
    const address = s.app.server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    setup = await setupEvent(s, {
      performances: 3,
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
    owner = setup.organizer.owner.token;
    [first, second, third] = setup.performanceIds as [string, string, string];
    const seated = setup.categories.Seated as string;
    const barCard = setup.categories['Bar card'] as string;

    // Ann comes; Ben does not; Cat has a bar card.
    ann = await s.createBuyer();
    const ben = await s.createBuyer();
    const cat = await s.createBuyer();
    const annOrder = await buy(s, ann, { performanceId: first, categoryId: seated, quantity: 1 });
    await buy(s, ben, { performanceId: first, categoryId: seated, quantity: 1 });
    const catOrder = await buy(s, cat, { performanceId: first, categoryId: barCard, quantity: 1 });
    [annTicket] = (await ticketsOfOrder(s, ann, annOrder.order?.body.id)) as [HeldTicket];
    [card] = (await ticketsOfOrder(s, cat, catOrder.order?.body.id)) as [HeldTicket];
    // A bar card of the second performance, never used: all of it comes back.
    const dan = await s.createBuyer();
    await buy(s, dan, { performanceId: second, categoryId: barCard, quantity: 1 });

    north = await enrolTerminal(s, setup, { gate: 'North', name: 'North 1' });
    south = await enrolTerminal(s, setup, { gate: 'South', name: 'South 1' });
  });

  afterAll(async () => {
    await s?.close();
  });

  it('refuses to close before the start, without manage_catalogue, and at other organizers', async () => {
    const early = await close(first);
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('performance_not_started');

    const addStaff = async (role: string) => {
      const member = await s.signIn();
      const added = await s.request(
        'PUT',
        `/v1/organizers/${setup.organizer.id}/staff/${encodeURIComponent(member.phone)}`,
        { token: owner, body: { role } },
      );
      expect(added.status).toBeLessThan(300);
      return member.token;
    };
    const gate = await addStaff('gate');
    const boxOffice = await addStaff('box_office');
    expect((await close(first, gate)).status).toBe(403);
    expect((await close(first, boxOffice)).status).toBe(403);
    const asGate = await s.request('GET', `/v1/performances/${first}/gate-report`, {
      token: gate,
    });
    expect(asGate.status).toBe(403);
    expect((await report(first, boxOffice)).tickets.sold).toBe(3);

    const stranger = await s.createOrganizer('Another Hall');
    const theirs = await close(first, stranger.owner.token);
    expect(theirs.status).toBe(404);
    expect(theirs.body.error.code).toBe('not_found');
    const theirReport = await s.request('GET', `/v1/performances/${first}/gate-report`, {
      token: stranger.owner.token,
    });
    expect(theirReport.status).toBe(404);
    // A terminal is not staff.
    expect((await close(first, north.token)).status).toBe(403);

    const malformed = await close('perf_NOT-AN-ID');
    expect(malformed.status).toBe(400);
    const unknown = await close('perf_0000000000000000');
    expect(unknown.status).toBe(404);
    const extra = await close(first, owner, { force: 'yes' });
    expect(extra.status).toBe(400);
    const badTable = await s.request(
      'GET',
      `/v1/performances/${first}/gate-report?format=csv&table=everything`,
      { token: owner },
    );
    expect(badTable.status).toBe(400);
  });

  it('reports sales against admissions: duplicates with both scans, scans outside the venue, per gate and quarter hour', async () => {
    toDoors(s, setup.startsAt);
    const doorsMs = s.clock.now();
    const nowS = Math.floor(doorsMs / 1000);
    const online = await scan(s, north, {
      barcode: await barcode(annTicket, ann.signer, nowS),
      position: atVenue,
    });
    expect(online.body).toMatchObject({ admitted: true });
    // The same barcode again online is refused (the audit log counts it).
    const again = await scan(s, north, {
      barcode: await barcode(annTicket, ann.signer, nowS + 1),
      position: atVenue,
    });
    expect(again.body).toMatchObject({ admitted: false, reason: 'already_used' });

    // South was offline: it let Ann in again (from far away, its GPS says) and debited Cat's
    // bar card by 4 USDT (in the smallest unit).
    const offlineAt = doorsMs + 20 * 60_000;
    // South uploads once its network is back, a few minutes after those scans.
    if (s.clock.now() < offlineAt + 5 * 60_000)
      s.clock.advance(offlineAt + 5 * 60_000 - s.clock.now());
    const uploaded = await upload(
      s,
      south,
      [
        {
          nonce: 'south-0001',
          performanceCode: setup.performanceCodes[0] as string,
          ticketId: annTicket.number,
          revision: 1,
          direction: 'entry',
          scannedAt: isoAt(offlineAt),
          position: farAway,
        },
        {
          nonce: 'south-0002',
          performanceCode: setup.performanceCodes[0] as string,
          ticketId: card.number,
          revision: card.revision,
          direction: 'entry',
          scannedAt: isoAt(offlineAt + 60_000),
          debit: '4000000',
          position: atVenue,
        },
      ],
      0,
    );
    expect(uploaded.status).toBe(200);
    expect(uploaded.body.results).toMatchObject([
      { nonce: 'south-0001', recorded: 'new', duplicate: true, outsideVenue: true },
      { nonce: 'south-0002', recorded: 'new', duplicate: false, outsideVenue: false },
    ]);

    const r = await report(first);
    expect(r.performance).toMatchObject({
      id: first,
      code: setup.performanceCodes[0],
      status: 'scheduled',
      closedAt: null,
      venue: { radiusM: 300 },
    });
    expect(r.tickets).toEqual({ sold: 3, admitted: 2, noShows: 1 });
    expect(r.admissions).toEqual({
      entries: 3,
      exits: 0,
      online: 1,
      offline: 2,
      duplicates: 1,
      outsideVenue: 1,
      revokedRevisions: 0,
    });
    expect(r.refusals).toEqual([{ reason: 'already_used', count: 1 }]);

    // Both scans of the duplicate: the first online at North, the second uploaded by South.
    expect(r.duplicates.total).toBe(1);
    expect(r.duplicates.listed).toEqual([
      expect.objectContaining({
        ticketNumber: annTicket.number,
        category: 'Seated',
        seat: expect.stringMatching(/^A \d+-\d+$/),
        first: expect.objectContaining({
          admissionId: online.body.admissionId,
          gate: 'North',
          terminalName: 'North 1',
          source: 'online',
          at: isoAt(doorsMs),
          latitude: atVenue.latitude,
        }),
        duplicate: expect.objectContaining({
          gate: 'South',
          terminalId: south.id,
          source: 'offline',
          at: isoAt(offlineAt),
          latitude: farAway.latitude,
          longitude: farAway.longitude,
        }),
      }),
    ]);
    expect(r.outsideVenue.total).toBe(1);
    const outside = r.outsideVenue.listed[0];
    expect(outside).toMatchObject({ ticketNumber: annTicket.number, gate: 'South' });
    // Seoul City Hall is about 10 km from the Arts Center.
    expect(outside?.distanceM).toBeGreaterThan(9_000);
    expect(outside?.distanceM).toBeLessThan(12_000);

    // Per gate and quarter hour, each scan in the bucket its scan time falls in.
    const bucket = (ms: number) => isoAt(Math.floor(ms / gateBucketMs) * gateBucketMs);
    const expected = new Map<string, { entries: number; duplicates: number }>();
    for (const [gate, at, duplicate] of [
      ['North', doorsMs, 0],
      ['South', offlineAt, 1],
      ['South', offlineAt + 60_000, 0],
    ] as const) {
      const key = `${gate} ${bucket(at)}`;
      const cell = expected.get(key) ?? { entries: 0, duplicates: 0 };
      cell.entries += 1;
      cell.duplicates += duplicate;
      expected.set(key, cell);
    }
    expect(r.gates).toEqual(
      [...expected.entries()].map(([key, cell]) => {
        const [gate, periodStart] = key.split(' ');
        return { gate, periodStart, entries: cell.entries, exits: 0, duplicates: cell.duplicates };
      }),
    );

    expect(r.revenue).toEqual([
      { asset: 'USDT', paid: '70', orders: 3, refunded: '0', refundsPending: '0', net: '70' },
    ]);
    // The same, read back from the exchange's payment requests.
    expect(r.exchange).toEqual({
      status: 'checked',
      revenue: [{ asset: 'USDT', paid: '70', requests: 3, refunded: '0', net: '70' }],
      missing: [],
      mismatched: [],
    });
    expect(r.storedValueRefunds).toEqual([]);
    expect(r.terminals.map((t) => t.name).sort()).toEqual(['North 1', 'South 1']);

    // The same report as CSV tables.
    const csv = async (table: string) => {
      const response = await s.request(
        'GET',
        `/v1/performances/${first}/gate-report?format=csv&table=${table}`,
        { token: owner },
      );
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toContain('text/csv');
      return parseCsv(response.raw);
    };
    const summary = await csv('summary');
    expect(summary[0]).toEqual(['metric', 'asset', 'value']);
    expect(summary).toContainEqual(['tickets_sold', '', '3']);
    expect(summary).toContainEqual(['no_shows', '', '1']);
    expect(summary).toContainEqual(['paid', 'USDT', '70']);
    expect(summary).toContainEqual(['refused_already_used', '', '1']);
    const duplicates = await csv('duplicates');
    expect(duplicates).toHaveLength(2);
    const [header, row] = duplicates as [string[], string[]];
    const cell = (name: string) => row[header.indexOf(name)];
    expect(cell('ticket_number')).toBe(annTicket.number);
    expect(cell('first_gate')).toBe('North');
    expect(cell('first_source')).toBe('online');
    expect(cell('duplicate_gate')).toBe('South');
    expect(cell('duplicate_source')).toBe('offline');
    expect(cell('duplicate_latitude')).toBe(String(farAway.latitude));
    const gates = await csv('gates');
    expect(gates[0]).toEqual(['gate', 'period_start', 'entries', 'exits', 'duplicates']);
    expect(gates).toHaveLength(1 + r.gates.length);
    const outsideCsv = await csv('outside');
    expect(outsideCsv).toHaveLength(2);
  });

  it('closes: names the terminals not heard from since, and refunds stored value only once they have delivered', async () => {
    s.clock.advance(setup.startsAt + 3_600_000 - s.clock.now());
    const closedAtMs = s.clock.now();
    const closed = await close(first);
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({
      performanceId: first,
      status: 'closed',
      closedAt: isoAt(closedAtMs),
      storedValue: { refunds: 'waiting_for_terminals', queuedNow: 0 },
    });
    expect(
      closed.body.terminalsOutstanding.map((t: { gate: string; outstanding: string }) => [
        t.gate,
        t.outstanding,
      ]),
    ).toEqual([
      ['North', 'not_seen_since_close'],
      ['South', 'not_seen_since_close'],
    ]);
    expect(closed.body.report.performance).toMatchObject({
      status: 'closed',
      closedAt: isoAt(closedAtMs),
    });
    expect(await remainderRefunds(first)).toEqual([]);
    const performance = await s.request('GET', `/v1/performances/${first}`);
    expect(performance.body.status).toBe('closed');
    // Closed performances are not cancelled afterwards.
    const cancel = await s.request('POST', `/v1/performances/${first}/cancel`, { token: owner });
    expect(cancel.status).toBe(409);

    // South comes back online after the close with one more debit it made offline: counted.
    s.clock.advance(60_000);
    const late = await upload(
      s,
      south,
      [
        {
          nonce: 'south-0003',
          performanceCode: setup.performanceCodes[0] as string,
          ticketId: card.number,
          revision: card.revision,
          direction: 'entry',
          scannedAt: isoAt(closedAtMs - 10 * 60_000),
          debit: '1000000',
          position: atVenue,
        },
      ],
      0,
    );
    expect(late.body.results).toMatchObject([{ recorded: 'new', duplicate: false }]);
    // Online, the gates are shut once the performance is closed.
    const shut = await scan(s, north, {
      barcode: await barcode(annTicket, ann.signer, Math.floor(s.clock.now() / 1000)),
    });
    expect(shut.body).toMatchObject({ admitted: false, reason: 'closed' });
    // North said it still holds two.
    const northPackage = await s.request('GET', '/v1/terminal/package?pending=2', {
      token: north.token,
    });
    expect(northPackage.status).toBe(200);
    const waiting = await close(first);
    expect(
      waiting.body.terminalsOutstanding.map((t: { gate: string; outstanding: string }) => [
        t.gate,
        t.outstanding,
      ]),
    ).toEqual([['North', 'pending_uploads']]);
    expect(waiting.body.storedValue).toEqual({ refunds: 'waiting_for_terminals', queuedNow: 0 });
    expect(waiting.body.closedAt).toBe(isoAt(closedAtMs));

    // North delivers: nothing outstanding, the remainder goes back: 20 USDT × (10-4-1)/10.
    await s.request('GET', '/v1/terminal/package?pending=0', { token: north.token });
    const done = await close(first);
    expect(done.body.terminalsOutstanding).toEqual([]);
    expect(done.body.storedValue).toEqual({ refunds: 'queued', queuedNow: 1 });
    expect(await remainderRefunds(first)).toEqual([
      {
        id: remainderRefundId(card.id),
        ticket_id: card.id,
        amount: expect.anything(),
        asset: 'USDT',
        status: 'pending',
      },
    ]);
    const [refund] = await remainderRefunds(first);
    expect(BigInt(String(refund?.amount))).toBe(10_000_000n);
    // Closing again refunds nothing twice.
    const repeat = await close(first);
    expect(repeat.body.storedValue).toEqual({ refunds: 'queued', queuedNow: 0 });
    expect(await remainderRefunds(first)).toHaveLength(1);

    // The refund worker pays it back at the exchange; the report shows it confirmed.
    expect(await sendDueRefunds(s.ticketing)).toBeGreaterThanOrEqual(1);
    const r = await report(first);
    expect(r.admissions.offline).toBe(3);
    expect(r.tickets).toEqual({ sold: 3, admitted: 2, noShows: 1 });
    expect(r.storedValueRefunds).toEqual([{ asset: 'USDT', amount: '10', count: 1, done: 1 }]);
    expect(r.revenue).toEqual([
      { asset: 'USDT', paid: '70', orders: 3, refunded: '10', refundsPending: '0', net: '60' },
    ]);
    expect(r.exchange.revenue).toEqual([
      { asset: 'USDT', paid: '70', requests: 3, refunded: '10', net: '60' },
    ]);
    // A paid order the exchange has never heard of is named (a book that does not reconcile).
    const realId = await s.database.db
      .selectFrom('orders')
      .select('payment_request_id')
      .where('id', '=', card.orderId)
      .executeTakeFirstOrThrow();
    await s.database.db
      .updateTable('orders')
      .set({ payment_request_id: 'pr_00000000000000000000' })
      .where('id', '=', card.orderId)
      .execute();
    const broken = await report(first);
    expect(broken.exchange.missing).toEqual([
      { requestId: 'pr_00000000000000000000', orderId: card.orderId },
    ]);
    expect(broken.exchange.revenue).toEqual([
      { asset: 'USDT', paid: '50', requests: 2, refunded: '0', net: '50' },
    ]);
    await s.database.db
      .updateTable('orders')
      .set({ payment_request_id: realId.payment_request_id })
      .where('id', '=', card.orderId)
      .execute();
    // At the exchange, the card's payment has that much refunded.
    const order = await s.database.db
      .selectFrom('tickets as t')
      .innerJoin('orders as o', 'o.id', 't.order_id')
      .select('o.payment_request_id')
      .where('t.id', '=', card.id)
      .executeTakeFirstOrThrow();
    const paid = await s.ticketing.exchange.paymentRequest(
      setup.organizer.apiKey,
      order.payment_request_id as string,
    );
    expect(paid.refundedAmount).toBe(10_000_000n);
  });

  it('refunds at once with force, once however many closes race; a cancelled performance cannot close', async () => {
    s.clock.advance(setup.startsAt + 86_400_000 + 60_000 - s.clock.now());
    // Both terminals are outstanding for the second performance; staff force the refunds,
    // which needs a reason (tested fully in terminal-details.test.ts).
    const reason = { force: true, reason: 'the gates were handed back' };
    const racing = await Promise.all(Array.from({ length: 4 }, () => close(second, owner, reason)));
    for (const response of racing) {
      expect(response.status).toBe(200);
      expect(response.body.terminalsOutstanding).toHaveLength(2);
      expect(response.body.storedValue.refunds).toBe('queued');
    }
    expect(racing.reduce((sum, response) => sum + response.body.storedValue.queuedNow, 0)).toBe(1);
    const refunds = await remainderRefunds(second);
    expect(refunds).toHaveLength(1);
    // Never used: the whole price comes back.
    expect(BigInt(String(refunds[0]?.amount))).toBe(20_000_000n);
    const closedAt = new Set(racing.map((response) => response.body.closedAt));
    expect(closedAt.size).toBe(1);

    const cancelled = await s.request('POST', `/v1/performances/${third}/cancel`, {
      token: owner,
    });
    expect(cancelled.status).toBe(200);
    s.clock.advance(2 * 86_400_000);
    const refused = await close(third);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('performance_cancelled');
  });

  it('the command line closes a performance and prints the report as text, JSON and CSV', async () => {
    const closed = await cli(['close', first]);
    expect(closed.stderr).toBe('');
    expect(closed.code).toBe(0);
    expect(closed.stdout).toContain(`Closed ${first}`);
    expect(closed.stdout).toContain('Every terminal has uploaded what it admitted.');
    expect(closed.stdout).toContain('Tickets: 3 sold, 2 admitted, 1 no-show');
    expect(closed.stdout).toMatch(/USDT\s+70\s+3\s+10\s+0\s+60/);
    expect(closed.stdout).toContain(annTicket.number);

    const text = await cli(['gate-report', first]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(
      'Stored-value remainders refunded: 10 USDT (1 ticket, 1 confirmed)',
    );
    expect(text.stdout).toMatch(/North\s+\d{4}-\d\d-\d\d \d\d:\d\d UTC\s+1\s+0\s+0/);

    const json = await cli(['gate-report', first, '--json']);
    expect(JSON.parse(json.stdout).tickets).toEqual({ sold: 3, admitted: 2, noShows: 1 });

    const dir = mkdtempSync(join(tmpdir(), 'tessera-gate-cli-'));
    try {
      const out = join(dir, 'duplicates.csv');
      const saved = await cli(['gate-report', first, '--csv', 'duplicates', '--out', out]);
      expect(saved.code).toBe(0);
      expect(saved.stdout).toContain('Wrote 1 duplicates line');
      const rows = parseCsv(readFileSync(out, 'utf8'));
      expect(rows[1]?.[0]).toBe(annTicket.number);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const csv = await cli(['gate-report', first, '--csv', 'summary']);
    expect(parseCsv(csv.stdout)).toContainEqual(['tickets_sold', '', '3']);

    // Wrong usage is found before anything is sent (2); a refusal by the API is 1.
    const wrongId = await cli(['close', setup.eventId]);
    expect(wrongId.code).toBe(2);
    expect(wrongId.stderr).toContain('is not an id like perf_');
    const wrongTable = await cli(['gate-report', first, '--csv', 'everything']);
    expect(wrongTable.code).toBe(2);
    const outWithoutCsv = await cli(['gate-report', first, '--out', 'x.csv']);
    expect(outWithoutCsv.code).toBe(2);
    const refused = await cli(['close', third]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('performance_cancelled');
    expect(refused.stderr).not.toContain(owner);
  });

  it('names a terminal revoked while it held unsent admissions as lost, without holding back refunds', async () => {
    const west = await enrolTerminal(s, setup, { gate: 'West', name: 'West 1' });
    // West went offline with three admissions, said so, then was reported stolen and revoked.
    const said = await s.request('GET', '/v1/terminal/package?pending=3', { token: west.token });
    expect(said.status).toBe(200);
    const revoked = await s.request(
      'DELETE',
      `/v1/organizers/${setup.organizer.id}/terminals/${west.id}`,
      { token: owner },
    );
    expect(revoked.status).toBe(200);
    const closed = await close(first);
    expect(closed.status).toBe(200);
    expect(closed.body.terminalsOutstanding).toEqual([]);
    expect(closed.body.terminalsLost).toEqual([
      expect.objectContaining({
        id: west.id,
        gate: 'West',
        pendingUploads: 3,
        outstanding: 'revoked_with_unsent',
        revokedAt: expect.any(String),
      }),
    ]);
    expect(closed.body.storedValue.refunds).toBe('queued');
    expect(closed.body.report.terminals).toContainEqual(
      expect.objectContaining({ id: west.id, outstanding: 'revoked_with_unsent' }),
    );
    // It cannot deliver them: a revoked terminal is refused.
    const upload = await s.request('GET', '/v1/terminal/package?pending=0', {
      token: west.token,
    });
    expect(upload.status).toBe(401);
    const text = await cli(['close', first]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(
      '1 terminal revoked while holding unsent admissions; the report misses them for good',
    );
  });
});
