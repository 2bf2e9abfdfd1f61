/**
 * The exchange as the buyer's wallet (unit 304) uses it: its own sign-in, balances, card and
 * bank-transfer deposits, quotes and trades, history, paying a payment request (S130) and the
 * live feed. Money routes take an `Idempotency-Key` (docs/exchange.md, "Money"). The shapes and
 * calls are the generated client's (@tessera/api-client), with the apps' policy
 * (@tessera/web-kit/http).
 */
import { createExchangeClient, type ExchangeAnswer, type ExchangeBody } from '@tessera/api-client';
import { answers, call } from '@tessera/web-kit/http';

export type ExchangeSession = ExchangeAnswer<'post', '/v1/auth/sessions'>;
export type Subscriber = ExchangeSession['subscriber'];
export type Wallet = ExchangeAnswer<'get', '/v1/wallet'>;
export type Balance = Wallet['balances'][number];
export type Asset = ExchangeAnswer<'get', '/v1/assets'>['assets'][number];
export type Deposit = ExchangeAnswer<'post', '/v1/deposits'>;
export type Card = Extract<ExchangeBody<'post', '/v1/deposits'>, { method: 'card' }>['card'];
export type Quote = ExchangeAnswer<'post', '/v1/quotes'>;
export type Transaction = ExchangeAnswer<'get', '/v1/wallet/transactions'>['transactions'][number];
export type PaymentRequest = ExchangeAnswer<'get', '/v1/payment-requests/{id}'>;
/** One notice of the live feed (`GET /v1/notifications/stream`), as the list route gives it. */
export type Notice = ExchangeAnswer<'get', '/v1/notifications'>['notifications'][number];

/**
 * Calls for the exchange; `token` is the wallet's session where a route needs one. This function
 * is long because it lists every call the app makes, one short entry each.
 */
export function exchangeApi(baseUrl: string) {
  const client = createExchangeClient(baseUrl);
  client.use(answers);
  const keyed = (idempotencyKey: string) => ({ 'idempotency-key': idempotencyKey });

  return {
    baseUrl,
    sendCode: (phone: string) =>
      call((init) => client.POST('/v1/auth/codes', { ...init, body: { phone } })),
    /** Opens a person's wallet; 409 `account_exists` (the code is not spent then) means sign in. */
    openWallet: (phone: string, code: string, displayName: string) =>
      call((init) =>
        client.POST('/v1/subscribers', {
          ...init,
          body: { phone, code, kind: 'person', displayName },
        }),
      ),
    signIn: (phone: string, code: string) =>
      call((init) =>
        client.POST('/v1/auth/sessions', { ...init, body: { phone, code, kind: 'person' } }),
      ),
    signOut: (token: string) => call((init) => client.DELETE('/v1/auth/session', init), { token }),

    assets: () => call((init) => client.GET('/v1/assets', init)),
    wallet: (token: string) => call((init) => client.GET('/v1/wallet', init), { token }),
    transactions: (token: string, before?: number) =>
      call(
        (init) =>
          client.GET('/v1/wallet/transactions', {
            ...init,
            params: { query: { limit: 20, ...(before ? { before } : {}) } },
          }),
        { token },
      ),
    cardDeposit: (token: string, amount: string, card: Card, idempotencyKey: string) =>
      call(
        (init) =>
          client.POST('/v1/deposits', {
            ...init,
            params: { header: keyed(idempotencyKey) },
            body: { method: 'card', amount, card },
          }),
        { token },
      ),
    bankDeposit: (token: string, amount: string, idempotencyKey: string) =>
      call(
        (init) =>
          client.POST('/v1/deposits', {
            ...init,
            params: { header: keyed(idempotencyKey) },
            body: { method: 'bank_transfer', amount },
          }),
        { token },
      ),
    quote: (token: string, body: ExchangeBody<'post', '/v1/quotes'>, idempotencyKey: string) =>
      call(
        (init) =>
          client.POST('/v1/quotes', { ...init, params: { header: keyed(idempotencyKey) }, body }),
        { token },
      ),
    executeQuote: (token: string, quoteId: string, idempotencyKey: string) =>
      call(
        (init) =>
          client.POST('/v1/quotes/{id}/execute', {
            ...init,
            params: { path: { id: quoteId }, header: keyed(idempotencyKey) },
          }),
        { token },
      ),
    /**
     * S130: pays the order's payment request from this wallet. The URL is built here from the
     * request id rather than taken from the order's `payUrl`, so the wallet's token only ever
     * goes to the exchange the app was configured with.
     */
    pay: (token: string, requestId: string, idempotencyKey: string) =>
      call(
        (init) =>
          client.POST('/v1/payment-requests/{id}/pay', {
            ...init,
            params: { path: { id: requestId }, header: keyed(idempotencyKey) },
          }),
        { token },
      ),
    /** The request as the exchange sees it: what the payment will take, and for whom. */
    paymentRequest: (token: string, requestId: string) =>
      call(
        (init) =>
          client.GET('/v1/payment-requests/{id}', { ...init, params: { path: { id: requestId } } }),
        { token },
      ),
    /**
     * A one-time code (60 s) that signs the exchange's buy page in as this wallet, for the
     * merchant of the buy link: the page gets a session of its own, the app's token stays here.
     */
    buyPageHandoff: (token: string, merchant: string) =>
      call((init) => client.POST('/v1/buy-page/handoffs', { ...init, body: { merchant } }), {
        token,
      }),
    streamTicket: (token: string) =>
      call((init) => client.POST('/v1/notifications/stream-tickets', init), { token }),
  };
}

export type ExchangeApi = ReturnType<typeof exchangeApi>;
