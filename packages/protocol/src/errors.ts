/**
 * Malformed input throws a ProtocolError whose code says what kind of problem it is and whose
 * `field` names where it is (for example `credential.ticketId`). A well-formed input with a wrong
 * signature never throws: verification answers with a negative decision instead.
 */
export const protocolErrorCodes = [
  /** The text is not base45, or a base45 group is out of range. */
  'bad_encoding',
  /** The input ended before a field was complete. */
  'truncated',
  /** Bytes are left over after a complete structure. */
  'trailing_bytes',
  /** The format version byte names a version this implementation does not know. */
  'unsupported_version',
  /** A number or length is outside its allowed range. */
  'out_of_range',
  /** A field has a forbidden value: bad characters, a non-canonical number, reserved bits set. */
  'invalid_field',
  /** The input is longer than any valid input can be. */
  'too_large',
  /** A caller-supplied argument (not wire data) is wrong: a key of the wrong length, a bad option. */
  'invalid_argument',
] as const;

export type ProtocolErrorCode = (typeof protocolErrorCodes)[number];

export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  readonly code: ProtocolErrorCode;
  /** Dotted path of the offending field, for example `presentation.timeS`. */
  readonly field: string;

  constructor(code: ProtocolErrorCode, field: string, message: string, options?: ErrorOptions) {
    super(`${field}: ${message}`, options);
    this.code = code;
    this.field = field;
  }
}

export function isProtocolError(error: unknown): error is ProtocolError {
  return error instanceof ProtocolError;
}
