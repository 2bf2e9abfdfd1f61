import { base45Decode, base45Encode } from './base45.ts';
import { asciiBytes, ByteReader, ByteWriter, concatBytes } from './bytes.ts';
import { type Credential, readCredential } from './credential.ts';
import { ProtocolError } from './errors.ts';
import {
  presentationBytesMax,
  presentationTextCharsMax,
  signatureBytes,
  timeMaxS,
} from './limits.ts';

/**
 * The barcode (claim 10): the stored credential, the time the phone made it, and the device's
 * signature over both. The device public key travels inside the credential, where the organizer's
 * signature already binds it to the ticket.
 */
export interface Presentation {
  credential: Credential;
  /** The credential exactly as received; its SHA-256 is what the device signs. */
  credentialBytes: Uint8Array;
  /** Length of the organizer-signed part of `credentialBytes`. */
  credentialBodyLength: number;
  timeS: number;
  deviceSignature: Uint8Array;
}

export const presentationDomain = 'tessera/presentation/v1';

/** What the device key signs: a domain tag, a zero byte, SHA-256 of the credential, the time. */
export function presentationSigningInput(credentialDigest: Uint8Array, timeS: number): Uint8Array {
  if (credentialDigest.length !== 32) {
    throw new ProtocolError(
      'invalid_argument',
      'presentation.credentialDigest',
      'must be 32 bytes',
    );
  }
  checkTime('presentation.timeS', timeS);
  return concatBytes(
    asciiBytes(presentationDomain),
    new Uint8Array(1),
    credentialDigest,
    new ByteWriter().u32(timeS).finish(),
  );
}

export function checkTime(field: string, timeS: number): void {
  if (!Number.isInteger(timeS) || timeS < 0 || timeS > timeMaxS) {
    throw new ProtocolError('out_of_range', field, `${timeS} is not an integer in 0..${timeMaxS}`);
  }
}

export function encodePresentation(
  credentialBytes: Uint8Array,
  timeS: number,
  deviceSignature: Uint8Array,
): Uint8Array {
  checkTime('presentation.timeS', timeS);
  if (deviceSignature.length !== signatureBytes) {
    throw new ProtocolError(
      'invalid_argument',
      'presentation.deviceSignature',
      `must be ${signatureBytes} bytes`,
    );
  }
  return new ByteWriter().bytes(credentialBytes).u32(timeS).bytes(deviceSignature).finish();
}

export function decodePresentation(bytes: Uint8Array): Presentation {
  if (bytes.length > presentationBytesMax) {
    throw new ProtocolError(
      'too_large',
      'presentation',
      `${bytes.length} bytes exceeds ${presentationBytesMax}`,
    );
  }
  // The credential comes first and reports its problems as `credential.*`, as on its own.
  const reader = new ByteReader(bytes, 'credential');
  const { credential, bodyEnd } = readCredential(reader);
  const credentialBytes = bytes.slice(0, reader.offset);
  reader.structure = 'presentation';
  const timeS = reader.u32('timeS');
  const deviceSignature = reader.bytes(signatureBytes, 'deviceSignature');
  reader.end();
  return { credential, credentialBytes, credentialBodyLength: bodyEnd, timeS, deviceSignature };
}

/** The QR text form: base45 of the presentation bytes, with nothing before or after. */
export function presentationToText(bytes: Uint8Array): string {
  return base45Encode(bytes);
}

/**
 * Back from the QR text. Trailing carriage returns and line feeds are dropped, because
 * keyboard-wedge scanners end every read with Enter; nothing else is forgiven.
 */
export function presentationFromText(text: string): Uint8Array {
  if (typeof text !== 'string') {
    throw new ProtocolError('invalid_argument', 'text', 'must be a string');
  }
  const trimmed = text.replace(/[\r\n]+$/, '');
  if (trimmed.length > presentationTextCharsMax) {
    throw new ProtocolError(
      'too_large',
      'text',
      `${trimmed.length} characters exceeds ${presentationTextCharsMax}`,
    );
  }
  return base45Decode(trimmed);
}
