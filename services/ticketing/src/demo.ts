/**
 * Demo data for `npm start` on an empty database: an organizer owned by the demo organizer's
 * phone, its exchange wallet linked, a venue with a seat map (examples/seats.csv) and two
 * published events with several ticket kinds: a concert (seated in crypto, seated priced in
 * fiat, standing) and a city transit pass (a 10-ride pass, a day pass, a stored-value card).
 */
import { readFileSync } from 'node:fs';
import type { Ticketing } from './context.ts';
import { inTransaction } from './context.ts';
import { createEvent, publishEvent } from './events/service.ts';
import { userForPhone } from './identity/service.ts';
import { newId } from './ids.ts';
import { addSigningKey, newPhoneTagSecret } from './organizers/keys.ts';
import { linkWallet } from './organizers/wallet.ts';
import { createEnrolment } from './terminals/service.ts';
import { seatMapFromCsv } from './venues/seat-map.ts';
import { createVenue, replaceSeatMap } from './venues/service.ts';

export interface DemoResult {
  organizerId: string;
  events: { id: string; name: string }[];
}

const seatsCsv = new URL('../examples/seats.csv', import.meta.url);

/**
 * Seeds when no organizer exists yet; `merchantApiKey` is a key of the demo merchant at the
 * exchange (the start script makes one). Returns undefined when the database had data.
 */
export async function seedDemo(
  ticketing: Ticketing,
  owner: { phone: string; name: string },
  merchantApiKey: string,
): Promise<DemoResult | undefined> {
  const db = ticketing.database.db;
  if (await db.selectFrom('organizers').select('id').limit(1).executeTakeFirst()) return undefined;
  const user = await userForPhone(ticketing, owner.phone);
  const organizerId = newId('org');
  await inTransaction(ticketing, async ({ trx, now }) => {
    await trx
      .insertInto('organizers')
      .values({
        id: organizerId,
        name: owner.name,
        phone_tag_secret: newPhoneTagSecret(ticketing, organizerId),
        created_at: now,
      })
      .execute();
    await trx
      .insertInto('staff')
      .values({ organizer_id: organizerId, user_id: user.id, role: 'owner', created_at: now })
      .execute();
    await addSigningKey(ticketing, trx, organizerId, now);
  });
  await linkWallet(ticketing, organizerId, merchantApiKey);

  const assets = await ticketing.exchange.assets();
  const day = 86_400_000;
  const at = (daysAhead: number, hour: number) => {
    const date = new Date(ticketing.clock.now() + daysAhead * day);
    date.setUTCHours(hour - 9, 0, 0, 0); // Seoul time
    return date.toISOString();
  };
  const events = await inTransaction(ticketing, async ({ trx, now }) => {
    const hall = await createVenue(
      trx,
      organizerId,
      {
        name: 'Seoul Arts Center, Concert Hall',
        address: '2406 Nambusunhwan-ro, Seocho-gu, Seoul',
        latitude: 37.4786,
        longitude: 127.0115,
        radiusM: 300,
      },
      now,
    );
    await replaceSeatMap(ticketing, trx, hall.id, seatMapFromCsv(readFileSync(seatsCsv, 'utf8')));
    const concert = await createEvent(
      ticketing,
      trx,
      organizerId,
      {
        slug: 'winter-concert',
        name: 'Winter Concert',
        description: 'Beethoven 9 with the Seoul Philharmonic and chorus.',
        venueId: hall.id,
        refundPolicy: 'until_start',
        refundCutoffS: 86_400,
        categories: [
          {
            name: 'Orchestra',
            pricing: 'crypto',
            priceAsset: 'USDT',
            price: '55',
            seating: 'seated',
            sections: ['Orchestra'],
            kind: 'single',
          },
          {
            name: 'Balcony',
            pricing: 'fiat',
            priceAsset: 'KRW',
            price: '45000',
            seating: 'seated',
            sections: ['Balcony'],
            kind: 'single',
            reentryAllowed: true,
          },
          {
            name: 'Standing',
            pricing: 'crypto',
            priceAsset: 'USDT',
            price: '20',
            seating: 'ga',
            area: 'Standing',
            kind: 'single',
          },
        ],
        performances: [
          { startsAt: at(14, 19), endsAt: at(14, 22) },
          { startsAt: at(15, 15), endsAt: at(15, 18) },
        ],
      },
      assets,
      now,
    );
    const station = await createVenue(
      trx,
      organizerId,
      {
        name: 'Seoul Station transit gates',
        address: '405 Hangang-daero, Jung-gu, Seoul',
        latitude: 37.5547,
        longitude: 126.9707,
        radiusM: 500,
      },
      now,
    );
    await replaceSeatMap(ticketing, trx, station.id, {
      seats: [],
      areas: [{ name: 'Gates', capacity: 100_000 }],
    });
    const transit = await createEvent(
      ticketing,
      trx,
      organizerId,
      {
        slug: 'city-transit',
        name: 'City Transit Pass',
        description: 'Bus and subway: ten rides, a day pass, or a stored-value card.',
        venueId: station.id,
        refundPolicy: 'until_start',
        refundCutoffS: 0,
        categories: [
          {
            name: '10 rides',
            pricing: 'fiat',
            priceAsset: 'KRW',
            price: '13500',
            seating: 'ga',
            area: 'Gates',
            quota: 40_000,
            kind: 'multi',
            entriesAllowed: 10,
          },
          {
            name: 'Day pass',
            pricing: 'fiat',
            priceAsset: 'KRW',
            price: '5000',
            seating: 'ga',
            area: 'Gates',
            quota: 30_000,
            kind: 'timed',
            reentryAllowed: true,
          },
          {
            name: 'Stored value 20,000 KRW',
            pricing: 'fiat',
            priceAsset: 'KRW',
            price: '20000',
            seating: 'ga',
            area: 'Gates',
            quota: 30_000,
            kind: 'stored_value',
            storedValue: '20000',
            storedValueAsset: 'KRW',
          },
        ],
        performances: [{ startsAt: at(1, 5), endsAt: at(31, 5) }],
      },
      assets,
      now,
    );
    await publishEvent(ticketing, trx, concert, now);
    await publishEvent(ticketing, trx, transit, now);
    return [
      { id: concert, name: 'Winter Concert' },
      { id: transit, name: 'City Transit Pass' },
    ];
  });
  return { organizerId, events };
}

