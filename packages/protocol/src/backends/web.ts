import { concatBytes, fromBase64url, plainBytes } from '../bytes.ts';
import type { CryptoBackend, Ed25519Signer, VerifyKey } from '../crypto.ts';
import { ProtocolError } from '../errors.ts';
import { publicKeyBytes, seedBytes } from '../limits.ts';

const pkcs8Prefix = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);
const ed25519 = { name: 'Ed25519' } as const;

interface WebVerifyKey extends VerifyKey {
  readonly cryptoKey: CryptoKey | null;
}

function subtle(): SubtleCrypto {
  const value = globalThis.crypto?.subtle;
  if (value === undefined) {
    throw new ProtocolError(
      'invalid_argument',
      'crypto.subtle',
      'WebCrypto needs a secure context (https or localhost)',
    );
  }
  return value;
}

function signerFromCryptoKey(privateKey: CryptoKey, publicKey: Uint8Array): Ed25519Signer {
  return {
    publicKey,
    sign: async (message) =>
      new Uint8Array(await subtle().sign(ed25519, privateKey, plainBytes(message))),
  };
}

/** WebCrypto, as browsers provide it; also runs in Node, which the tests use to cross-check. */
export const webBackend: CryptoBackend = {
  name: 'webcrypto',
  sha256: async (data) => new Uint8Array(await subtle().digest('SHA-256', plainBytes(data))),
  hmacSha256: async (key, data) => {
    const hmacKey = await subtle().importKey(
      'raw',
      plainBytes(key),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign'],
    );
    return new Uint8Array(await subtle().sign('HMAC', hmacKey, plainBytes(data)));
  },
  pbkdf2Sha256: async (password, salt, iterations, lengthBytes) => {
    const baseKey = await subtle().importKey('raw', plainBytes(password), 'PBKDF2', false, [
      'deriveBits',
    ]);
    const bits = await subtle().deriveBits(
      { name: 'PBKDF2', hash: 'SHA-256', salt: plainBytes(salt), iterations },
      baseKey,
      lengthBytes * 8,
    );
    return new Uint8Array(bits);
  },
  randomBytes: (count) => globalThis.crypto.getRandomValues(new Uint8Array(count)),
  importVerifyKey: async (publicKey) => {
    if (publicKey.length !== publicKeyBytes) {
      throw new ProtocolError('invalid_argument', 'publicKey', `must be ${publicKeyBytes} bytes`);
    }
    let cryptoKey: CryptoKey | null = null;
    try {
      cryptoKey = await subtle().importKey('raw', plainBytes(publicKey), ed25519, false, [
        'verify',
      ]);
    } catch {
      // A point the browser refuses to import verifies nothing; `verify` answers false for it.
    }
    const key: WebVerifyKey = { publicKey, cryptoKey };
    return key;
  },
  verify: async (key, message, signature) => {
    const { cryptoKey } = key as WebVerifyKey;
    if (cryptoKey === null || signature.length !== 64) return false;
    try {
      return await subtle().verify(ed25519, cryptoKey, plainBytes(signature), plainBytes(message));
    } catch {
      return false;
    }
  },
  generateSigner: async (options) => {
    const pair = (await subtle().generateKey(ed25519, options?.extractable ?? false, [
      'sign',
      'verify',
    ])) as CryptoKeyPair;
    const publicKey = new Uint8Array(await subtle().exportKey('raw', pair.publicKey));
    return signerFromCryptoKey(pair.privateKey, publicKey);
  },
  signerFromSeed: async (seed) => {
    if (!(seed instanceof Uint8Array) || seed.length !== seedBytes) {
      throw new ProtocolError('invalid_argument', 'seed', `must be ${seedBytes} bytes`);
    }
    // Imported extractable once, only to read the public half from its JWK; the signer keeps the
    // CryptoKey and never exports the private part.
    const privateKey = await subtle().importKey(
      'pkcs8',
      plainBytes(concatBytes(pkcs8Prefix, seed)),
      ed25519,
      true,
      ['sign'],
    );
    const jwk = await subtle().exportKey('jwk', privateKey);
    if (typeof jwk.x !== 'string') {
      throw new ProtocolError('invalid_argument', 'seed', 'WebCrypto returned no public key');
    }
    return signerFromCryptoKey(privateKey, fromBase64url(jwk.x, 'jwk.x'));
  },
};
