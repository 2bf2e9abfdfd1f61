/**
 * The authorization matrix of both servers, generated from their OpenAPI documents: every
 * operation says who may call it (`x-access`, from the route's `config.access`), and every kind
 * of caller is sent to every operation. A caller the declaration does not allow must be refused
 * before anything else happens (401 without a valid token, 403 with a token of another kind);
 * a caller it allows must get past authorization (any answer but 401 and 403: 200, 400 for the
 * empty body, 404 for an id of nothing...). A new route is covered as soon as it exists, and a
 * new access name fails the test until the matrix below says who it lets in.
 *
 * Routes open to any signed-in caller of a kind are listed with the reason it is safe, so that
 * a new one fails the test until someone has thought about it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listOperations, type Operation } from '../../../scripts/test/openapi-operations.ts';
import { buy, setupEvent } from './fixtures.ts';
import { enrolTerminal } from './gate-kit.ts';
import { backends, key, startTestSystem, type TestSystem } from './harness.ts';

type TicketingRole = 'anonymous' | 'buyer' | 'organizer' | 'terminal' | 'operator';
type ExchangeRole = 'anonymous' | 'person' | 'merchant' | 'merchantKey' | 'operator';

/** Who each access name lets in (everyone else is refused: 401 anonymous, 403 the others). */
const ticketingMatrix: Record<string, readonly TicketingRole[]> = {
  public: ['anonymous', 'buyer', 'organizer', 'terminal', 'operator'],
  // Signed-in people: users (buyers and organizer staff alike) and the platform operator; not
  // terminals. What a user may do for an organizer is its staff role, checked in the handler.
  any: ['buyer', 'organizer', 'operator'],
  user: ['buyer', 'organizer'],
  terminal: ['terminal'],
  operator: ['operator'],
};

const exchangeMatrix: Record<string, readonly ExchangeRole[]> = {
  public: ['anonymous', 'person', 'merchant', 'merchantKey', 'operator'],
  any: ['person', 'merchant', 'merchantKey', 'operator'],
  subscriber: ['person', 'merchant', 'merchantKey'],
  person: ['person'],
  merchant: ['merchant', 'merchantKey'],
  operator: ['operator'],
};

/**
 * Every operation open to any signed-in caller of its kind, and why that is safe: the handler
 * scopes it to the caller's own data (answering 404 for anyone else's), checks the caller's staff
 * role at the organizer the resource belongs to (404 to non-staff, 403 to a role without the
 * permission), or the id in the path is a capability.
 */
