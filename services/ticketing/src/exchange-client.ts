/**
 * The exchange as the ticketing server sees it: an HTTP API reached with the organizer's
 * merchant API key (unit 114). Every call that moves or promises money carries an idempotency key
 * derived from our own ids, so a retry after a timeout or a crash can never pay, refund or
 * invoice twice. Amounts cross as decimal strings and live here as bigint smallest units.
 */

import {
  createExchangeClient,
  type ExchangeAnswer,
  type ExchangeClient as GeneratedExchangeClient,
} from '@tessera/api-client';
import { type Asset, formatAmount, parseAmount } from '@tessera/service-kit/amounts';
import { isErrorCode } from '@tessera/service-kit/error-codes';
import { ApiError } from '@tessera/service-kit/errors';
import {
  type BreakerOptions,
  type BreakerState,
  CircuitBreaker,
  ExchangeUnavailable,
} from './exchange-breaker.ts';

export { ExchangeUnavailable };

function withBody(request: Request): Request {
  if ((request.method !== 'POST' && request.method !== 'PUT') || request.body !== null) {
    return request;
  }
  const headers = new Headers(request.headers);
  headers.set('content-type', 'application/json');
  return new Request(request, { body: '{}', headers });
}

/** Statuses whose answer has no body (a Response refuses one). */
const nullBodyStatuses = new Set([101, 204, 205, 304]);

export interface PaymentRequestView {
  id: string;
  status: 'open' | 'paid' | 'cancelled' | 'expired';
  asset: string;
  amount: bigint;
  reference: string;
  expiresAt: number;
  paidAt: number | null;
  payerId: string | null;
  refundedAmount: bigint;
}

/**
 * The exchange refused a call (a 4xx with its error body). Callers that expect a refusal branch
 * on `code`; any other reaches the client as 502 with the exchange's code and message, never as
 * an internal error.
 */
export class ExchangeError extends ApiError {
  constructor(
    /** The exchange's own HTTP status. */
    readonly exchangeStatus: number,
    code: string,
    message: string,
  ) {
    // Both servers share one list of codes; one the list lacks (a newer exchange) is passed on
    // as `exchange_error`, with the exchange's message.
    super(502, isErrorCode(code) ? code : 'exchange_error', `the exchange refused: ${message}`, {
      exchangeStatus,
    });
    this.name = 'ExchangeError';
  }
}

/**
 * The exchange could not be reached, did not answer in time, or answered 5xx; the caller may
 * retry (`Retry-After: 1`). Whether a call that did not answer moved anything is unknown: callers
 * that move money look it up again by its idempotency key or reference before deciding.
 */
export const exchangeUnavailable = (detail: string, unanswered = false) =>
  new ExchangeUnavailable(detail, 1, unanswered);

export interface ExchangeClientOptions {
  /** How long one call may take, answer included. */
  readonly timeoutMs?: number;
  /** The circuit breaker's settings (exchange-breaker.ts). */
  readonly breaker?: BreakerOptions;
}

/** A payment request as the exchange answers it (its generated type, @tessera/api-client). */
type Wire = ExchangeAnswer<'get', '/v1/payment-requests/{id}'>;

/** What the generated client's calls (openapi-fetch) answer. */
interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** What a call passes on to the generated client: the merchant's key and the time limit. */
interface CallInit {
  [option: string]: unknown;
  headers: Record<string, string>;
  signal: AbortSignal;
}

export class ExchangeClient {
  private assetsCache: Promise<Map<string, Asset>> | undefined;
  private readonly timeoutMs: number;
  private readonly breaker: CircuitBreaker;

  private readonly client: GeneratedExchangeClient;

  constructor(
    readonly baseUrl: string,
    /** Browsers' view of the exchange, for the hosted buy page link. */
    readonly publicUrl: string = baseUrl,
    options: ExchangeClientOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.breaker = new CircuitBreaker(options.breaker);
    this.client = createExchangeClient(baseUrl, {
      headers: { accept: 'application/json' },
      fetch: (request) => this.fetchWhole(request),
    });
  }

  /** What /ready reports: whether calls go to the exchange, and when it is probed next. */
  availability(): { state: BreakerState; retryAfterS: number } {
    return { state: this.breaker.state, retryAfterS: this.breaker.retryAfterS() };
  }

