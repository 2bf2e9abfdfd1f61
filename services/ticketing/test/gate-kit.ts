/**
 * What the gate tests share: terminals enrolled through the real API, barcodes made on the
 * buyer's own device key, the terminal's calls (online checks, offline uploads, the live feed)
 * and, for the 1,000-ticket race only, tickets minted straight into the database with the
 * server's own issuance code (`mintTickets`: the same signed, device-bound credentials a paid
 * order gets, without a thousand purchases through the exchange).
 */
import { fromBase64url } from '@tessera/protocol';
import { protocol } from '@tessera/protocol/node';
import { inTransaction } from '../src/context.ts';
import { newId } from '../src/ids.ts';
import { signerFor } from '../src/organizers/keys.ts';
import { mintTickets } from '../src/tickets/issuance.ts';
import type { Buyer, EventSetup } from './fixtures.ts';
import type { TestSystem } from './harness.ts';

export interface Terminal {
  token: string;
  id: string;
  gate: string;
  name: string;
}

/** Staff create an enrolment code for a gate; a terminal trades it for its credential. */
export async function enrolTerminal(
  s: TestSystem,
  setup: Pick<EventSetup, 'organizer' | 'venueId' | 'performanceIds'>,
  options: { gate?: string; name?: string; performanceIds?: string[]; staffToken?: string } = {},
): Promise<Terminal> {
  const gate = options.gate ?? 'North';
  const name = options.name ?? `${gate} scanner ${Math.random().toString(36).slice(2, 6)}`;
  const created = await s.request('POST', `/v1/organizers/${setup.organizer.id}/enrolments`, {
    token: options.staffToken ?? setup.organizer.owner.token,
    body: {
      venueId: setup.venueId,
      gate,
      performanceIds: options.performanceIds ?? setup.performanceIds,
    },
  });
  if (created.status !== 201) throw new Error(`enrolment: ${created.status} ${created.raw}`);
  const enrolled = await s.request('POST', '/v1/terminals/enrol', {
    body: { code: created.body.code, name },
  });
  if (enrolled.status !== 201 && enrolled.status !== 200) {
    throw new Error(`enrol: ${enrolled.status} ${enrolled.raw}`);
  }
  return { token: enrolled.body.token, id: enrolled.body.terminal.id, gate, name };
}

export const nowS = (s: TestSystem) => Math.floor(s.clock.now() / 1000);

/** Moves the shared clock to a minute after the doors of a performance starting at `startsAt`. */
export function toDoors(s: TestSystem, startsAt: number) {
  const target = startsAt - 3_600_000 + 60_000;
  if (s.clock.now() < target) s.clock.advance(target - s.clock.now());
}

/** The live barcode the holder's phone shows at `timeS` (claim 10). */
export async function barcode(
  ticket: { credential: string | null },
  device: Buyer['signer'],
  timeS: number,
) {
  if (!ticket.credential) throw new Error('the ticket has no credential');
  return (await protocol.createPresentation(fromBase64url(ticket.credential), device, timeS)).text;
}

export interface GateScan {
  barcode?: string;
  ticketNumber?: string;
  pin?: string;
  direction?: 'entry' | 'exit';
  debit?: string;
  scannedAt?: string;
  position?: { latitude: number; longitude: number; accuracyM: number };
}

/** POST /v1/terminal/verifications as the terminal. */
export function scan(s: TestSystem, terminal: Pick<Terminal, 'token'>, body: GateScan) {
  return s.request('POST', '/v1/terminal/verifications', { token: terminal.token, body });
}

export interface OfflineAdmission {
  nonce: string;
  performanceCode: string;
  ticketId: string;
  revision: number;
  direction: 'entry' | 'exit';
  scannedAt: string;
  presentationTimeS?: number;
  debit?: string;
  position?: { latitude: number; longitude: number; accuracyM: number };
}

/** POST /v1/terminal/admissions: what the terminal admitted while offline. */
export function upload(
  s: TestSystem,
  terminal: Pick<Terminal, 'token'>,
  admissions: OfflineAdmission[],
  pending?: number,
) {
  return s.request('POST', '/v1/terminal/admissions', {
    token: terminal.token,
    body: { ...(pending !== undefined ? { pending } : {}), admissions },
  });
}

