/**
 * The ticketing server as the buyer's app uses it (docs/ticketing.md, "API map"), through the
 * generated client (@tessera/api-client): the shapes are the server's own, from its OpenAPI
 * document, and the calls go through the apps' policy (@tessera/web-kit/http: time limits, the
 * servers' clock, typed errors).
 */
import {
  createTicketingClient,
  type TicketingAnswer,
  type TicketingBody,
} from '@tessera/api-client';
import { answers, call, longPollTimeoutMs } from '@tessera/web-kit/http';

export type SessionAnswer = TicketingAnswer<'post', '/v1/auth/sessions'>;
export type User = SessionAnswer['user'];
export type Device = TicketingAnswer<'post', '/v1/me/devices'>;
export type EventSummary = TicketingAnswer<'get', '/v1/events'>['events'][number];
export type EventDetail = TicketingAnswer<'get', '/v1/events/{eventId}'>;
export type Category = EventDetail['categories'][number];
export type Performance = TicketingAnswer<'get', '/v1/performances/{performanceId}'>;
export type Availability = TicketingAnswer<'get', '/v1/performances/{performanceId}/availability'>;
export type Alternatives = TicketingAnswer<'get', '/v1/performances/{performanceId}/alternatives'>;
export type Hold = TicketingAnswer<'post', '/v1/holds'>;
export type Order = TicketingAnswer<'get', '/v1/orders/{orderId}'>;
export type Ticket = TicketingAnswer<'get', '/v1/me/tickets'>['tickets'][number];
export type Seat = NonNullable<Ticket['seat']>;
/** A gate's door sale as its claim QR shows it (unit 404). */
export type DoorOffer = TicketingAnswer<'get', '/v1/door-sales/{doorSaleId}'>;
export type Transfer = TicketingAnswer<'get', '/v1/me/transfers'>['incoming'][number];
export type Refunded = TicketingAnswer<'post', '/v1/tickets/{ticketId}/refund'>;

/**
 * Calls for one ticketing server; `token` is the buyer's session where a route needs one. This
 * function is long because it lists every call the app makes, one short entry each.
 */
