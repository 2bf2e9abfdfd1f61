/**
 * The sales screens' calls: the event's sales report, its performances' seats by status, its
 * orders (searched and paged), the exchange's KRW rates, and the refunds and cancellations that
 * change them.
 *
 * Why polling every 5 s rather than a live feed: the ticketing server's only feed is the gate
 * terminals' admissions (docs/feeds.md); there is none for an organizer's sales. A sale shows
 * within five seconds, and TanStack Query stops polling when the screen closes.
 */
import { useQuery } from '@tanstack/react-query';
import type { TicketingAnswer } from '@tessera/api-client';
import { useApi } from '../api.tsx';

export const salesPollMs = 5_000;

export type SalesReport = TicketingAnswer<'get', '/v1/events/{eventId}/sales'>;
export type PerformanceSales = SalesReport['performances'][number];
export type EventDetail = TicketingAnswer<'get', '/v1/events/{eventId}'>;
export type OrdersPage = TicketingAnswer<'get', '/v1/events/{eventId}/orders'>;
export type EventOrder = OrdersPage['orders'][number];
export type OrderTicket = EventOrder['tickets'][number];
export type Availability = TicketingAnswer<'get', '/v1/performances/{performanceId}/availability'>;

export const salesKey = (eventId: string) => ['sales', eventId] as const;
export const ordersKey = (eventId: string) => ['sales', eventId, 'orders'] as const;

/** The organizer's events (the first page: the list screen's links). */
export function useOrganizerEvents(organizerId: string) {
  const api = useApi();
  return useQuery({
    queryKey: ['sales', 'events', organizerId],
    queryFn: () =>
      api.call((init) =>
        api.ticketing.GET('/v1/organizers/{organizerId}/events', {
          ...init,
          params: { path: { organizerId }, query: { limit: 100 } },
        }),
      ),
  });
}

export function useSalesReport(eventId: string) {
  const api = useApi();
  return useQuery({
    queryKey: salesKey(eventId),
    queryFn: () =>
      api.call((init) =>
        api.ticketing.GET('/v1/events/{eventId}/sales', {
          ...init,
          params: { path: { eventId } },
        }),
      ),
    refetchInterval: salesPollMs,
  });
}

export function useEventDetail(eventId: string) {
  const api = useApi();
  return useQuery({
    queryKey: ['sales', eventId, 'event'],
    queryFn: () =>
      api.call((init) =>
        api.ticketing.GET('/v1/events/{eventId}', { ...init, params: { path: { eventId } } }),
      ),
  });
}

/** Seats by status (staff see held, sold and blocked apart), for the map. */
export function useSeatStatus(eventId: string, performanceId: string) {
  const api = useApi();
  return useQuery({
    queryKey: [...salesKey(eventId), 'seats', performanceId],
    queryFn: () =>
      api.call((init) =>
        api.ticketing.GET('/v1/performances/{performanceId}/availability', {
          ...init,
          params: { path: { performanceId }, query: { detail: 'staff' } },
        }),
      ),
    refetchInterval: salesPollMs,
  });
}

export interface OrderSearch {
  performanceId?: string;
  q?: string;
  after?: string;
}

export const ordersPageSize = 20;

export function useEventOrders(eventId: string, search: OrderSearch) {
  const api = useApi();
  return useQuery({
    queryKey: [...ordersKey(eventId), search],
    queryFn: () =>
      api.call((init) =>
        api.ticketing.GET('/v1/events/{eventId}/orders', {
          ...init,
          params: { path: { eventId }, query: { ...search, limit: ordersPageSize } },
        }),
      ),
    refetchInterval: salesPollMs,
    placeholderData: (previous) => previous,
  });
}

/** The exchange's public rates: what one unit of each asset is worth in its fiat (KRW). */
export function useRates() {
  const api = useApi();
  return useQuery({
    queryKey: ['rates'],
    queryFn: () => api.call((init) => api.exchange.GET('/v1/rates', init), { token: undefined }),
    refetchInterval: 60_000,
  });
}

export type SalesTimeline = TicketingAnswer<'get', '/v1/events/{eventId}/sales/timeline'>;
export type TimelineQuery = { from?: string; to?: string; stepS?: number };

/** Tickets, orders, refunds and revenue per time bucket (only buckets with something in them). */
export function useSalesTimeline(eventId: string, query: TimelineQuery, enabled = true) {
  const api = useApi();
  return useQuery({
    queryKey: [...salesKey(eventId), 'timeline', query],
    enabled,
    queryFn: () =>
      api.call((init) =>
        api.ticketing.GET('/v1/events/{eventId}/sales/timeline', {
          ...init,
          params: { path: { eventId }, query },
        }),
      ),
    refetchInterval: salesPollMs,
    placeholderData: (previous) => previous,
  });
}
