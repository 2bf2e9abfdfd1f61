/**
 * The door sales screen's calls: a performance's door-sale settings (read, and saved with PUT)
 * and its door sales with their totals, re-read every 3 s while the screen is open: a sale at
 * the gate takes a buyer a minute, so staff watching the screen see each step (offered, claimed,
 * admitted) as it happens, at one small query per 3 s per open screen.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { TicketingAnswer, TicketingBody } from '@tessera/api-client';
import { useApi } from '../api.tsx';

export type DoorSaleSettings = TicketingAnswer<
  'get',
  '/v1/performances/{performanceId}/door-sales/settings'
>;
export type DoorSaleSettingsBody = TicketingBody<
  'put',
  '/v1/performances/{performanceId}/door-sales/settings'
>;
export type DoorSales = TicketingAnswer<'get', '/v1/performances/{performanceId}/door-sales'>;
export type DoorSale = DoorSales['doorSales'][number];

export const doorSalesPollMs = 3_000;
const settingsKey = (performanceId: string) => ['door-sales', performanceId, 'settings'] as const;

export function useDoorSaleSettings(performanceId: string) {
  const api = useApi();
  return useQuery({
    queryKey: settingsKey(performanceId),
    queryFn: () =>
      api.call((init) =>
        api.ticketing.GET('/v1/performances/{performanceId}/door-sales/settings', {
          ...init,
          params: { path: { performanceId } },
        }),
      ),
  });
}

export function useSaveDoorSaleSettings(performanceId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: DoorSaleSettingsBody) =>
      api.call((init) =>
        api.ticketing.PUT('/v1/performances/{performanceId}/door-sales/settings', {
          ...init,
          params: { path: { performanceId } },
          body,
        }),
      ),
    onSuccess: (saved) => queryClient.setQueryData(settingsKey(performanceId), saved),
  });
}

export function useDoorSales(performanceId: string) {
  const api = useApi();
  return useQuery({
    queryKey: ['door-sales', performanceId, 'list'],
    refetchInterval: doorSalesPollMs,
    queryFn: () =>
      api.call((init) =>
        api.ticketing.GET('/v1/performances/{performanceId}/door-sales', {
          ...init,
          params: { path: { performanceId } },
        }),
      ),
  });
}
