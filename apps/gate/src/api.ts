/**
 * The ticketing server as a gate terminal uses it (services/ticketing/docs/gates.md and the
 * door-sale routes): enrolment, the event package, the online check, offline uploads, door sales
 * and the end-of-event report. The calls go through the apps' shared HTTP client
 * (@tessera/web-kit/http: one way of calling the servers, with its time limits and typed errors);
 * the live feed is in feed.ts.
 */
import { requestJson } from '@tessera/web-kit/http';

export { ApiError, NetworkError } from '@tessera/web-kit/http';

export interface TerminalView {
  id: string;
  name: string;
  gate: string;
  performanceIds: string[];
}

export interface Enrolled {
  token: string;
  terminal: TerminalView;
}

export interface TermFields {
  kind: 'single' | 'multi' | 'timed' | 'stored_value';
  entriesAllowed: number;
  reentryAllowed: boolean;
  validFromS: number;
  validUntilS: number;
  storedValue: string;
}

export interface PackageCategory extends TermFields {
  id: string;
  name: string;
  storedValueAsset: string | null;
  storedValueScale: number | null;
}

export interface PackagePerformance {
  id: string;
  code: string;
  eventId: string;
  eventName: string;
  status: string;
  doorsAt: string;
  startsAt: string;
  endsAt: string;
  closedAt: string | null;
  categories: PackageCategory[];
}

export interface PackageRevocation {
  performanceCode: string;
  ticketId: string;
  throughRevision: number;
  reason: string;
}

export interface PackageManualCode extends TermFields {
  ticketNumber: string;
  performanceCode: string;
  ticketId: string;
  revision: number;
  salt: string;
  iterations: number;
  pinHash: string;
}

export interface PackageAdmission {
  id: string;
  performanceCode: string;
  ticketId: string;
  revision: number;
  direction: string;
  debit: string;
  scannedAt: string;
  presentationTimeS: number | null;
  gate: string;
  terminalId: string;
  duplicate: boolean;
}

export interface Venue {
  id: string;
  name: string;
  address: string;
  latitude: number;
  longitude: number;
  radiusM: number;
}

export interface EventPackage {
  full: boolean;
  cursor: string;
  more: boolean;
  generatedAt: string;
  terminal: { id: string; name: string; gate: string };
  venue: Venue;
  keys: { keyId: string; publicKey: string; status: string; eventIds: string[] }[];
  performances: PackagePerformance[];
  revocations: PackageRevocation[];
  manualCodes: PackageManualCode[];
  manualCodesComplete: boolean;
  admissions: PackageAdmission[];
}

export interface Position {
  latitude: number;
  longitude: number;
  accuracyM: number;
}

export interface OnlineAnswer {
  admitted: boolean;
  reason: string;
  detail: string;
  ticket?: {
    id: string;
    number: string;
    performanceCode: string;
    seat: string | null;
    category: string;
    holderFirstName: string | null;
    kind: string;
    usesRemaining: number | null;
    valueRemaining: string | null;
  };
  firstAdmission?: { at: string; gate: string | null; terminalId: string | null };
  admissionId?: string;
}

export interface VerificationInput {
  barcode?: string;
  ticketNumber?: string;
  pin?: string;
  direction: 'entry' | 'exit';
  debit?: string;
  scannedAt: string;
  position?: Position;
}

export interface UploadItem {
  nonce: string;
  performanceCode: string;
  ticketId: string;
  revision: number;
  direction: 'entry' | 'exit';
  scannedAt: string;
  presentationTimeS?: number;
  debit?: string;
  position?: Position;
}

export interface UploadResult {
  nonce: string;
  recorded: string;
  duplicate: boolean;
  outsideVenue: boolean;
}

export type Price = { asset: string; amount: string } | { fiat: string; amount: string };

export interface DoorSale {
  id: string;
  status: 'open' | 'claimed' | 'admitted' | 'expired' | 'failed' | 'cancelled';
  performanceId: string;
  categoryId: string;
  category: string;
  quantity: number;
  price: Price;
  claimUrl: string;
  expiresAt: string;
  orderId: string | null;
  tickets: {
    id: string;
    number: string;
    seat: { section: string; row: string; number: string } | null;
    category: string;
  }[];
  admittedAt: string | null;
}

/** The parts of `GET /v1/performances/:id/availability` the door-sale screen shows. */
export interface Availability {
  categories: { id: string; price: string; asset: string; available: number }[];
}

/** The fields of the gate report (services/ticketing/src/gate-report.ts) the summary shows. */
export interface GateReport {
  performance: {
    id: string;
    code: string;
    eventName: string;
    status: string;
    closedAt: string | null;
  };
  generatedAt: string;
  tickets: { sold: number; admitted: number; noShows: number };
  admissions: {
    entries: number;
    exits: number;
    online: number;
    offline: number;
    duplicates: number;
    outsideVenue: number;
  };
  refusals: { reason: string; count: number }[];
  gates: {
    gate: string;
    periodStart: string;
    entries: number;
    exits: number;
    duplicates: number;
  }[];
  revenue: { asset: string; paid: string; orders: number; refunded: string; net: string }[];
}

/** The online check waits this long before the terminal decides offline (claim 12 then 11). */
export const onlineTimeoutMs = 800;
/** A package page can be some MB on a venue's Wi-Fi. */
const packageTimeoutMs = 60_000;

export function gateApi(baseUrl: string, token: string | undefined) {
  const call = <T>(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    options: { body?: unknown; timeoutMs?: number; signal?: AbortSignal } = {},
  ) => requestJson<T>(baseUrl, method, path, { ...options, token });
  return {
    enrol: (code: string, name: string) =>
      call<Enrolled>('POST', '/v1/terminals/enrol', { body: { code, name } }),
    eventPackage: (since: string | undefined, pending: number) =>
      call<EventPackage>(
        'GET',
        `/v1/terminal/package?${new URLSearchParams({
          ...(since ? { since } : {}),
          pending: String(pending),
        })}`,
        { timeoutMs: packageTimeoutMs },
      ),
    verify: (input: VerificationInput, timeoutMs = onlineTimeoutMs) =>
      call<OnlineAnswer>('POST', '/v1/terminal/verifications', { body: input, timeoutMs }),
    upload: (admissions: UploadItem[], pending: number) =>
      call<{ results: UploadResult[] }>('POST', '/v1/terminal/admissions', {
        body: { admissions, pending },
      }),
    sellAtDoor: (performanceId: string, categoryId: string, quantity: number) =>
      call<DoorSale>('POST', '/v1/terminal/door-sales', {
        body: { performanceId, categoryId, quantity },
      }),
    doorSale: (id: string) =>
      call<DoorSale>('GET', `/v1/terminal/door-sales/${encodeURIComponent(id)}`),
    cancelDoorSale: (id: string) =>
      call<DoorSale>('DELETE', `/v1/terminal/door-sales/${encodeURIComponent(id)}`),
    /** Public: prices and places left per category, for the door-sale screen. */
    availability: (performanceId: string) =>
      requestJson<Availability>(
        baseUrl,
        'GET',
        `/v1/performances/${encodeURIComponent(performanceId)}/availability`,
      ),
    report: (performanceId: string) =>
      call<GateReport>(
        'GET',
        `/v1/terminal/report?performanceId=${encodeURIComponent(performanceId)}`,
      ),
  };
}

export type GateApi = ReturnType<typeof gateApi>;