export interface HeldTicket {
  id: string;
  number: string;
  revision: number;
  credential: string | null;
  manualCode: { ticketNumber: string; pin: string } | null;
  performance: { id: string; code: string; doorsAt: string };
  orderId: string;
}

/** The buyer's tickets of one order, as the buyer's app receives them. */
export async function ticketsOfOrder(s: TestSystem, buyer: Buyer, orderId: string) {
  const mine = await s.request('GET', '/v1/me/tickets', { token: buyer.token });
  return (mine.body.tickets as HeldTicket[]).filter((ticket) => ticket.orderId === orderId);
}

/** A buyer whose profile has a first name (the gate shows it); otherwise as `createBuyer`. */
export async function createNamedBuyer(s: TestSystem, firstName: string): Promise<Buyer> {
  const user = await s.signIn(s.newPhone(), firstName);
  const device = await s.registerDevice(user);
  const wallet = await s.x.signUp('person');
  await s.x.fund(wallet.accountId, 'USDT', 1_000_000_000n);
  return { ...user, ...device, wallet };
}

/**
 * Tickets minted directly, for tests that need many: a converted hold and an issued order in
 * the database (no payment at the exchange, no quota taken), then the server's `mintTickets`,
 * so the credentials are exactly what a paid order would carry, bound to the holder's device.
 */
export async function mintDirect(
  s: TestSystem,
  setup: Pick<EventSetup, 'organizer' | 'eventId'>,
  performanceId: string,
  categoryId: string,
  holder: Buyer,
  count: number,
) {
  const issuer = await signerFor(s.ticketing, setup.organizer.id);
  const minted: { id: string; number: string; revision: number; credential: string | null }[] = [];
  for (let start = 0; start < count; start += 200) {
    const size = Math.min(200, count - start);
    const rows = await inTransaction(s.ticketing, async ({ trx, now }) => {
      const holdId = newId('hld');
      const orderId = newId('ord');
      await trx
        .insertInto('holds')
        .values({
          id: holdId,
          performance_id: performanceId,
          event_id: setup.eventId,
          user_id: holder.userId,
          status: 'converted',
          quantity: size,
          expires_at: now,
          created_at: now,
          released_at: null,
        })
        .execute();
      await trx
        .insertInto('orders')
        .values({
          id: orderId,
          user_id: holder.userId,
          organizer_id: setup.organizer.id,
          event_id: setup.eventId,
          performance_id: performanceId,
          hold_id: holdId,
          status: 'issued',
          asset: 'USDT',
          amount: '0',
          fiat_amount: null,
          quote_id: null,
          payment_request_id: null,
          pay_expires_at: now,
          device_id: holder.deviceId,
          deliver_to_phone: holder.phone,
          return_url: null,
          failure: null,
          created_at: now,
          paid_at: now,
          issued_at: now,
          updated_at: now,
        })
        .execute();
      const lines = Array.from({ length: size }, (_, index) => ({
        line_no: index + 1,
        category_id: categoryId,
        seat_id: null,
        amount: '0',
      }));
      await trx
        .insertInto('order_lines')
        .values(lines.map((line) => ({ ...line, order_id: orderId })))
        .execute();
      return mintTickets(
        s.ticketing,
        trx,
        now,
        {
          id: orderId,
          organizer_id: setup.organizer.id,
          event_id: setup.eventId,
          performance_id: performanceId,
          asset: 'USDT',
          holder_user_id: holder.userId,
          holder_phone: holder.phone,
          device: { id: holder.deviceId, publicKey: holder.signer.publicKey },
        },
        lines,
        issuer,
      );
    });
    minted.push(...rows);
  }
  return minted;
}

/** Admissions of a ticket as the database holds them, oldest first. */
export function admissionsOf(s: TestSystem, ticketId: string) {
  return s.database.db
    .selectFrom('admissions')
    .selectAll()
    .where('ticket_id', '=', ticketId)
    .orderBy('seq')
    .execute();
}

/** Runs `work` over `items`, `width` at a time. */
export async function inBatches<T, R>(
  items: readonly T[],
  width: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = [];
  for (let start = 0; start < items.length; start += width) {
    out.push(
      ...(await Promise.all(
        items.slice(start, start + width).map((item, offset) => work(item, start + offset)),
      )),
    );
  }
  return out;
}
