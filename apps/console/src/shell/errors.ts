/**
 * Turns any failure into a sentence the organizer can act on, in their language: a code the
 * console words (error-codes.ts) gets its own message, any other the server's message (which
 * names the field or the rule), no answer at all says so. `fieldErrors` places a 400's
 * per-field details next to the fields of a form.
 */
import { isErrorCode } from '@tessera/api-client';
import { ApiError, NetworkError } from '@tessera/web-kit/http';
import type { MessageKey, Params } from '../i18n.ts';
import { codeMessages } from './error-codes.ts';

type Translate = (key: MessageKey, params?: Params) => string;

export function describeError(error: unknown, t: Translate): string {
  if (error instanceof ApiError) {
    const wait = error.status === 429 ? retryAfterS(error) : undefined;
    if (wait !== undefined) {
      return wait < 90
        ? t('error.waitSeconds', { seconds: wait })
        : t('error.waitMinutes', { minutes: Math.ceil(wait / 60) });
    }
    const key = isErrorCode(error.code) ? codeMessages[error.code] : null;
    return t(key ?? 'error.unexpected', { message: error.message });
  }
  if (error instanceof NetworkError) return t(error.timedOut ? 'error.timeout' : 'error.network');
  const message = error instanceof Error ? error.message : String(error);
  return t('error.unexpected', { message });
}

/** The `Retry-After` seconds both servers also put in `details.retryAfterS`. */
export function retryAfterS(error: ApiError): number | undefined {
  const seconds = error.details.retryAfterS;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0
    ? Math.ceil(seconds)
    : undefined;
}
