/**
 * Webhooks: the signing secret a merchant sees once, kept encrypted at rest; the signature every
 * delivery carries; and one delivery attempt over HTTP. The worker in worker.ts decides
 * when to attempt and records the outcome; nothing here touches the database.
 *
 * Signature: Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64
 * HMAC-SHA256 of "<id>.<timestamp>.<raw body>">`), made by the `standardwebhooks` package through
 * service-kit's webhook-signature.ts, which also explains the legacy headers still sent for
 * secrets issued before the switch. The timestamp is inside the MAC, so a captured delivery
 * cannot be replayed later than the receiver's tolerance, and the raw body is signed byte for
 * byte, so receivers must verify before parsing (a re-serialised body would not match).
 */

import { type Keys, openSecret, sealSecret } from '@tessera/service-kit/secret-box';
import { newWebhookSecret, webhookHeaders } from '@tessera/service-kit/webhook-signature';
import { request } from 'undici';
import { AddressRefusedError, type WebhookTransport } from './webhook-transport.ts';

/** A new signing secret: `whsec_` and standard base64 of 32 random bytes. */
export { newWebhookSecret };

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
 * One signed POST of an event. 2xx is delivered; any other status, a redirect (never followed:
 * the merchant configures the final URL, and following would let a URL bounce signed events,
 * or the exchange itself, to an internal address), a timeout, a refused address or a network
 * error is a failure to retry. Never throws.
 *
 * What is recorded is the status code and a reason of ours, never the receiver's body nor the
 * socket's own error text: a URL aimed at an internal service must not turn the delivery log
 * into a way to read that service's answers or to map its ports.
 */
export async function attemptDelivery(options: {
  url: string;
  secret: string;
  eventId: string;
  body: string;
  timestampS: number;
  timeoutMs: number;
  /** The transport whose connector enforces the address policy (see webhook-transport.ts). */
  transport: WebhookTransport;
}): Promise<AttemptResult> {
  const started = performance.now();
  const elapsed = () => Math.max(0, Math.round(performance.now() - started));
  try {
    const response = await request(options.url, {
      method: 'POST',
      dispatcher: options.transport.dispatcher,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Tessera-Webhooks/1',
        ...webhookHeaders(options.secret, options.eventId, options.timestampS, options.body),
      },
      body: options.body,
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    // The body is never read into anything kept: discarded (bounded) to free the connection.
    await response.body.dump().catch(() => {});
    const status = response.statusCode;
    const ok = status >= 200 && status < 300;
    const error = ok
      ? null
      : status >= 300 && status < 400
        ? `HTTP ${status}: redirect not followed`
        : `HTTP ${status}`;
    return { ok, statusCode: status, error, durationMs: elapsed() };
  } catch (caught) {
    return { ok: false, statusCode: null, error: describeError(caught), durationMs: elapsed() };
  }
}

/** Reasons of ours for network errors, by error code: the socket's own text is not shown. */
const networkReasons: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  ENOTFOUND: 'cannot resolve the host',
  EAI_AGAIN: 'cannot resolve the host',
  ENODATA: 'cannot resolve the host',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'timed out',
  UND_ERR_CONNECT_TIMEOUT: 'timed out',
  UND_ERR_HEADERS_TIMEOUT: 'timed out',
  UND_ERR_BODY_TIMEOUT: 'timed out',
  UND_ERR_SOCKET: 'connection closed',
};

function describeError(caught: unknown): string {
  // Walk the cause chain: undici and net wrap the error that says what happened.
  for (let error = caught, depth = 0; error instanceof Error && depth < 5; depth += 1) {
    if (error instanceof AddressRefusedError) return truncate(error.reason);
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timed out';
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (networkReasons[code]) return networkReasons[code];
      if (code.startsWith('ERR_TLS') || code.includes('CERT') || code.startsWith('ERR_SSL'))
        return 'TLS handshake failed';
    }
    error = (error as { cause?: unknown }).cause;
  }
  return 'connection failed';
}
