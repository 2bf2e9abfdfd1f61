/**
 * Webhook signatures, shared by the exchange (which signs) and the ticketing server (which
 * verifies): `Tessera-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
 * The timestamp is inside the MAC, so a captured delivery cannot be replayed later than the
 * receiver's tolerance, and the raw body is signed byte for byte, so receivers must verify before
 * parsing (a re-serialised body would not match).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const signatureHeader = 'Tessera-Signature';
export const eventIdHeader = 'Tessera-Event-Id';

function mac(secret: string, timestampS: number, rawBody: string | Buffer): string {
  return createHmac('sha256', secret)
    .update(`${timestampS}.`, 'utf8')
    .update(typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody)
    .digest('hex');
}

/** The `Tessera-Signature` value for a body sent at `timestampS` (unix seconds). */
export function signWebhook(secret: string, timestampS: number, rawBody: string): string {
  return `t=${timestampS},v1=${mac(secret, timestampS, rawBody)}`;
}

/**
 * Checks a `Tessera-Signature` header against the raw body, for receivers (the ticketing server
 * uses it). True only if some `v1` entry is the HMAC of this body at the header's timestamp and
 * that timestamp is within `toleranceS` of `nowS` either way. Unknown schemes are ignored, so a
 * later `v2` can be added alongside `v1` without breaking receivers.
 */
export function verifyWebhookSignature(
  secret: string,
  header: string | null | undefined,
  rawBody: string | Buffer,
  nowS: number,
  toleranceS = 300,
): boolean {
  if (!header || header.length > 2000) return false;
  let timestampS: number | undefined;
  const candidates: string[] = [];
  for (const part of header.split(',')) {
    const separator = part.indexOf('=');
    if (separator < 0) continue;
    const name = part.slice(0, separator).trim();
    const value = part.slice(separator + 1).trim();
    if (name === 't') {
      if (!/^[0-9]{1,12}$/.test(value) || timestampS !== undefined) return false;
      timestampS = Number(value);
    } else if (name === 'v1' && /^[0-9a-f]{64}$/.test(value)) {
      candidates.push(value);
    }
  }
  if (timestampS === undefined || candidates.length === 0) return false;
  if (Math.abs(nowS - timestampS) > toleranceS) return false;
  const expected = Buffer.from(mac(secret, timestampS, rawBody), 'hex');
  let matched = false;
  // Compare against every candidate, in constant time each, without stopping early.
  for (const candidate of candidates) {
    if (timingSafeEqual(expected, Buffer.from(candidate, 'hex'))) matched = true;
  }
  return matched;
}