export function ticketingApi(baseUrl: string) {
  const client = createTicketingClient(baseUrl);
  client.use(answers);

  return {
    sendCode: (phone: string) =>
      call((init) => client.POST('/v1/auth/codes', { ...init, body: { phone } })),
    signIn: (phone: string, code: string) =>
      call((init) => client.POST('/v1/auth/sessions', { ...init, body: { phone, code } })),
    signOut: (token: string) => call((init) => client.DELETE('/v1/auth/session', init), { token }),
    registerDevice: (token: string, body: TicketingBody<'post', '/v1/me/devices'>) =>
      call((init) => client.POST('/v1/me/devices', { ...init, body }), { token }),
    devices: (token: string) => call((init) => client.GET('/v1/me/devices', init), { token }),

    events: () =>
      call((init) => client.GET('/v1/events', { ...init, params: { query: { limit: 50 } } })),
    event: (eventId: string) =>
      call((init) =>
        client.GET('/v1/events/{eventId}', { ...init, params: { path: { eventId } } }),
      ),
    performance: (performanceId: string) =>
      call((init) =>
        client.GET('/v1/performances/{performanceId}', {
          ...init,
          params: { path: { performanceId } },
        }),
      ),
    availability: (performanceId: string, signal?: AbortSignal) =>
      call(
        (init) =>
          client.GET('/v1/performances/{performanceId}/availability', {
            ...init,
            params: { path: { performanceId } },
          }),
        { signal },
      ),
    alternatives: (performanceId: string, categoryId: string, quantity: number) =>
      call((init) =>
        client.GET('/v1/performances/{performanceId}/alternatives', {
          ...init,
          params: { path: { performanceId }, query: { categoryId, quantity } },
        }),
      ),

    hold: (token: string, body: TicketingBody<'post', '/v1/holds'>) =>
      call((init) => client.POST('/v1/holds', { ...init, body }), { token }),
    releaseHold: (token: string, holdId: string) =>
      call(
        (init) => client.DELETE('/v1/holds/{holdId}', { ...init, params: { path: { holdId } } }),
        {
          token,
        },
      ),
    order: (token: string, body: TicketingBody<'post', '/v1/orders'>) =>
      call((init) => client.POST('/v1/orders', { ...init, body }), { token }),
    /** With `waitS`, a long poll: the server answers when the order changes or the wait ends. */
    getOrder: (token: string, orderId: string, waitS?: number, signal?: AbortSignal) =>
      call(
        (init) =>
          client.GET('/v1/orders/{orderId}', {
            ...init,
            params: { path: { orderId }, query: waitS ? { waitS } : {} },
          }),
        { token, signal, ...(waitS ? { timeoutMs: longPollTimeoutMs } : {}) },
      ),
    cancelOrder: (token: string, orderId: string) =>
      call(
        (init) =>
          client.POST('/v1/orders/{orderId}/cancel', { ...init, params: { path: { orderId } } }),
        { token },
      ),

    tickets: (token: string) => call((init) => client.GET('/v1/me/tickets', init), { token }),
    claim: (token: string, ticketId: string, deviceId: string) =>
      call(
        (init) =>
          client.POST('/v1/tickets/{ticketId}/claim', {
            ...init,
            params: { path: { ticketId } },
            body: { deviceId },
          }),
        { token },
      ),
    reissue: (token: string, ticketId: string, deviceId: string, code: string) =>
      call(
        (init) =>
          client.POST('/v1/tickets/{ticketId}/reissue', {
            ...init,
            params: { path: { ticketId } },
            body: { deviceId, code },
          }),
        { token },
      ),
    doorSale: (token: string, doorSaleId: string, claimToken: string) =>
      call(
        (init) =>
          client.GET('/v1/door-sales/{doorSaleId}', {
            ...init,
            params: { path: { doorSaleId }, query: { t: claimToken } },
          }),
        { token },
      ),
    claimDoorSale: (
      token: string,
      doorSaleId: string,
      body: TicketingBody<'post', '/v1/door-sales/{doorSaleId}/claim'>,
    ) =>
      call(
        (init) =>
          client.POST('/v1/door-sales/{doorSaleId}/claim', {
            ...init,
            params: { path: { doorSaleId } },
            body,
          }),
        { token },
      ),
    /** The buyer gives the ticket back; the price goes back to the wallet that paid it. */
    refund: (token: string, ticketId: string) =>
      call(
        (init) =>
          client.POST('/v1/tickets/{ticketId}/refund', {
            ...init,
            params: { path: { ticketId } },
          }),
        { token },
      ),
    transfers: (token: string) => call((init) => client.GET('/v1/me/transfers', init), { token }),
    offerTransfer: (token: string, ticketId: string, toPhone: string) =>
      call(
        (init) =>
          client.POST('/v1/tickets/{ticketId}/transfers', {
            ...init,
            params: { path: { ticketId } },
            body: { toPhone },
          }),
        { token },
      ),
    cancelTransfer: (token: string, transferId: string) =>
      call(
        (init) =>
          client.DELETE('/v1/transfers/{transferId}', {
            ...init,
            params: { path: { transferId } },
          }),
        { token },
      ),
    acceptTransfer: (token: string, transferId: string, deviceId: string) =>
      call(
        (init) =>
          client.POST('/v1/transfers/{transferId}/accept', {
            ...init,
            params: { path: { transferId } },
            body: { deviceId },
          }),
        { token },
      ),
    declineTransfer: (token: string, transferId: string) =>
      call(
        (init) =>
          client.POST('/v1/transfers/{transferId}/decline', {
            ...init,
            params: { path: { transferId } },
          }),
        { token },
      ),
  };
}

export type TicketingApi = ReturnType<typeof ticketingApi>;
