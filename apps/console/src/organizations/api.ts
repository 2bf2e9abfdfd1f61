/**
 * The organization screens' reads: the organizer as recorded (its wallet link and signing keys,
 * any staff role may read it) and its staff (the owner's). Changes invalidate these keys, and
 * `['me']` when they change what the signed-in person may do.
 */
import { useQuery } from '@tanstack/react-query';
import type { TicketingAnswer } from '@tessera/api-client';
import { useApi } from '../api.tsx';

export type OrganizerRecord = TicketingAnswer<'get', '/v1/organizers/{organizerId}'>;
export type SigningKey = OrganizerRecord['keys'][number];
export type StaffMember = TicketingAnswer<
  'get',
  '/v1/organizers/{organizerId}/staff'
>['staff'][number];

export const organizerKey = (organizerId: string) => ['organizer', organizerId] as const;
export const staffKey = (organizerId: string) => ['organizer', organizerId, 'staff'] as const;

export function useOrganizerRecord(organizerId: string) {
  const api = useApi();
  return useQuery({
    queryKey: organizerKey(organizerId),
    queryFn: () =>
      api.call((init) =>
        api.ticketing.GET('/v1/organizers/{organizerId}', {
          ...init,
          params: { path: { organizerId } },
        }),
      ),
  });
}

export function useStaff(organizerId: string) {
  const api = useApi();
  return useQuery({
    queryKey: staffKey(organizerId),
    queryFn: async () => {
      const { staff } = await api.call((init) =>
        api.ticketing.GET('/v1/organizers/{organizerId}/staff', {
          ...init,
          params: { path: { organizerId } },
        }),
      );
      return staff;
    },
  });
}
