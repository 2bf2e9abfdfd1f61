import { toHex } from './bytes.ts';
import type { CryptoBackend, VerifyKey } from './crypto.ts';
import { ProtocolError } from './errors.ts';
import { checkPublicKey, keyIdFor } from './keys.ts';

export interface KeyringEntry {
  /** Raw 32-byte Ed25519 public key of the organizer. */
  publicKey: Uint8Array;
  /** A name for logs, for example `2026-q4`. */
  label?: string;
  /**
   * The events this key may vouch for. A terminal that admits events of several organizers holds
   * each organizer's keys scoped to that organizer's events, so one organizer cannot sign tickets
   * for another's event. Absent: any event the terminal admits.
   */
  eventIds?: readonly string[];
}

export interface KeyringCandidate {
  key: VerifyKey;
  label: string | undefined;
  /** Null when the key may vouch for any event. */
  eventIds: ReadonlySet<string> | null;
}

/**
 * The organizer keys a terminal trusts. Several keys are valid at once so that an organizer can
 * rotate: new tickets are signed with the new key while tickets signed with the old one still
 * verify until the old key is removed from the keyring.
 */
export interface Keyring {
  readonly size: number;
  candidates(keyId: Uint8Array): readonly KeyringCandidate[];
}

export const keyringEntriesMax = 64;

export async function prepareKeyring(
  backend: CryptoBackend,
  entries: readonly KeyringEntry[],
): Promise<Keyring> {
  if (!Array.isArray(entries) || entries.length > keyringEntriesMax) {
    throw new ProtocolError(
      'invalid_argument',
      'keyring',
      `must be an array of at most ${keyringEntriesMax} keys`,
    );
  }
  const byKeyId = new Map<string, KeyringCandidate[]>();
  // A key listed more than once is one candidate trusted for the union of its scopes, so the
  // order of the entries never changes a decision (docs/protocol.md section 6, step 3).
  const byPublicKey = new Map<string, { eventIds: Set<string> | null }>();
  for (const [index, entry] of entries.entries()) {
    checkPublicKey(`keyring[${index}].publicKey`, entry.publicKey);
    const scope: Set<string> | null = entry.eventIds ? new Set<string>(entry.eventIds) : null;
    const known = byPublicKey.get(toHex(entry.publicKey));
    if (known) {
      known.eventIds = widenedScope(known.eventIds, scope);
      continue;
    }
    const keyId = toHex(await keyIdFor(backend, entry.publicKey));
    const key = await backend.importVerifyKey(entry.publicKey);
    const candidate: KeyringCandidate & { eventIds: Set<string> | null } = {
      key,
      label: entry.label,
      eventIds: scope,
    };
    byPublicKey.set(toHex(entry.publicKey), candidate);
    byKeyId.set(keyId, [...(byKeyId.get(keyId) ?? []), candidate]);
  }
  return {
    size: entries.length,
    candidates: (keyId) => byKeyId.get(toHex(keyId)) ?? [],
  };
}

/** The scope of a key listed twice: every event of either entry; unscoped if either is. */
function widenedScope(a: Set<string> | null, b: Set<string> | null): Set<string> | null {
  return a === null || b === null ? null : new Set([...a, ...b]);
}

export interface RevocationEntry {
  eventId: string;
  ticketId: string;
  /** Every revision up to and including this one is revoked. */
  throughRevision: number;
}

/**
 * Revocations are monotone per ticket: a transfer or reissue revokes every revision up to the
 * old one, and a refund revokes up to the current one so that no revision is valid.
 */
export interface RevocationList {
  isRevoked(eventId: string, ticketId: string, revision: number): boolean;
}

export function prepareRevocations(entries: readonly RevocationEntry[]): RevocationList {
  const through = new Map<string, number>();
  for (const entry of entries) {
    const key = `${entry.eventId}\u0000${entry.ticketId}`;
    through.set(key, Math.max(through.get(key) ?? -1, entry.throughRevision));
  }
  return {
    isRevoked: (eventId, ticketId, revision) =>
      revision <= (through.get(`${eventId}\u0000${ticketId}`) ?? -1),
  };
}
