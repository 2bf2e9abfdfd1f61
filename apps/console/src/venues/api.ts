/**
 * The venues feature's calls: the organizer's venues, one venue, its seat map, and the changes
 * (create, edit, import a seat map), each invalidating what it changed so every screen agrees.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { TicketingAnswer, TicketingBody } from '@tessera/api-client';
import { useApi } from '../api.tsx';
import type { SeatMapJson } from './seat-model.ts';

export type Venue = TicketingAnswer<'get', '/v1/venues/{venueId}'>;
export type VenueBody = TicketingBody<'post', '/v1/organizers/{organizerId}/venues'>;
export type StoredSeatMap = TicketingAnswer<'get', '/v1/venues/{venueId}/seat-map'>;

const venuesKey = (organizerId: string) => ['venues', organizerId] as const;
const venueKey = (venueId: string) => ['venue', venueId] as const;
const seatMapKey = (venueId: string) => ['venue', venueId, 'seat-map'] as const;

export function useVenues(organizerId: string) {
  const api = useApi();
  return useQuery({
    queryKey: venuesKey(organizerId),
    queryFn: () =>
      api.call((init) =>
        api.ticketing.GET('/v1/organizers/{organizerId}/venues', {
          ...init,
          params: { path: { organizerId } },
        }),
      ),
  });
}

export function useVenue(venueId: string) {
  const api = useApi();
  return useQuery({
    queryKey: venueKey(venueId),
    queryFn: () =>
      api.call((init) =>
        api.ticketing.GET('/v1/venues/{venueId}', { ...init, params: { path: { venueId } } }),
      ),
  });
}

export function useSeatMap(venueId: string) {
  const api = useApi();
  return useQuery({
    queryKey: seatMapKey(venueId),
    queryFn: () =>
      api.call((init) =>
        api.ticketing.GET('/v1/venues/{venueId}/seat-map', {
          ...init,
          params: { path: { venueId } },
        }),
      ),
    // The editor holds the organizer's unsaved drawing: a refetch must not replace it.
    refetchOnWindowFocus: false,
    staleTime: Number.POSITIVE_INFINITY,
  });
}

/** Creates a venue (without `venueId`) or changes one. */
export function useSaveVenue(organizerId: string, venueId?: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: VenueBody) =>
      venueId
        ? api.call((init) =>
            api.ticketing.PATCH('/v1/venues/{venueId}', {
              ...init,
              params: { path: { venueId } },
              body,
            }),
          )
        : api.call((init) =>
            api.ticketing.POST('/v1/organizers/{organizerId}/venues', {
              ...init,
              params: { path: { organizerId } },
              body,
            }),
          ),
    onSuccess: async (venue) => {
      queryClient.setQueryData(venueKey(venue.id), venue);
      await queryClient.invalidateQueries({ queryKey: venuesKey(organizerId) });
    },
  });
}

export function useImportSeatMap(organizerId: string, venueId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: SeatMapJson) =>
      api.call((init) =>
        api.ticketing.PUT('/v1/venues/{venueId}/seat-map', {
          ...init,
          params: { path: { venueId } },
          body,
        }),
      ),
    onSuccess: async () => {
      // The editor on screen keeps its drawing; the next one opened reads the saved map.
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: seatMapKey(venueId) }),
        queryClient.invalidateQueries({ queryKey: venueKey(venueId) }),
        queryClient.invalidateQueries({ queryKey: venuesKey(organizerId) }),
      ]);
    },
  });
}

/** Events asked for per page while looking for those at a venue (the server's page maximum). */
const eventsPageSize = 100;
/** Pages read at most: 2,000 events; an organizer with more learns it from a 409 on saving. */
const eventPagesMax = 20;

/**
 * The organizer's events at this venue, of any status: once one exists the seat map cannot
 * change (409 seat_map_in_use), so the editor opens read-only and says why.
 */
export function useEventsAtVenue(organizerId: string, venueId: string) {
  const api = useApi();
  return useQuery({
    queryKey: ['venue', venueId, 'events', organizerId],
    queryFn: async () => {
      const found: { id: string; name: string }[] = [];
      let after: string | undefined;
      for (let page = 0; page < eventPagesMax; page += 1) {
        const answer = await api.call((init) =>
          api.ticketing.GET('/v1/organizers/{organizerId}/events', {
            ...init,
            params: {
              path: { organizerId },
              query: { limit: eventsPageSize, ...(after ? { after } : {}) },
            },
          }),
        );
        for (const event of answer.events) {
          if (event.venue.id === venueId) found.push({ id: event.id, name: event.name });
        }
        if (!answer.next) break;
        after = answer.next;
      }
      return found;
    },
  });
}
