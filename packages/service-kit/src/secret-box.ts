/**
 * Secrets kept at rest (webhook signing secrets, an organizer's exchange API key, signing seeds,
 * phone-tag secrets, manual-code PINs): AES-256-GCM under a 32-byte key from configuration, with
 * a random 12-byte IV. `context` is bound as associated data, so a sealed value copied onto
 * another row (another subscriber, another organizer) does not open there.
 *
 * A sealed value records which key sealed it, so the key can be rotated: it is stored as
 * `k<version>.` followed by base64url of iv ‖ tag ‖ ciphertext, where the version is eight hex
 * digits derived from the key itself (an HMAC of a fixed label: it tells keys apart and says
 * nothing of them). A `SecretKeys` ring holds the current key, which seals, and the previous
 * ones, which still open what they sealed until the rotation command has sealed it again under
 * the current key. Values written before versions existed (no prefix) open under any key of the
 * ring and are sealed again by the rotation like any other.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

const ivBytes = 12;
const tagBytes = 16;
const versioned = /^k([0-9a-f]{8})\.(.*)$/s;

/** The version a key's sealed values carry: eight hex digits of an HMAC of a fixed label. */
export function keyVersion(key: Buffer): string {
  return createHmac('sha256', key)
    .update('tessera secret-box key version')
    .digest('hex')
    .slice(0, 8);
}

/** A sealed value that no configured key can open: it names the key version that sealed it. */
export class UnknownSecretKeyError extends Error {
  constructor(readonly version: string) {
    super(
      `this secret was sealed under key version ${version}, which is neither the current secret key nor one of the previous keys configured; add that key to the previous keys`,
    );
    this.name = 'UnknownSecretKeyError';
  }
}

/** The current key (seals and opens) and the previous keys (open only), by version. */
export class SecretKeys {
  readonly currentVersion: string;
  private readonly byVersion = new Map<string, Buffer>();

  constructor(
    readonly current: Buffer,
    previous: readonly Buffer[] = [],
  ) {
    this.currentVersion = keyVersion(current);
    for (const key of [current, ...previous]) {
      if (!this.byVersion.has(keyVersion(key))) this.byVersion.set(keyVersion(key), key);
    }
  }

  /** Every configured version, the current one first. */
  get versions(): string[] {
    return [...this.byVersion.keys()];
  }

  keyFor(version: string): Buffer {
    const key = this.byVersion.get(version);
    if (!key) throw new UnknownSecretKeyError(version);
    return key;
  }

  /** Whether a sealed value is already under the current key (the rotation skips it). */
  isCurrent(sealed: string): boolean {
    return versioned.exec(sealed)?.[1] === this.currentVersion;
  }
}

/** A ring, or a single key (a ring of one). */
export type Keys = SecretKeys | Buffer;
const ring = (keys: Keys) => (keys instanceof SecretKeys ? keys : new SecretKeys(keys));

export function sealSecret(keys: Keys, plaintext: string, context: string): string {
  const { current, currentVersion } = ring(keys);
  const iv = randomBytes(ivBytes);
  const cipher = createCipheriv('aes-256-gcm', current, iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const raw = Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64url');
  return `k${currentVersion}.${raw}`;
}

/**
 * The inverse of `sealSecret`, under whichever configured key sealed it; throws
 * `UnknownSecretKeyError` when that key is not configured, and an error when the text was
 * altered or the context differs.
 */
export function openSecret(keys: Keys, sealed: string, context: string): string {
  const keyring = ring(keys);
  const match = versioned.exec(sealed);
  if (match) return openWith(keyring.keyFor(match[1] as string), match[2] as string, context);
  // Sealed before versions: whichever key opens it (GCM's tag tells a wrong key at once).
  for (const version of keyring.versions) {
    try {
      return openWith(keyring.keyFor(version), sealed, context);
    } catch {
      // Not this key, or altered: try the next one.
    }
  }
  throw new Error(
    'no configured secret key opens this secret (sealed before key versions, or altered)',
  );
}

function openWith(key: Buffer, text: string, context: string): string {
  const raw = Buffer.from(text, 'base64url');
  if (raw.length <= ivBytes + tagBytes) throw new Error('sealed secret is truncated');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, ivBytes));
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(raw.subarray(ivBytes, ivBytes + tagBytes));
  return Buffer.concat([
    decipher.update(raw.subarray(ivBytes + tagBytes)),
    decipher.final(),
  ]).toString('utf8');
}
