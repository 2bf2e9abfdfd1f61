/**
 * The one way both apps call the servers: JSON in and out, a bearer token, an idempotency key
 * where the exchange wants one, a time limit on every call, and errors the screens can switch on.
 * The servers answer errors as `{error: {code, message, details?}}` (docs/ticketing.md,
 * docs/exchange.md); anything else, or no answer at all, becomes an error of our own. Every
 * answer's `Date` header teaches the servers' clock (server-clock.ts).
 */
import { noteServerDate } from './server-clock.ts';

/** A call that gets no answer in this time is given up, so a screen never waits forever. */
export const requestTimeoutMs = 15_000;
/** The order long poll (`?waitS=25`) needs the server's wait plus some slack. */
export const longPollTimeoutMs = 35_000;

/** The server answered with an error. `code` is the server's machine-readable code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** No answer: offline, the server down or unreachable, or the call took too long. */
export class NetworkError extends Error {
  constructor(
    message: string,
    readonly timedOut = false,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'NetworkError';
  }
}

export interface RequestOptions {
  token?: string | undefined;
  body?: unknown;
  /** Sent as `Idempotency-Key`: the exchange runs a keyed request at most once. */
  idempotencyKey?: string | undefined;
  timeoutMs?: number;
  signal?: AbortSignal | undefined;
}

export async function requestJson<T>(
  baseUrl: string,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  options: RequestOptions = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
  // Both servers refuse a JSON content type with an empty body, so a POST without one sends {}.
  const body =
    options.body !== undefined
      ? JSON.stringify(options.body)
      : method === 'POST' || method === 'PUT'
        ? '{}'
        : undefined;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const timeout = AbortSignal.timeout(options.timeoutMs ?? requestTimeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let response: Response;
  const sentAtMs = Date.now();
  try {
    response = await fetch(new URL(path, baseUrl), {
      method,
      headers,
      signal,
      ...(body !== undefined ? { body } : {}),
    });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    const timedOut = timeout.aborted;
    throw new NetworkError(
      timedOut ? 'the server took too long to answer' : 'no connection to the server',
      timedOut,
      { cause: error },
    );
  }
  noteServerDate(response.headers.get('date'), sentAtMs, Date.now());
  const text = await response.text().catch(() => '');
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!response.ok) {
    const error = (parsed as { error?: { code?: unknown; message?: unknown; details?: unknown } })
      ?.error;
    throw new ApiError(
      response.status,
      typeof error?.code === 'string' ? error.code : `http_${response.status}`,
      typeof error?.message === 'string' ? error.message : `the server answered ${response.status}`,
      typeof error?.details === 'object' && error.details !== null
        ? (error.details as Record<string, unknown>)
        : {},
    );
  }
  return parsed as T;
}

/** A fresh idempotency key; the caller keeps it to retry the same request after a lost answer. */
export function newIdempotencyKey(prefix: string): string {
  return `${prefix}-${crypto.randomUUID()}`;
}
