/**
 * The one way both apps call the servers: JSON in and out, a bearer token, an idempotency key
 * where the exchange wants one, a time limit on every call, and errors the screens can switch on.
 * The calls are the generated clients' (@tessera/api-client); `call` and the `answers` middleware
 * add this policy to them. The servers answer errors as `{error: {code, message, details?}}`
 * (docs/ticketing.md, docs/exchange.md); anything else, or no answer at all, becomes an error of
 * our own. Every answer's `Date` header teaches the servers' clock (server-clock.ts).
 */
import { errorOf, type Middleware } from '@tessera/api-client';
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

export interface CallOptions {
  token?: string | undefined;
  /** Sent as `Idempotency-Key`: the exchange runs a keyed request at most once. */
  idempotencyKey?: string | undefined;
  timeoutMs?: number;
  signal?: AbortSignal | undefined;
}

/** What the generated client's calls (openapi-fetch) answer. */
export interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** What a call passes on to the generated client: the headers and the signal with the limit. */
export interface CallInit {
  [option: string]: unknown;
  headers: Record<string, string>;
  signal: AbortSignal;
}

/** When each request left, for the server clock's round trip (see `answers`). */
const sentAt = new WeakMap<Request, number>();

/**
 * The middleware every generated client of the apps uses (`client.use(answers)`): JSON asked
 * for, a POST or PUT without a body sent as `{}` (both servers refuse a JSON content type with an
 * empty body, and a route with a body schema wants an object), and every answer's `Date` header
 * noted for the servers' clock.
 */
export const answers: Middleware = {
  onRequest({ request }) {
    let next = request;
    if ((request.method === 'POST' || request.method === 'PUT') && request.body === null) {
      const headers = new Headers(request.headers);
      headers.set('content-type', 'application/json');
      next = new Request(request, { body: '{}', headers });
    }
    next.headers.set('accept', 'application/json');
    sentAt.set(next, Date.now());
    return next;
  },
  onResponse({ request, response }) {
    noteServerDate(response.headers.get('date'), sentAt.get(request) ?? Date.now(), Date.now());
    return undefined;
  },
};

/**
 * One call of a generated client, the apps' way: the bearer token and idempotency key as
 * headers, a time limit (`requestTimeoutMs` unless said), and the answer's data, or a thrown
 * `ApiError` (the server said no) or `NetworkError` (no answer, or none in time). A caller's own
 * abort is thrown as it is.
 *
 *   await call((init) => client.GET('/v1/me/tickets', init), { token });
 */
export async function call<T>(
  request: (init: CallInit) => Promise<Answer<T>>,
  options: CallOptions = {},
): Promise<T> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
  const timeout = AbortSignal.timeout(options.timeoutMs ?? requestTimeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let answer: Answer<T>;
  try {
    answer = await request({ headers, signal });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    const timedOut = timeout.aborted;
    throw new NetworkError(
      timedOut ? 'the server took too long to answer' : 'no connection to the server',
      timedOut,
      { cause: error },
    );
  }
  const { response } = answer;
  if (!response.ok) {
    const { code, message, details } = errorOf(answer.error, response);
    throw new ApiError(response.status, code, message, details);
  }
  return answer.data as T;
}

/** A fresh idempotency key; the caller keeps it to retry the same request after a lost answer. */
export function newIdempotencyKey(prefix: string): string {
  return `${prefix}-${crypto.randomUUID()}`;
}
