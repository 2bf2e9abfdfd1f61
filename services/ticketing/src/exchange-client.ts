/**
 * The exchange as the ticketing server sees it: an HTTP API reached with the organizer's
 * merchant API key (unit 114). Every call that moves or promises money carries an idempotency key
 * derived from our own ids, so a retry after a timeout or a crash can never pay, refund or
 * invoice twice. Amounts cross as decimal strings and live here as bigint smallest units.
 */
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

interface Wire {
  id: string;
  status: PaymentRequestView['status'];
  asset: string;
  amount: string;
  reference: string;
  expiresAt: string;
  paidAt: string | null;
  payerId: string | null;
  refundedAmount: string;
}

export class ExchangeClient {
  private assetsCache: Promise<Map<string, Asset>> | undefined;
  private readonly timeoutMs: number;
  private readonly breaker: CircuitBreaker;

  constructor(
    readonly baseUrl: string,
    /** Browsers' view of the exchange, for the hosted buy page link. */
    readonly publicUrl: string = baseUrl,
    options: ExchangeClientOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.breaker = new CircuitBreaker(options.breaker);
  }

  /** What /ready reports: whether calls go to the exchange, and when it is probed next. */
  availability(): { state: BreakerState; retryAfterS: number } {
    return { state: this.breaker.state, retryAfterS: this.breaker.retryAfterS() };
  }

  /** Every call goes through the circuit breaker: refused at once while the circuit is open. */
  private call<T>(
    method: string,
    path: string,
    options: { apiKey?: string; idempotencyKey?: string; body?: unknown } = {},
  ): Promise<T> {
    return this.breaker.run(() => this.send<T>(method, path, options));
  }

  private async send<T>(
    method: string,
    path: string,
    options: { apiKey?: string; idempotencyKey?: string; body?: unknown },
  ): Promise<T> {
    const headers: Record<string, string> = {};
    if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
    if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const { response, text } = await this.fetchText(method, path, {
      method,
      headers,
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!response.ok) {
      if (response.status >= 500) throw exchangeUnavailable(`status ${response.status}`);
      const error = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new ExchangeError(
        response.status,
        error?.code ?? 'exchange_error',
        error?.message ?? `the exchange answered ${response.status}`,
      );
    }
    return json as T;
  }

  /**
   * One exchange of request and answer within `timeoutMs`; a timeout or a connection failure is
   * `exchange_unavailable` that went unanswered (what the circuit breaker counts). A pooled
   * connection the exchange had closed meanwhile ("other side closed", after a restart) is tried
   * once more on a fresh one: every call is safe to repeat (reads, PUTs, and money calls carry
   * an idempotency key).
   */
  private async fetchText(method: string, path: string, init: RequestInit) {
    const signal = AbortSignal.timeout(this.timeoutMs);
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await fetch(`${this.baseUrl}${path}`, { ...init, method, signal });
        // Inside the timeout too: an exchange that froze mid-answer must not hold the caller.
        return { response, text: await response.text() };
      } catch (error) {
        const cause = (error as { cause?: { code?: unknown } }).cause;
        if (attempt === 0 && !signal.aborted && cause?.code === 'UND_ERR_SOCKET') continue;
        const timedOut = (error as Error).name === 'TimeoutError';
        throw exchangeUnavailable(timedOut ? 'timeout' : 'network', true);
      }
    }
  }

  /** The exchange's assets and their scales (fetched once). */
  assets(): Promise<Map<string, Asset>> {
    this.assetsCache ??= this.call<{ fiat: string; assets: Asset[] }>('GET', '/v1/assets').then(
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
    return this.call<{ id: string; kind: string; displayName: string }>('GET', '/v1/me', {
      apiKey,
    });
  }

  /** Points the merchant's webhook here; the exchange returns a new signing secret. */
  setWebhook(apiKey: string, url: string) {
    return this.call<{ url: string; secret: string }>('PUT', '/v1/merchant/webhook', {
      apiKey,
      body: { url },
    });
  }

  setReturnUrls(apiKey: string, urls: string[]) {
    return this.call<{ urls: string[] }>('PUT', '/v1/merchant/return-urls', {
      apiKey,
      body: { urls },
    });
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
    const wire = await this.call<Wire>('POST', '/v1/payment-requests', {
      apiKey,
      idempotencyKey,
      body: {
        asset: input.asset,
        amount: formatAmount(input.amount, asset.scale),
        reference: input.reference,
        description: input.description.slice(0, 300),
        expiresInS: input.expiresInS,
      },
    });
    return this.view(wire);
  }

  async paymentRequest(apiKey: string, id: string) {
    return this.view(
      await this.call<Wire>('GET', `/v1/payment-requests/${encodeURIComponent(id)}`, { apiKey }),
    );
  }

  /**
   * One page of the merchant's payment requests, newest first; `before` (the exchange's
   * creation time, ms) continues from the previous page's `nextBefore`.
   */
  async paymentRequestPage(apiKey: string, before?: number) {
    const body = await this.call<{ requests: Wire[]; nextBefore: number | null }>(
      'GET',
      `/v1/payment-requests?limit=200${before !== undefined ? `&before=${before}` : ''}`,
      { apiKey },
    );
    return {
      requests: await Promise.all(body.requests.map((wire) => this.view(wire))),
      nextBefore: body.nextBefore,
    };
  }

  async paymentRequestsFor(apiKey: string, reference: string) {
    const body = await this.call<{ requests: Wire[] }>(
      'GET',
      `/v1/payment-requests?reference=${encodeURIComponent(reference)}&limit=20`,
      { apiKey },
    );
    return Promise.all(body.requests.map((wire) => this.view(wire)));
  }

  async cancelPaymentRequest(apiKey: string, id: string) {
    return this.view(
      await this.call<Wire>('POST', `/v1/payment-requests/${encodeURIComponent(id)}/cancel`, {
        apiKey,
        idempotencyKey: `cancel-${id}`,
        body: {},
      }),
    );
  }

  async refund(
    apiKey: string,
    idempotencyKey: string,
    input: { paymentRequestId: string; asset: string; amount: bigint; reason: string },
  ) {
    const asset = await this.asset(input.asset);
    return this.call<{ id: string; refundedAmount: string }>(
      'POST',
      `/v1/payment-requests/${encodeURIComponent(input.paymentRequestId)}/refunds`,
      {
        apiKey,
        idempotencyKey,
        body: {
          amount: formatAmount(input.amount, asset.scale),
          reason: input.reason.slice(0, 200),
        },
      },
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
    const quote = await this.call<{ id: string; cryptoAmount: string; rate: string }>(
      'POST',
      '/v1/quotes',
      {
        apiKey,
        idempotencyKey,
        body: { side: 'sell', asset, fiatAmount: formatAmount(fiatUnits, fiat.scale) },
      },
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
