/**
 * A venue's time zone (issue 21 item 8): a venue is made with an IANA zone (Asia/Seoul when none
 * is given), an unknown zone is refused with 400 invalid_time_zone and changes nothing, and every
 * answer that carries a performance's time for a buyer or a gate carries the venue's zone too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buy, setupEvent } from './fixtures.ts';
import { enrolTerminal, toDoors } from './gate-kit.ts';
import { backends, startTestSystem, type TestSystem } from './harness.ts';

const hall = {
  name: 'Barbican Hall',
  address: 'Silk Street, London EC2Y 8DS',
  latitude: 51.52,
  longitude: -0.0938,
  radiusM: 300,
};

describe.each(backends)('venue time zones on %s', (backend) => {
  let s: TestSystem;
  beforeAll(async () => {
    s = await startTestSystem(backend);
  });
  afterAll(async () => s?.close());

  const venueIds = async (organizer: { id: string; owner: { token: string } }) =>
    (
      await s.request('GET', `/v1/organizers/${organizer.id}/venues`, {
        token: organizer.owner.token,
      })
    ).body.venues.map((venue: { id: string }) => venue.id) as string[];

  it('makes a venue in the zone given, in its canonical spelling, and in Asia/Seoul by default', async () => {
    const organizer = await s.createOrganizer();
    const token = organizer.owner.token;
    const london = await s.request('POST', `/v1/organizers/${organizer.id}/venues`, {
      token,
      body: { ...hall, timeZone: 'europe/london' },
    });
    expect(london.status, london.raw).toBe(201);
    expect(london.body.timeZone).toBe('Europe/London');
    const seoul = await s.request('POST', `/v1/organizers/${organizer.id}/venues`, {
      token,
      body: hall,
    });
    expect(seoul.body.timeZone).toBe('Asia/Seoul');
    const read = await s.request('GET', `/v1/venues/${london.body.id}`);
    expect(read.body.timeZone).toBe('Europe/London');
  });

  it('refuses an unknown zone or an offset with 400 invalid_time_zone and makes no venue', async () => {
    const organizer = await s.createOrganizer();
    for (const timeZone of ['Mars/Olympus_Mons', '+09:00', 'Asia/Seoul; drop table venues']) {
      const refused = await s.request('POST', `/v1/organizers/${organizer.id}/venues`, {
        token: organizer.owner.token,
        body: { ...hall, timeZone },
      });
      expect(refused.status, timeZone).toBe(400);
      expect(refused.body.error.code).toBe('invalid_time_zone');
      expect(refused.body.error.message).toContain('IANA');
    }
    expect(await venueIds(organizer)).toEqual([]);
  });

  it('changes a venue: a bad zone changes nothing, a good one is kept, and only staff may', async () => {
    const organizer = await s.createOrganizer();
    const token = organizer.owner.token;
    const made = await s.request('POST', `/v1/organizers/${organizer.id}/venues`, {
      token,
      body: hall,
    });
    const url = `/v1/venues/${made.body.id}`;
    const refused = await s.request('PATCH', url, {
      token,
      body: { name: 'Renamed', timeZone: 'Europe/Londres' },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('invalid_time_zone');
    expect((await s.request('GET', url)).body).toMatchObject({
      name: 'Barbican Hall',
      timeZone: 'Asia/Seoul',
    });

    const stranger = await s.createOrganizer();
    const notTheirs = await s.request('PATCH', url, {
      token: stranger.owner.token,
      body: { timeZone: 'Europe/London' },
    });
    expect(notTheirs.status).toBe(404);

    const changed = await s.request('PATCH', url, {
      token,
      body: { timeZone: 'Europe/London', radiusM: 250 },
    });
    expect(changed.status, changed.raw).toBe(200);
    expect(changed.body).toMatchObject({
      name: 'Barbican Hall',
      radiusM: 250,
      timeZone: 'Europe/London',
    });
    const empty = await s.request('PATCH', url, { token, body: {} });
    expect(empty.status).toBe(400);
  });

  it('carries the zone in the event, the listing, the performance, the ticket, the transfer, the package and a door sale', async () => {
    const setup = await setupEvent(s, {
      categories: [
        {
          name: 'Standing',
          pricing: 'crypto',
          priceAsset: 'USDT',
          price: '25',
          seating: 'ga',
          area: 'Standing',
          kind: 'single',
        },
      ],
    });
    const token = setup.organizer.owner.token;
    const changed = await s.request('PATCH', `/v1/venues/${setup.venueId}`, {
      token,
      body: { timeZone: 'America/New_York' },
    });
    expect(changed.status, changed.raw).toBe(200);
    const zone = 'America/New_York';
    const performanceId = setup.performanceIds[0] as string;

    const event = await s.request('GET', `/v1/events/${setup.eventId}`);
    expect(event.body.venue.timeZone).toBe(zone);
    const listing = await s.request(
      'GET',
      `/v1/events?organizerId=${setup.organizer.id}&limit=100`,
    );
    expect(listing.status, listing.raw).toBe(200);
    expect(listing.body.events[0].venue.timeZone).toBe(zone);
    const page = await s.request('GET', `/v1/performances/${performanceId}`);
    expect(page.body.venue.timeZone).toBe(zone);

    const buyer = await s.createBuyer();
    const { order } = await buy(s, buyer, {
      performanceId,
      categoryId: setup.categories.Standing as string,
      quantity: 1,
    });
    const mine = await s.request('GET', '/v1/me/tickets', { token: buyer.token });
    const ticket = mine.body.tickets.find(
      (held: { orderId: string }) => held.orderId === order?.body.id,
    );
    expect(ticket.event.venue.timeZone).toBe(zone);

    const offered = await s.request('POST', `/v1/tickets/${ticket.id}/transfers`, {
      token: buyer.token,
      body: { toPhone: s.newPhone() },
    });
    expect(offered.status, offered.raw).toBe(201);
    expect(offered.body.ticket.timeZone).toBe(zone);

    const terminal = await enrolTerminal(s, setup, { gate: 'Box office' });
    const pack = await s.request('GET', '/v1/terminal/package', { token: terminal.token });
    expect(pack.status, pack.raw).toBe(200);
    expect(pack.body.venue.timeZone).toBe(zone);

    toDoors(s, setup.startsAt);
    const sale = await s.request('POST', '/v1/terminal/door-sales', {
      token: terminal.token,
      body: { performanceId, categoryId: setup.categories.Standing },
    });
    expect(sale.status, sale.raw).toBe(201);
    expect(sale.body.timeZone).toBe(zone);
  });
});
