import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendDueRefunds } from '../src/orders/refunds.ts';
import { attendeeCsv } from '../src/reports/attendees.ts';
import { csvCell } from '../src/reports/csv.ts';
import { buy, type EventSetup, setupEvent } from './fixtures.ts';
import { backends, startTestSystem, type TestSystem } from './harness.ts';

/** Splits RFC 4180 text into records of fields (quotes, doubled quotes, CRLF). */
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

const evilName = '=HYPERLINK("http://evil.example","click")';
const frontName = 'Front, "A"';

describe.each(backends)('sales and attendee reports on %s', (backend) => {
  let s: TestSystem;
  let setup: EventSetup;
  let owner: string;
  const ticketIds: Record<string, string[]> = {};
  let awayPhone: string;

  beforeAll(async () => {
    s = await startTestSystem(backend);
    setup = await setupEvent(s, {
      performances: 2,
      categories: [
        {
          name: frontName,
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
          price: '10.5',
          seating: 'ga',
          area: 'Standing',
          kind: 'single',
        },
      ],
    });
    owner = setup.organizer.owner.token;
    const [first, second] = setup.performanceIds as [string, string];
    const front = setup.categories[frontName] as string;
    const standing = setup.categories.Standing as string;

    // Buyer one names herself with a formula, buys two seats of the first performance and
    // gets one refunded by the organizer.
    const one = await s.createBuyer();
    await s.signIn(one.phone, evilName);
    const bought = await buy(s, one, { performanceId: first, categoryId: front, quantity: 2 });
    expect(bought.order?.status).toBe(201);
    const two = await s.createBuyer();
    await buy(s, two, { performanceId: first, categoryId: standing, quantity: 3 });
    const three = await s.createBuyer();
    await buy(s, three, { performanceId: second, categoryId: front, quantity: 1 });
    // A ticket sent to a number that has not signed in yet waits for its device.
    awayPhone = s.newPhone();
    await buy(
      s,
      three,
      { performanceId: second, categoryId: standing, quantity: 1 },
      { deliverTo: awayPhone },
    );
    // An order left unpaid keeps its place held.
    const held = await s.request('POST', '/v1/holds', {
      token: three.token,
      body: { performanceId: second, categoryId: standing, quantity: 1 },
    });
    expect(held.status).toBe(201);
    const unpaid = await s.request('POST', '/v1/orders', {
      token: three.token,
      body: { holdId: held.body.id, deviceId: three.deviceId },
    });
    expect(unpaid.status).toBe(201);

    for (const buyer of [one, two, three]) {
      const mine = await s.request('GET', '/v1/me/tickets', { token: buyer.token });
      ticketIds[buyer.phone] = mine.body.tickets.map((ticket: { id: string }) => ticket.id);
    }
    const refundedId = (ticketIds[one.phone] as string[])[0] as string;
    const refund = await s.request(
      'POST',
      `/v1/organizers/${setup.organizer.id}/tickets/${refundedId}/refund`,
      { token: owner },
    );
    expect(refund.status).toBe(200);
    ticketIds.refunded = [refundedId];
  }, 30_000);

  afterAll(async () => {
    await s?.close();
  });

  const sales = () => s.request('GET', `/v1/events/${setup.eventId}/sales`, { token: owner });

  it('counts inventory per performance and category and sums revenue of live tickets only', async () => {
    const report = await sales();
    expect(report.status).toBe(200);
    const [first, second] = report.body.performances;
    expect(first.id).toBe(setup.performanceIds[0]);
    const cell = (performance: typeof first, name: string) =>
      performance.categories.find((category: { name: string }) => category.name === name);

    // Seated: 5 rows of 10; of two seats sold one was refunded and is back on sale.
    expect(cell(first, frontName)).toMatchObject({
      capacity: 50,
      available: 49,
      held: 0,
      sold: 1,
      blocked: 0,
      tickets: 1,
      price: { asset: 'USDT', amount: '25' },
      revenue: [{ asset: 'USDT', amount: '25', count: 1 }],
    });
    expect(cell(first, 'Standing')).toMatchObject({
      capacity: 100,
      available: 97,
      held: 0,
      sold: 3,
      tickets: 3,
      revenue: [{ asset: 'USDT', amount: '31.5', count: 3 }],
    });
    expect(first.totals).toMatchObject({
      capacity: 150,
      sold: 4,
      tickets: 4,
      revenue: [{ asset: 'USDT', amount: '56.5', count: 4 }],
    });
    // The unpaid order holds one standing place of the second performance.
    expect(cell(second, 'Standing')).toMatchObject({
      capacity: 100,
      available: 98,
      held: 1,
      sold: 1,
      revenue: [{ asset: 'USDT', amount: '10.5', count: 1 }],
    });
    expect(cell(second, frontName)).toMatchObject({ sold: 1, available: 49, tickets: 1 });
    expect(report.body.totals).toMatchObject({
      capacity: 300,
      available: 293,
      held: 1,
      sold: 6,
      tickets: 6,
      revenue: [{ asset: 'USDT', amount: '92', count: 6 }],
    });
    const orders = Object.fromEntries(
      report.body.orders.map((o: { status: string; count: number }) => [o.status, o.count]),
    );
    // A partly refunded order stays issued; the unpaid one awaits its payment.
    expect(orders).toEqual({
      creating: 0,
      awaiting_payment: 1,
      issued: 4,
      expired: 0,
      cancelled: 0,
      refunded: 0,
    });
    expect(report.body.refunds).toEqual([
      { status: 'pending', count: 1, amounts: [{ asset: 'USDT', amount: '25', count: 1 }] },
      { status: 'done', count: 0, amounts: [] },
      { status: 'failed', count: 0, amounts: [] },
    ]);

    // Once the exchange confirms, the refund moves to done.
    expect(await sendDueRefunds(s.ticketing)).toBe(1);
    const after = await sales();
    expect(after.body.refunds[0]).toMatchObject({ status: 'pending', count: 0 });
    expect(after.body.refunds[1]).toEqual({
      status: 'done',
      count: 1,
      amounts: [{ asset: 'USDT', amount: '25', count: 1 }],
    });
  });

  it('exports attendees as RFC 4180 CSV with formula cells neutralised', async () => {
    const response = await s.request('GET', `/v1/events/${setup.eventId}/attendees?format=csv`, {
      token: owner,
    });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/csv/);
    expect(response.headers['x-total-count']).toBe('6');
    const records = parseCsv(response.raw);
    const [header, ...lines] = records as [string[], ...string[][]];
    expect(header).toEqual([
      'performance_start',
      'performance_code',
      'category',
      'section',
      'row',
      'seat',
      'area',
      'ticket_number',
      'holder_phone',
      'holder_first_name',
      'status',
      'revision',
      'order_id',
      'price',
      'asset',
    ]);
    expect(lines).toHaveLength(6);
    for (const line of lines) expect(line).toHaveLength(header.length);
    const column = (line: string[], name: string) => line[header.indexOf(name)];
    // The category with a comma and quotes survives the round trip.
    expect(response.raw).toContain('"Front, ""A"""');
    const seated = lines.filter((line) => column(line, 'category') === frontName);
    expect(seated).toHaveLength(2);
    for (const line of seated) {
      expect(column(line, 'section')).toBe('A');
      expect(column(line, 'area')).toBe('');
      expect(column(line, 'price')).toBe('25');
    }
    // The buyer's formula name and the phone's "+" are prefixed with an apostrophe.
    const evil = lines.filter((line) => column(line, 'holder_first_name')?.includes('HYPERLINK'));
    expect(evil).toHaveLength(1);
    expect(column(evil[0] as string[], 'holder_first_name')).toBe(`'${evilName}`);
    for (const line of lines) expect(column(line, 'holder_phone')).toMatch(/^'\+[0-9]+$/);
    // Standing places name their area; the refunded ticket is not there.
    const standing = lines.filter((line) => column(line, 'category') === 'Standing');
    expect(standing).toHaveLength(4);
    for (const line of standing) {
      expect(column(line, 'area')).toBe('Standing');
      expect(column(line, 'seat')).toBe('');
      expect(column(line, 'price')).toBe('10.5');
    }
    const waiting = lines.filter((line) => column(line, 'status') === 'awaiting_device');
    expect(waiting.map((line) => column(line, 'holder_phone'))).toEqual([`'${awayPhone}`]);
    const refunded = await s.database.db
      .selectFrom('tickets')
      .select('number')
      .where('id', '=', (ticketIds.refunded as string[])[0] as string)
      .executeTakeFirstOrThrow();
    expect(lines.map((line) => column(line, 'ticket_number'))).not.toContain(refunded.number);
    // Performances in order of their start.
    const starts = lines.map((line) => column(line, 'performance_start') as string);
    expect([...starts].sort()).toEqual(starts);

    // Streamed in pages, the file is the same whatever the page size.
    let paged = '';
    for await (const chunk of attendeeCsv(s.ticketing, setup.eventId, { pageSize: 2 }))
      paged += chunk;
    expect(paged).toBe(response.raw);

    // One performance only.
    const one = await s.request(
      'GET',
      `/v1/events/${setup.eventId}/attendees?format=csv&performanceId=${setup.performanceIds[1]}`,
      { token: owner },
    );
    expect(parseCsv(one.raw)).toHaveLength(1 + 2);
  });

  it('pages attendees as JSON with a keyset cursor across performances', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const query: string = `format=json&limit=4${after ? `&after=${encodeURIComponent(after)}` : ''}`;
      const page = await s.request('GET', `/v1/events/${setup.eventId}/attendees?${query}`, {
        token: owner,
      });
      expect(page.status).toBe(200);
      expect(page.body.total).toBe(6);
      expect(page.body.attendees.length).toBeLessThanOrEqual(4);
      seen.push(...page.body.attendees.map((a: { ticketId: string }) => a.ticketId));
      after = page.body.next;
      pages += 1;
    } while (after && pages < 10);
    expect(pages).toBe(2);
    expect(new Set(seen).size).toBe(6);
    // Every live ticket the buyers hold is listed (the one sent to another phone is not among
    // its buyer's own tickets, and the refunded one is left out).
    const refundedId = (ticketIds.refunded as string[])[0];
    const all = Object.entries(ticketIds)
      .filter(([name]) => name !== 'refunded')
      .flatMap(([, ids]) => ids)
      .filter((id) => id !== refundedId);
    expect(all).toHaveLength(5);
    expect(seen).not.toContain(refundedId);
    for (const id of all) expect(seen).toContain(id);

    const bad = await s.request(
      'GET',
      `/v1/events/${setup.eventId}/attendees?after=perf_zzzzzzzzzz:abc`,
      {
        token: owner,
      },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_cursor');
    const otherPerformance = await s.request(
      'GET',
      `/v1/events/${setup.eventId}/attendees?performanceId=perf_zzzzzzzzzz`,
      { token: owner },
    );
    expect(otherPerformance.status).toBe(404);
  });

  it('shows reports to view_sales roles only; other organizers learn nothing', async () => {
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
        {
          token: owner,
          body: { role },
        },
      );
      expect(added.status).toBe(200);
    }
    const paths = [
      `/v1/events/${setup.eventId}/sales`,
      `/v1/events/${setup.eventId}/attendees?format=csv`,
    ];
    const other = await s.createOrganizer('Rival Hall');
    const stranger = await s.signIn();
    for (const path of paths) {
      expect((await s.request('GET', path, { token: boxOffice.token })).status).toBe(200);
      const denied = await s.request('GET', path, { token: gate.token });
      expect(denied.status).toBe(403);
      for (const outsider of [other.owner.token, stranger.token]) {
        const hidden = await s.request('GET', path, { token: outsider });
        expect(hidden.status).toBe(404);
        expect(hidden.body.error.code).toBe('not_found');
        expect(hidden.raw).not.toContain('+82');
      }
      expect((await s.request('GET', path)).status).toBe(401);
    }
    const missing = await s.request('GET', '/v1/events/ev_0000000000000000/sales', {
      token: owner,
    });
    expect(missing.status).toBe(404);
  });

  it('writes CSV cells safely', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('-1')).toBe("'-1");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tx')).toBe("'\tx");
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('line\nbreak')).toBe('"line\nbreak"');
    expect(csvCell('=1+"2"')).toBe(`"'=1+""2"""`);
    expect(csvCell(null)).toBe('');
    expect(csvCell(3)).toBe('3');
  });
});
