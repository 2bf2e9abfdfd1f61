/**
 * What a gate terminal read, authenticated (claim 12's first half): a barcode decoded once and
 * checked once as the protocol says (format, organizer signature, device signature, age), or a
 * manual ticket number and PIN checked against the sealed PIN on record. Either way the ticket
 * it names is read with its history, for `decide` to evaluate the entitlement on.
 *
 * The keys are the organizer's active keys as a protocol keyring, cached here; retiring or adding
 * a key forgets them on every instance (`forgetKeyring`).
 */

import { timingSafeEqual } from 'node:crypto';
import {
  decodePresentation,
  fromBase64url,
  isProtocolError,
  type Keyring,
  type Presentation,
  parsePin,
  parseTicketNumber,
  presentationFromText,
} from '@tessera/protocol';
import type { Ticketing } from '../context.ts';
import type { TerminalPrincipal } from '../identity/service.ts';
import { openPin } from '../organizers/keys.ts';
import type { Found, GateInput } from './decide.ts';
import { limitManualCodes } from './manual-code-limits.ts';
import {
  activePublicKeys,
  performanceCode,
  ticketByManualNumber,
  ticketOnRecord,
} from './repository.ts';

/** The organizer's keys as a protocol keyring, kept a minute (and forgotten on a change). */
const keyringTtlMs = 60_000;
const organizersCachedMax = 10_000;

function keyringCache(ticketing: Ticketing) {
  return ticketing.caches.cache<Keyring>(
    'keyrings',
    { ttlMs: keyringTtlMs, max: organizersCachedMax },
    async (organizerId) => {
      const keys = await activePublicKeys(ticketing.database.db, organizerId);
      return ticketing.protocol.prepareKeyring(
        keys.map((key) => ({ publicKey: fromBase64url(key) })),
      );
    },
  );
}

/** A key was added or retired: every instance reads the organizer's keys again. */
export function forgetKeyring(ticketing: Ticketing, organizerId: string): Promise<void> {
  return keyringCache(ticketing).invalidate(organizerId);
}

/**
 * The organizer's active keys, as the event package sends them: a retired key's tickets are
 * refused online and offline alike (its holders get reissued tickets).
 */
export async function keyringOf(ticketing: Ticketing, organizerId: string): Promise<Keyring> {
  return (await keyringCache(ticketing).get(organizerId)) as Keyring;
}

/**
 * Performance codes by performance id. A code never changes once made, so it is kept an hour
 * (and never needs invalidating); only the bound keeps the cache from growing.
 */
function performanceCodeCache(ticketing: Ticketing) {
  return ticketing.caches.cache<string>(
    'performance-codes',
    { ttlMs: 3_600_000, max: 100_000 },
    (performanceId) => performanceCode(ticketing.database.db, performanceId),
  );
}

/** The performance codes a terminal admits to, mapped to their performance ids. */
export async function codesOf(ticketing: Ticketing, terminal: TerminalPrincipal) {
  const cache = performanceCodeCache(ticketing);
  const known = await Promise.all(terminal.performanceIds.map((id) => cache.get(id)));
  const codes = new Map<string, string>();
  terminal.performanceIds.forEach((id, index) => {
    const code = known[index];
    if (code !== undefined) codes.set(code, id);
  });
  return codes;
}

/** A refusal before any decision, and whom the audit log puts it against. */
export interface ReadRefusal {
  reason: string;
  detail: string;
  ticketId: string | null;
  performanceId: string | null;
}

/** What was read: the ticket found (to decide on), or a refusal. */
export type Reading = { found: Found } | { refusal: ReadRefusal };

const refusal = (
  reason: string,
  detail: string,
  ticketId: string | null = null,
  performanceId: string | null = null,
): Reading => ({ refusal: { reason, detail, ticketId, performanceId } });

/**
 * A barcode: decoded once, the ticket it names read with its history (when its performance is
 * one of the terminal's), then authenticated. A credential byte for byte the one on record
 * carries the signature this server made, which is not checked again. Refusals count in the
 * report of the performance the barcode names, when it is one of ours.
 */
export async function authenticateBarcode(
  ticketing: Ticketing,
  terminal: TerminalPrincipal,
  text: string,
  codes: ReadonlyMap<string, string>,
  nowS: number,
): Promise<Reading> {
  let presentation: Presentation;
  try {
    presentation = decodePresentation(presentationFromText(text));
  } catch (error) {
    if (!isProtocolError(error)) throw error;
    return refusal('malformed', error.message);
  }
  const { eventId: code, ticketId: number } = presentation.credential;
  const performanceId = codes.get(code) ?? null;
  const { db, dialect } = ticketing.database;
  const ticket = performanceId
    ? await ticketOnRecord(db, dialect, performanceId, number)
    : undefined;
  // The protocol's own checks (claim 11's order): format, organizer signature, device
  // signature, age. The entitlement (event, window, history) is `decide`'s.
  const authenticated = await ticketing.protocol.authenticatePresentation(presentation, {
    keyring: await keyringOf(ticketing, terminal.organizerId),
    nowS,
    ...(ticket?.credential ? { issuedCredential: fromBase64url(ticket.credential) } : {}),
  });
  if ('reason' in authenticated) {
    return refusal(authenticated.reason, authenticated.detail, number, performanceId);
  }
  return {
    found: {
      ticket,
      barcode: {
        terms: authenticated.terms,
        credentialBytes: presentation.credentialBytes,
        timeS: presentation.timeS,
        ticketId: number,
        performanceId,
      },
    },
  };
}

/**
 * A manual ticket number and PIN (seed 001), within the limits on wrong codes. An unknown number,
 * another organizer's ticket and a wrong PIN answer alike.
 */
export async function authenticateManualCode(
  ticketing: Ticketing,
  terminal: TerminalPrincipal,
  input: Pick<GateInput, 'ticketNumber' | 'pin' | 'scannedAt'>,
): Promise<Reading> {
  let number: string;
  let pin: string;
  try {
    number = parseTicketNumber(input.ticketNumber ?? '');
    pin = parsePin(input.pin ?? '');
  } catch (error) {
    if (!isProtocolError(error)) throw error;
    return refusal('malformed', error.message);
  }
  await limitManualCodes(ticketing, terminal, number, input.scannedAt);
  const { db, dialect } = ticketing.database;
  const ticket = await ticketByManualNumber(db, number);
  const ours = ticket !== undefined && terminal.performanceIds.includes(ticket.performance_id);
  if (!ticket || !ours || !safeEqual(openPin(ticketing, ticket.id, ticket.pin), pin)) {
    return refusal(
      'wrong_code',
      'no ticket of this event has this number and PIN',
      number,
      ours ? ticket.performance_id : null,
    );
  }
  return {
    found: { ticket: await ticketOnRecord(db, dialect, ticket.performance_id, ticket.number) },
  };
}

function safeEqual(a: string, b: string) {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