  /**
   * Every call goes through the circuit breaker: refused at once while the circuit is open. The
   * call is one of the generated client's, given the merchant's API key and the time limit.
   */
  private call<T>(
    apiKey: string | undefined,
    request: (init: CallInit) => Promise<Answer<T>>,
  ): Promise<T> {
    return this.breaker.run(() => this.send(apiKey, request));
  }

  private async send<T>(
    apiKey: string | undefined,
    request: (init: CallInit) => Promise<Answer<T>>,
  ): Promise<T> {
    const signal = AbortSignal.timeout(this.timeoutMs);
    const headers: Record<string, string> = {};
    if (apiKey) headers.authorization = `Bearer ${apiKey}`;
    let answer: Answer<T>;
    try {
      answer = await request({ headers, signal });
    } catch (error) {
      const timedOut = signal.aborted || (error as Error).name === 'TimeoutError';
      throw exchangeUnavailable(timedOut ? 'timeout' : 'network', true);
    }
    const { response } = answer;
    if (!response.ok) {
      if (response.status >= 500) throw exchangeUnavailable(`status ${response.status}`);
      const body = (answer.error as { error?: { code?: string; message?: string } } | undefined)
        ?.error;
      throw new ExchangeError(
        response.status,
        body?.code ?? 'exchange_error',
        body?.message ?? `the exchange answered ${response.status}`,
      );
    }
    return answer.data as T;
  }

