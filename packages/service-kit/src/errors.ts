/** An error the API answers with: an HTTP status, a stable code clients branch on, a message. */
export class ApiError extends Error {
  /** Seconds the client should wait before trying again, sent as `Retry-After` when set. */
  readonly retryAfterS?: number;

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const badRequest = (code: string, message: string, details?: Record<string, unknown>) =>
  new ApiError(400, code, message, details);
export const notFound = (what: string) => new ApiError(404, 'not_found', `${what} not found`);
export const forbidden = (message = 'not allowed for this caller') =>
  new ApiError(403, 'forbidden', message);
export const conflict = (code: string, message: string, details?: Record<string, unknown>) =>
  new ApiError(409, code, message, details);