const openToAnySignedIn: Record<string, string> = {
  // ticketing, `user`: a signed-in user's own things.
  'ticketing GET /v1/me': 'the caller itself',
  'ticketing DELETE /v1/auth/session': 'ends the caller’s own session',
  'ticketing GET /v1/me/devices': 'the caller’s own devices',
  'ticketing POST /v1/me/devices': 'registers a device for the caller, with proof of possession',
  'ticketing DELETE /v1/me/devices/{id}': 'the caller’s own device; 404 for another’s',
  'ticketing GET /v1/me/orders': 'the caller’s own orders',
  'ticketing GET /v1/me/tickets': 'the caller’s own tickets',
  'ticketing GET /v1/me/transfers': 'transfers from or to the caller',
  'ticketing POST /v1/holds': 'any buyer may hold seats (limits per buyer)',
  'ticketing GET /v1/holds/{holdId}': 'the caller’s own hold; 404 for another’s',
  'ticketing DELETE /v1/holds/{holdId}': 'the caller’s own hold; 404 for another’s',
  'ticketing POST /v1/orders': 'orders the caller’s own hold',
  'ticketing POST /v1/orders/{orderId}/cancel': 'the caller’s own order; 404 for another’s',
  'ticketing POST /v1/tickets/{ticketId}/claim': 'the holder’s phone must match the caller',
  'ticketing POST /v1/tickets/{ticketId}/refund': 'the holder’s own ticket',
  'ticketing POST /v1/tickets/{ticketId}/reissue': 'the holder’s own ticket, to a device of theirs',
  'ticketing POST /v1/tickets/{ticketId}/transfers': 'the holder’s own ticket',
  'ticketing POST /v1/transfers/{transferId}/accept': 'the recipient’s phone must match',
  'ticketing POST /v1/transfers/{transferId}/decline': 'the recipient’s phone must match',
  'ticketing DELETE /v1/transfers/{transferId}': 'the sender only',
  'ticketing GET /v1/door-sales/{doorSaleId}':
    'the door-sale id (80 random bits, shown only on the claim QR) is the capability',
  'ticketing POST /v1/door-sales/{doorSaleId}/claim': 'claims with that capability id; once only',
  'ticketing POST /v1/organizers/{organizerId}/enrolments': 'staff role checked (admit)',
  'ticketing GET /v1/organizers/{organizerId}/terminals': 'staff role checked (admit)',
  'ticketing PATCH /v1/organizers/{organizerId}/terminals/{terminalId}': 'staff role (admit)',
  'ticketing DELETE /v1/organizers/{organizerId}/terminals/{terminalId}': 'staff role (admit)',
  // ticketing, `any`: organizer routes; staff role checked in the handler, operator allowed.
  'ticketing POST /v1/organizers':
    'users only with TICKETING_OPEN_ORGANIZER_SIGNUP, else the operator (checked in the handler)',
  'ticketing GET /v1/organizers/{organizerId}': 'staff role checked (view_organizer)',
  'ticketing PUT /v1/organizers/{organizerId}/staff/{phone}': 'staff role checked (manage_staff)',
  'ticketing DELETE /v1/organizers/{organizerId}/staff/{phone}': 'staff role (manage_staff)',
  'ticketing GET /v1/organizers/{organizerId}/staff': 'staff role checked (manage_staff)',
  'ticketing PUT /v1/organizers/{organizerId}/wallet': 'staff role checked (link_wallet)',
  'ticketing POST /v1/organizers/{organizerId}/keys': 'staff role checked (manage_staff)',
  'ticketing POST /v1/organizers/{organizerId}/keys/{keyId}/retire': 'staff role (manage_staff)',
  'ticketing GET /v1/organizers/{organizerId}/venues': 'any staff role',
  'ticketing POST /v1/organizers/{organizerId}/venues': 'staff role (manage_catalogue)',
  'ticketing PUT /v1/venues/{venueId}/seat-map': 'staff role of the venue’s organizer',
  'ticketing PATCH /v1/venues/{venueId}': 'staff role of the venue’s organizer',
  'ticketing GET /v1/organizers/{organizerId}/events': 'any staff role',
  'ticketing PUT /v1/organizers/{organizerId}/events/by-slug/{slug}': 'staff (manage_catalogue)',
  'ticketing GET /v1/performances/{performanceId}/revocations': 'staff role (admit)',
  'ticketing POST /v1/organizers/{organizerId}/events': 'staff role (manage_catalogue)',
  'ticketing POST /v1/events/{eventId}/performances': 'staff role (manage_catalogue)',
  'ticketing POST /v1/events/{eventId}/publish': 'staff role (manage_catalogue)',
  'ticketing POST /v1/events/{eventId}/unpublish': 'staff role (manage_catalogue)',
  'ticketing GET /v1/events/{eventId}/sales': 'staff role (view_sales)',
  'ticketing GET /v1/events/{eventId}/attendees': 'staff role (view_sales)',
  'ticketing GET /v1/events/{eventId}/orders': 'staff role (view_sales)',
  'ticketing POST /v1/performances/{performanceId}/close': 'staff role (admit)',
  'ticketing GET /v1/performances/{performanceId}/gate-report': 'staff role (view_sales)',
  'ticketing GET /v1/performances/{performanceId}/door-sales/settings': 'staff role (view_sales)',
  'ticketing PUT /v1/performances/{performanceId}/door-sales/settings':
    'staff role (manage_catalogue)',
  'ticketing GET /v1/performances/{performanceId}/door-sales': 'staff role (view_sales)',
  'ticketing GET /v1/events/{eventId}/sales/timeline': 'staff role (view_sales)',
  'ticketing POST /v1/performances/{performanceId}/cancel': 'staff role (refund)',
  'ticketing POST /v1/organizers/{organizerId}/tickets/{ticketId}/refund': 'staff role (refund)',
  'ticketing GET /v1/orders/{orderId}': 'the buyer, or staff with view_sales; 404 for others',
  'ticketing GET /v1/tickets/{ticketId}': 'the holder, or staff of the organizer; 404 for others',
  // exchange, `subscriber` and `any`: a subscriber's own wallet and money.
  'exchange GET /v1/me': 'the caller itself',
  'exchange DELETE /v1/auth/session': 'ends the caller’s own session',
  'exchange GET /v1/wallet': 'the caller’s own wallet',
  'exchange GET /v1/wallet/transactions': 'the caller’s own journal entries',
  'exchange POST /v1/transfers': 'from the caller’s own wallet',
  'exchange GET /v1/payment-requests/{id}':
    'merchant and payer; before payment the 128-bit id is the capability (payments.test.ts)',
  'exchange POST /v1/payment-requests/{id}/pay': 'pays from the caller’s own wallet',
  'exchange POST /v1/deposits': 'a deposit to the caller’s own wallet',
  'exchange GET /v1/deposits': 'the caller’s own deposits',
  'exchange GET /v1/deposits/{id}': 'the caller’s own deposit; 404 for another’s',
  'exchange POST /v1/deposits/{id}/cancel': 'the caller’s own deposit',
  'exchange POST /v1/withdrawals': 'from the caller’s own wallet',
  'exchange GET /v1/withdrawals': 'the caller’s own withdrawals',
  'exchange GET /v1/withdrawals/{id}': 'the caller’s own withdrawal; 404 for another’s',
  'exchange POST /v1/quotes': 'a quote for the caller',
  'exchange GET /v1/quotes/{id}': 'the caller’s own quote; 404 for another’s',
  'exchange POST /v1/quotes/{id}/execute': 'the caller’s own quote',
  'exchange GET /v1/notifications': 'the caller’s own notifications',
  'exchange POST /v1/notifications/stream-tickets': 'a stream ticket for the caller’s own feed',
};

