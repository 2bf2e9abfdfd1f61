/**
 * The ticketing server as the buyer's app uses it (docs/ticketing.md, "API map"). The types are
 * the parts of the answers the app reads; the OpenAPI document at the server's `/docs` has all.
 */
import { longPollTimeoutMs, requestJson } from '@tessera/web-kit/http';

export interface User {
  id: string;
  phone: string;
  firstName: string | null;
}

export interface SessionAnswer {
  token: string;
  expiresAt: string;
  user: User;
}

export interface Device {
  id: string;
  label: string;
  publicKey: string;
  revokedAt: string | null;
}

export interface EventSummary {
  id: string;
  name: string;
  venue: { id: string; name: string; address: string };
  nextStartsAt: string;
  performances: number;
}

export interface Category {
  id: string;
  name: string;
  pricing: 'crypto' | 'fiat';
  priceAsset: string;
  price: string;
  seating: 'seated' | 'ga';
  kind: string;
  entriesAllowed: number;
  reentryAllowed: boolean;
}

export interface Performance {
  id: string;
  eventId: string;
  code: string;
  startsAt: string;
  endsAt: string;
  doorsAt: string;
  status: string;
  onSale: boolean;
}

export interface EventDetail {
  id: string;
  name: string;
  description: string | null;
  perOrderLimit: number;
  venue: { id: string; name: string; address: string };
  categories: Category[];
  performances: Performance[];
}

export interface Availability {
  performanceId: string;
  eventId: string;
  categories: {
    id: string;
    name: string;
    pricing: 'crypto' | 'fiat';
    price: string;
    asset: string;
    seating: 'seated' | 'ga';
    total: number;
    available: number;
  }[];
  seats: {
    categoryIds: string[];
    rows: {
      section: string;
      row: string;
      ids: string[];
      numbers: string[];
      categories: number[];
      accessible: number[];
      /** One letter per seat: `a` available, `u` unavailable. */
      status: string;
    }[];
  } | null;
}

export interface Alternatives {
  performances: { id: string; startsAt: string; available: number }[];
  categories: { id: string; name: string; price: string; asset: string; available: number }[];
  bestAvailable: { categoryId: string; seatIds: string[]; labels: string[] } | null;
}

export interface Seat {
  section: string;
  row: string;
  number: string;
}

export interface Hold {
  id: string;
  performanceId: string;
  status: string;
  expiresAt: string;
}

export type OrderStatus =
  | 'creating'
  | 'awaiting_payment'
  | 'issued'
  | 'expired'
  | 'cancelled'
  | 'refunded';

export interface Order {
  id: string;
  status: OrderStatus;
  performanceId: string;
  eventId: string;
  asset: string;
  amount: string;
  fiatAmount: string | null;
  deliverTo: string;
  deviceId: string | null;
  holdExpiresAt: string | null;
  failure: string | null;
  createdAt: string;
  lines: { lineNo: number; category: string; seat: Seat | null; amount: string }[];
  payment: {
    requestId: string;
    expiresAt: string;
    payUrl: string;
    buyPageUrl: string;
  } | null;
  tickets: { id: string; number: string; status: string; credential: string | null }[];
}

export type TicketStatus = 'awaiting_device' | 'valid' | 'refunded' | 'cancelled';

export interface Ticket {
  id: string;
  number: string;
  status: TicketStatus;
  revision: number;
  orderId: string;
  deviceId: string | null;
  holderPhone: string;
  credential: string | null;
  manualCode: { ticketNumber: string; pin: string } | null;
  event: {
    id: string;
    name: string;
    organizer: string;
    venue: { name: string; address: string };
  };
  performance: {
    id: string;
    code: string;
    startsAt: string;
    doorsAt: string;
    endsAt: string;
    status: string;
  };
  category: string;
  seat: Seat | null;
  entitlement: {
    kind: string;
    entriesAllowed: number;
    reentryAllowed: boolean;
    validFrom: string;
    validUntil: string;
    storedValue: { asset: string; amount: string } | null;
  };
  price: { asset: string; amount: string };
}

/** A gate's door sale as its claim QR shows it (unit 404). */
export interface DoorOffer {
  id: string;
  status: 'open' | 'claimed' | 'admitted' | 'expired' | 'failed' | 'cancelled';
  event: { id: string; name: string };
  venue: string;
  startsAt: string;
  category: string;
  quantity: number;
  price: { asset: string; amount: string } | { fiat: string; amount: string };
  expiresAt: string;
  orderId: string | null;
}

export interface Transfer {
  id: string;
  ticketId: string;
  toPhone: string;
  status: 'pending' | 'accepted' | 'cancelled' | 'declined';
  createdAt: string;
  fromName: string | null;
  ticket: { event: string; startsAt: string; category: string; seat: Seat | null };
}

