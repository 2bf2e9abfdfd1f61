/**
 * When the database goes away: a PostgreSQL backend terminated (`pg_terminate_backend`, an idle
 * session timeout, a restart or failover), a connection reset or refused, a server still starting
 * up or shutting down. None of these is the request's fault, and the same request is expected to
 * succeed a moment later, so the servers answer 503 `database_unavailable` with `Retry-After`
 * (service-kit's error handler) rather than 500, and the process carries on: the broken
 * connection is dropped from the pool and the next request gets a fresh one.
 */

/**
 * The database did not answer or dropped the connection mid-work; retry shortly.
 *
 * `commitOutcomeUnknown` is true when the connection was lost after COMMIT was sent: the work may
 * or may not have been committed, so it is never run again here. A client that retries with the
 * same Idempotency-Key gets the stored answer if it was committed, or the effect once if not.
 */
export class DatabaseUnavailableError extends Error {
  override readonly name = 'DatabaseUnavailableError';

  constructor(
    cause: unknown,
    readonly commitOutcomeUnknown = false,
  ) {
    super(
      `the database is unavailable${commitOutcomeUnknown ? ' (the commit outcome is unknown)' : ''}: ${
        cause instanceof Error ? cause.message : String(cause)
      }`,
      { cause },
    );
  }
}

/**
 * SQLSTATEs that mean the session is gone or cannot be had now: class 08 (connection exception),
 * 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now, 53300
 * too_many_connections.
 */
const unavailableStates = new Set(['57P01', '57P02', '57P03', '53300']);
/** Socket errors of the client (node-postgres passes them through with their `code`). */
const socketCodes = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
]);
/** node-postgres's own messages for a connection that ended or could not be made in time. */
const lostMessages =
  /^timeout expired$|Connection terminated|connection error and is not queryable|timeout exceeded when trying to connect|Client was closed and is not queryable|the database system is (starting up|shutting down|in recovery mode)/i;

/** Whether `error` (or what caused it) means the database connection was lost or refused. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let cause = error, depth = 0; cause && depth < 5; depth++) {
    if (cause instanceof DatabaseUnavailableError) return true;
    if (typeof cause !== 'object') return false;
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (unavailableStates.has(code) || socketCodes.has(code)) return true;
      if (/^08[0-9A-Z]{3}$/.test(code)) return true;
    }
    const message = (cause as { message?: unknown }).message;
    if (typeof message === 'string' && lostMessages.test(message)) return true;
    cause = (cause as { cause?: unknown }).cause;
  }
  return false;
}