  /**
   * The generated client's fetch: one exchange of request and answer, the answer read whole
   * within the call's time limit (an exchange that froze mid-answer must not hold the caller). A
   * pooled connection the exchange had closed meanwhile ("other side closed", after a restart)
   * is tried once more on a fresh one: every call is safe to repeat (reads, PUTs, and money
   * calls carry an idempotency key). A POST without a body sends `{}`, as it always has: a
   * retried cancel's idempotency key is stored with the hash of that body.
   */
  private async fetchWhole(sent: Request): Promise<Response> {
    const request = withBody(sent);
    const spare = request.clone();
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await fetch(attempt === 0 ? request : spare);
        const body = await response.arrayBuffer();
        return new Response(nullBodyStatuses.has(response.status) ? null : body, {
          status: response.status,
          statusText: response.statusText,
          headers: response.headers,
        });
      } catch (error) {
        const cause = (error as { cause?: { code?: unknown } }).cause;
        if (attempt === 0 && !request.signal.aborted && cause?.code === 'UND_ERR_SOCKET') continue;
        throw error;
      }
    }
  }

  /** The exchange's assets and their scales (fetched once). */
  assets(): Promise<Map<string, Asset>> {
    this.assetsCache ??= this.call(undefined, (init) => this.client.GET('/v1/assets', init)).then(
      (body) => new Map(body.assets.map((asset) => [asset.code, asset])),
      (error) => {
        this.assetsCache = undefined;
        throw error;
      },
    );
    return this.assetsCache;
  }

  async asset(code: string): Promise<Asset> {
    const asset = (await this.assets()).get(code);
    if (!asset) throw new ApiError(400, 'unknown_asset', `the exchange has no asset ${code}`);
    return asset;
  }

  whoAmI(apiKey: string) {
    return this.call(apiKey, (init) => this.client.GET('/v1/me', init));
  }

  /** Points the merchant's webhook here; the exchange returns a new signing secret. */
  setWebhook(apiKey: string, url: string) {
    return this.call(apiKey, (init) =>
      this.client.PUT('/v1/merchant/webhook', { ...init, body: { url } }),
    );
  }

  setReturnUrls(apiKey: string, urls: string[]) {
    return this.call(apiKey, (init) =>
      this.client.PUT('/v1/merchant/return-urls', { ...init, body: { urls } }),
    );
  }

  private async view(wire: Wire): Promise<PaymentRequestView> {
    const asset = await this.asset(wire.asset);
    return {
      id: wire.id,
      status: wire.status,
      asset: wire.asset,
      amount: parseAmount(wire.amount, asset),
      reference: wire.reference,
      expiresAt: Date.parse(wire.expiresAt),
      paidAt: wire.paidAt ? Date.parse(wire.paidAt) : null,
      payerId: wire.payerId,
      refundedAmount: parseAmount(wire.refundedAmount, asset),
    };
  }

  async createPaymentRequest(
    apiKey: string,
    idempotencyKey: string,
    input: {
      asset: string;
      amount: bigint;
      reference: string;
      description: string;
      expiresInS: number;
    },
  ) {
    const asset = await this.asset(input.asset);
    const wire = await this.call(apiKey, (init) =>
      this.client.POST('/v1/payment-requests', {
        ...init,
        params: { header: { 'idempotency-key': idempotencyKey } },
        body: {
          asset: input.asset,
          amount: formatAmount(input.amount, asset.scale),
          reference: input.reference,
          description: input.description.slice(0, 300),
          expiresInS: input.expiresInS,
        },
      }),
    );
    return this.view(wire);
  }

  async paymentRequest(apiKey: string, id: string) {
    return this.view(
      await this.call(apiKey, (init) =>
        this.client.GET('/v1/payment-requests/{id}', { ...init, params: { path: { id } } }),
      ),
    );
  }

  /**
   * One page of the merchant's payment requests, newest first; `before` (the exchange's
   * creation time, ms) continues from the previous page's `nextBefore`.
   */
  async paymentRequestPage(apiKey: string, before?: number) {
    const body = await this.call(apiKey, (init) =>
      this.client.GET('/v1/payment-requests', {
        ...init,
        params: { query: { limit: 200, ...(before !== undefined ? { before } : {}) } },
      }),
    );
    return {
      requests: await Promise.all(body.requests.map((wire) => this.view(wire))),
      nextBefore: body.nextBefore,
    };
  }

  async paymentRequestsFor(apiKey: string, reference: string) {
    const body = await this.call(apiKey, (init) =>
      this.client.GET('/v1/payment-requests', {
        ...init,
        params: { query: { reference, limit: 20 } },
      }),
    );
    return Promise.all(body.requests.map((wire) => this.view(wire)));
  }

  async cancelPaymentRequest(apiKey: string, id: string) {
    return this.view(
      await this.call(apiKey, (init) =>
        this.client.POST('/v1/payment-requests/{id}/cancel', {
          ...init,
          params: { path: { id }, header: { 'idempotency-key': `cancel-${id}` } },
        }),
      ),
    );
  }

  async refund(
    apiKey: string,
    idempotencyKey: string,
    input: { paymentRequestId: string; asset: string; amount: bigint; reason: string },
  ) {
    const asset = await this.asset(input.asset);
    return this.call(apiKey, (init) =>
      this.client.POST('/v1/payment-requests/{id}/refunds', {
        ...init,
        params: {
          path: { id: input.paymentRequestId },
          header: { 'idempotency-key': idempotencyKey },
        },
        body: {
          amount: formatAmount(input.amount, asset.scale),
          reason: input.reason.slice(0, 200),
        },
      }),
    );
  }

  /**
   * The crypto amount worth `fiatUnits` at the exchange's locked rate: a sell quote for that fiat
   * value, which is what the organizer would get in fiat for the crypto it receives.
   */
  async quoteFiat(apiKey: string, idempotencyKey: string, asset: string, fiatUnits: bigint) {
    const all = await this.assets();
    const fiat = [...all.values()].find((candidate) => candidate.kind === 'fiat');
    const crypto = await this.asset(asset);
    if (!fiat) throw exchangeUnavailable('no fiat asset');
    const quote = await this.call(apiKey, (init) =>
      this.client.POST('/v1/quotes', {
        ...init,
        params: { header: { 'idempotency-key': idempotencyKey } },
        body: { side: 'sell', asset, fiatAmount: formatAmount(fiatUnits, fiat.scale) },
      }),
    );
    return { id: quote.id, cryptoUnits: parseAmount(quote.cryptoAmount, crypto), rate: quote.rate };
  }

  /** Claim 6: the exchange's hosted page that buys what the buyer lacks and comes back. */
  async buyPageUrl(input: {
    merchantId: string;
    asset: string;
    amount: bigint;
    returnUrl: string;
    reference: string;
  }) {
    const asset = await this.asset(input.asset);
    const url = new URL('/buy', this.publicUrl);
    url.searchParams.set('merchant', input.merchantId);
    url.searchParams.set('asset', input.asset);
    url.searchParams.set('amount', formatAmount(input.amount, asset.scale));
    url.searchParams.set('returnUrl', input.returnUrl);
    url.searchParams.set('reference', input.reference);
    return url.href;
  }
}
