import { asciiBytes, concatBytes } from './bytes.ts';
import type { CryptoBackend } from './crypto.ts';
import { ProtocolError } from './errors.ts';
import { issuerSecretBytesMin, keyIdBytes, phoneTagBytes, publicKeyBytes } from './limits.ts';

export const keyIdDomain = 'tessera/key-id/v1';
export const phoneTagDomain = 'tessera/phone/v1';

export function checkPublicKey(field: string, publicKey: Uint8Array): void {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== publicKeyBytes) {
    throw new ProtocolError('invalid_argument', field, `must be ${publicKeyBytes} bytes`);
  }
}

/** The key id: the first 4 bytes of SHA-256(domain tag, 0x00, public key). */
export async function keyIdFor(backend: CryptoBackend, publicKey: Uint8Array): Promise<Uint8Array> {
  checkPublicKey('publicKey', publicKey);
  const digest = await backend.sha256(
    concatBytes(asciiBytes(keyIdDomain), new Uint8Array(1), publicKey),
  );
  return digest.slice(0, keyIdBytes);
}

const e164Pattern = /^\+[1-9][0-9]{6,14}$/;

/**
 * The phone part of the holder binding. A bare hash of a phone number is reversed in seconds by
 * trying all ten billion numbers, and the barcode is public, so the tag is keyed: HMAC-SHA256
 * with the issuer's secret over the domain tag, 0x00 and the E.164 number, cut to 8 bytes. Only
 * the issuer can compute or check it; terminals check it online (claim 12), never offline.
 */
export async function phoneTag(
  backend: CryptoBackend,
  issuerSecret: Uint8Array,
  phoneE164: string,
): Promise<Uint8Array> {
  if (!(issuerSecret instanceof Uint8Array) || issuerSecret.length < issuerSecretBytesMin) {
    throw new ProtocolError(
      'invalid_argument',
      'issuerSecret',
      `must be at least ${issuerSecretBytesMin} bytes`,
    );
  }
  if (typeof phoneE164 !== 'string' || !e164Pattern.test(phoneE164)) {
    throw new ProtocolError(
      'invalid_argument',
      'phoneE164',
      'must be an E.164 number such as +821012345678',
    );
  }
  const mac = await backend.hmacSha256(
    issuerSecret,
    concatBytes(asciiBytes(phoneTagDomain), new Uint8Array(1), asciiBytes(phoneE164)),
  );
  return mac.slice(0, phoneTagBytes);
}
