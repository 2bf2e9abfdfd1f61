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
  for (const [index, entry] of entries.entries()) {
    checkPublicKey(`keyring[${index}].publicKey`, entry.publicKey);
    const keyId = toHex(await keyIdFor(backend, entry.publicKey));
    const key = await backend.importVerifyKey(entry.publicKey);
    const list = byKeyId.get(keyId) ?? [];
    list.push({
      key,
      label: entry.label,
      eventIds: entry.eventIds ? new Set(entry.eventIds) : null,
    });
    byKeyId.set(keyId, list);
  }
  return {
    size: entries.length,
    candidates: (keyId) => byKeyId.get(toHex(keyId)) ?? [],
  };
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
