/**
 * Identifiers. Rows get the shared random ids (`ord_3kq9…`). What goes into a credential is
 * short, because every byte of event ID, ticket ID and reserved area costs barcode space and
 * the three together must stay within 16 bytes for QR version 10 (docs/protocol.md): a
 * performance code of 6 characters and a ticket number of 8, from the same unambiguous
 * alphabet (no i, l, o, u).
 */
import { randomInt } from 'node:crypto';

export { newId, newSecret } from '@tessera/service-kit/ids';

const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';

function shortCode(length: number): string {
  let out = '';
  for (let index = 0; index < length; index++) out += alphabet[randomInt(32)];
  return out;
}

/** 30 random bits; unique on the server (a collision is caught by the unique index and retried). */
export const newPerformanceCode = () => shortCode(6);

/** 40 random bits; unique per performance (a unique index catches a collision). */
export const newTicketNumber = () => shortCode(8);
