import {
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  pbkdf2,
  randomBytes,
  sign,
  verify,
} from 'node:crypto';
import { concatBytes } from '../bytes.ts';
import type { CryptoBackend, Ed25519Signer, VerifyKey } from '../crypto.ts';
import { ProtocolError } from '../errors.ts';
import { publicKeyBytes, seedBytes } from '../limits.ts';

// The DER prefix that wraps a raw Ed25519 seed as PKCS#8 (RFC 8410).
const pkcs8Prefix = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);

interface NodeVerifyKey extends VerifyKey {
  readonly keyObject: KeyObject | null;
}

function rawPublicKey(key: KeyObject): Uint8Array {
  const der = key.export({ format: 'der', type: 'spki' });
  return new Uint8Array(der.subarray(der.length - publicKeyBytes));
}

function signerFromPrivateKey(privateKey: KeyObject): Ed25519Signer {
  const publicKey = rawPublicKey(createPublicKey(privateKey));
  return {
    publicKey,
    sign: async (message) => new Uint8Array(sign(null, message, privateKey)),
  };
}

/** node:crypto, synchronous underneath: the fastest path on servers and in the benchmark. */
export const nodeBackend: CryptoBackend = {
  name: 'node',
  sha256: async (data) => new Uint8Array(createHash('sha256').update(data).digest()),
  hmacSha256: async (key, data) => new Uint8Array(createHmac('sha256', key).update(data).digest()),
  pbkdf2Sha256: (password, salt, iterations, lengthBytes) =>
    new Promise((resolve, reject) => {
      pbkdf2(password, salt, iterations, lengthBytes, 'sha256', (error, key) =>
        error ? reject(error) : resolve(new Uint8Array(key)),
      );
    }),
  randomBytes: (count) => new Uint8Array(randomBytes(count)),
  importVerifyKey: async (publicKey) => {
    if (publicKey.length !== publicKeyBytes) {
      throw new ProtocolError('invalid_argument', 'publicKey', `must be ${publicKeyBytes} bytes`);
    }
    let keyObject: KeyObject | null = null;
    try {
      // JWK rather than DER: OpenSSL 3 spends about as long finding a DER decoder as on a whole
      // signature check, while a JWK import takes a few microseconds. This runs once per scan.
      keyObject = createPublicKey({
        key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey).toString('base64url') },
        format: 'jwk',
      });
    } catch {
      // An encoding OpenSSL refuses can verify nothing; `verify` answers false for it.
    }
    const key: NodeVerifyKey = { publicKey, keyObject };
    return key;
  },
  verify: async (key, message, signature) => {
    const { keyObject } = key as NodeVerifyKey;
    if (keyObject === null || signature.length !== 64) return false;
    try {
      return verify(null, message, keyObject, signature);
    } catch {
      return false;
    }
  },
  generateSigner: async () => signerFromPrivateKey(generateKeyPairSync('ed25519').privateKey),
  signerFromSeed: async (seed) => {
    if (!(seed instanceof Uint8Array) || seed.length !== seedBytes) {
      throw new ProtocolError('invalid_argument', 'seed', `must be ${seedBytes} bytes`);
    }
    return signerFromPrivateKey(
      createPrivateKey({
        key: Buffer.from(concatBytes(pkcs8Prefix, seed)),
        format: 'der',
        type: 'pkcs8',
      }),
    );
  },
};
