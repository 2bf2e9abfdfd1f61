import { asciiBytes, ByteReader, ByteWriter, concatBytes } from './bytes.ts';
import { ProtocolError } from './errors.ts';
import {
  entriesAllowedMax,
  eventIdBytesMax,
  formatVersion,
  keyIdBytes,
  phoneTagBytes,
  publicKeyBytes,
  reservedAreaBytesMax,
  revisionMax,
  signatureBytes,
  storedValueMax,
  ticketIdBytesMax,
  timeMaxS,
} from './limits.ts';

/**
 * Ticket kinds from seed 001 and seed 000's background art: a one-time admission, an N-use pass
 * (a 10-ride bus or subway pass), a pass valid inside a window (a day pass), and a stored-value
 * ticket debited at terminals whose remainder is refundable.
 */
export const ticketKinds = ['single', 'multi', 'timed', 'stored_value'] as const;
export type TicketKind = (typeof ticketKinds)[number];

const kindCodes: Record<TicketKind, number> = { single: 1, multi: 2, timed: 3, stored_value: 4 };
const reentryFlag = 0x10;
const kindMask = 0x0f;

/** What a ticket entitles its holder to; shared by credentials and manual-code records. */
export interface TicketTerms {
  eventId: string;
  /** Seat label or unique number (claim 8's ticket ID field). */
  ticketId: string;
  kind: TicketKind;
  /** Exit then entry again does not use up the ticket. Only for `single` and `timed`. */
  reentryAllowed: boolean;
  /** Uses allowed; 0 means unlimited (only for `timed` and `stored_value`); `single` is 1. */
  entriesAllowed: number;
  /** Admission window [validFromS, validUntilS) in Unix seconds. */
  validFromS: number;
  validUntilS: number;
  /** Initial stored value in the event currency's smallest unit; 0 unless `stored_value`. */
  storedValue: bigint;
  /** Bumped on every transfer or reissue; older revisions are revoked. */
  revision: number;
}

/** Everything the organizer signs (claim 9), apart from the key id the signer adds. */
export interface CredentialFields extends TicketTerms {
  /** The holder's device key: the presentation must be signed by its private half. */
  devicePublicKey: Uint8Array;
  /** Keyed hash of the verified phone number (see `phoneTag`); compared online with the ticket DB. */
  phoneTag: Uint8Array;
  /** User-defined reserved area of claims 8 and 9, opaque to the protocol. */
  reserved: Uint8Array;
}

export interface Credential extends CredentialFields {
  version: typeof formatVersion;
  /** First 4 bytes of the signing key's fingerprint (see `keyIdFor`). */
  keyId: Uint8Array;
  /** The organizer's Ed25519 signature (the patent's encryption code, unit 110). */
  signature: Uint8Array;
}

export const credentialDomain = 'tessera/credential/v1';

const identifierPattern = /^[\x21-\x7e]+$/;

function fail(
  field: string,
  message: string,
  code: 'out_of_range' | 'invalid_field' | 'invalid_argument' = 'out_of_range',
): never {
  throw new ProtocolError(code, `credential.${field}`, message);
}

function checkInteger(field: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    fail(field, `${value} is not an integer in ${min}..${max}`);
  }
}

function checkIdentifier(field: string, value: string, maxBytes: number): void {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxBytes) {
    fail(field, `must be 1..${maxBytes} characters`);
  }
  if (!identifierPattern.test(value)) {
    fail(field, 'must be printable ASCII without spaces', 'invalid_field');
  }
}

function checkBytes(field: string, value: Uint8Array, min: number, max: number): void {
  if (!(value instanceof Uint8Array) || value.length < min || value.length > max) {
    fail(field, min === max ? `must be ${min} bytes` : `must be ${min}..${max} bytes`);
  }
}

/**
 * Exactly the ticket terms of a larger object (a credential, a manual-code record), so that a
 * decision carries no keys, tags, salts or hashes into logs and screens.
 */
export function ticketTermsOf(source: TicketTerms): TicketTerms {
  return {
    eventId: source.eventId,
    ticketId: source.ticketId,
    kind: source.kind,
    reentryAllowed: source.reentryAllowed,
    entriesAllowed: source.entriesAllowed,
    validFromS: source.validFromS,
    validUntilS: source.validUntilS,
    storedValue: source.storedValue,
    revision: source.revision,
  };
}

/** Checks the rules a credential's fields must obey; throws a ProtocolError naming the first break. */
export function checkTicketTerms(terms: TicketTerms): void {
  checkIdentifier('eventId', terms.eventId, eventIdBytesMax);
  checkIdentifier('ticketId', terms.ticketId, ticketIdBytesMax);
  if (!ticketKinds.includes(terms.kind))
    fail('kind', `unknown kind ${String(terms.kind)}`, 'invalid_field');
  checkInteger('revision', terms.revision, 0, revisionMax);
  checkInteger('entriesAllowed', terms.entriesAllowed, 0, entriesAllowedMax);
  checkInteger('validFromS', terms.validFromS, 0, timeMaxS);
  checkInteger('validUntilS', terms.validUntilS, 0, timeMaxS);
  if (terms.validUntilS <= terms.validFromS) fail('validUntilS', 'must be after validFromS');
  if (
    typeof terms.storedValue !== 'bigint' ||
    terms.storedValue < 0n ||
    terms.storedValue > storedValueMax
  ) {
    fail('storedValue', `must be a bigint in 0..${storedValueMax}`);
  }
  switch (terms.kind) {
    case 'single':
      if (terms.entriesAllowed !== 1)
        fail('entriesAllowed', 'a single-entry ticket allows exactly 1 entry');
      break;
    case 'multi':
      if (terms.entriesAllowed < 1)
        fail('entriesAllowed', 'a multi-entry ticket allows at least 1 entry');
      break;
    case 'timed':
      break;
    case 'stored_value':
      // A stored-value ticket with nothing on it could never be admitted; refuse to make one.
      if (terms.storedValue < 1n)
        fail('storedValue', 'a stored-value ticket carries at least 1 unit');
      break;
  }
  if (terms.kind !== 'stored_value' && terms.storedValue !== 0n) {
    fail('storedValue', 'only a stored-value ticket carries a value', 'invalid_field');
  }
  if (terms.reentryAllowed && terms.kind !== 'single' && terms.kind !== 'timed') {
    fail(
      'reentryAllowed',
      're-entry applies only to single-entry and timed tickets',
      'invalid_field',
    );
  }
  // With re-entry only the first entry is a use, so a limit above one could never be reached.
  if (terms.reentryAllowed && terms.entriesAllowed > 1) {
    fail('entriesAllowed', 'a ticket with re-entry allows 0 (unlimited) or 1 entry');
  }
}

