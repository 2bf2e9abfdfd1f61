/**
 * The gates screen's calls: the organizer's terminals (re-read every 10 s while the screen is
 * open, so "last contact" and pending uploads stay current), enrolment codes, renaming and
 * revoking. Every change refreshes the list.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { TicketingAnswer, TicketingBody } from '@tessera/api-client';
import { useApi } from '../api.tsx';

export type Terminal = TicketingAnswer<
  'get',
  '/v1/organizers/{organizerId}/terminals'
>['terminals'][number];
export type Enrolment = TicketingAnswer<'post', '/v1/organizers/{organizerId}/enrolments'>;
export type EnrolmentBody = TicketingBody<'post', '/v1/organizers/{organizerId}/enrolments'>;

const terminalsRefreshMs = 10_000;
const terminalsKey = (organizerId: string) => ['terminals', organizerId] as const;

export function useTerminals(organizerId: string) {
  const api = useApi();
  return useQuery({
    queryKey: terminalsKey(organizerId),
    refetchInterval: terminalsRefreshMs,
    queryFn: async () => {
      const { terminals } = await api.call((init) =>
        api.ticketing.GET('/v1/organizers/{organizerId}/terminals', {
          ...init,
          params: { path: { organizerId } },
        }),
      );
      return terminals;
    },
  });
}

export function useEnrol(organizerId: string) {
  const api = useApi();
  return useMutation({
    mutationFn: (body: EnrolmentBody) =>
      api.call((init) =>
        api.ticketing.POST('/v1/organizers/{organizerId}/enrolments', {
          ...init,
          params: { path: { organizerId } },
          body,
        }),
      ),
  });
}

/** Rename (with a name) or revoke (without) one terminal. */
export function useTerminalChange(organizerId: string, terminalId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  const path = { organizerId, terminalId };
  return useMutation({
    mutationFn: (change: { name: string } | { revoke: true }) =>
      'name' in change
        ? api.call((init) =>
            api.ticketing.PATCH('/v1/organizers/{organizerId}/terminals/{terminalId}', {
              ...init,
              params: { path },
              body: { name: change.name },
            }),
          )
        : api.call((init) =>
            api.ticketing.DELETE('/v1/organizers/{organizerId}/terminals/{terminalId}', {
              ...init,
              params: { path },
            }),
          ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: terminalsKey(organizerId) }),
  });
}
