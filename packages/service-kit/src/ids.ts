import { randomBytes, randomFillSync } from 'node:crypto';

const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';

// Random bytes come from a pool refilled 4 KiB at a time: one system call per ~400 ids.
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

function take(count: number): Buffer {
  if (poolOffset + count > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  poolOffset += count;
  return pool.subarray(poolOffset - count, poolOffset);
}

/** A random id with a type prefix, e.g. `pr_3kq9...`: 80 bits, Crockford base32, lowercase. */
export function newId(prefix: string, bytes = 10): string {
  return `${prefix}_${base32(take(bytes))}`;
}

/**
 * An id that sorts by creation time: 48 bits of milliseconds, then 64 random bits. Tables that
 * grow with every payment (journal entries, notifications) insert at the end of their id index
 * instead of all over it.
 */
export function newSortableId(prefix: string): string {
  const raw = Buffer.alloc(14);
  raw.writeUIntBE(Date.now(), 0, 6);
  take(8).copy(raw, 6);
  return `${prefix}_${base32(raw)}`;
}

function base32(raw: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of raw) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

/** A bearer secret: 32 random bytes, base64url, with a readable prefix. */
export function newSecret(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}