/**
 * Public operations that authenticate otherwise than by a bearer token: everyone without that
 * proof gets 401. The exchange's webhooks carry its HMAC signature (orders.test.ts checks it).
 */
const signed = new Set(['ticketing POST /v1/exchange/webhooks/{organizerId}']);

/**
 * Operations whose allowed callers would not end (streams) or would end the test's session. The
 * exchange's feed is public in the matrix (a browser opens it with a ticket in the URL) but takes
 * a subscriber's bearer token too, with which it streams; its refusals are in notifications.test.ts.
 */
const streams = new Set([
  'ticketing GET /v1/terminal/feed',
  'exchange GET /v1/notifications/stream',
]);
const signOuts = new Set(['DELETE /v1/auth/session']);

interface Server<Role extends string> {
  name: string;
  // biome-ignore lint/suspicious/noExplicitAny: either server's app.
  app: any;
  request: TestSystem['request'];
  matrix: Record<string, readonly Role[]>;
  /** The access names open to any signed-in caller of the server (listed with reasons). */
  openAccess: readonly string[];
  tokens: Record<Role, string | undefined>;
}

async function walk<Role extends string>(server: Server<Role>) {
  const operations = (await listOperations(server.app)).filter((o) => !o.path.startsWith('/docs'));
  // Signing out goes last, so that the other operations still see live sessions.
  operations.sort(
    (a, b) =>
      Number(signOuts.has(`${a.method} ${a.path}`)) - Number(signOuts.has(`${b.method} ${b.path}`)),
  );
  const failures: string[] = [];
  const open: string[] = [];
  for (const operation of operations) {
    const allowed = server.matrix[operation.access];
    const what = `${server.name} ${operation.method} ${operation.path}`;
    if (!allowed) {
      failures.push(`${what}: access "${operation.access}" is not in the matrix`);
      continue;
    }
    if (server.openAccess.includes(operation.access)) open.push(what);
    for (const [role, token] of Object.entries(server.tokens) as [Role, string | undefined][]) {
      const allows = allowed.includes(role);
      if (allows && streams.has(what)) continue;
      const status = await send(server, operation, token);
      const refusal = signed.has(what) ? 401 : token ? 403 : 401;
      const expected = allows && !signed.has(what) ? 'not 401/403' : String(refusal);
      const ok =
        allows && !signed.has(what) ? status !== 401 && status !== 403 : status === refusal;
      if (!ok) failures.push(`${what} as ${role}: ${status}, expected ${expected}`);
    }
  }
  return { failures, open, count: operations.length };
}

async function send<Role extends string>(
  server: Server<Role>,
  operation: Operation,
  token: string | undefined,
) {
  const body = operation.method === 'GET' || operation.method === 'DELETE' ? undefined : {};
  const answer = await server.request(operation.method, operation.url, {
    ...(token ? { token } : {}),
    ...(body ? { body } : {}),
  });
  return answer.status;
}

