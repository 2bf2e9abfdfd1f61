/**
 * The organizer command line's HTTP client of the ticketing API: fetch, a bearer token, the
 * API's error shape turned into an error the command line reports with exit code 1. It never
 * puts the token in an error: messages come from the server or name the URL only.
 */

/** The API answered with an error, or could not be reached (status 0). */
export class ApiFailure extends Error {
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

export interface RequestOptions {
  body?: unknown;
  /** A raw body (a file's text or a stream of its bytes) with its content type. */
  raw?: { contentType: string; body: string | ReadableStream<Uint8Array> };
  /** Sign in and the like need no token. */
  anonymous?: boolean;
}

export class ApiClient {
  readonly baseUrl: string;

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
  }

  /** The response of a successful request (2xx); anything else throws ApiFailure. */
  async fetch(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (!options.anonymous) {
      if (!this.token) {
        throw new UsageError(
          'no token: sign in with `login --phone <number>` and export TESSERA_TOKEN, or pass --token',
        );
      }
      if (!tokenPattern.test(this.token)) {
        throw new UsageError('the token (--token / TESSERA_TOKEN) is malformed; sign in again');
      }
      headers.authorization = `Bearer ${this.token}`;
    }
    let body: string | ReadableStream<Uint8Array> | undefined;
    if (options.raw) {
      headers['content-type'] = options.raw.contentType;
      body = options.raw.body;
    } else if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        ...(body !== undefined ? { body } : {}),
        // A streamed upload (seat maps with a progress bar) needs half duplex in Node's fetch.
        ...(typeof body === 'object' ? { duplex: 'half' } : {}),
      } as RequestInit);
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new ApiFailure(
        0,
        'unreachable',
        `cannot reach ${this.baseUrl} (${cause?.code ?? cause?.message ?? (error as Error).message})`,
      );
    }
    if (response.ok) return response;
    const text = await response.text().catch(() => '');
    let code = `http_${response.status}`;
    let message = response.statusText || 'request failed';
    try {
      const parsed = JSON.parse(text) as { error?: { code?: string; message?: string } };
      if (parsed.error?.code) code = parsed.error.code;
      if (parsed.error?.message) message = parsed.error.message;
    } catch {
      if (text) message = text.slice(0, 200);
    }
    throw new ApiFailure(response.status, code, message);
  }

  /** A JSON request answered with JSON. */
  async json<T>(method: string, path: string, options: RequestOptions = {}) {
    const response = await this.fetch(method, path, options);
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  }
}
