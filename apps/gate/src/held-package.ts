/**
 * The event package as the terminal holds it in memory for the offline check (claim 11): the
 * header (venue, the organizers' keys, the performances), the keys prepared as a keyring, the
 * manual codes by their 10-digit ticket number and the revocations as the highest revoked
 * revision per ticket.
 * Package pages are applied idempotently (docs/gates.md: changes may come twice); the terminal
 * writes each page through to storage.
 */
import {
  fromBase64url,
  type Keyring,
  prepareRevocations,
  protocol,
  type RevocationList,
} from '@tessera/protocol/web';
import type { PackageManualCode, PackageRevocation } from './api.ts';
import type { PackageHeader } from './terminal-types.ts';

/** A revocation as stored (IndexedDB's `revocations`, by `code/ticket number`). */
export interface StoredRevocation {
  key: string;
  performanceCode: string;
  ticketId: string;
  throughRevision: number;
}

export class HeldPackage {
  header: PackageHeader | undefined;
  keyring: Keyring | undefined;
  readonly manualCodes = new Map<string, PackageManualCode>();
  /** The same records by `performanceCode/ticketId`, for a scanned ticket's category. */
  private readonly codesByTicket = new Map<string, PackageManualCode>();
  private readonly revoked = new Map<string, StoredRevocation>();
  revocations: RevocationList = prepareRevocations([]);

  /** Takes a header and prepares its keys. */
  async setHeader(header: PackageHeader) {
    this.header = header;
    this.keyring = await protocol.prepareKeyring(
      header.keys.map((key) => ({
        publicKey: fromBase64url(key.publicKey),
        eventIds: key.eventIds,
        label: key.keyId,
      })),
    );
  }

  addManualCodes(codes: readonly PackageManualCode[]) {
    for (const code of codes) {
      this.manualCodes.set(code.ticketNumber, code);
      this.codesByTicket.set(`${code.performanceCode}/${code.ticketId}`, code);
    }
  }

  /**
   * The price category of a ticket (its id), from its manual code record; undefined for a ticket
   * without one yet, or a record kept from a package before the records named it.
   */
  categoryIdOf(performanceCode: string, ticketId: string): string | undefined {
    return this.codesByTicket.get(`${performanceCode}/${ticketId}`)?.categoryId ?? undefined;
  }

  /** Adds revocations (kept or from a page); returns those that revoke more than known. */
  addRevocations(entries: readonly (PackageRevocation | StoredRevocation)[]): StoredRevocation[] {
    const added: StoredRevocation[] = [];
    for (const entry of entries) {
      const key = `${entry.performanceCode}/${entry.ticketId}`;
      const known = this.revoked.get(key);
      if (known && known.throughRevision >= entry.throughRevision) continue;
      const revocation = {
        key,
        performanceCode: entry.performanceCode,
        ticketId: entry.ticketId,
        throughRevision: entry.throughRevision,
      };
      this.revoked.set(key, revocation);
      added.push(revocation);
    }
    this.revocations = prepareRevocations(
      [...this.revoked.values()].map((entry) => ({
        eventId: entry.performanceCode,
        ticketId: entry.ticketId,
        throughRevision: entry.throughRevision,
      })),
    );
    return added;
  }

  /** Forgets the codes and revocations (a full package replaces them). */
  clearLists() {
    this.manualCodes.clear();
    this.codesByTicket.clear();
    this.revoked.clear();
  }

  /** Forgets everything (unenrolment). */
  clear() {
    this.header = undefined;
    this.keyring = undefined;
    this.clearLists();
    this.revocations = prepareRevocations([]);
  }
}