export function checkCredentialFields(fields: CredentialFields): void {
  checkTicketTerms(fields);
  checkBytes('devicePublicKey', fields.devicePublicKey, publicKeyBytes, publicKeyBytes);
  checkBytes('phoneTag', fields.phoneTag, phoneTagBytes, phoneTagBytes);
  checkBytes('reserved', fields.reserved, 0, reservedAreaBytesMax);
}

/** The signed part of a credential: every byte before the signature. */
export function encodeCredentialBody(fields: CredentialFields, keyId: Uint8Array): Uint8Array {
  checkCredentialFields(fields);
  checkBytes('keyId', keyId, keyIdBytes, keyIdBytes);
  const writer = new ByteWriter()
    .u8(formatVersion)
    .bytes(keyId)
    .u8(kindCodes[fields.kind] | (fields.reentryAllowed ? reentryFlag : 0))
    .varint(BigInt(fields.revision))
    .varint(BigInt(fields.entriesAllowed))
    .u32(fields.validFromS)
    .u32(fields.validUntilS);
  if (fields.kind === 'stored_value') writer.varint(fields.storedValue);
  return writer
    .lengthPrefixed(asciiBytes(fields.eventId))
    .lengthPrefixed(asciiBytes(fields.ticketId))
    .bytes(fields.devicePublicKey)
    .bytes(fields.phoneTag)
    .lengthPrefixed(fields.reserved)
    .finish();
}

export function encodeCredential(credential: Credential): Uint8Array {
  checkBytes('signature', credential.signature, signatureBytes, signatureBytes);
  return concatBytes(encodeCredentialBody(credential, credential.keyId), credential.signature);
}

/** What the organizer's key signs: a domain tag, a zero byte, then the credential body. */
export function credentialSigningInput(body: Uint8Array): Uint8Array {
  return concatBytes(asciiBytes(credentialDomain), new Uint8Array(1), body);
}

const asciiDecoder = new TextDecoder('ascii');

/**
 * Reads one credential from the reader's position. Used on its own (`decodeCredential`) and as
 * the first part of a presentation, which is why it does not insist on the end of input.
 */
export function readCredential(reader: ByteReader): { credential: Credential; bodyEnd: number } {
  const start = reader.offset;
  const version = reader.u8('version');
  if (version !== formatVersion) {
    throw new ProtocolError(
      'unsupported_version',
      'credential.version',
      `version ${version} is not supported (expected ${formatVersion})`,
    );
  }
  const keyId = reader.bytes(keyIdBytes, 'keyId');
  const kindByte = reader.u8('kind');
  const kind = ticketKinds[(kindByte & kindMask) - 1];
  if (kind === undefined || (kindByte & ~(kindMask | reentryFlag)) !== 0) {
    throw new ProtocolError(
      'invalid_field',
      'credential.kind',
      `kind byte 0x${kindByte.toString(16)} is not valid`,
    );
  }
  const revision = Number(reader.varint('revision', BigInt(revisionMax)));
  const entriesAllowed = Number(reader.varint('entriesAllowed', BigInt(entriesAllowedMax)));
  const validFromS = reader.u32('validFromS');
  const validUntilS = reader.u32('validUntilS');
  const storedValue = kind === 'stored_value' ? reader.varint('storedValue', storedValueMax) : 0n;
  const eventId = asciiDecoder.decode(reader.lengthPrefixed('eventId', 1, eventIdBytesMax));
  const ticketId = asciiDecoder.decode(reader.lengthPrefixed('ticketId', 1, ticketIdBytesMax));
  const devicePublicKey = reader.bytes(publicKeyBytes, 'devicePublicKey');
  const phoneTag = reader.bytes(phoneTagBytes, 'phoneTag');
  const reserved = reader.lengthPrefixed('reserved', 0, reservedAreaBytesMax);
  const bodyEnd = reader.offset;
  const signature = reader.bytes(signatureBytes, 'signature');
  const credential: Credential = {
    version: formatVersion,
    keyId,
    eventId,
    ticketId,
    kind,
    reentryAllowed: (kindByte & reentryFlag) !== 0,
    entriesAllowed,
    validFromS,
    validUntilS,
    storedValue,
    revision,
    devicePublicKey,
    phoneTag,
    reserved,
    signature,
  };
  // The same rules as encoding, so anything decoded re-encodes to the same bytes.
  checkTicketTerms(credential);
  return { credential, bodyEnd: bodyEnd - start };
}

export function decodeCredential(bytes: Uint8Array): Credential {
  const reader = new ByteReader(bytes, 'credential');
  const { credential } = readCredential(reader);
  reader.end();
  return credential;
}
