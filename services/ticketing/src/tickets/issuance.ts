/**
 * S150 and unit 110: turning a paid order into tickets, and signing a ticket's credential for the
 * device it is bound to. The ticket DB record (claim 8) holds the event ID (the performance code,
 * which names the event, place, date and time), the ticket ID (a unique number; the seat is on
 * the record), the purchaser's mobile ID (the device key and the phone), the encryption code
 * (the organizer's signature over all of it) and the reserved area.
 */
import {
  type CredentialFields,
  fromHex,
  generateManualCode,
  type TicketTerms,
  toBase64url,
} from '@tessera/protocol';
import type { Ticketing, Trx } from '../context.ts';
import type { TicketsTable } from '../db/schema.ts';
import { newId, newTicketNumber } from '../ids.ts';
import { type OrganizerSigner, sealPin, signerFor } from '../organizers/keys.ts';
import { insertTickets, type TicketTermsSource, termsSource } from './repository.ts';

export { type TicketTermsSource, termsSource };

const seconds = (ms: number) => Math.floor(ms / 1000);

/** The terms a credential of this ticket carries (claim 9), as the protocol checks them. */
export function ticketTerms(
  source: TicketTermsSource,
  ticketNumber: string,
  revision: number,
): TicketTerms {
  return {
    eventId: source.performance_code,
    ticketId: ticketNumber,
    kind: source.kind,
    reentryAllowed: source.reentry_allowed === 1,
    entriesAllowed: source.entries_allowed,
    validFromS: seconds(source.valid_from ?? source.doors_at),
    validUntilS: seconds(source.valid_until ?? source.ends_at),
    storedValue: BigInt(source.stored_value),
    revision,
  };
}

/** Signs the credential of `ticket` at `revision` for a device key (claim 9). */
export async function signCredential(
  ticketing: Ticketing,
  ticket: Pick<TicketsTable, 'organizer_id' | 'number' | 'holder_phone'>,
  source: TicketTermsSource,
  revision: number,
  devicePublicKey: Uint8Array,
  /**
   * The organizer's signer, when the caller is inside a transaction: it must have been loaded
   * before (loading reads the database, which inside a transaction may wait forever for a
   * connection the transaction itself holds).
   */
  loaded?: OrganizerSigner,
) {
  const issuer = loaded ?? (await signerFor(ticketing, ticket.organizer_id));
  const fields: CredentialFields = {
    ...ticketTerms(source, ticket.number, revision),
    devicePublicKey,
    phoneTag: await ticketing.protocol.phoneTag(issuer.phoneTagSecret, ticket.holder_phone),
    reserved: fromHex(source.reserved_hex),
  };
  const issued = await ticketing.protocol.issueCredential(fields, issuer.signer);
  return { credential: toBase64url(issued.bytes), keyId: issuer.keyIdHex };
}

export interface NewTicket {
  line_no: number;
  category_id: string;
  seat_id: string | null;
  amount: string;
}

/**
 * Mints the tickets of an order, one per line (the unique (order, line) index makes a second
 * issuance impossible). Bound to `device` at once when the buyer named one; otherwise they wait
 * for the phone number to sign in and claim them.
 */
export async function mintTickets(
  ticketing: Ticketing,
  trx: Trx,
  now: number,
  order: {
    id: string;
    organizer_id: string;
    event_id: string;
    performance_id: string;
    asset: string;
    holder_user_id: string | null;
    holder_phone: string;
    device: { id: string; publicKey: Uint8Array } | null;
  },
  lines: readonly NewTicket[],
  /** Loaded before the transaction (see `signCredential`). */
  issuer: OrganizerSigner,
): Promise<TicketsTable[]> {
  // Random numbers, unique by the tables' indexes: ticket numbers per performance (40 bits) and
  // manual numbers server-wide (9 digits, so collisions do happen past some 40,000 tickets). A
  // collision fails the insert and the caller settles again with new numbers.
  const numbers = distinct(lines.length, newTicketNumber);
  const manualNumbers = distinct(
    lines.length,
    () => generateManualCode(ticketing.protocol.backend).ticketNumber,
  );
  const sources = new Map<string, TicketTermsSource>();
  const rows: TicketsTable[] = [];
  for (const [index, line] of lines.entries()) {
    let source = sources.get(line.category_id);
    if (!source) {
      source = await cachedTermsSource(ticketing, trx, order.performance_id, line.category_id);
      sources.set(line.category_id, source);
    }
    const id = newId('tkt');
    const number = numbers[index] as string;
    // The PIN is drawn with the manual code; its ticket number is replaced by a fresh one.
    const pin = generateManualCode(ticketing.protocol.backend).pin;
    const revision = 1;
    const signed = order.device
      ? await signCredential(
          ticketing,
          { organizer_id: order.organizer_id, number, holder_phone: order.holder_phone },
          source,
          revision,
          order.device.publicKey,
          issuer,
        )
      : null;
    rows.push({
      id,
      number,
      order_id: order.id,
      line_no: line.line_no,
      organizer_id: order.organizer_id,
      event_id: order.event_id,
      performance_id: order.performance_id,
      category_id: line.category_id,
      seat_id: line.seat_id,
      asset: order.asset,
      amount: line.amount,
      holder_user_id: order.holder_user_id,
      holder_phone: order.holder_phone,
      device_id: order.device?.id ?? null,
      revision,
      status: signed ? 'valid' : 'awaiting_device',
      credential: signed?.credential ?? null,
      key_id: signed?.keyId ?? null,
      manual_number: manualNumbers[index] as string,
      pin: sealPin(ticketing, id, pin),
      created_at: now,
      updated_at: now,
    });
  }
  await insertTickets(trx, rows);
  return rows;
}

function distinct(count: number, make: () => string): string[] {
  const values = new Set<string>();
  while (values.size < count) values.add(make());
  return [...values];
}

/**
 * Terms are fixed once a category has sales (the catalogue refuses to change them), so they are
 * read once a minute per performance and category rather than once per ticket, in the issuing
 * transaction.
 */
function termsCache(ticketing: Ticketing) {
  return ticketing.caches.cache<TicketTermsSource, Trx>(
    'ticket-terms',
    { ttlMs: 60_000, max: 10_000 },
    (key, trx) => {
      const [performanceId, categoryId] = key.split(':') as [string, string];
      return termsSource(trx ?? ticketing.database.db, performanceId, categoryId);
    },
  );
}

async function cachedTermsSource(
  ticketing: Ticketing,
  trx: Trx,
  performanceId: string,
  categoryId: string,
) {
  return (await termsCache(ticketing).get(
    `${performanceId}:${categoryId}`,
    trx,
  )) as TicketTermsSource;
}
