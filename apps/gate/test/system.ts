/**
 * The whole system for the gate app's browser tests and its benchmark: the apps' test system
 * (scripts/test/apps/system.ts: the real exchange and ticketing server with the demo data, and
 * the buyer's app) with the gate app served beside it, its origin allowed by both servers.
 * The helpers make what a gate meets: an event on tonight, an enrolment code, and tickets bound
 * to a device key held here, so a test can make the holder's live barcode at any moment.
 */
import { type Ed25519Signer, fromBase64url, protocol } from '@tessera/protocol/node';
import { freePort } from '../../../scripts/free-port.ts';
import { type Backend, startMobileSystem } from '../../../scripts/test/apps/system.ts';
import { demoAccounts } from '../../../services/exchange/src/demo.ts';
import { deviceRegistrationMessage } from '../../../services/ticketing/src/identity/devices.ts';
import { ensureGateBuild } from '../server/build.ts';
import { startGateServer } from '../server/serve.ts';

const host = '127.0.0.1';

export interface HeldTicket {
  id: string;
  number: string;
  credential: Uint8Array;
  manualCode: { ticketNumber: string; pin: string };
  holder: Ed25519Signer;
}

export interface CategorySpec {
  name: string;
  kind?: 'single' | 'multi' | 'timed' | 'stored_value';
  reentryAllowed?: boolean;
  entriesAllowed?: number;
  storedValue?: string;
  storedValueAsset?: string;
  quota?: number;
  price?: string;
  /** When its tickets can first be used (ISO); the performance's doors otherwise. */
  validFrom?: string;
}

/**
 * `backend`: where the servers keep their data, SQLite by default (see startMobileSystem);
 * `otherOrigins`: more web apps the servers must allow (the organizer console, in the event-day
 * test).
 */
