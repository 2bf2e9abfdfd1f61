/**
 * The close and reconcile screen's calls: the performance's gate report (re-read every 10 s
 * while the screen is open, so terminals that come online and upload after the close show), the
 * organizer's terminals (for who is online before the close), closing, and one table of the
 * report as a CSV file.
 *
 * Why the CSV goes through fetch and a blob link rather than a plain link: the route needs the
 * session's Authorization header, which a link cannot send (the session is no cookie).
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { TicketingAnswer, TicketingBody } from '@tessera/api-client';
import { type Api, useApi } from '../api.tsx';

export type GateReport = TicketingAnswer<'get', '/v1/performances/{performanceId}/gate-report'>;
export type TerminalStanding = GateReport['terminals'][number];
export type Closed = TicketingAnswer<'post', '/v1/performances/{performanceId}/close'>;
export type CloseBody = NonNullable<
  TicketingBody<'post', '/v1/performances/{performanceId}/close'>
>;

/** The tables the route answers as CSV (reports/gate/csv.ts on the server). */
export const csvTables = ['summary', 'gates', 'duplicates', 'outside'] as const;
export type CsvTable = (typeof csvTables)[number];

const reportRefreshMs = 10_000;
export const gateReportKey = (performanceId: string) => ['gate-report', performanceId] as const;

export function useGateReport(performanceId: string) {
  const api = useApi();
  return useQuery({
    queryKey: gateReportKey(performanceId),
    refetchInterval: reportRefreshMs,
    queryFn: () =>
      api.call((init) =>
        api.ticketing.GET('/v1/performances/{performanceId}/gate-report', {
          ...init,
          params: { path: { performanceId } },
        }),
      ),
  });
}

export function useClose(performanceId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CloseBody) =>
      api.call((init) =>
        api.ticketing.POST('/v1/performances/{performanceId}/close', {
          ...init,
          params: { path: { performanceId } },
          body,
        }),
      ),
    onSuccess: (closed) => {
      queryClient.setQueryData(gateReportKey(performanceId), closed.report);
      return queryClient.invalidateQueries({ queryKey: ['terminals'] });
    },
  });
}

/**
 * One table of the report as CSV, saved as the server names it (`gate-<table>-<code>.csv`: the
 * name is made here, since a cross-origin answer's Content-Disposition is not readable by the
 * page unless the server exposes it).
 */
export async function downloadCsv(
  api: Api,
  performance: { id: string; code: string },
  table: CsvTable,
) {
  const url = new URL(
    `/v1/performances/${encodeURIComponent(performance.id)}/gate-report`,
    api.config.ticketingUrl,
  );
  url.searchParams.set('format', 'csv');
  url.searchParams.set('table', table);
  const file = await api.call(async (init) => {
    const response = await fetch(url, { headers: init.headers, signal: init.signal });
    if (!response.ok) return { response, error: await response.json().catch(() => undefined) };
    return { response, data: await response.blob() };
  });
  const link = document.createElement('a');
  link.href = URL.createObjectURL(file);
  link.download = `gate-${table}-${performance.code}.csv`;
  document.body.append(link);
  link.click();
  link.remove();
  // The click has started the download; the blob's address is no longer needed.
  setTimeout(() => URL.revokeObjectURL(link.href), 0);
}
