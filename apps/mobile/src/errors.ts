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

/** A 401 from a server: the session there has ended. */
export function isUnauthorized(error: unknown): boolean {
  return error instanceof ApiError && error.status === 401 && error.code !== 'invalid_code';
}
