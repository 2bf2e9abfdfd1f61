/**
 * Catalogue and purchase steps through the real HTTP API, for the ticketing tests: a venue with
 * a seat map, a published event, and a buyer's whole purchase (hold, order, pay at the exchange,
 * webhook, tickets).
 */
import { key, type TestSystem } from './harness.ts';

export interface EventSetup {
  organizer: Awaited<ReturnType<TestSystem['createOrganizer']>>;
  venueId: string;
  eventId: string;
  performanceIds: string[];
  performanceCodes: string[];
  /** When the first performance starts (ms); the others follow a day apart. */
  startsAt: number;
  /** Category ids by name. */
  categories: Record<string, string>;
}

/** A venue with `rows` rows of `seatsPerRow` seats in section "A" and a standing area of 100. */
export function seatMap(rows: number, seatsPerRow: number, standing = 100) {
  return {
    sections: [
      {
        name: 'A',
        rows: Array.from({ length: rows }, (_, row) => ({
          label: String(row + 1),
          seats: Array.from({ length: seatsPerRow }, (_, seat) => ({ number: String(seat + 1) })),
        })),
      },
    ],
    areas: standing > 0 ? [{ name: 'Standing', capacity: standing }] : [],
  };
}

export async function setupEvent(
  s: TestSystem,
  options: {
    rows?: number;
    seatsPerRow?: number;
    standing?: number;
    performances?: number;
    name?: string;
    refundPolicy?: 'none' | 'until_start';
    refundCutoffS?: number;
    categories?: Record<string, unknown>[];
    perBuyerLimit?: number;
    perOrderLimit?: number;
  } = {},
): Promise<EventSetup> {
  const organizer = await s.createOrganizer();
  const token = organizer.owner.token;
  const venue = await s.request('POST', `/v1/organizers/${organizer.id}/venues`, {
    token,
    body: {
      name: 'Hall',
      address: '2406 Nambusunhwan-ro, Seoul',
      latitude: 37.4786,
      longitude: 127.0115,
      radiusM: 300,
    },
  });
  if (venue.status !== 201) throw new Error(`venue: ${venue.status} ${venue.raw}`);
  const map = await s.request('PUT', `/v1/venues/${venue.body.id}/seat-map`, {
    token,
    body: seatMap(options.rows ?? 5, options.seatsPerRow ?? 10, options.standing ?? 100),
  });
  if (map.status !== 200) throw new Error(`seat map: ${map.status} ${map.raw}`);
  const start = s.clock.now() + 7 * 86_400_000;
  const event = await s.request('POST', `/v1/organizers/${organizer.id}/events`, {
    token,
    body: {
      slug: `concert-${Math.random().toString(36).slice(2, 8)}`,
      name: options.name ?? 'Winter Concert',
      venueId: venue.body.id,
      refundPolicy: options.refundPolicy ?? 'until_start',
      ...(options.refundCutoffS !== undefined ? { refundCutoffS: options.refundCutoffS } : {}),
      ...(options.perBuyerLimit ? { perBuyerLimit: options.perBuyerLimit } : {}),
      ...(options.perOrderLimit ? { perOrderLimit: options.perOrderLimit } : {}),
      categories: options.categories ?? [
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
          name: 'Standing',
          pricing: 'fiat',
          priceAsset: 'KRW',
          price: '30000',
          seating: 'ga',
          area: 'Standing',
          kind: 'single',
        },
      ],
      performances: Array.from({ length: options.performances ?? 1 }, (_, index) => ({
        startsAt: new Date(start + index * 86_400_000).toISOString(),
        endsAt: new Date(start + index * 86_400_000 + 3 * 3_600_000).toISOString(),
        salesStart: new Date(s.clock.now() - 60_000).toISOString(),
      })),
    },
  });
  if (event.status !== 201) throw new Error(`event: ${event.status} ${event.raw}`);
  const published = await s.request('POST', `/v1/events/${event.body.id}/publish`, { token });
  if (published.status !== 200) throw new Error(`publish: ${published.status} ${published.raw}`);
  const categories: Record<string, string> = {};
  for (const category of event.body.categories) categories[category.name] = category.id;
  return {
    organizer,
    venueId: venue.body.id,
    eventId: event.body.id,
    performanceIds: event.body.performances.map((p: { id: string }) => p.id),
    performanceCodes: event.body.performances.map((p: { code: string }) => p.code),
    startsAt: start,
    categories,
  };
}

export type Buyer = Awaited<ReturnType<TestSystem['createBuyer']>>;

/** Holds, orders and pays; returns the order as the ticketing server sees it after paying. */
export async function buy(
  s: TestSystem,
  buyer: Buyer,
  hold: { performanceId: string; seats?: string[]; categoryId?: string; quantity?: number },
  options: { deliverWebhooks?: boolean; asset?: string; deliverTo?: string } = {},
) {
  const held = await s.request('POST', '/v1/holds', { token: buyer.token, body: hold });
  if (held.status !== 201) return { held, order: undefined, paid: undefined };
  const order = await s.request('POST', '/v1/orders', {
    token: buyer.token,
    body: {
      holdId: held.body.id,
      ...(options.deliverTo ? { deliverTo: options.deliverTo } : { deviceId: buyer.deviceId }),
      ...(options.asset ? { asset: options.asset } : {}),
    },
  });
  if (order.status !== 201) throw new Error(`order: ${order.status} ${order.raw}`);
  const paid = await s.x.request(
    'POST',
    `/v1/payment-requests/${order.body.payment.requestId}/pay`,
    {
      token: buyer.wallet.token,
      key: key(),
    },
  );
  if (options.deliverWebhooks !== false) await s.deliverWebhooks();
  return { held, order, paid };
}

/** Holds one seat of a category and orders it for the buyer's device; nothing paid yet. */
export async function holdAndOrder(
  s: TestSystem,
  buyer: Buyer,
  performanceId: string,
  categoryId: string,
) {
  const held = await s.request('POST', '/v1/holds', {
    token: buyer.token,
    body: { performanceId, categoryId, quantity: 1 },
  });
  const order = await s.request('POST', '/v1/orders', {
    token: buyer.token,
    body: { holdId: held.body.id, deviceId: buyer.deviceId },
  });
  return { held, order };
}
