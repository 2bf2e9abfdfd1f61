/**
 * The check-in screens' calls: the dashboard's snapshot (re-read every 20 s: terminals' last
 * contact and anything the feed cannot tell, such as unsent uploads; the feed does the rest, see
 * live.ts), the admission log (searched, paged with "more") and one ticket's history.
 */
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import type { TicketingAnswer } from '@tessera/api-client';
import { useApi } from '../api.tsx';

export type CheckinSnapshot = TicketingAnswer<'get', '/v1/performances/{performanceId}/checkin'>;
export type LogPage = TicketingAnswer<'get', '/v1/performances/{performanceId}/checkin/log'>;
export type LogEntry = LogPage['entries'][number];
export type TicketHistory = TicketingAnswer<'get', '/v1/tickets/{ticketId}/history'>;
export type HistoryEvent = TicketHistory['events'][number];

/**
 * Between 15 and 30 s (issue 20): often enough that "last synced" and online/offline follow the
 * terminals' own calls (every 30 s or so), rarely enough that 20 dashboards cost the server one
 * snapshot a second between them.
 */
export const snapshotRefreshMs = 20_000;
/**
 * A snapshot the server made for another dashboard this recently will do (its `maxAgeMs`): the
 * feed resumes after the snapshot's `lastSeq`, so the replay brings what came since, and the
 * server reads the performance's admissions once for many dashboards instead of once each.
 */
export const snapshotShareMs = 3_000;
export const logPageSize = 50;

export const checkinKey = (performanceId: string) => ['checkin', performanceId] as const;

/**
 * `follow`: re-read every 20 s (the dashboard); without it the snapshot is read once, for the
 * venue's zone and the gates' names (the log, a ticket's history), or taken from the cache.
 */
export function useCheckinSnapshot(performanceId: string | undefined, follow = true) {
  const api = useApi();
  return useQuery({
    queryKey: checkinKey(performanceId ?? ''),
    enabled: performanceId !== undefined,
    refetchInterval: follow ? snapshotRefreshMs : false,
    // The feed keeps the figures current; a refetch on focus would only repeat the interval's.
    refetchOnWindowFocus: false,
    staleTime: snapshotRefreshMs,
    queryFn: () =>
      api.call((init) =>
        api.ticketing.GET('/v1/performances/{performanceId}/checkin', {
          ...init,
          params: {
            path: { performanceId: performanceId ?? '' },
            query: { maxAgeMs: snapshotShareMs },
          },
        }),
      ),
  });
}

/** The dashboard feed's address (read with fetch and the session's token: feed.ts). */
export function useFeedUrl(performanceId: string): string {
  const api = useApi();
  const base = api.config.ticketingUrl.replace(/\/+$/, '');
  return `${base}/v1/performances/${encodeURIComponent(performanceId)}/checkin/feed`;
}

export interface LogFilters {
  q?: string;
  gate?: string;
  decision?: 'admitted' | 'refused' | 'duplicate' | 'outside';
  /** ISO instants. */
  from?: string;
  to?: string;
}

export function useCheckinLog(performanceId: string, filters: LogFilters) {
  const api = useApi();
  return useInfiniteQuery({
    queryKey: [...checkinKey(performanceId), 'log', filters],
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page: LogPage) => page.next ?? undefined,
    queryFn: ({ pageParam }) =>
      api.call((init) =>
        api.ticketing.GET('/v1/performances/{performanceId}/checkin/log', {
          ...init,
          params: {
            path: { performanceId },
            query: { ...filters, limit: logPageSize, ...(pageParam ? { cursor: pageParam } : {}) },
          },
        }),
      ),
  });
}

export function useTicketHistory(ticketId: string) {
  const api = useApi();
  return useQuery({
    queryKey: ['ticket-history', ticketId],
    queryFn: () =>
      api.call((init) =>
        api.ticketing.GET('/v1/tickets/{ticketId}/history', {
          ...init,
          params: { path: { ticketId } },
        }),
      ),
  });
}
