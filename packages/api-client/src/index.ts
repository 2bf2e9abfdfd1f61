/**
 * Typed clients of the two servers, for the apps, the organizer command line and the ticketing
 * server's calls to the exchange. The paths, parameters, bodies and answers are the types
 * openapi-typescript generated from the servers' OpenAPI documents (ticketing.ts, exchange.ts:
 * `npm run api:generate`); the calls are openapi-fetch's, which answer `{data}` or `{error}`
 * with the `Response` and never throw for an HTTP status. Each caller keeps its own policy
 * (time limits, what an error becomes) in a middleware, a custom `fetch` or a wrapper.
 */
import type { ErrorCode as ListedErrorCode } from '@tessera/service-kit/error-codes';
import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type {
  PathsWithMethod,
  RequestBodyJSON,
  SuccessResponseJSON,
} from 'openapi-typescript-helpers';
import type { ErrorCode as ExchangeErrorCode, paths as ExchangePaths } from './exchange.ts';
import type { ErrorCode, paths as TicketingPaths } from './ticketing.ts';

export { errorCodes, isErrorCode } from '@tessera/service-kit/error-codes';
export type { ClientOptions, Middleware } from 'openapi-fetch';
/** Every error code the servers answer with, as their documents declare it. */
export type { ErrorCode, ExchangePaths, TicketingPaths };

export type TicketingClient = Client<TicketingPaths>;
export type ExchangeClient = Client<ExchangePaths>;

export function createTicketingClient(
  baseUrl: string,
  options: Omit<ClientOptions, 'baseUrl'> = {},
): TicketingClient {
  return createClient<TicketingPaths>({ ...options, baseUrl });
}

export function createExchangeClient(
  baseUrl: string,
  options: Omit<ClientOptions, 'baseUrl'> = {},
): ExchangeClient {
  return createClient<ExchangePaths>({ ...options, baseUrl });
}

type Method = 'get' | 'put' | 'post' | 'delete' | 'patch';

/** The JSON body of a ticketing route's success answer: `TicketingAnswer<'get', '/v1/me'>`. */
export type TicketingAnswer<
  M extends Method,
  P extends PathsWithMethod<TicketingPaths, M>,
> = SuccessResponseJSON<NonNullable<TicketingPaths[P][M]>>;

/** The JSON body of an exchange route's success answer. */
export type ExchangeAnswer<
  M extends Method,
  P extends PathsWithMethod<ExchangePaths, M>,
> = SuccessResponseJSON<NonNullable<ExchangePaths[P][M]>>;

/** The JSON request body a ticketing route takes. */
export type TicketingBody<
  M extends Method,
  P extends PathsWithMethod<TicketingPaths, M>,
> = RequestBodyJSON<TicketingPaths[P][M]>;

/** The JSON request body an exchange route takes. */
export type ExchangeBody<
  M extends Method,
  P extends PathsWithMethod<ExchangePaths, M>,
> = RequestBodyJSON<ExchangePaths[P][M]>;

/**
 * The documents declare the list of service-kit/error-codes.ts, and both the same: a code added
 * there and not yet generated fails typecheck here (run `npm run api:generate`).
 */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const generatedCodesAreListed: Same<ErrorCode, ListedErrorCode> &
  Same<ExchangeErrorCode, ListedErrorCode> = true;
void generatedCodesAreListed;

/** Both servers' error answer (`{error: {code, message, details?}}`, docs/ticketing.md). */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: Record<string, unknown> };
}

/**
 * What an error answer says, whatever it held: the server's code, message and details when it is
 * the servers' error body, else `http_<status>` and a message of our own (a proxy's HTML page, an
 * empty 502). The code is the server's word: a newer server may send one this build has not
 * heard of, so it is typed as text here and narrowed with `isErrorCode` where it is switched on.
 */
export function errorOf(
  error: unknown,
  response: Response,
): { code: string; message: string; details: Record<string, unknown> } {
  const body = (error as { error?: { code?: unknown; message?: unknown; details?: unknown } })
    ?.error;
  return {
    code: typeof body?.code === 'string' ? body.code : `http_${response.status}`,
    message:
      typeof body?.message === 'string' ? body.message : `the server answered ${response.status}`,
    details:
      typeof body?.details === 'object' && body.details !== null
        ? (body.details as Record<string, unknown>)
        : {},
  };
}
