/**
 * The sealed-secret format with key versions: what a value records, which keys open it, values
 * sealed before versions existed, and the configuration of previous keys.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EnvReader } from '../src/config.ts';
import {
  keyVersion,
  openSecret,
  SecretKeys,
  sealSecret,
  UnknownSecretKeyError,
} from '../src/secret-box.ts';

/** A value as sealed before key versions: base64url of iv ‖ tag ‖ ciphertext, no prefix. */
function legacySeal(key: Buffer, plaintext: string, context: string) {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

describe('sealed secrets with key versions', () => {
  const key1 = randomBytes(32);
  const key2 = randomBytes(32);

  it('records the sealing key version; opens under any configured key; names a missing one', () => {
    const sealed = sealSecret(new SecretKeys(key1), 'secret', 'ctx');
    expect(sealed.startsWith(`k${keyVersion(key1)}.`)).toBe(true);
    const rotated = new SecretKeys(key2, [key1]);
    expect(openSecret(rotated, sealed, 'ctx')).toBe('secret');
    expect(rotated.isCurrent(sealed)).toBe(false);
    expect(rotated.isCurrent(sealSecret(rotated, 'secret', 'ctx'))).toBe(true);
    expect(() => openSecret(new SecretKeys(key2), sealed, 'ctx')).toThrow(UnknownSecretKeyError);
    expect(() => openSecret(new SecretKeys(key2), sealed, 'ctx')).toThrow(
      `sealed under key version ${keyVersion(key1)}`,
    );
    expect(() => openSecret(rotated, sealed, 'other')).toThrow();
  });

  it('opens a value sealed before versions under whichever configured key sealed it', () => {
    const legacy = legacySeal(key1, 'old', 'ctx');
    expect(openSecret(new SecretKeys(key2, [key1]), legacy, 'ctx')).toBe('old');
    expect(() => openSecret(new SecretKeys(key2), legacy, 'ctx')).toThrow(
      /no configured secret key/,
    );
  });

  it('reads previous keys from the configuration, comma-separated, hex or base64', () => {
    const reader = new EnvReader({
      NODE_ENV: 'test',
      PREVIOUS: `${key1.toString('hex')}, ${key2.toString('base64')}`,
      BAD: 'abcd',
    });
    expect(reader.previousSecretKeys('PREVIOUS')).toEqual([key1, key2]);
    expect(reader.previousSecretKeys('UNSET')).toEqual([]);
    reader.previousSecretKeys('BAD');
    expect(reader.problems).toEqual(['BAD: key 1 must be 32 bytes, hex or base64']);
  });
});