describe.each(backends)('the authorization matrix on %s', (backend) => {
  let s: TestSystem;
  beforeAll(async () => {
    s = await startTestSystem(backend);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('refuses every caller a route does not declare, on both servers, and lets in the others', async () => {
    const setup = await setupEvent(s);
    const terminal = await enrolTerminal(s, setup);
    const buyer = await s.signIn();
    const ticketing = await walk<TicketingRole>({
      name: 'ticketing',
      app: s.app,
      request: s.request,
      matrix: ticketingMatrix,
      openAccess: ['user', 'any'],
      tokens: {
        anonymous: undefined,
        buyer: buyer.token,
        organizer: setup.organizer.owner.token,
        terminal: terminal.token,
        operator: s.ticketing.config.operatorToken,
      },
    });
    const person = await s.x.signUp('person');
    const merchant = await s.x.signUp('merchant');
    const key = await s.x.request('POST', '/v1/merchant/api-keys', {
      token: merchant.token,
      body: { label: 'matrix' },
    });
    const exchange = await walk<ExchangeRole>({
      name: 'exchange',
      app: s.x.app,
      request: s.x.request,
      matrix: exchangeMatrix,
      openAccess: ['subscriber', 'any'],
      tokens: {
        anonymous: undefined,
        person: person.token,
        merchant: merchant.token,
        merchantKey: key.body.key,
        operator: s.x.exchange.config.operatorToken,
      },
    });
    expect([...ticketing.failures, ...exchange.failures]).toEqual([]);
    expect(ticketing.count).toBeGreaterThan(50);
    expect(exchange.count).toBeGreaterThan(30);

    // Every operation open to any signed-in caller of a kind is listed, with its reason.
    const open = [...ticketing.open, ...exchange.open].sort();
    expect(open).toEqual(Object.keys(openToAnySignedIn).sort());
  });

  /**
   * Past the access level: with real ids in the path, a signed-in caller that is neither the
   * owner of the thing nor staff of its organizer (here: the owner of another organizer, with a
   * wallet of its own) gets 404 from every operation open to any signed-in caller, and never a
   * success; the rightful party reads the same URLs (so the ids are real). Ids that are
   * capabilities by design (a door sale's, a payment request's before payment) are left out.
   */
  it("keeps every signed-in caller out of other people's and other organizers' things", async () => {
    const setup = await setupEvent(s);
    const terminal = await enrolTerminal(s, setup);
    const buyer = await s.createBuyer();
    const bought = await buy(s, buyer, {
      performanceId: setup.performanceIds[0] as string,
      categoryId: setup.categories.Seated as string,
      quantity: 1,
    });
    const orderId = bought.order?.body.id as string;
    const tickets = await s.request('GET', '/v1/me/tickets', { token: buyer.token });
    const owner = setup.organizer.owner;
    const organizer = await s.request('GET', `/v1/organizers/${setup.organizer.id}`, {
      token: owner.token,
    });
    const event = await s.request('GET', `/v1/events/${setup.eventId}`);
    const stranger = (await s.createOrganizer('Elsewhere')).owner;
    const ids: Record<string, string> = {
      organizerId: setup.organizer.id,
      eventId: setup.eventId,
      performanceId: setup.performanceIds[0] as string,
      venueId: setup.venueId,
      slug: event.body.slug,
      keyId: organizer.body.keys[0].id,
      terminalId: terminal.id,
      phone: owner.phone,
      orderId,
      ticketId: tickets.body.tickets[0].id,
      holdId: bought.held.body.id,
      id: buyer.deviceId,
    };
    const ownedByBuyer = new Set(['orderId', 'ticketId', 'holdId', 'id']);
    const capabilities = new Set(['doorSaleId']);
    const failures: string[] = [];
    let checked = 0;
    for (const operation of await listOperations(s.app, ids)) {
      if (!['user', 'any'].includes(operation.access)) continue;
      const names = [...operation.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1] as string);
      if (names.length === 0 || names.some((name) => capabilities.has(name) || !ids[name]))
        continue;
      const what = `ticketing ${operation.method} ${operation.path}`;
      const status = await send(
        { request: s.request } as Server<string>,
        operation,
        stranger.token,
      );
      const refused =
        operation.method === 'GET' ? status === 404 : status === 404 || status === 400;
      if (!refused) failures.push(`${what} as a stranger: ${status}`);
      if (operation.method === 'GET') {
        const party = names.some((name) => ownedByBuyer.has(name)) ? buyer : owner;
        const read = await s.request('GET', operation.url, { token: party.token });
        if (read.status !== 200) failures.push(`${what} as its party: ${read.status}`);
      }
      checked += 1;
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(25);

    // The exchange: a subscriber's deposit is its own.
    const deposit = await s.x.request('POST', '/v1/deposits', {
      token: buyer.wallet.token,
      key: key(),
      body: { method: 'bank_transfer', amount: '10000' },
    });
    const other = await s.x.signUp('person');
    for (const [method, url] of [
      ['GET', `/v1/deposits/${deposit.body.id}`],
      ['POST', `/v1/deposits/${deposit.body.id}/cancel`],
    ] as const) {
      const answer = await s.x.request(method, url, { token: other.token, key: key() });
      expect(answer.status, `${method} ${url}`).toBe(404);
    }
  });
});
