/** The SQL only the demo needs: the performances a fresh demo enrolment code names. */
import type { Trx } from '../context.ts';

export interface UpcomingPerformance {
  readonly id: string;
  readonly venue_id: string;
  /** The event's name. */
  readonly name: string;
}

/** The scheduled performances of the organizer's event `slug` that end after `now`, by start. */
export function upcomingPerformancesOfEvent(
  db: Trx,
  organizerId: string,
  slug: string,
  now: number,
): Promise<UpcomingPerformance[]> {
  return db
    .selectFrom('performances as p')
    .innerJoin('events as e', 'e.id', 'p.event_id')
    .select(['p.id', 'e.venue_id', 'e.name'])
    .where('e.organizer_id', '=', organizerId)
    .where('e.slug', '=', slug)
    .where('p.status', '=', 'scheduled')
    .where('p.ends_at', '>', now)
    .orderBy('p.starts_at')
    .execute();
}

/**
 * The organizer's event `slug` and its first scheduled performance whose doors are open at `now`
 * and whose sales go on until at least `salesUntil`; no performance when none is.
 */
export async function eventWithOpenDoors(
  db: Trx,
  organizerId: string,
  slug: string,
  now: number,
  salesUntil: number,
) {
  const event = await db
    .selectFrom('events')
    .select(['id', 'status'])
    .where('organizer_id', '=', organizerId)
    .where('slug', '=', slug)
    .executeTakeFirst();
  if (!event) return undefined;
  const open = await db
    .selectFrom('performances')
    .select(['id', 'doors_at', 'starts_at'])
    .where('event_id', '=', event.id)
    .where('status', '=', 'scheduled')
    .where('doors_at', '<=', now)
    .where('sales_end', '>=', salesUntil)
    .orderBy('starts_at')
    .executeTakeFirst();
  return { event, open };
}
