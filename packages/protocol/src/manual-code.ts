import { asciiBytes, bytesEqual, concatBytes, fromHex } from './bytes.ts';
import { checkTicketTerms, type TicketKind, type TicketTerms } from './credential.ts';
import type { CryptoBackend } from './crypto.ts';
import { isProtocolError, ProtocolError } from './errors.ts';
import {
  manualCodeHashBytes,
  manualCodeIterationsMax,
  manualCodeIterationsMin,
  manualCodeSaltBytes,
  pinDigits,
  ticketNumberDigits,
  ticketNumberInputCharsMax,
} from './limits.ts';
import {
  checkEntitlementContext,
  type Decision,
  type EntitlementContext,
  evaluateEntitlement,
} from './verify.ts';

/**
 * Seed 001's "ID and password": when a barcode cannot be read, the holder reads out a ticket
 * number and a PIN and the checker types them. Digits only, because they are read aloud in Korean
 * and English alike and typed on any keypad. The ticket number ends with a Damm check digit,
 * which catches every single wrong digit and every swap of two neighbours before anything is
 * looked up, so a typo is never mistaken for a wrong code or counted against the rate limit.
 */
const dammTable = [
  [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
  [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
  [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
  [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
  [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
  [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
  [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
  [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
  [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
  [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
] as const;

export function dammCheckDigit(digits: string): number {
  let interim = 0;
  for (const char of digits) {
    const row = dammTable[interim] as readonly number[];
    interim = row[char.charCodeAt(0) - 48] as number;
  }
  return interim;
}

export const manualCodeDomain = 'tessera/manual-code/v1';

export interface ManualCode {
  /** 10 digits, the last a Damm check digit. */
  ticketNumber: string;
  pin: string;
}

/** What a terminal's event package holds for one ticket: its terms and the salted PIN hash. */
export interface ManualCodeRecord extends TicketTerms {
  ticketNumber: string;
  salt: Uint8Array;
  iterations: number;
  pinHash: Uint8Array;
}

/**
 * A manual-code record as JSON carries it from an issuer to its terminals (the ticketing server's
 * event package): bytes in hex, the stored value as a decimal string, and the credential's
 * ticket ID and the 10-digit ticket number under the protocol's names (docs/protocol.md sections 6
 * and 8); the event ID is the server's performance code.
 */
export interface ManualCodeRecordJson {
  /** The 10-digit number typed at the gate. */
  ticketNumber: string;
  /** The credential's event ID (the ticketing server's performance code). */
  performanceCode: string;
  /** The credential's ticket ID. */
  ticketId: string;
  revision: number;
  kind: TicketKind;
  entriesAllowed: number;
  reentryAllowed: boolean;
  validFromS: number;
  validUntilS: number;
  storedValue: string;
  /** 16 bytes, hex. */
  salt: string;
  iterations: number;
  /** 32 bytes, hex. */
  pinHash: string;
}

/** The record `verifyManualCode` looks up, from its JSON form. */
export function manualCodeRecordFromJson(entry: ManualCodeRecordJson): ManualCodeRecord {
  return {
    eventId: entry.performanceCode,
    ticketId: entry.ticketId,
    kind: entry.kind,
    reentryAllowed: entry.reentryAllowed,
    entriesAllowed: entry.entriesAllowed,
    validFromS: entry.validFromS,
    validUntilS: entry.validUntilS,
    storedValue: BigInt(entry.storedValue),
    revision: entry.revision,
    ticketNumber: entry.ticketNumber,
    salt: fromHex(entry.salt),
    iterations: entry.iterations,
    pinHash: fromHex(entry.pinHash),
  };
}

function randomDigits(backend: CryptoBackend, count: number): string {
  let out = '';
  while (out.length < count) {
    for (const byte of backend.randomBytes(count)) {
      // Rejection sampling: 250 is the largest multiple of 10 below 256, so each digit is uniform.
      if (byte < 250 && out.length < count) out += String(byte % 10);
    }
  }
  return out;
}

export function generateManualCode(backend: CryptoBackend): ManualCode {
  const body = randomDigits(backend, ticketNumberDigits - 1);
  return {
    ticketNumber: body + String(dammCheckDigit(body)),
    pin: randomDigits(backend, pinDigits),
  };
}

/** Grouped 3-3-4 like a phone number, the way people are used to reading ten digits aloud. */
export function formatTicketNumber(ticketNumber: string): string {
  return `${ticketNumber.slice(0, 3)}-${ticketNumber.slice(3, 6)}-${ticketNumber.slice(6)}`;
}

/** Accepts the number as typed, ignoring spaces, dashes and dots anywhere in it; returns the digits. */
export function parseTicketNumber(input: string): string {
  if (typeof input !== 'string' || input.length > ticketNumberInputCharsMax) {
    throw new ProtocolError(
      'too_large',
      'ticketNumber',
      `must be a string of at most ${ticketNumberInputCharsMax} characters`,
    );
  }
  const digits = input.replace(/[\s.-]/g, '');
  if (!/^[0-9]+$/.test(digits) || digits.length !== ticketNumberDigits) {
    throw new ProtocolError(
      'invalid_field',
      'ticketNumber',
      `must be ${ticketNumberDigits} digits`,
    );
  }
  if (dammCheckDigit(digits) !== 0) {
    throw new ProtocolError(
      'invalid_field',
      'ticketNumber',
      'check digit does not match: a digit was mistyped',
    );
  }
  return digits;
}

export function parsePin(input: string): string {
  if (typeof input !== 'string' || !/^[0-9]+$/.test(input) || input.length !== pinDigits) {
    throw new ProtocolError('invalid_field', 'pin', `must be ${pinDigits} digits`);
  }
  return input;
}

function checkIterations(iterations: number): void {
  if (
    !Number.isInteger(iterations) ||
    iterations < manualCodeIterationsMin ||
    iterations > manualCodeIterationsMax
  ) {
    throw new ProtocolError(
      'invalid_argument',
      'manualCode.iterations',
      `must be an integer in ${manualCodeIterationsMin}..${manualCodeIterationsMax}`,
    );
  }
}

/**
 * PBKDF2-HMAC-SHA256 of the PIN. The salt input is the domain tag, 0x00, the 16 random salt
 * bytes, the event id, 0x00 and the ticket number, so a hash is tied to one ticket of one event.
 */
export async function hashManualCodePin(
  backend: CryptoBackend,
  input: {
    eventId: string;
    ticketNumber: string;
    pin: string;
    salt: Uint8Array;
    iterations: number;
  },
): Promise<Uint8Array> {
  checkIterations(input.iterations);
  if (!(input.salt instanceof Uint8Array) || input.salt.length !== manualCodeSaltBytes) {
    throw new ProtocolError(
      'invalid_argument',
      'manualCode.salt',
      `must be ${manualCodeSaltBytes} bytes`,
    );
  }
  const salt = concatBytes(
    asciiBytes(manualCodeDomain),
    new Uint8Array(1),
    input.salt,
    asciiBytes(input.eventId),
    new Uint8Array(1),
    asciiBytes(parseTicketNumber(input.ticketNumber)),
  );
  return backend.pbkdf2Sha256(
    asciiBytes(parsePin(input.pin)),
    salt,
    input.iterations,
    manualCodeHashBytes,
  );
}

export async function createManualCodeRecord(
  backend: CryptoBackend,
  terms: TicketTerms,
  code: ManualCode,
  iterations: number,
): Promise<ManualCodeRecord> {
  checkTicketTerms(terms);
  const salt = backend.randomBytes(manualCodeSaltBytes);
  const pinHash = await hashManualCodePin(backend, {
    eventId: terms.eventId,
    ticketNumber: code.ticketNumber,
    pin: code.pin,
    salt,
    iterations,
  });
  return { ...terms, ticketNumber: code.ticketNumber, salt, iterations, pinHash };
}

export interface ManualCodeContext extends EntitlementContext {
  /** Finds the record for a ticket number in the event package; undefined when there is none. */
  lookup(ticketNumber: string): ManualCodeRecord | undefined;
}

/**
 * Offline check of a typed ticket number and PIN. A typo caught by the check digit or a PIN of
 * the wrong length is `malformed`; an unknown number or a wrong PIN is `wrong_code`, and the
 * caller counts those against its rate limit. After that, the same entitlement rules as a barcode.
 */
export async function verifyManualCode(
  backend: CryptoBackend,
  input: { ticketNumber: string; pin: string },
  context: ManualCodeContext,
): Promise<Decision> {
  checkEntitlementContext(context);
  let ticketNumber: string;
  let pin: string;
  try {
    ticketNumber = parseTicketNumber(input.ticketNumber);
    pin = parsePin(input.pin);
  } catch (error) {
    if (isProtocolError(error))
      return { admitted: false, reason: 'malformed', detail: error.message };
    throw error;
  }
  const record = context.lookup(ticketNumber);
  if (record === undefined) {
    return { admitted: false, reason: 'wrong_code', detail: 'no ticket has this number' };
  }
  // The record comes from the event package; a corrupt one still gets an answer at the gate.
  let hash: Uint8Array;
  try {
    checkTicketTerms(record);
    if (!(record.pinHash instanceof Uint8Array) || record.pinHash.length !== manualCodeHashBytes) {
      throw new ProtocolError(
        'invalid_argument',
        'manualCode.pinHash',
        `must be ${manualCodeHashBytes} bytes`,
      );
    }
    hash = await hashManualCodePin(backend, {
      eventId: record.eventId,
      ticketNumber,
      pin,
      salt: record.salt,
      iterations: record.iterations,
    });
  } catch (error) {
    if (!isProtocolError(error)) throw error;
    return {
      admitted: false,
      reason: 'malformed',
      detail: `the event package's record for this ticket is invalid: ${error.message}`,
    };
  }
  if (!bytesEqual(hash, record.pinHash)) {
    return { admitted: false, reason: 'wrong_code', detail: 'the PIN does not match' };
  }
  return evaluateEntitlement(record, context);
}
