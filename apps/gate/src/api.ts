/**
 * The ticketing server as a gate terminal uses it (services/ticketing/docs/gates.md and the
 * door-sale routes): enrolment, the event package, the online check, offline uploads, door sales
 * and the end-of-event report. The shapes are the server's own and the calls the generated
 * client's (@tessera/api-client), through the apps' policy (@tessera/web-kit/http: time limits,
 * the servers' clock, typed errors); the live feed is in feed.ts.
 */
import {
  createTicketingClient,
  type TicketingAnswer,
  type TicketingBody,
} from '@tessera/api-client';
import { answers, call } from '@tessera/web-kit/http';

export { ApiError, NetworkError } from '@tessera/web-kit/http';

export type Enrolled = TicketingAnswer<'post', '/v1/terminals/enrol'>;
export type TerminalView = Enrolled['terminal'];

export type EventPackage = TicketingAnswer<'get', '/v1/terminal/package'>;
export type Venue = EventPackage['venue'];
export type PackagePerformance = EventPackage['performances'][number];
export type PackageCategory = PackagePerformance['categories'][number];
export type PackageRevocation = EventPackage['revocations'][number];
export type PackageManualCode = EventPackage['manualCodes'][number];
export type PackageAdmission = EventPackage['admissions'][number];

export type VerificationInput = TicketingBody<'post', '/v1/terminal/verifications'>;
export type OnlineAnswer = TicketingAnswer<'post', '/v1/terminal/verifications'>;
export type Position = NonNullable<VerificationInput['position']>;

export type UploadItem = TicketingBody<'post', '/v1/terminal/admissions'>['admissions'][number];
export type UploadResult = TicketingAnswer<'post', '/v1/terminal/admissions'>['results'][number];

export type DoorSale = TicketingAnswer<'post', '/v1/terminal/door-sales'>;
export type Price = DoorSale['price'];

/** `GET /v1/performances/:id/availability`: the door-sale screen shows prices and places left. */
export type Availability = TicketingAnswer<'get', '/v1/performances/{performanceId}/availability'>;

/** The gate report (services/ticketing/src/gate-report.ts) the summary shows. */
export type GateReport = TicketingAnswer<'get', '/v1/terminal/report'>;

/** The online check waits this long before the terminal decides offline (claim 12 then 11). */
export const onlineTimeoutMs = 800;
/** A package page can be some MB on a venue's Wi-Fi. */
const packageTimeoutMs = 60_000;

/**
 * The server's API as this terminal calls it. `describe` gives the headers that say what the
 * terminal is and where it was (terminal-headers.ts), read afresh for every call.
 */
export function gateApi(
  baseUrl: string,
  token: string | undefined,
  describe: () => Record<string, string> = () => ({}),
) {
  const client = createTicketingClient(baseUrl);
  client.use(answers);
  client.use({
    onRequest({ request }) {
      for (const [name, value] of Object.entries(describe())) request.headers.set(name, value);
      return request;
    },
  });
  return {
    enrol: (code: string, name: string) =>
      call((init) => client.POST('/v1/terminals/enrol', { ...init, body: { code, name } })),
    eventPackage: (since: string | undefined, pending: number) =>
      call(
        (init) =>
          client.GET('/v1/terminal/package', {
            ...init,
            params: { query: { ...(since ? { since } : {}), pending } },
          }),
        { token, timeoutMs: packageTimeoutMs },
      ),
    verify: (input: VerificationInput, timeoutMs = onlineTimeoutMs) =>
      call((init) => client.POST('/v1/terminal/verifications', { ...init, body: input }), {
        token,
        timeoutMs,
      }),
    upload: (admissions: UploadItem[], pending: number) =>
      call(
        (init) =>
          client.POST('/v1/terminal/admissions', { ...init, body: { admissions, pending } }),
        { token },
      ),
    sellAtDoor: (performanceId: string, categoryId: string, quantity: number) =>
      call(
        (init) =>
          client.POST('/v1/terminal/door-sales', {
            ...init,
            body: { performanceId, categoryId, quantity },
          }),
        { token },
      ),
    doorSale: (id: string) =>
      call(
        (init) =>
          client.GET('/v1/terminal/door-sales/{doorSaleId}', {
            ...init,
            params: { path: { doorSaleId: id } },
          }),
        { token },
      ),
    cancelDoorSale: (id: string) =>
      call(
        (init) =>
          client.DELETE('/v1/terminal/door-sales/{doorSaleId}', {
            ...init,
            params: { path: { doorSaleId: id } },
          }),
        { token },
      ),
    /** Public: prices and places left per category, for the door-sale screen. */
    availability: (performanceId: string) =>
      call((init) =>
        client.GET('/v1/performances/{performanceId}/availability', {
          ...init,
          params: { path: { performanceId } },
        }),
      ),
    report: (performanceId: string) =>
      call(
        (init) =>
          client.GET('/v1/terminal/report', { ...init, params: { query: { performanceId } } }),
        { token },
      ),
  };
}

export type GateApi = ReturnType<typeof gateApi>;
