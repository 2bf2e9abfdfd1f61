/** Reads where an event's seated categories are (the event's answer gives only capacities). */
import type { useApi } from '../api.tsx';
import { fetchSeatCategories } from './api.ts';
import { seatingOf } from './form-model.ts';

/** Where an event's seated categories are: from its first performance's seats. */
export async function seatingFor(
  api: ReturnType<typeof useApi>,
  event: { venue: { id: string }; performances: { id: string }[] },
) {
  const first = event.performances[0];
  if (!first) return new Map<string, { sections: string[]; seats: string[] }>();
  const [availability, seatMap] = await Promise.all([
    fetchSeatCategories(api, first.id),
    api.call((init) =>
      api.ticketing.GET('/v1/venues/{venueId}/seat-map', {
        ...init,
        params: { path: { venueId: event.venue.id } },
      }),
    ),
  ]);
  return seatingOf(availability, seatMap);
}
