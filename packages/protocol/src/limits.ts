/**
 * Every bound of the protocol in one place. The unit is the last part of each name.
 * Sizes are chosen so that a typical ticket's presentation fits QR version 10 at error
 * correction M (311 alphanumeric characters, so at most 207 bytes through base45).
 */
export const formatVersion = 1;

export const keyIdBytes = 4;
export const publicKeyBytes = 32;
export const signatureBytes = 64;
export const seedBytes = 32;
export const phoneTagBytes = 8;
/** The HMAC key behind phone tags: at least 128 bits. */
export const issuerSecretBytesMin = 16;

/** Identifiers are short printable ASCII so that they stay cheap in the barcode and unambiguous. */
export const eventIdBytesMax = 32;
export const ticketIdBytesMax = 32;
/** The user-defined reserved area of claims 8 and 9. Every byte costs barcode space. */
export const reservedAreaBytesMax = 64;

export const revisionMax = 0xffff;
export const entriesAllowedMax = 0xffff;
/** Stored value in the smallest unit of the event's currency; 63 bits, so it fits SQL BIGINT. */
export const storedValueMax = (1n << 63n) - 1n;
/** Times are Unix seconds in an unsigned 32-bit field, good until 2106-02-07. */
export const timeMaxS = 0xffffffff;

/** The phone refreshes its barcode this often (claim 10), so a screenshot goes stale quickly. */
export const presentationRotationS = 15;
/** How far a phone's clock may run ahead of or behind the terminal's. */
export const clockSkewToleranceS = 15;
/** A presentation older than one rotation plus the skew tolerance is refused as stale. */
export const presentationMaxAgeS = presentationRotationS + clockSkewToleranceS;

const credentialBytesMax =
  1 +
  keyIdBytes +
  1 +
  3 +
  3 +
  4 +
  4 +
  9 +
  (1 + eventIdBytesMax) +
  (1 + ticketIdBytesMax) +
  publicKeyBytes +
  phoneTagBytes +
  (1 + reservedAreaBytesMax) +
  signatureBytes;
export const presentationBytesMax = credentialBytesMax + 4 + signatureBytes;
/** Longest text a valid presentation can have; anything longer is refused before decoding. */
export const presentationTextCharsMax = Math.ceil(presentationBytesMax / 2) * 3;

/** Manual codes (seed 001's ID and password): 9 random digits plus a Damm check digit, and a PIN. */
export const ticketNumberDigits = 10;
export const pinDigits = 6;
/** Longest typed ticket number accepted, separators included. */
export const ticketNumberInputCharsMax = 32;
export const manualCodeSaltBytes = 16;
export const manualCodeHashBytes = 32;
/**
 * PBKDF2 work per manual-code hash. A 6-digit PIN is guessable offline by whoever holds the event
 * package, so the hash is slowed to make that cost seconds per ticket on a GPU rather than
 * microseconds; a gate check stays around 10 ms. Records outside the bounds are refused so a
 * corrupt package cannot stall a terminal.
 */
export const manualCodeIterationsDefault = 20_000;
export const manualCodeIterationsMin = 1_000;
export const manualCodeIterationsMax = 1_000_000;