/** Calls for one ticketing server; `token` is the buyer's session where a route needs one. */
export function ticketingApi(baseUrl: string) {
  const call = <T>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    options: { token?: string; body?: unknown; timeoutMs?: number; signal?: AbortSignal } = {},
  ) => requestJson<T>(baseUrl, method, path, options);

  return {
    sendCode: (phone: string) =>
      call<{ expiresAt: string }>('POST', '/v1/auth/codes', { body: { phone } }),
    signIn: (phone: string, code: string) =>
      call<SessionAnswer>('POST', '/v1/auth/sessions', { body: { phone, code } }),
    signOut: (token: string) => call<null>('DELETE', '/v1/auth/session', { token }),
    registerDevice: (token: string, body: { publicKey: string; proof: string; label: string }) =>
      call<Device>('POST', '/v1/me/devices', { token, body }),
    devices: (token: string) => call<{ devices: Device[] }>('GET', '/v1/me/devices', { token }),

    events: () => call<{ events: EventSummary[] }>('GET', '/v1/events?limit=50'),
    event: (eventId: string) => call<EventDetail>('GET', `/v1/events/${enc(eventId)}`),
    performance: (performanceId: string) =>
      call<Performance & { event: { id: string; name: string; perOrderLimit: number } }>(
        'GET',
        `/v1/performances/${enc(performanceId)}`,
      ),
    availability: (performanceId: string, signal?: AbortSignal) =>
      call<Availability>('GET', `/v1/performances/${enc(performanceId)}/availability`, {
        ...(signal ? { signal } : {}),
      }),
    alternatives: (performanceId: string, categoryId: string, quantity: number) =>
      call<Alternatives>(
        'GET',
        `/v1/performances/${enc(performanceId)}/alternatives?categoryId=${enc(categoryId)}&quantity=${quantity}`,
      ),

    hold: (
      token: string,
      body: { performanceId: string; seats?: string[]; categoryId?: string; quantity?: number },
    ) => call<Hold>('POST', '/v1/holds', { token, body }),
    releaseHold: (token: string, holdId: string) =>
      call<null>('DELETE', `/v1/holds/${enc(holdId)}`, { token }),
    order: (token: string, body: { holdId: string; deviceId: string; asset?: string }) =>
      call<Order>('POST', '/v1/orders', { token, body }),
    getOrder: (token: string, orderId: string, waitS?: number, signal?: AbortSignal) =>
      call<Order>('GET', `/v1/orders/${enc(orderId)}${waitS ? `?waitS=${waitS}` : ''}`, {
        token,
        ...(waitS ? { timeoutMs: longPollTimeoutMs } : {}),
        ...(signal ? { signal } : {}),
      }),
    cancelOrder: (token: string, orderId: string) =>
      call<Order>('POST', `/v1/orders/${enc(orderId)}/cancel`, { token }),

    tickets: (token: string) => call<{ tickets: Ticket[] }>('GET', '/v1/me/tickets', { token }),
    claim: (token: string, ticketId: string, deviceId: string) =>
      call<Ticket>('POST', `/v1/tickets/${enc(ticketId)}/claim`, { token, body: { deviceId } }),
    reissue: (token: string, ticketId: string, deviceId: string, code: string) =>
      call<Ticket>('POST', `/v1/tickets/${enc(ticketId)}/reissue`, {
        token,
        body: { deviceId, code },
      }),
    doorSale: (token: string, doorSaleId: string, claimToken: string) =>
      call<DoorOffer>('GET', `/v1/door-sales/${enc(doorSaleId)}?t=${enc(claimToken)}`, { token }),
    claimDoorSale: (
      token: string,
      doorSaleId: string,
      body: { token: string; deviceId: string; asset?: string },
    ) => call<Order>('POST', `/v1/door-sales/${enc(doorSaleId)}/claim`, { token, body }),
    transfers: (token: string) =>
      call<{ incoming: Transfer[]; outgoing: Transfer[] }>('GET', '/v1/me/transfers', { token }),
    offerTransfer: (token: string, ticketId: string, toPhone: string) =>
      call<Transfer>('POST', `/v1/tickets/${enc(ticketId)}/transfers`, {
        token,
        body: { toPhone },
      }),
    cancelTransfer: (token: string, transferId: string) =>
      call<Transfer>('DELETE', `/v1/transfers/${enc(transferId)}`, { token }),
    acceptTransfer: (token: string, transferId: string, deviceId: string) =>
      call<Ticket>('POST', `/v1/transfers/${enc(transferId)}/accept`, {
        token,
        body: { deviceId },
      }),
    declineTransfer: (token: string, transferId: string) =>
      call<Transfer>('POST', `/v1/transfers/${enc(transferId)}/decline`, { token }),
  };
}

export type TicketingApi = ReturnType<typeof ticketingApi>;

const enc = encodeURIComponent;
