/**
 * The demo's venues and events: a concert at the Seoul Arts Center (seated in crypto, seated
 * priced in fiat, standing) and a city transit pass at Seoul Station (a 10-ride pass, a day pass,
 * a stored-value card), both published.
 */
import { readFileSync } from 'node:fs';
import type { Ticketing, Work } from '../context.ts';
import type { AssetBook } from '../events/plan.ts';
import { createEvent, publishEvent } from '../events/service.ts';
import { seatMapFromCsv } from '../venues/seat-map.ts';
import { createVenue, replaceSeatMap } from '../venues/service.ts';

const seatsCsv = new URL('../../examples/seats.csv', import.meta.url);

/** A time `daysAhead` days from now at `hour` o'clock in Seoul, as ISO text. */
/** Both demo venues are in Seoul; the start banner prints the demo's times at their clock. */
export const demoTimeZone = 'Asia/Seoul';

export type DemoTime = (daysAhead: number, hour: number) => string;

/** Both events, created and published in the caller's transaction. */
export async function seedDemoEvents(
  ticketing: Ticketing,
  work: Work,
  organizerId: string,
  assets: AssetBook,
  at: DemoTime,
): Promise<{ id: string; name: string }[]> {
  const { trx, now } = work;
  const concert = await seedConcert(ticketing, work, organizerId, assets, at);
  const transit = await seedTransit(ticketing, work, organizerId, assets, at);
  await publishEvent(ticketing, trx, concert, now);
  await publishEvent(ticketing, trx, transit, now);
  return [
    { id: concert, name: 'Winter Concert' },
    { id: transit, name: 'City Transit Pass' },
  ];
}

/** The concert hall with its seat map (examples/seats.csv) and the Winter Concert, a draft. */
async function seedConcert(
  ticketing: Ticketing,
  { trx, now }: Work,
  organizerId: string,
  assets: AssetBook,
  at: DemoTime,
): Promise<string> {
  const hall = await createVenue(
    trx,
    organizerId,
    {
      name: 'Seoul Arts Center, Concert Hall',
      address: '2406 Nambusunhwan-ro, Seocho-gu, Seoul',
      latitude: 37.4786,
      longitude: 127.0115,
      radiusM: 300,
      timeZone: demoTimeZone,
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
  return concert;
}

/** The station's gates (one standing area) and the City Transit Pass, a draft. */
async function seedTransit(
  ticketing: Ticketing,
  { trx, now }: Work,
  organizerId: string,
  assets: AssetBook,
  at: DemoTime,
): Promise<string> {
  const station = await createVenue(
    trx,
    organizerId,
    {
      name: 'Seoul Station transit gates',
      address: '405 Hangang-daero, Jung-gu, Seoul',
      latitude: 37.5547,
      longitude: 126.9707,
      radiusM: 500,
      timeZone: demoTimeZone,
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
  return transit;
}
