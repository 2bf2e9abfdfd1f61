/**
 * Webhooks: the signing secret a merchant sees once, kept encrypted at rest; the signature every
 * delivery carries; and one delivery attempt over HTTP. The worker in worker.ts decides
 * when to attempt and records the outcome; nothing here touches the database.
 *
 * Signature: `Tessera-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
 * The timestamp is inside the MAC, so a captured delivery cannot be replayed later than the
 * receiver's tolerance, and the raw body is signed byte for byte, so receivers must verify before
 * parsing (a re-serialised body would not match).
 */

import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { type Keys, openSecret, sealSecret } from '@tessera/service-kit/secret-box';
import {
  eventIdHeader,
  signatureHeader,
  signWebhook,
  verifyWebhookSignature,
} from '@tessera/service-kit/webhook-signature';
import { newSecret } from '../ids.ts';

// Tests verify deliveries with the same functions a receiver would use.
export { signWebhook, verifyWebhookSignature };

/** A new signing secret: `whsec_` and 32 random bytes, base64url. */
export function newWebhookSecret(): string {
  return newSecret('whsec');
}

/** Sealed under the exchange's secret key, bound to the subscriber id (see service-kit). */
export function encryptSecret(key: Keys, plaintext: string, context: string): string {
  return sealSecret(key, plaintext, `webhook-secret:${context}`);
}

/** The inverse of `encryptSecret`; throws if the text was altered or the key or context differ. */
export function decryptSecret(key: Keys, stored: string, context: string): string {
  return openSecret(key, stored, `webhook-secret:${context}`);
}

/**
 * How long to wait after the `attempt`-th failed attempt (1-based): 5 s doubling each time,
 * capped at one hour, then spread by ±20 % so receivers that come back up are not hit by every
 * retry at the same instant.
 */
export function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(5_000 * 2 ** Math.max(0, attempt - 1), 3_600_000);
  return Math.round(base * (0.8 + 0.4 * random()));
}

/** The longest `retryDelayMs(attempt)` can be, whatever the jitter. */
export function maxRetryDelayMs(attempt: number): number {
  return Math.round(Math.min(5_000 * 2 ** Math.max(0, attempt - 1), 3_600_000) * 1.2);
}

export interface AttemptResult {
  readonly ok: boolean;
  /** The HTTP status, or null when no response came back (refused, timed out, bad URL). */
  readonly statusCode: number | null;
  readonly error: string | null;
  readonly durationMs: number;
}

const maxErrorLength = 300;

export function truncate(text: string, max = maxErrorLength): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * Whether an IP address is on the public internet: not loopback, private, carrier-grade NAT,
 * link-local, unique-local, multicast, reserved or unspecified (IPv4-mapped IPv6 included).
 */
export function isPublicAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const ip = mapped ? (mapped[1] as string) : address;
  if (isIP(ip) === 4) {
    const [a = 0, b = 0, c = 0] = ip.split('.').map(Number);
    if (a === 0 || a === 10 || a === 127 || a >= 224) return false;
    if (a === 100 && b >= 64 && b <= 127) return false;
    if (a === 169 && b === 254) return false;
    if (a === 172 && b >= 16 && b <= 31) return false;
    if (a === 192 && b === 168) return false;
    if (a === 192 && b === 0 && c === 0) return false;
    if (a === 198 && (b === 18 || b === 19)) return false;
    return true;
  }
  if (isIP(ip) === 6) {
    const lower = ip.toLowerCase();
    if (lower === '::' || lower === '::1') return false;
    const first = Number.parseInt(lower.split(':')[0] || '0', 16);
    if ((first & 0xfe00) === 0xfc00) return false; // fc00::/7 unique local
    if ((first & 0xffc0) === 0xfe80) return false; // fe80::/10 link local
    if ((first & 0xff00) === 0xff00) return false; // ff00::/8 multicast
    return true;
  }
  return false;
}

/** Every address a webhook URL's host resolves to, or why it may not be called. */
async function refusedHost(url: string): Promise<string | undefined> {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = isIP(host)
      ? [host]
      : (await lookup(host, { all: true })).map((entry) => entry.address);
  } catch (caught) {
    return truncate(
      `cannot resolve ${host}: ${caught instanceof Error ? caught.message : String(caught)}`,
    );
  }
  const inside = addresses.find((address) => !isPublicAddress(address));
  return inside ? `refused: ${host} resolves to a non-public address (${inside})` : undefined;
}

/**
 * One signed POST of an event. 2xx is delivered; any other status, a redirect (not followed: the
 * merchant configures the final URL, and following would let a URL bounce signed events
 * elsewhere), a timeout or a network error is a failure to retry. Never throws.
 */
export async function attemptDelivery(options: {
  url: string;
  secret: string;
  eventId: string;
  body: string;
  timestampS: number;
  timeoutMs: number;
  /** When false, hosts that resolve to non-public addresses are refused without connecting. */
  allowPrivate?: boolean;
}): Promise<AttemptResult> {
  const started = performance.now();
  const elapsed = () => Math.max(0, Math.round(performance.now() - started));
  if (options.allowPrivate === false) {
    // Checked before connecting. fetch resolves the name again, so a host that changes its
    // answer between the two (DNS rebinding) is not fully stopped: production deployments
    // should also filter the exchange's outbound traffic (see docs/notifications.md).
    const refusal = await refusedHost(options.url);
    if (refusal) return { ok: false, statusCode: null, error: refusal, durationMs: elapsed() };
  }
  try {
    const response = await fetch(options.url, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Tessera-Webhooks/1',
        [signatureHeader]: signWebhook(options.secret, options.timestampS, options.body),
        [eventIdHeader]: options.eventId,
      },
      body: options.body,
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    const ok = response.status >= 200 && response.status < 300;
    let error: string | null = null;
    if (ok) {
      // Release the connection without reading a body nobody needs.
      await response.body?.cancel().catch(() => {});
    } else {
      // A little of the answer helps the merchant see why; the timeout still bounds the read.
      const text = await response.text().catch(() => '');
      const snippet = text.replace(/\s+/g, ' ').trim();
      error = truncate(`HTTP ${response.status}${snippet ? `: ${snippet}` : ''}`);
    }
    return { ok, statusCode: response.status, error, durationMs: elapsed() };
  } catch (caught) {
    return { ok: false, statusCode: null, error: describeError(caught), durationMs: elapsed() };
  }
}

function describeError(caught: unknown): string {
  if (caught instanceof Error) {
    if (caught.name === 'TimeoutError') return 'timed out';
    // fetch wraps the socket error ("fetch failed"); its cause says what happened.
    const cause = (caught as { cause?: unknown }).cause;
    if (cause instanceof Error) {
      const code = (cause as { code?: unknown }).code;
      return truncate(
        `${caught.message}: ${typeof code === 'string' ? `${code} ` : ''}${cause.message}`,
      );
    }
    return truncate(caught.message);
  }
  return truncate(String(caught));
}