/**
 * For `npm start`: a fresh one-time code that enrols a gate terminal for gate A of the demo
 * concert's performances still to come (unit 416). Codes are single-use and last a day, so each
 * start makes a new one. Undefined when the demo data is not there (an organizer's own database).
 */
export async function demoEnrolmentCode(ticketing: Ticketing, ownerPhone: string) {
  const db = ticketing.database.db;
  const owner = await db
    .selectFrom('staff as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select(['s.organizer_id', 'u.id as user_id'])
    .where('u.phone', '=', ownerPhone)
    .where('s.role', '=', 'owner')
    .orderBy('s.created_at')
    .executeTakeFirst();
  if (!owner) return undefined;
  const performances = await db
    .selectFrom('performances as p')
    .innerJoin('events as e', 'e.id', 'p.event_id')
    .select(['p.id', 'e.venue_id', 'e.name'])
    .where('e.organizer_id', '=', owner.organizer_id)
    .where('e.slug', '=', 'winter-concert')
    .where('p.status', '=', 'scheduled')
    .where('p.ends_at', '>', ticketing.clock.now())
    .orderBy('p.starts_at')
    .execute();
  const first = performances[0];
  if (!first) return undefined;
  const gate = 'A';
  const made = await createEnrolment(ticketing, owner.organizer_id, owner.user_id, {
    venueId: first.venue_id,
    gate,
    performanceIds: performances.map((performance) => performance.id),
  });
  return { code: made.code, gate, eventName: first.name };
}
