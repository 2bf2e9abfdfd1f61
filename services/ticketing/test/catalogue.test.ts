import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, startTestSystem, type TestSystem } from './harness.ts';

type Organizer = Awaited<ReturnType<TestSystem['createOrganizer']>>;

const seats = (count: number) =>
  Array.from({ length: count }, (_, index) => ({ number: String(index + 1) }));

/** Floor (2 rows of 10), Balcony (1 row of 8) and a standing area of 200. */
const smallMap = {
  sections: [
    {
      name: 'Floor',
      rows: [
        { label: 'A', seats: seats(10) },
        { label: 'B', seats: seats(10) },
      ],
    },
    { name: 'Balcony', rows: [{ label: 'A', seats: seats(8) }] },
  ],
  areas: [{ name: 'Standing', capacity: 200 }],
};

const venueBody = {
  name: 'Seoul Arts Center',
  address: '2406 Nambusunhwan-ro, Seocho-gu, Seoul',
  latitude: 37.4786,
  longitude: 127.0115,
  radiusM: 300,
};

const performances = [
  { startsAt: '2026-12-24T19:00:00+09:00', endsAt: '2026-12-24T22:00:00+09:00' },
  { startsAt: '2026-12-25T19:00:00+09:00', endsAt: '2026-12-25T22:00:00+09:00' },
];

/** One category of each ticket kind, seated and GA, priced in fiat and in crypto. */
function eventBody(venueId: string, slug: string) {
  return {
    slug,
    name: 'Winter Gala',
    description: 'An evening of carols',
    venueId,
    perOrderLimit: 6,
    categories: [
      {
        name: 'Floor',
        pricing: 'crypto',
        priceAsset: 'USDT',
        price: '55.5',
        seating: 'seated',
        sections: ['Floor'],
        kind: 'single',
        reservedHex: 'CAFE',
      },
      {
        name: 'Balcony',
        pricing: 'fiat',
        priceAsset: 'KRW',
        price: '70000',
        seating: 'seated',
        sections: ['Balcony'],
        kind: 'single',
        reentryAllowed: true,
      },
      {
        name: 'Three nights',
        pricing: 'crypto',
        priceAsset: 'ETH',
        price: '0.012345678901234567',
        seating: 'ga',
        area: 'Standing',
        quota: 60,
        kind: 'multi',
        entriesAllowed: 3,
      },
      {
        name: 'Day pass',
        pricing: 'crypto',
        priceAsset: 'BTC',
        price: '0.0001',
        seating: 'ga',
        area: 'Standing',
        quota: 40,
        kind: 'timed',
        reentryAllowed: true,
        validFrom: '2026-12-24T00:00:00+09:00',
        validUntil: '2026-12-26T00:00:00+09:00',
      },
      {
        name: 'Bar credit',
        pricing: 'crypto',
        priceAsset: 'USDT',
        price: '25',
        seating: 'ga',
        area: 'Standing',
        quota: 50,
        kind: 'stored_value',
        storedValue: '20.5',
      },
    ],
    performances,
  };
}

