/**
 * The events screens' calls: the organizer's events, one event, the venues and their seat maps,
 * the exchange's assets, and the writes (create, apply by slug, publish, add a performance).
 * Every read is a TanStack query keyed by what it reads, so the list, the editor and the preview
 * share one copy; every write refreshes the event and the list.
 */
import {
  type QueryClient,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import type { ExchangeAnswer, TicketingAnswer, TicketingBody } from '@tessera/api-client';
import { useApi } from '../api.tsx';

export type EventView = TicketingAnswer<'get', '/v1/events/{eventId}'>;
export type EventCategory = EventView['categories'][number];
export type EventPerformance = EventView['performances'][number];
export type EventListPage = TicketingAnswer<'get', '/v1/organizers/{organizerId}/events'>;
export type EventListItem = EventListPage['events'][number];
export type Venue = TicketingAnswer<'get', '/v1/organizers/{organizerId}/venues'>['venues'][number];
export type SeatMap = TicketingAnswer<'get', '/v1/venues/{venueId}/seat-map'>;
export type Availability = TicketingAnswer<'get', '/v1/performances/{performanceId}/availability'>;
export type Assets = ExchangeAnswer<'get', '/v1/assets'>;
export type EventBody = TicketingBody<'post', '/v1/organizers/{organizerId}/events'>;
export type PerformanceBody = TicketingBody<'post', '/v1/events/{eventId}/performances'>;

/** Events per page of the list: the server's own maximum. */
const eventsPageSize = 100;

export const eventKeys = {
  list: (organizerId: string) => ['events', 'list', organizerId] as const,
  one: (eventId: string) => ['events', 'one', eventId] as const,
};

export function useOrganizerEvents(organizerId: string) {
  const api = useApi();
  return useInfiniteQuery({
    queryKey: eventKeys.list(organizerId),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page: EventListPage) => page.next ?? undefined,
    queryFn: ({ pageParam }) =>
      api.call((init) =>
        api.ticketing.GET('/v1/organizers/{organizerId}/events', {
          ...init,
          params: {
            path: { organizerId },
            query: { limit: eventsPageSize, ...(pageParam ? { after: pageParam } : {}) },
          },
        }),
      ),
  });
}

export function useEvent(eventId: string | undefined) {
  const api = useApi();
  return useQuery({
    queryKey: eventKeys.one(eventId ?? ''),
    enabled: Boolean(eventId),
    queryFn: () =>
      api.call((init) =>
        api.ticketing.GET('/v1/events/{eventId}', {
          ...init,
          params: { path: { eventId: eventId ?? '' } },
        }),
      ),
  });
}

export function useVenues(organizerId: string) {
  const api = useApi();
  return useQuery({
    queryKey: ['venues', 'list', organizerId],
    queryFn: () =>
      api.call((init) =>
        api.ticketing.GET('/v1/organizers/{organizerId}/venues', {
          ...init,
          params: { path: { organizerId } },
        }),
      ),
  });
}

export function useSeatMap(venueId: string | undefined) {
  const api = useApi();
  return useQuery({
    queryKey: ['venues', 'seat-map', venueId],
    enabled: Boolean(venueId),
    queryFn: () =>
      api.call((init) =>
        api.ticketing.GET('/v1/venues/{venueId}/seat-map', {
          ...init,
          params: { path: { venueId: venueId ?? '' } },
        }),
      ),
  });
}

/** The exchange's assets (public: no session is sent to the exchange). */
export function useAssets() {
  const api = useApi();
  return useQuery({
    queryKey: ['exchange', 'assets'],
    staleTime: 10 * 60_000,
    queryFn: () =>
      api.call((init) => api.exchange.GET('/v1/assets', init), {
        token: undefined,
      }),
  });
}

/**
 * A performance's seats with their categories: where an event's seated categories are. The
 * public detail is enough (every staff role may read it, drafts included, with its session).
 */
export function fetchSeatCategories(api: ReturnType<typeof useApi>, performanceId: string) {
  return api.call((init) =>
    api.ticketing.GET('/v1/performances/{performanceId}/availability', {
      ...init,
      params: { path: { performanceId } },
    }),
  );
}

function refreshEvent(queryClient: QueryClient, organizerId: string, event: EventView) {
  queryClient.setQueryData(eventKeys.one(event.id), event);
  void queryClient.invalidateQueries({ queryKey: eventKeys.list(organizerId) });
}

export function useCreateEvent(organizerId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: EventBody) =>
      api.call((init) =>
        api.ticketing.POST('/v1/organizers/{organizerId}/events', {
          ...init,
          params: { path: { organizerId } },
          body,
        }),
      ),
    onSuccess: (event) => refreshEvent(queryClient, organizerId, event),
  });
}

/** Brings an event in line with the form (the command line's `event apply`). */
export function useApplyEvent(organizerId: string, slug: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: EventBody) =>
      api.call((init) =>
        api.ticketing.PUT('/v1/organizers/{organizerId}/events/by-slug/{slug}', {
          ...init,
          params: { path: { organizerId, slug } },
          body,
        }),
      ),
    onSuccess: (event) => refreshEvent(queryClient, organizerId, event),
  });
}

export function usePublish(organizerId: string, eventId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (publish: boolean) =>
      api.call((init) =>
        publish
          ? api.ticketing.POST('/v1/events/{eventId}/publish', {
              ...init,
              params: { path: { eventId } },
            })
          : api.ticketing.POST('/v1/events/{eventId}/unpublish', {
              ...init,
              params: { path: { eventId } },
            }),
      ),
    onSuccess: (event) => refreshEvent(queryClient, organizerId, event),
  });
}

export function useAddPerformance(organizerId: string, eventId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: PerformanceBody) =>
      api.call((init) =>
        api.ticketing.POST('/v1/events/{eventId}/performances', {
          ...init,
          params: { path: { eventId } },
          body,
        }),
      ),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: eventKeys.one(eventId) });
      void queryClient.invalidateQueries({ queryKey: eventKeys.list(organizerId) });
    },
  });
}
