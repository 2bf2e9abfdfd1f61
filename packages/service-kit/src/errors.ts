import type { ErrorCode } from './error-codes.ts';

/**
 * An error the API answers with: an HTTP status, a stable code clients branch on, a message. The
 * code is one of error-codes.ts: a new one is added there, where the apps see it.
 */
export class ApiError extends Error {
  /** Seconds the client should wait before trying again, sent as `Retry-After` when set. */
  readonly retryAfterS?: number;

  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const badRequest = (code: ErrorCode, message: string, details?: Record<string, unknown>) =>
  new ApiError(400, code, message, details);
export const notFound = (what: string) => new ApiError(404, 'not_found', `${what} not found`);
export const forbidden = (message = 'not allowed for this caller') =>
  new ApiError(403, 'forbidden', message);
export const conflict = (code: ErrorCode, message: string, details?: Record<string, unknown>) =>
  new ApiError(409, code, message, details);

/**
 * 429 `rate_limited`: the answer carries `Retry-After: <retryAfterS>` (http.ts sets it from
 * `details.retryAfterS`), and the message says the wait so the apps can show it as it is.
 */
export const rateLimited = (retryAfterS: number, message: string) =>
  new ApiError(429, 'rate_limited', message, { retryAfterS: Math.max(1, Math.ceil(retryAfterS)) });

/** "45 seconds", "3 minutes", "2 hours": a wait as people read it. */
export function waitText(seconds: number) {
  if (seconds < 90) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  if (seconds < 90 * 60) return `${Math.ceil(seconds / 60)} minutes`;
  return `${Math.ceil(seconds / 3600)} hours`;
}
