/**
 * Demo data for `npm start` on an empty database: an organizer owned by the demo organizer's
 * phone, its exchange wallet linked, a venue with a seat map (examples/seats.csv) and two
 * published events with several ticket kinds: a concert (seated in crypto, seated priced in
 * fiat, standing) and a city transit pass (a 10-ride pass, a day pass, a stored-value card).
 * The venues and events are in demo/events.ts.
 */
import type { Ticketing } from './context.ts';
import { inTransaction } from './context.ts';
import { seedDemoEvents } from './demo/events.ts';
import { upcomingPerformancesOfEvent } from './demo/repository.ts';
import { userForPhone } from './identity/service.ts';
import { newId } from './ids.ts';
import { anyOrganizerExists, firstOrganizerOwnedBy } from './organizers/repository.ts';
import { addOrganizer } from './organizers/service.ts';
import { linkWallet } from './organizers/wallet.ts';
import { createEnrolment } from './terminals/service.ts';

export interface DemoResult {
  organizerId: string;
  events: { id: string; name: string }[];
}

/**
 * Seeds when no organizer exists yet; `merchantApiKey` is a key of the demo merchant at the
 * exchange (the start script makes one). Returns undefined when the database had data.
 */
export async function seedDemo(
  ticketing: Ticketing,
  owner: { phone: string; name: string },
  merchantApiKey: string,
): Promise<DemoResult | undefined> {
  refuseInProduction(ticketing);
  if (await anyOrganizerExists(ticketing.database.db)) return undefined;
  const user = await userForPhone(ticketing, owner.phone);
  const organizerId = newId('org');
  await inTransaction(ticketing, (work) =>
    addOrganizer(ticketing, work, { id: organizerId, name: owner.name, ownerId: user.id }),
  );
  await linkWallet(ticketing, organizerId, merchantApiKey);

  const assets = await ticketing.exchange.assets();
  const day = 86_400_000;
  const at = (daysAhead: number, hour: number) => {
    const date = new Date(ticketing.clock.now() + daysAhead * day);
    date.setUTCHours(hour - 9, 0, 0, 0); // Seoul time
    return date.toISOString();
  };
  const events = await inTransaction(ticketing, (work) =>
    seedDemoEvents(ticketing, work, organizerId, assets, at),
  );
  return { organizerId, events };
}

/**
 * For `npm start`: a fresh one-time code that enrols a gate terminal for gate A of the demo
 * concert's performances still to come (unit 416). Codes are single-use and last a day, so each
 * start makes a new one. Undefined when the demo data is not there (an organizer's own database).
 */
export async function demoEnrolmentCode(ticketing: Ticketing, ownerPhone: string) {
  refuseInProduction(ticketing);
  const db = ticketing.database.db;
  const owner = await firstOrganizerOwnedBy(db, ownerPhone);
  if (!owner) return undefined;
  const performances = await upcomingPerformancesOfEvent(
    db,
    owner.organizer_id,
    'winter-concert',
    ticketing.clock.now(),
  );
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

/** The demo (published phone numbers, a gate code printed at start) is never for production. */
function refuseInProduction(ticketing: Ticketing) {
  if (ticketing.config.environment === 'production') {
    throw new Error('the demo data is for development: refused in production');
  }
}
