/**
 * Secrets kept at rest (webhook signing secrets, an organizer's exchange API key): AES-256-GCM
 * under a 32-byte key from configuration, with a random 12-byte IV, stored as base64url of
 * iv ‖ tag ‖ ciphertext. `context` is bound as associated data, so a sealed value copied onto
 * another row (another subscriber, another organizer) does not open there.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const ivBytes = 12;
const tagBytes = 16;

export function sealSecret(key: Buffer, plaintext: string, context: string): string {
  const iv = randomBytes(ivBytes);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64url');
}

/** The inverse of `sealSecret`; throws if the text was altered or the key or context differ. */
export function openSecret(key: Buffer, sealed: string, context: string): string {
  const raw = Buffer.from(sealed, 'base64url');
  if (raw.length <= ivBytes + tagBytes) throw new Error('sealed secret is truncated');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, ivBytes));
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(raw.subarray(ivBytes, ivBytes + tagBytes));
  return Buffer.concat([
    decipher.update(raw.subarray(ivBytes + tagBytes)),
    decipher.final(),
  ]).toString('utf8');
}
