import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alternativesFor, bestSeatsTogether } from '../src/availability/service.ts';
import type { SeatStatus } from '../src/db/schema.ts';
import { backends, startTestSystem, type TestSystem } from './harness.ts';

const seats = (count: number) =>
  Array.from({ length: count }, (_, index) => ({ number: String(index + 1) }));

/** Front rows A and B of 10, Back row C of 6, a lawn of 100. */
const seatMap = {
  sections: [
    {
      name: 'Front',
      rows: [
        { label: 'A', seats: seats(10).map((seat, index) => ({ ...seat, x: index, y: 0 })) },
        { label: 'B', seats: seats(10) },
      ],
    },
    { name: 'Back', rows: [{ label: 'C', seats: seats(6) }] },
  ],
  areas: [{ name: 'Lawn', capacity: 100 }],
};

describe.each(backends)('availability and alternatives on %s', (backend) => {
  let s: TestSystem;
  let slugCounter = 0;

  beforeAll(async () => {
    s = await startTestSystem(backend);
  });
  afterAll(async () => {
    await s?.close();
  });

  /** A published event with Front, Back and Lawn categories and two performances. */
  async function setUp(publish = true) {
    const org = await s.createOrganizer('Olympic Park');
    const auth = { token: org.owner.token };
    const venue = await s.request('POST', `/v1/organizers/${org.id}/venues`, {
      ...auth,
      body: {
        name: 'Olympic Hall',
        address: 'Seoul',
        latitude: 37.52,
        longitude: 127.12,
        radiusM: 200,
      },
    });
    await s.request('PUT', `/v1/venues/${venue.body.id}/seat-map`, { ...auth, body: seatMap });
    const category = (name: string, extra: object) => ({
      name,
      pricing: 'crypto',
      priceAsset: 'USDT',
      kind: 'single',
      ...extra,
    });
    const created = await s.request('POST', `/v1/organizers/${org.id}/events`, {
      ...auth,
      body: {
        slug: `show-${++slugCounter}`,
        name: 'Summer show',
        venueId: venue.body.id,
        categories: [
          category('Front', { price: '90.25', seating: 'seated', sections: ['Front'] }),
          category('Back', { price: '40', seating: 'seated', sections: ['Back'] }),
          category('Lawn', { price: '15', seating: 'ga', area: 'Lawn' }),
        ],
        performances: [
          { startsAt: '2026-12-05T19:00:00+09:00', endsAt: '2026-12-05T22:00:00+09:00' },
          { startsAt: '2026-12-06T19:00:00+09:00', endsAt: '2026-12-06T22:00:00+09:00' },
        ],
      },
    });
    expect(created.status, created.raw).toBe(201);
    if (publish) {
      const published = await s.request('POST', `/v1/events/${created.body.id}/publish`, auth);
      expect(published.status).toBe(200);
    }
    const ids = Object.fromEntries(
      created.body.categories.map((c: { name: string; id: string }) => [c.name, c.id]),
    ) as Record<'Front' | 'Back' | 'Lawn', string>;
    const [first, second] = created.body.performances.map((p: { id: string }) => p.id) as [
      string,
      string,
    ];
    return { org, eventId: created.body.id as string, categories: ids, first, second };
  }

  /** Sets seats (by "Section/Row/Number") to a status directly, as sales would. */
  async function mark(performanceId: string, references: string[], status: SeatStatus) {
    for (const reference of references) {
      const [section, row, number] = reference.split('/');
      const seat = await s.database.db
        .selectFrom('seats as st')
        .innerJoin('inventory_seats as i', 'i.seat_id', 'st.id')
        .select('st.id')
        .where('i.performance_id', '=', performanceId)
        .where('st.section', '=', section as string)
        .where('st.row_label', '=', row as string)
        .where('st.number', '=', number as string)
        .executeTakeFirstOrThrow();
      await s.database.db
        .updateTable('inventory_seats')
        .set({ status })
        .where('performance_id', '=', performanceId)
        .where('seat_id', '=', seat.id)
        .execute();
    }
  }

  async function labelsOf(seatIds: string[] | null) {
    if (!seatIds) return null;
    const rows = await s.database.db
      .selectFrom('seats')
      .select(['id', 'section', 'row_label', 'number'])
      .where('id', 'in', seatIds)
      .execute();
    const byId = new Map(
      rows.map((row) => [row.id, `${row.section}/${row.row_label}/${row.number}`]),
    );
    return seatIds.map((id) => byId.get(id));
  }

  it('counts what is left per category and shows held and sold seats only as unavailable', async () => {
    const show = await setUp();
    await mark(show.first, ['Front/A/1'], 'sold');
    await mark(show.first, ['Front/A/2'], 'held');
    await mark(show.first, ['Front/B/1'], 'blocked');
    await s.database.db
      .updateTable('inventory_quotas')
      .set({ held: 3, sold: 7 })
      .where('performance_id', '=', show.first)
      .where('category_id', '=', show.categories.Lawn)
      .execute();

    const open = await s.request('GET', `/v1/performances/${show.first}/availability`);
    expect(open.status, open.raw).toBe(200);
    const byName = Object.fromEntries(
      open.body.categories.map((c: { name: string }) => [c.name, c]),
    );
    expect(byName.Front).toMatchObject({
      price: '90.25',
      asset: 'USDT',
      seating: 'seated',
      total: 20,
      available: 17,
      held: 1,
      sold: 1,
      blocked: 1,
    });
    expect(byName.Back).toMatchObject({ total: 6, available: 6, held: 0, sold: 0 });
    expect(byName.Lawn).toMatchObject({
      seating: 'ga',
      total: 100,
      available: 90,
      held: 3,
      sold: 7,
    });

    const rows = open.body.seats.rows;
    expect(
      rows.map((row: { section: string; row: string }) => `${row.section}/${row.row}`),
    ).toEqual(['Front/A', 'Front/B', 'Back/C']);
    expect(rows[0].status).toBe('uuaaaaaaaa');
    expect(rows[1].status).toBe('uaaaaaaaaa');
    expect(rows[0].numbers.slice(0, 3)).toEqual(['1', '2', '3']);
    expect(rows[0].x[2]).toBe(2);
    expect(rows[1].x[0]).toBeNull();
    const categoryIds: string[] = open.body.seats.categoryIds;
    expect(categoryIds[rows[2].categories[0]]).toBe(show.categories.Back);
    expect(categoryIds[rows[0].categories[9]]).toBe(show.categories.Front);

    // Staff see each seat's real status; others may not ask for it.
    const staff = await s.request(
      'GET',
      `/v1/performances/${show.first}/availability?detail=staff`,
      {
        token: show.org.owner.token,
      },
    );
    expect(staff.status).toBe(200);
    expect(staff.body.seats.rows[0].status).toBe('shaaaaaaaa');
    expect(staff.body.seats.rows[1].status).toBe('baaaaaaaaa');
    expect(
      (await s.request('GET', `/v1/performances/${show.first}/availability?detail=staff`)).status,
    ).toBe(403);
    const stranger = await s.signIn();
    expect(
      (
        await s.request('GET', `/v1/performances/${show.first}/availability?detail=staff`, {
          token: stranger.token,
        })
      ).status,
    ).toBe(403);

    // The other performance is untouched.
    const second = await s.request('GET', `/v1/performances/${show.second}/availability`);
    expect(second.body.categories[0]).toMatchObject({ available: 20, sold: 0 });
  });

  it('hides the availability of a draft from the public', async () => {
    const show = await setUp(false);
    expect((await s.request('GET', `/v1/performances/${show.first}/availability`)).status).toBe(
      404,
    );
    expect((await s.request('GET', `/v1/performances/${show.first}/alternatives`)).status).toBe(
      404,
    );
    const staff = await s.request('GET', `/v1/performances/${show.first}/availability`, {
      token: show.org.owner.token,
    });
    expect(staff.status).toBe(200);
  });

  it('finds the best seats together: the front row first, as near its middle as possible', async () => {
    const show = await setUp();
    const db = s.database.db;
    const best = (quantity: number, category = show.categories.Front) =>
      bestSeatsTogether(db, show.first, category, quantity).then(labelsOf);

    expect(await best(2)).toEqual(['Front/A/5', 'Front/A/6']);
    expect(await best(3)).toEqual(['Front/A/5', 'Front/A/6', 'Front/A/7']);
    expect(await best(1, show.categories.Back)).toEqual(['Back/C/4']);

    // Seat 5 sold splits row A into 1-4 and 6-10: the pair nearest the middle is 6-7.
    await mark(show.first, ['Front/A/5'], 'sold');
    expect(await best(2)).toEqual(['Front/A/6', 'Front/A/7']);
    // Six together no longer fit in row A: row B has them, centred.
    expect(await best(6)).toEqual([
      'Front/B/3',
      'Front/B/4',
      'Front/B/5',
      'Front/B/6',
      'Front/B/7',
      'Front/B/8',
    ]);
    // A run that cannot reach the middle gives its seats nearest to it.
    await mark(show.first, ['Front/A/9', 'Front/A/10'], 'held');
    await mark(show.first, ['Front/A/7', 'Front/B/2', 'Front/B/5', 'Front/B/8'], 'sold');
    expect(await best(2)).toEqual(['Front/A/3', 'Front/A/4']);
    expect(await best(3)).toEqual(['Front/A/2', 'Front/A/3', 'Front/A/4']);
    expect(await best(4)).toEqual(['Front/A/1', 'Front/A/2', 'Front/A/3', 'Front/A/4']);
    // Nowhere five together: row B is broken into pairs.
    expect(await best(5)).toBeNull();
    expect(await best(11)).toBeNull();
    // Other performances keep their own inventory.
    expect(
      await labelsOf(await bestSeatsTogether(db, show.second, show.categories.Front, 10)),
    ).toEqual(Array.from({ length: 10 }, (_, n) => `Front/A/${n + 1}`));
  });

  it('spreads the buyers who lost a pick over other free runs, still seats together', async () => {
    const show = await setUp();
    const db = s.database.db;
    await mark(show.first, ['Front/A/5', 'Front/B/5'], 'sold');
    const picks = new Set<string>();
    for (let attempt = 0; attempt < 40; attempt++) {
      const labels =
        (await labelsOf(await bestSeatsTogether(db, show.first, show.categories.Front, 2, 3))) ??
        [];
      // Two neighbours in one row, neither of them sold.
      expect(labels).toHaveLength(2);
      const [first, second] = labels.map((label) => String(label).split('/'));
      expect(first?.[1]).toBe(second?.[1]);
      expect(Number(second?.[2])).toBe(Number(first?.[2]) + 1);
      expect(labels).not.toContain('Front/A/5');
      expect(labels).not.toContain('Front/B/5');
      picks.add(labels.join(','));
    }
    // Without spreading every one of the 40 would have been the same pair.
    expect(picks.size).toBeGreaterThan(3);
  });

  it('offers another date, another category and the best seats when a category is sold out', async () => {
    const show = await setUp();
    const front = Array.from({ length: 10 }, (_, n) => [
      `Front/A/${n + 1}`,
      `Front/B/${n + 1}`,
    ]).flat();
    await mark(show.first, front, 'sold');

    const response = await s.request(
      'GET',
      `/v1/performances/${show.first}/alternatives?categoryId=${show.categories.Front}&quantity=2`,
    );
    expect(response.status, response.raw).toBe(200);
    expect(response.body.performances).toEqual([
      { id: show.second, startsAt: '2026-12-06T10:00:00.000Z', available: 20 },
    ]);
    expect(response.body.categories).toEqual([
      { id: show.categories.Back, name: 'Back', price: '40', asset: 'USDT', available: 6 },
      { id: show.categories.Lawn, name: 'Lawn', price: '15', asset: 'USDT', available: 100 },
    ]);
    expect(response.body.bestAvailable).toMatchObject({
      categoryId: show.categories.Back,
      labels: ['Back/C/3', 'Back/C/4'],
    });
    expect(response.body.bestAvailable.seatIds).toHaveLength(2);

    // More than any seated category holds: only the lawn is left, and no seats together.
    const many = await alternativesFor(s.ticketing, show.first, {
      categoryId: show.categories.Front,
      quantity: 30,
    });
    expect(many.performances).toEqual([]);
    expect(many.categories.map((c) => c.name)).toEqual(['Lawn']);
    expect(many.bestAvailable).toBeNull();

    // Without a category, another performance counts everything it has left.
    const any = await alternativesFor(s.ticketing, show.first, { quantity: 4 });
    expect(any.performances).toEqual([
      { id: show.second, startsAt: '2026-12-06T10:00:00.000Z', available: 126 },
    ]);
    expect(any.bestAvailable?.categoryId).toBe(show.categories.Back);

    // A performance that is cancelled or whose sales have ended is no alternative.
    await s.database.db
      .updateTable('performances')
      .set({ sales_end: s.clock.now() })
      .where('id', '=', show.second)
      .execute();
    const ended = await alternativesFor(s.ticketing, show.first, {
      categoryId: show.categories.Front,
      quantity: 2,
    });
    expect(ended.performances).toEqual([]);

    const foreign = await setUp();
    const wrong = await s.request(
      'GET',
      `/v1/performances/${show.first}/alternatives?categoryId=${foreign.categories.Front}`,
    );
    expect(wrong.status).toBe(404);
  });
});