describe.each(backends)('the catalogue on %s', (backend) => {
  let s: TestSystem;
  let org: Organizer;
  let slugCounter = 0;
  const slug = () => `gala-${++slugCounter}`;

  beforeAll(async () => {
    s = await startTestSystem(backend);
    org = await s.createOrganizer('Seoul Arts Center');
  });
  afterAll(async () => {
    await s?.close();
  });

  async function newVenue(owner = org, map: unknown = smallMap) {
    const venue = await s.request('POST', `/v1/organizers/${owner.id}/venues`, {
      token: owner.owner.token,
      body: venueBody,
    });
    expect(venue.status).toBe(201);
    const imported = await s.request('PUT', `/v1/venues/${venue.body.id}/seat-map`, {
      token: owner.owner.token,
      body: map,
    });
    expect(imported.status).toBe(200);
    return venue.body.id as string;
  }

  async function newEvent(venueId: string, body: object = eventBody(venueId, slug())) {
    const created = await s.request('POST', `/v1/organizers/${org.id}/events`, {
      token: org.owner.token,
      body,
    });
    expect(created.status, created.raw).toBe(201);
    return created.body;
  }

  const countRows = async (table: 'inventory_seats' | 'inventory_quotas', performanceId: string) =>
    Number(
      (
        await s.database.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('performance_id', '=', performanceId)
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('creates a venue, imports a JSON seat map and shows both publicly', async () => {
    const bad = await s.request('POST', `/v1/organizers/${org.id}/venues`, {
      token: org.owner.token,
      body: { ...venueBody, latitude: 91 },
    });
    expect(bad.status).toBe(400);
    const venueId = await newVenue();
    const venue = await s.request('GET', `/v1/venues/${venueId}`);
    expect(venue.status).toBe(200);
    expect(venue.body).toMatchObject({
      name: 'Seoul Arts Center',
      latitude: 37.4786,
      radiusM: 300,
      seatCount: 28,
      sections: [
        { name: 'Floor', rows: 2, seats: 20 },
        { name: 'Balcony', rows: 1, seats: 8 },
      ],
      areas: [{ name: 'Standing', capacity: 200 }],
    });
    const map = await s.request('GET', `/v1/venues/${venueId}/seat-map`);
    expect(map.status).toBe(200);
    expect(map.body.sections.map((section: { name: string }) => section.name)).toEqual([
      'Floor',
      'Balcony',
    ]);
    expect(map.body.sections[0].rows[1].label).toBe('B');
    expect(map.body.sections[0].rows[1].seats[9]).toMatchObject({ number: '10' });
    expect(map.body.sections[0].rows[1].seats[9].id).toMatch(/^seat_/);
    const list = await s.request('GET', `/v1/organizers/${org.id}/venues`, {
      token: org.owner.token,
    });
    expect(list.body.venues.map((v: { id: string }) => v.id)).toContain(venueId);
  });

  it('imports a CSV seat map, names a bad line and changes nothing on refusal', async () => {
    const venueId = await newVenue();
    const csv = ['section,row,seat,x,y,accessible', 'Stalls,1,1,0,0,', 'Stalls,1,2,1,0,yes'];
    const put = (body: string) =>
      s.request('PUT', `/v1/venues/${venueId}/seat-map`, {
        token: org.owner.token,
        headers: { 'content-type': 'text/csv' },
        body,
      });
    const good = await put(`${csv.join('\n')}\n`);
    expect(good.status, good.raw).toBe(200);
    expect(good.body).toEqual({ venueId, sections: 1, rows: 1, seats: 2, areas: 0 });

    const badLine = await put(`${csv.join('\n')}\nStalls,1,3,far,0,\n`);
    expect(badLine.status).toBe(400);
    expect(badLine.body.error.code).toBe('invalid_seat_map');
    expect(badLine.body.error.message).toContain('line 4');
    const duplicate = await put(`${csv.join('\n')}\nStalls,1,1,5,0,\n`);
    expect(duplicate.status).toBe(400);
    expect(duplicate.body.error.message).toContain('Stalls/1/1 appears twice');
    const jsonDuplicate = await s.request('PUT', `/v1/venues/${venueId}/seat-map`, {
      token: org.owner.token,
      body: {
        sections: [
          { name: 'X', rows: [{ label: '1', seats: [{ number: '1' }, { number: '1' }] }] },
        ],
      },
    });
    expect(jsonDuplicate.status).toBe(400);
    // The refused imports left the first map as it was.
    const map = await s.request('GET', `/v1/venues/${venueId}/seat-map`);
    expect(map.body.sections[0].rows[0].seats).toHaveLength(2);
    expect(map.body.sections[0].rows[0].seats[1]).toMatchObject({ x: 1, y: 0, accessible: true });

    // A standing area given as a CSV line with a capacity; a charset parameter is fine.
    const withArea = await s.request('PUT', `/v1/venues/${venueId}/seat-map`, {
      token: org.owner.token,
      headers: { 'content-type': 'text/csv; charset=utf-8' },
      body: 'section,row,seat,capacity\nStalls,1,1,\nLawn,,,5000\n',
    });
    expect(withArea.body).toMatchObject({ seats: 1, areas: 1 });
    const venue = await s.request('GET', `/v1/venues/${venueId}`);
    expect(venue.body.areas).toMatchObject([{ name: 'Lawn', capacity: 5000 }]);

    // The OpenAPI document describes both formats.
    const docs = await s.request('GET', '/docs/json');
    const content = docs.body.paths['/v1/venues/{venueId}/seat-map'].put.requestBody.content;
    expect(Object.keys(content)).toEqual(expect.arrayContaining(['application/json', 'text/csv']));
  });

  it('imports 50,000 seats from one CSV', async () => {
    const venue = await s.request('POST', `/v1/organizers/${org.id}/venues`, {
      token: org.owner.token,
      body: { ...venueBody, name: 'Stadium' },
    });
    const lines = ['section,row,seat'];
    for (let section = 0; section < 10; section++) {
      for (let row = 0; row < 100; row++) {
        for (let seat = 1; seat <= 50; seat++) lines.push(`S${section},${row},${seat}`);
      }
    }
    const imported = await s.request('PUT', `/v1/venues/${venue.body.id}/seat-map`, {
      token: org.owner.token,
      headers: { 'content-type': 'text/csv' },
      body: lines.join('\n'),
    });
    expect(imported.status, imported.raw).toBe(200);
    expect(imported.body).toMatchObject({ seats: 50_000, rows: 1_000, sections: 10 });
    const stored = await s.database.db
      .selectFrom('seats')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('venue_id', '=', venue.body.id)
      .executeTakeFirstOrThrow();
    expect(Number(stored.n)).toBe(50_000);
  });

  it('creates an event with seated and GA categories of every ticket kind, and its inventory', async () => {
    const venueId = await newVenue();
    const event = await newEvent(venueId);
    expect(event.status).toBe('draft');
    expect(event.id).toMatch(/^ev_/);
    expect(event.perOrderLimit).toBe(6);
    expect(event.perBuyerLimit).toBe(20);
    const byName = Object.fromEntries(
      event.categories.map((category: { name: string }) => [category.name, category]),
    );
    expect(byName.Floor).toMatchObject({
      price: '55.5',
      priceAsset: 'USDT',
      seating: 'seated',
      capacity: 20,
      kind: 'single',
      entriesAllowed: 1,
      reentryAllowed: false,
      reservedHex: 'cafe',
    });
    expect(byName.Balcony).toMatchObject({ pricing: 'fiat', price: '70000', capacity: 8 });
    expect(byName['Three nights']).toMatchObject({
      price: '0.012345678901234567',
      area: 'Standing',
      capacity: 60,
      kind: 'multi',
      entriesAllowed: 3,
    });
    expect(byName['Day pass']).toMatchObject({
      kind: 'timed',
      entriesAllowed: 0,
      reentryAllowed: true,
      validFrom: '2026-12-23T15:00:00.000Z',
    });
    expect(byName['Bar credit']).toMatchObject({
      kind: 'stored_value',
      storedValue: '20.5',
      storedValueAsset: 'USDT',
    });
    // Amounts are stored in the smallest unit of their asset.
    const stored = await s.database.db
      .selectFrom('categories')
      .select(['name', 'price_amount', 'stored_value'])
      .where('event_id', '=', event.id)
      .execute();
    const amounts = Object.fromEntries(stored.map((row) => [row.name, String(row.price_amount)]));
    expect(amounts).toMatchObject({
      Floor: '55500000',
      Balcony: '70000',
      'Three nights': '12345678901234567',
      'Day pass': '10000',
    });
    expect(String(stored.find((row) => row.name === 'Bar credit')?.stored_value)).toBe('20500000');

    expect(event.performances).toHaveLength(2);
    const [first, second] = event.performances;
    expect(first.code).toMatch(/^[0-9a-z]{6}$/);
    expect(first.code).not.toBe(second.code);
    expect(first).toMatchObject({
      startsAt: '2026-12-24T10:00:00.000Z',
      doorsAt: '2026-12-24T09:00:00.000Z',
      salesEnd: '2026-12-24T10:00:00.000Z',
      status: 'scheduled',
      onSale: false,
    });
    for (const performance of event.performances) {
      expect(await countRows('inventory_seats', performance.id)).toBe(28);
      expect(await countRows('inventory_quotas', performance.id)).toBe(3);
    }

    // The venue is now in use: its seat map stays.
    const replace = await s.request('PUT', `/v1/venues/${venueId}/seat-map`, {
      token: org.owner.token,
      body: smallMap,
    });
    expect(replace.status).toBe(409);
    expect(replace.body.error.code).toBe('seat_map_in_use');
  });

  it('refuses bad combinations with a clear 400 and creates nothing', async () => {
    const venueId = await newVenue();
    const base = eventBody(venueId, 'refused');
    const withCategory = (patch: Record<string, unknown>, index = 2) => ({
      ...base,
      categories: base.categories.map((category, at) =>
        at === index ? { ...category, ...patch } : category,
      ),
    });
    const strip = (object: Record<string, unknown>, key: string) => {
      const { [key]: _, ...rest } = object;
      return rest;
    };
    const cases: [string, object, string][] = [
      [
        'multi without entries',
        {
          ...base,
          categories: [strip(base.categories[2] as Record<string, unknown>, 'entriesAllowed')],
        },
        'invalid_category',
      ],
      ['multi with 0 entries', withCategory({ entriesAllowed: 0 }), 'invalid_ticket_terms'],
      ['single with 2 entries', withCategory({ entriesAllowed: 2 }, 0), 'invalid_ticket_terms'],
      [
        're-entry on stored value',
        withCategory({ reentryAllowed: true }, 4),
        'invalid_ticket_terms',
      ],
      ['value on a single ticket', withCategory({ storedValue: '1' }, 0), 'invalid_category'],
      [
        'stored value without value',
        withCategory({ storedValue: undefined }, 4),
        'invalid_category',
      ],
      [
        'window ending before it starts',
        withCategory({ validUntil: '2026-12-23T00:00:00+09:00' }, 3),
        'invalid_ticket_terms',
      ],
      [
        'a seat in two categories',
        withCategory({ sections: undefined, seats: ['Balcony/A/3', 'Floor/A/1'] }, 0),
        'seat_in_two_categories',
      ],
      ['quota over capacity', withCategory({ quota: 150 }), 'quota_over_capacity'],
      ['unknown asset', withCategory({ priceAsset: 'DOGE' }), 'unknown_asset'],
      ['fiat pricing in crypto', withCategory({ pricing: 'fiat' }), 'invalid_category'],
      ['more decimals than KRW has', withCategory({ price: '70000.5' }, 1), 'invalid_amount'],
      ['a zero price', withCategory({ price: '0' }), 'invalid_category'],
      ['unknown section', withCategory({ sections: ['Pit'] }, 0), 'invalid_category'],
      [
        'unknown seat',
        withCategory({ sections: undefined, seats: ['Floor/Z/1'] }, 0),
        'invalid_category',
      ],
      ['GA without area', withCategory({ area: undefined }), 'invalid_category'],
      ['seated with an area', withCategory({ area: 'Standing' }, 0), 'invalid_category'],
      ['same name twice', withCategory({ name: 'Floor' }), 'duplicate_category'],
      [
        'per-order above per-buyer',
        { ...base, perOrderLimit: 30, perBuyerLimit: 5 },
        'invalid_limits',
      ],
      [
        'a performance ending before it starts',
        {
          ...base,
          performances: [
            { startsAt: performances[0]?.startsAt, endsAt: '2026-12-24T18:00:00+09:00' },
          ],
        },
        'invalid_performance',
      ],
      [
        'two performances at once',
        { ...base, performances: [performances[0], performances[0]] },
        'duplicate_performance',
      ],
      ['a bad slug', { ...base, slug: 'Winter Gala' }, 'invalid_request'],
    ];
    for (const [what, body, code] of cases) {
      const response = await s.request('POST', `/v1/organizers/${org.id}/events`, {
        token: org.owner.token,
        body,
      });
      expect(response.status, `${what}: ${response.raw}`).toBe(400);
      expect(response.body.error.code, what).toBe(code);
      expect(response.body.error.message.length, what).toBeGreaterThan(10);
    }
    const made = await s.database.db
      .selectFrom('events')
      .select('id')
      .where('venue_id', '=', venueId)
      .execute();
    expect(made).toEqual([]);
  });

  it('keeps drafts from the public and publishes only with a linked wallet', async () => {
    const venueId = await newVenue();
    const event = await newEvent(venueId);
    expect((await s.request('GET', `/v1/events/${event.id}`)).status).toBe(404);
    const performanceId = event.performances[0].id;
    expect((await s.request('GET', `/v1/performances/${performanceId}`)).status).toBe(404);
    const gate = await s.signIn();
    await s.request('PUT', `/v1/organizers/${org.id}/staff/${encodeURIComponent(gate.phone)}`, {
      token: org.owner.token,
      body: { role: 'gate' },
    });
    const staffView = await s.request('GET', `/v1/events/${event.id}`, { token: gate.token });
    expect(staffView.status).toBe(200);
    expect(staffView.body.status).toBe('draft');
    const listed = await s.request('GET', `/v1/events?organizerId=${org.id}&limit=100`);
    expect(listed.body.events.map((e: { id: string }) => e.id)).not.toContain(event.id);

    const published = await s.request('POST', `/v1/events/${event.id}/publish`, {
      token: org.owner.token,
    });
    expect(published.status, published.raw).toBe(200);
    expect(published.body.status).toBe('published');
    const open = await s.request('GET', `/v1/events/${event.id}`);
    expect(open.status).toBe(200);
    expect(open.body.venue.name).toBe('Seoul Arts Center');
    const performance = await s.request('GET', `/v1/performances/${performanceId}`);
    expect(performance.status).toBe(200);
    expect(performance.body).toMatchObject({
      eventId: event.id,
      onSale: true,
      event: { id: event.id, status: 'published', perOrderLimit: 6 },
      venue: { id: venueId, radiusM: 300 },
    });
    const after = await s.request('GET', `/v1/events?organizerId=${org.id}&limit=100`);
    expect(after.body.events.map((e: { id: string }) => e.id)).toContain(event.id);

    const hidden = await s.request('POST', `/v1/events/${event.id}/unpublish`, {
      token: org.owner.token,
    });
    expect(hidden.body.status).toBe('draft');
    expect((await s.request('GET', `/v1/events/${event.id}`)).status).toBe(404);

    // An organizer without a linked wallet cannot publish; nor can an event with nothing to sell.
    const owner = await s.signIn();
    const bare = await s.request('POST', '/v1/organizers', {
      token: owner.token,
      body: { name: 'No wallet yet' },
    });
    const unlinked = {
      id: bare.body.id as string,
      owner,
      merchant: org.merchant,
      apiKey: '',
    } as Organizer;
    const bareVenue = await newVenue(unlinked);
    const draft = await s.request('POST', `/v1/organizers/${unlinked.id}/events`, {
      token: owner.token,
      body: eventBody(bareVenue, 'unlinked'),
    });
    expect(draft.status).toBe(201);
    const refused = await s.request('POST', `/v1/events/${draft.body.id}/publish`, {
      token: owner.token,
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('wallet_not_linked');
    const empty = await newEvent(venueId, { slug: slug(), name: 'Empty', venueId });
    const nothing = await s.request('POST', `/v1/events/${empty.id}/publish`, {
      token: org.owner.token,
    });
    expect(nothing.status).toBe(409);
    expect(nothing.body.error.code).toBe('no_categories');
  });

  it('lets only its own staff with the right role write, and hides it from others', async () => {
    const venueId = await newVenue();
    const event = await newEvent(venueId);
    const other = await s.createOrganizer('Other hall');
    const asOther = { token: other.owner.token };
    const create = await s.request('POST', `/v1/organizers/${org.id}/events`, {
      ...asOther,
      body: eventBody(venueId, slug()),
    });
    expect(create.status).toBe(404);
    expect((await s.request('GET', `/v1/events/${event.id}`, asOther)).status).toBe(404);
    expect((await s.request('POST', `/v1/events/${event.id}/publish`, asOther)).status).toBe(404);
    expect((await s.request('GET', `/v1/organizers/${org.id}/events`, asOther)).status).toBe(404);
    expect(
      (
        await s.request('PUT', `/v1/venues/${venueId}/seat-map`, {
          ...asOther,
          body: smallMap,
        })
      ).status,
    ).toBe(404);
    // Using another organizer's venue is as if it did not exist.
    const borrowed = await s.request('POST', `/v1/organizers/${other.id}/events`, {
      ...asOther,
      body: eventBody(venueId, 'borrowed'),
    });
    expect(borrowed.status).toBe(404);

    const gate = await s.signIn();
    await s.request('PUT', `/v1/organizers/${org.id}/staff/${encodeURIComponent(gate.phone)}`, {
      token: org.owner.token,
      body: { role: 'gate' },
    });
    const asGate = await s.request('POST', `/v1/organizers/${org.id}/events`, {
      token: gate.token,
      body: eventBody(venueId, slug()),
    });
    expect(asGate.status).toBe(403);
    expect(
      (
        await s.request('POST', `/v1/organizers/${org.id}/venues`, {
          token: gate.token,
          body: venueBody,
        })
      ).status,
    ).toBe(403);
    const staffList = await s.request('GET', `/v1/organizers/${org.id}/events`, {
      token: gate.token,
    });
    expect(staffList.status).toBe(200);
    expect(staffList.body.events.map((e: { id: string }) => e.id)).toContain(event.id);
    const anonymous = await s.request('POST', `/v1/organizers/${org.id}/events`, {
      body: eventBody(venueId, slug()),
    });
    expect(anonymous.status).toBe(401);
  });

  it('creates by slug, then updates from the same file without touching what is sold', async () => {
    const venueId = await newVenue();
    const file = eventBody(venueId, slug());
    const { slug: fileSlug, ...body } = file;
    const url = `/v1/organizers/${org.id}/events/by-slug/${fileSlug}`;
    const onlyFloor = {
      ...body,
      categories: [body.categories[0]],
      performances: [performances[0]],
    };
    const created = await s.request('PUT', url, { token: org.owner.token, body: onlyFloor });
    expect(created.status, created.raw).toBe(201);
    const code = created.body.performances[0].code;

    const again = await s.request('PUT', url, {
      token: org.owner.token,
      body: { ...body, name: 'Winter Gala II' },
    });
    expect(again.status, again.raw).toBe(200);
    expect(again.body.id).toBe(created.body.id);
    expect(again.body.name).toBe('Winter Gala II');
    expect(again.body.categories).toHaveLength(5);
    expect(again.body.performances).toHaveLength(2);
    expect(again.body.performances[0].code).toBe(code);
    for (const performance of again.body.performances) {
      expect(await countRows('inventory_seats', performance.id)).toBe(28);
      expect(await countRows('inventory_quotas', performance.id)).toBe(3);
    }

    // Sell a Floor seat: its price may change, its seats and terms no longer.
    const floor = again.body.categories.find((c: { name: string }) => c.name === 'Floor');
    await s.database.db
      .updateTable('inventory_seats')
      .set({ status: 'sold' })
      .where('performance_id', '=', again.body.performances[0].id)
      .where('category_id', '=', floor.id)
      .execute();
    const withFloor = (patch: Record<string, unknown>) => ({
      ...body,
      categories: body.categories.map((category, index) =>
        index === 0 ? { ...category, ...patch } : category,
      ),
    });
    const repriced = await s.request('PUT', url, {
      token: org.owner.token,
      body: withFloor({ price: '60' }),
    });
    expect(repriced.status, repriced.raw).toBe(200);
    expect(repriced.body.categories[0].price).toBe('60');
    const moved = await s.request('PUT', url, {
      token: org.owner.token,
      body: withFloor({ sections: undefined, seats: ['Floor/A/1'] }),
    });
    expect(moved.status).toBe(409);
    expect(moved.body.error.code).toBe('category_in_use');
    const reterm = await s.request('PUT', url, {
      token: org.owner.token,
      body: withFloor({ reentryAllowed: true }),
    });
    expect(reterm.status).toBe(409);

    // An unsold category may still move seats: Balcony gives up row A seat 8 to nobody.
    const balcony = await s.request('PUT', url, {
      token: org.owner.token,
      body: {
        ...body,
        categories: body.categories.map((category, index) =>
          index === 1
            ? {
                ...category,
                sections: undefined,
                seats: Array.from({ length: 7 }, (_, n) => `Balcony/A/${n + 1}`),
              }
            : category,
        ),
      },
    });
    expect(balcony.status, balcony.raw).toBe(200);
    expect(balcony.body.categories[1].capacity).toBe(7);
    for (const performance of balcony.body.performances) {
      expect(await countRows('inventory_seats', performance.id)).toBe(27);
    }

    // A quota may shrink, never below what is held or sold; doors and end of a performance
    // with sales stay.
    const threeNights = balcony.body.categories.find(
      (c: { name: string }) => c.name === 'Three nights',
    );
    await s.database.db
      .updateTable('inventory_quotas')
      .set({ sold: 50 })
      .where('performance_id', '=', balcony.body.performances[1].id)
      .where('category_id', '=', threeNights.id)
      .execute();
    const withQuota = (quota: number) => ({
      ...body,
      categories: body.categories.map((category, index) =>
        index === 2 ? { ...category, quota } : category,
      ),
    });
    const tooSmall = await s.request('PUT', url, { token: org.owner.token, body: withQuota(40) });
    expect(tooSmall.status).toBe(409);
    expect(tooSmall.body.error.code).toBe('quota_below_sales');
    const smaller = await s.request('PUT', url, { token: org.owner.token, body: withQuota(55) });
    expect(smaller.status, smaller.raw).toBe(200);
    const quotas = await s.database.db
      .selectFrom('inventory_quotas')
      .select('capacity')
      .where('category_id', '=', threeNights.id)
      .execute();
    expect(quotas.map((row) => row.capacity)).toEqual([55, 55]);
    const later = await s.request('PUT', url, {
      token: org.owner.token,
      body: {
        ...body,
        performances: [
          { ...performances[0], endsAt: '2026-12-24T23:00:00+09:00' },
          performances[1],
        ],
      },
    });
    expect(later.status).toBe(409);
    expect(later.body.error.code).toBe('performance_in_use');

    const otherVenue = await newVenue();
    const relocated = await s.request('PUT', url, {
      token: org.owner.token,
      body: { ...body, venueId: otherVenue },
    });
    expect(relocated.status).toBe(409);
    expect(relocated.body.error.code).toBe('venue_change');
    const mismatch = await s.request('PUT', url, {
      token: org.owner.token,
      body: { ...body, slug: 'another' },
    });
    expect(mismatch.status).toBe(400);
  });

  it('adds a performance with inventory for every category', async () => {
    const venueId = await newVenue();
    const event = await newEvent(venueId);
    const added = await s.request('POST', `/v1/events/${event.id}/performances`, {
      token: org.owner.token,
      body: {
        startsAt: '2026-12-31T22:00:00+09:00',
        endsAt: '2027-01-01T01:00:00+09:00',
        doorsAt: '2026-12-31T21:00:00+09:00',
      },
    });
    expect(added.status, added.raw).toBe(201);
    expect(added.body.code).toMatch(/^[0-9a-z]{6}$/);
    expect(await countRows('inventory_seats', added.body.id)).toBe(28);
    expect(await countRows('inventory_quotas', added.body.id)).toBe(3);
    const twice = await s.request('POST', `/v1/events/${event.id}/performances`, {
      token: org.owner.token,
      body: performances[0],
    });
    expect(twice.status).toBe(409);
    // The timed category's fixed window ends before this performance: still valid terms.
    const view = await s.request('GET', `/v1/events/${event.id}`, { token: org.owner.token });
    expect(view.body.performances).toHaveLength(3);
  });

  it('creates an event of a 10,000-seat venue with two performances in one go', async () => {
    const rows = Array.from({ length: 100 }, (_, row) => ({ label: `R${row}`, seats: seats(100) }));
    const venueId = await newVenue(org, {
      sections: [
        { name: 'Lower', rows: rows.slice(0, 50) },
        { name: 'Upper', rows: rows.slice(50) },
      ],
    });
    const started = performance.now();
    const event = await newEvent(venueId, {
      slug: slug(),
      name: 'Big night',
      venueId,
      categories: [
        {
          name: 'Lower',
          pricing: 'crypto',
          priceAsset: 'USDT',
          price: '80',
          seating: 'seated',
          sections: ['Lower'],
          kind: 'single',
        },
        {
          name: 'Upper',
          pricing: 'crypto',
          priceAsset: 'USDT',
          price: '40',
          seating: 'seated',
          sections: ['Upper'],
          kind: 'single',
        },
      ],
      performances,
    });
    const elapsedMs = performance.now() - started;
    console.info(`${backend}: 10,000-seat event with 2 performances in ${elapsedMs.toFixed(0)} ms`);
    for (const show of event.performances) {
      expect(await countRows('inventory_seats', show.id)).toBe(10_000);
    }
    expect(event.categories.map((c: { capacity: number }) => c.capacity)).toEqual([5_000, 5_000]);
  });

  it('lists published events soonest first, page by page', async () => {
    const lister = await s.createOrganizer('Lister');
    const venue = await s.request('POST', `/v1/organizers/${lister.id}/venues`, {
      token: lister.owner.token,
      body: venueBody,
    });
    await s.request('PUT', `/v1/venues/${venue.body.id}/seat-map`, {
      token: lister.owner.token,
      body: smallMap,
    });
    const ids: string[] = [];
    for (const day of [20, 10, 15]) {
      const created = await s.request('POST', `/v1/organizers/${lister.id}/events`, {
        token: lister.owner.token,
        body: {
          slug: `day-${day}`,
          name: `Day ${day}`,
          venueId: venue.body.id,
          categories: [eventBody(venue.body.id, 'x').categories[0]],
          performances: [
            {
              startsAt: `2026-12-${day}T19:00:00+09:00`,
              endsAt: `2026-12-${day}T21:00:00+09:00`,
            },
          ],
        },
      });
      expect(created.status).toBe(201);
      await s.request('POST', `/v1/events/${created.body.id}/publish`, {
        token: lister.owner.token,
      });
      ids.push(created.body.id);
    }
    const first = await s.request('GET', `/v1/events?organizerId=${lister.id}&limit=2`);
    expect(first.status).toBe(200);
    expect(first.body.events.map((e: { name: string }) => e.name)).toEqual(['Day 10', 'Day 15']);
    expect(first.body.next).toBeTruthy();
    const second = await s.request(
      'GET',
      `/v1/events?organizerId=${lister.id}&limit=2&after=${encodeURIComponent(first.body.next)}`,
    );
    expect(second.body.events.map((e: { name: string }) => e.name)).toEqual(['Day 20']);
    expect(second.body.next).toBeNull();
    const later = await s.request(
      'GET',
      `/v1/events?organizerId=${lister.id}&from=${encodeURIComponent('2026-12-16T00:00:00Z')}`,
    );
    expect(later.body.events.map((e: { name: string }) => e.name)).toEqual(['Day 20']);
    const staff = await s.request('GET', `/v1/organizers/${lister.id}/events?limit=2`, {
      token: lister.owner.token,
    });
    expect(staff.body.events).toHaveLength(2);
    expect(staff.body.next).toBeTruthy();
    // Each with its next performance and the venue's zone to read it in.
    for (const event of staff.body.events as {
      name: string;
      nextStartsAt: string;
      venue: { timeZone: string };
    }[]) {
      const day = event.name.replace('Day ', '');
      expect(event.nextStartsAt).toBe(new Date(`2026-12-${day}T19:00:00+09:00`).toISOString());
      expect(event.venue.timeZone).toBe('Asia/Seoul');
    }
  });
});
