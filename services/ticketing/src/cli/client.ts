/**
 * The organizer command line's client of the ticketing API: the generated client
 * (@tessera/api-client), a bearer token, the API's error shape turned into an error the command
 * line reports with exit code 1. It never puts the token in an error: messages come from the
 * server or name the URL only.
 */
import { createTicketingClient, type TicketingClient } from '@tessera/api-client';

/** The API answered with an error, or could not be reached (status 0). */
export class ApiFailure extends Error {
  /** What to do about it, printed under the error (e.g. where to find the right id). */
  hint: string | undefined;

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiFailure';
  }
}

/** Wrong use of the command line: exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly usage?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Session tokens are opaque printable text; anything else would make fetch echo it back. */
const tokenPattern = /^[A-Za-z0-9_\-.~+/]{16,200}=*$/;

/** What the generated client's calls (openapi-fetch) answer. */
interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/**
 * The command line's way to the API: the generated ticketing client (@tessera/api-client), with
 * the session token checked before it is sent, a server that cannot be reached reported with its
 * URL only, and every error answer turned into an ApiFailure.
 */
export class ApiClient {
  readonly baseUrl: string;
  /** For the routes that need no session (sign in). */
  readonly anonymous: TicketingClient;
  private signedIn: TicketingClient | undefined;

  constructor(
    baseUrl: string,
    private readonly token: string | undefined,
  ) {
    let url: URL;
    try {
      url = new URL(baseUrl);
    } catch {
      throw new UsageError(`--url / TESSERA_URL "${baseUrl}" is not a URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new UsageError(`--url / TESSERA_URL must be http:// or https://`);
    }
    this.baseUrl = url.href.replace(/\/+$/, '');
    this.anonymous = this.client({});
  }

  /** The client with the session token; without one, or with a malformed one, a usage error. */
  get api(): TicketingClient {
    if (!this.token) {
      throw new UsageError(
        'no token: sign in with `login --phone <number>` and export TESSERA_TOKEN, or pass --token',
      );
    }
    if (!tokenPattern.test(this.token)) {
      throw new UsageError('the token (--token / TESSERA_TOKEN) is malformed; sign in again');
    }
    this.signedIn ??= this.client({ authorization: `Bearer ${this.token}` });
    return this.signedIn;
  }

  private client(headers: Record<string, string>) {
    return createTicketingClient(this.baseUrl, {
      headers: { accept: 'application/json', ...headers },
      fetch: (request) => this.send(request),
    });
  }

  private async send(request: Request): Promise<Response> {
    try {
      return await fetch(request);
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new ApiFailure(
        0,
        'unreachable',
        `cannot reach ${this.baseUrl} (${cause?.code ?? cause?.message ?? (error as Error).message})`,
      );
    }
  }

  /**
   * A call's answer when it succeeded (2xx), with its status; any other answer throws ApiFailure
   * with the server's code and message (or the status, and the start of a body that is not the
   * error shape).
   */
  async answer<T>(
    call: Promise<Answer<T>>,
  ): Promise<{ status: number; body: T; response: Response }> {
    const { data, error, response } = await call;
    if (response.ok) return { status: response.status, body: data as T, response };
    let code = `http_${response.status}`;
    let message = response.statusText || 'request failed';
    const body = (error as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    if (typeof error === 'string') {
      if (error) message = error.slice(0, 200);
    } else {
      if (typeof body?.code === 'string' && body.code) code = body.code;
      if (typeof body?.message === 'string' && body.message) message = body.message;
    }
    throw new ApiFailure(response.status, code, message);
  }
}
