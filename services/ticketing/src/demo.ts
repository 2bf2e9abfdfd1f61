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
import { eventWithOpenDoors, upcomingPerformancesOfEvent } from './demo/repository.ts';
import { addPerformance } from './events/service.ts';
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
  const seoulOffsetMs = 9 * 60 * 60 * 1000;
  // `hour` o'clock in Seoul (UTC+9 all year), `daysAhead` days after Seoul's date today. The day
  // is Seoul's, not UTC's: from 15:00 UTC Seoul is already on the next date, and counting from
  // the UTC date put "tomorrow 05:00" in the past, which the catalogue refuses (a seed started
  // after 20:00 UTC failed).
  const at = (daysAhead: number, hour: number) => {
    const seoul = new Date(ticketing.clock.now() + seoulOffsetMs);
    const date = Date.UTC(
      seoul.getUTCFullYear(),
      seoul.getUTCMonth(),
      seoul.getUTCDate() + daysAhead,
      hour,
    );
    return new Date(date - seoulOffsetMs).toISOString();
  };
  const events = await inTransaction(ticketing, (work) =>
    seedDemoEvents(ticketing, work, organizerId, assets, at),
  );
  return { organizerId, events };
}

const minuteMs = 60_000;
const hourMs = 3_600_000;

/**
 * For `npm start`, on every start: a Winter Concert performance whose doors are open now, so the
 * README's tour reaches a green ADMIT at the demo gate on the day it is run (the seeded dates are
 * weeks ahead, where the gate answers "not valid yet"). A scheduled one whose doors are open and
 * whose sales go on for at least another hour is kept, with whatever it has sold; otherwise one is
 * added: doors open a minute ago, the show starts on the hour three to four hours from now and
 * ends two hours later (sales end at the start). Nothing is moved or removed, so a restart never
 * duplicates it nor loses a ticket. Returns its id and start, or undefined without the demo data.
 */
export async function ensureDoorsOpenPerformance(
  ticketing: Ticketing,
  ownerPhone: string,
): Promise<{ id: string; startsAt: number; added: boolean } | undefined> {
  refuseInProduction(ticketing);
  const db = ticketing.database.db;
  const owner = await firstOrganizerOwnedBy(db, ownerPhone);
  if (!owner) return undefined;
  const now = ticketing.clock.now();
  const found = await eventWithOpenDoors(
    db,
    owner.organizer_id,
    'winter-concert',
    now,
    now + hourMs,
  );
  if (found?.event.status !== 'published') return undefined;
  if (found.open) return { id: found.open.id, startsAt: found.open.starts_at, added: false };
  const doorsAt = Math.floor(now / minuteMs) * minuteMs - minuteMs;
  // A seeded performance may start on that hour (the seeded dates are on the hour too): the
  // next five minutes then.
  for (let shift = 0; shift < 6; shift++) {
    const startsAt = Math.ceil(now / hourMs) * hourMs + 3 * hourMs + shift * 5 * minuteMs;
    try {
      const id = await inTransaction(ticketing, ({ trx, now: at }) =>
        addPerformance(
          ticketing,
          trx,
          found.event.id,
          {
            doorsAt: new Date(doorsAt).toISOString(),
            startsAt: new Date(startsAt).toISOString(),
            endsAt: new Date(startsAt + 2 * hourMs).toISOString(),
          },
          at,
        ),
      );
      return { id, startsAt, added: true };
    } catch (error) {
      if ((error as { code?: string }).code !== 'duplicate_performance') throw error;
    }
  }
  throw new Error('no free start time for the demo performance with open doors');
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
