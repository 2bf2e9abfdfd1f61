/**
 * Turns any failure into a sentence the buyer can act on, in their language: a server error code
 * the app knows gets its own message, an unknown one the server's message, no answer at all says
 * so. Nothing here hides an error: the original stays in the console for whoever debugs.
 */
import { ApiError, NetworkError } from '@tessera/web-kit/http';
import { isMessageKey, type MessageKey, type Params } from './i18n.ts';
import { DeviceKeyUnsupportedError } from './identity.ts';

type Translate = (key: MessageKey, params?: Params) => string;

export function describeError(error: unknown, t: Translate): string {
  if (error instanceof ApiError) {
    const wait = error.status === 429 ? retryAfterS(error) : undefined;
    if (wait !== undefined) return waitMessage(wait, t);
    const key = `error.${error.code}`;
    if (isMessageKey(key)) return t(key);
    return t('error.unexpected', { message: error.message });
  }
  if (error instanceof NetworkError) {
    if (!navigator.onLine) return t('common.needsOnline');
    return t(error.timedOut ? 'error.timeout' : 'error.network');
  }
  if (error instanceof DeviceKeyUnsupportedError) return t('error.noEd25519');
  if (error instanceof DOMException && error.name === 'InvalidStateError') {
    return t('error.noStorage');
  }
  const message = error instanceof Error ? error.message : String(error);
  return t('error.unexpected', { message });
}

/**
 * How long a 429 asks to wait: both servers put their `Retry-After` seconds in
 * `details.retryAfterS` too (the header is not readable across origins without CORS).
 */
export function retryAfterS(error: ApiError): number | undefined {
  const seconds = error.details.retryAfterS;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0
    ? Math.ceil(seconds)
    : undefined;
}

/** "Too many tries. Wait 30 seconds", "... 4 minutes", "... 5 hours": the wait the server named. */
function waitMessage(seconds: number, t: Translate) {
  if (seconds < 90) return t('error.rate_limited_seconds', { seconds });
  if (seconds < 90 * 60)
    return t('error.rate_limited_minutes', { minutes: Math.ceil(seconds / 60) });
  return t('error.rate_limited_hours', { hours: Math.ceil(seconds / 3600) });
}

/** A 401 from a server: the session there has ended. */
export function isUnauthorized(error: unknown): boolean {
  return error instanceof ApiError && error.status === 401 && error.code !== 'invalid_code';
}