export async function startGateSystem(
  options: { backend?: Backend; otherOrigins?: string[] } = {},
) {
  await ensureGateBuild();
  const gatePort = await freePort();
  const gateUrl = `http://${host}:${gatePort}`;
  const system = await startMobileSystem({
    ...(options.backend ? { backend: options.backend } : {}),
    otherOrigins: [gateUrl, ...(options.otherOrigins ?? [])],
  });
  const gate = await startGateServer({
    host,
    port: gatePort,
    app: { ticketingUrl: system.ticketingUrl, development: true },
  });
  const organizerToken = await system.organizerSession();
  const organizerPath = `/v1/organizers/${system.organizerId}`;

  /** The demo buyer's wallet at the exchange pays every order made here. */
  const wallet = await (async () => {
    const phone = demoAccounts.buyer.phone;
    await system.exchange('POST', '/v1/auth/codes', { phone });
    const session = await system.exchange('POST', '/v1/auth/sessions', {
      phone,
      code: await system.smsCode('exchange', phone),
      kind: 'person',
    });
    return session.body.token as string;
  })();

  async function ok(
    answer: Promise<{ status: number; body: unknown }>,
    want: number,
    what: string,
  ) {
    const { status, body } = await answer;
    if (status !== want) throw new Error(`${what}: ${status} ${JSON.stringify(body)}`);
    // biome-ignore lint/suspicious/noExplicitAny: JSON answers, read by shape in the tests.
    return body as any;
  }

  /**
   * A published event at the demo concert hall with its doors open now, general admission only
   * (any number of tickets in one order), in the categories asked for; `times` (ISO) instead of
   * doors ten minutes ago and the start in two hours.
   */
  async function createEvent(
    categories: CategorySpec[],
    times?: {
      doorsAt: string;
      startsAt: string;
      endsAt: string;
      salesStart?: string;
      salesEnd?: string;
    },
  ) {
    const venues = await ok(
      system.ticketing('GET', `${organizerPath}/venues`, undefined, organizerToken),
      200,
      'venues',
    );
    const hall = (venues.venues as { id: string; name: string }[]).find((venue) =>
      venue.name.startsWith('Seoul Arts Center'),
    );
    if (!hall) throw new Error('the demo concert hall is missing');
    const now = Date.now();
    const event = await ok(
      system.ticketing(
        'POST',
        `${organizerPath}/events`,
        {
          slug: `gate-${Math.random().toString(36).slice(2, 8)}`,
          name: 'Gate Night',
          venueId: hall.id,
          refundPolicy: 'until_start',
          refundCutoffS: 0,
          categories: categories.map((category) => ({
            pricing: 'crypto',
            priceAsset: 'USDT',
            price: category.price ?? '5',
            seating: 'ga',
            area: 'Standing',
            quota: category.quota ?? 40,
            kind: category.kind ?? 'single',
            ...category,
          })),
          performances: [
            times ?? {
              doorsAt: new Date(now - 10 * 60_000).toISOString(),
              startsAt: new Date(now + 2 * 3_600_000).toISOString(),
              endsAt: new Date(now + 5 * 3_600_000).toISOString(),
            },
          ],
        },
        organizerToken,
      ),
      201,
      'event',
    );
    await ok(
      system.ticketing('POST', `/v1/events/${event.id}/publish`, undefined, organizerToken),
      200,
      'publish',
    );
    const performance = event.performances[0] as { id: string; code: string };
    return {
      eventId: event.id as string,
      venueId: hall.id,
      performanceId: performance.id,
      performanceCode: performance.code,
      categories: Object.fromEntries(
        (event.categories as { id: string; name: string }[]).map((category) => [
          category.name,
          category.id,
        ]),
      ) as Record<string, string>,
    };
  }

  /** A one-time code that enrols a terminal at `gate` for the performances (unit 416). */
  async function enrolmentCode(venueId: string, performanceIds: string[], gateName: string) {
    const made = await ok(
      system.ticketing(
        'POST',
        `${organizerPath}/enrolments`,
        { venueId, gate: gateName, performanceIds },
        organizerToken,
      ),
      201,
      'enrolment',
    );
    return made.code as string;
  }

  /**
   * A new buyer (a fresh phone and a device key made here) buys `quantity` tickets of a category,
   * paid from the demo buyer's wallet; returns them once issued, with their credentials.
   */
  async function buyTickets(performanceId: string, categoryId: string, quantity: number) {
    const phone = system.newPhone();
    await system.ticketing('POST', '/v1/auth/codes', { phone });
    const session = await ok(
      system.ticketing('POST', '/v1/auth/sessions', {
        phone,
        code: await system.smsCode('ticketing', phone),
      }),
      201,
      'sign-in',
    );
    const token = session.token as string;
    const holder = await protocol.generateSigner();
    const proof = await holder.sign(deviceRegistrationMessage(session.user.id, holder.publicKey));
    const device = await ok(
      system.ticketing(
        'POST',
        '/v1/me/devices',
        {
          publicKey: Buffer.from(holder.publicKey).toString('base64url'),
          proof: Buffer.from(proof).toString('base64url'),
          label: 'test phone',
        },
        token,
      ),
      201,
      'device',
    );
    const hold = await ok(
      system.ticketing('POST', '/v1/holds', { performanceId, categoryId, quantity }, token),
      201,
      'hold',
    );
    const order = await ok(
      system.ticketing('POST', '/v1/orders', { holdId: hold.id, deviceId: device.id }, token),
      201,
      'order',
    );
    await ok(
      system.exchange('POST', `/v1/payment-requests/${order.payment.requestId}/pay`, {}, wallet, {
        'idempotency-key': `gate-test-${order.id}`,
      }),
      200,
      'pay',
    );
    const issued = await ok(
      system.ticketing('GET', `/v1/orders/${order.id}?waitS=20`, undefined, token),
      200,
      'order',
    );
    if (issued.status !== 'issued') throw new Error(`the order is ${issued.status}`);
    const mine = await ok(
      system.ticketing('GET', '/v1/me/tickets', undefined, token),
      200,
      'tickets',
    );
    return (
      mine.tickets as {
        id: string;
        number: string;
        credential: string | null;
        manualCode: { ticketNumber: string; pin: string } | null;
      }[]
    ).map((ticket): HeldTicket => {
      if (!ticket.credential || !ticket.manualCode) throw new Error('the ticket has no credential');
      return {
        id: ticket.id,
        number: ticket.number,
        credential: fromBase64url(ticket.credential),
        manualCode: ticket.manualCode,
        holder,
      };
    });
  }

  return {
    ...system,
    gateUrl,
    organizerToken,
    createEvent,
    enrolmentCode,
    buyTickets,
    /** The organizer's live terminal at `gate`, as staff list it (issue 20 item 1). */
    async terminalAt(gate: string) {
      const list = await system.ticketing(
        'GET',
        `${organizerPath}/terminals`,
        undefined,
        organizerToken,
      );
      if (list.status !== 200) throw new Error(`terminals: ${list.status}`);
      const terminals = list.body.terminals as { gate: string; revokedAt: string | null }[];
      return terminals.find((terminal) => terminal.gate === gate && terminal.revokedAt === null);
    },
    /** The holder's live barcode (claim 10), made at `timeS` (now by default). */
    async barcode(ticket: HeldTicket, timeS = Math.floor(Date.now() / 1000)) {
      return (await protocol.createPresentation(ticket.credential, ticket.holder, timeS)).text;
    },
    async close() {
      await gate.close();
      await system.close();
    },
  };
}

export type GateSystem = Awaited<ReturnType<typeof startGateSystem>>;
