/**
 * The exchange as the buyer's wallet (unit 304) uses it: its own sign-in, balances, card and
 * bank-transfer deposits, quotes and trades, history, paying a payment request (S130) and the
 * live feed. Money routes take an `Idempotency-Key` (docs/exchange.md, "Money").
 */
import { requestJson } from '@tessera/web-kit/http';

export interface Subscriber {
  id: string;
  phone: string;
  displayName: string;
}

export interface ExchangeSession {
  token: string;
  expiresAt: string;
  subscriber: Subscriber;
}

export interface Balance {
  asset: string;
  amount: string;
  fiatValue: string | null;
}

export interface Wallet {
  fiat: string;
  balances: Balance[];
}

export interface Asset {
  code: string;
  scale: number;
  kind: 'fiat' | 'crypto';
}

export interface Deposit {
  id: string;
  method: 'card' | 'bank_transfer';
  status: string;
  asset: string;
  amount: string;
  cardLast4: string | null;
  reference: string | null;
  instructions: {
    bankName: string;
    accountNumber: string;
    accountHolder: string;
    reference: string;
    amount: string;
    asset: string;
    note: string;
  } | null;
}

export interface Card {
  number: string;
  expMonth: number;
  expYear: number;
  cvc: string;
}

export interface Quote {
  id: string;
  side: 'buy' | 'sell';
  asset: string;
  fiat: string;
  cryptoAmount: string;
  fiatAmount: string;
  fee: string;
  total: string;
  rate: string;
  rateSource: string;
  createdAt: string;
  expiresAt: string;
  status: 'open' | 'expired' | 'executed';
}

export interface Transaction {
  id: string;
  kind: string;
  memo: string | null;
  createdAt: string;
  changes: { asset: string; amount: string }[];
}

export interface PaymentRequest {
  id: string;
  status: string;
  asset: string;
  amount: string;
  description: string | null;
  expiresAt: string;
  merchant: { id: string; displayName: string };
}

export interface Notice {
  id: string;
  type: string;
  createdAt: string;
  data: Record<string, unknown>;
}

export function exchangeApi(baseUrl: string) {
  const call = <T>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    options: { token?: string; body?: unknown; idempotencyKey?: string } = {},
  ) => requestJson<T>(baseUrl, method, path, options);

  return {
    baseUrl,
    sendCode: (phone: string) =>
      call<{ expiresAt: string }>('POST', '/v1/auth/codes', { body: { phone } }),
    /** Opens a person's wallet; 409 `account_exists` (the code is not spent then) means sign in. */
    openWallet: (phone: string, code: string, displayName: string) =>
      call<ExchangeSession>('POST', '/v1/subscribers', {
        body: { phone, code, kind: 'person', displayName },
      }),
    signIn: (phone: string, code: string) =>
      call<ExchangeSession>('POST', '/v1/auth/sessions', { body: { phone, code, kind: 'person' } }),
    signOut: (token: string) => call<null>('DELETE', '/v1/auth/session', { token }),

    assets: () => call<{ fiat: string; assets: Asset[] }>('GET', '/v1/assets'),
    wallet: (token: string) => call<Wallet>('GET', '/v1/wallet', { token }),
    transactions: (token: string, before?: number) =>
      call<{ transactions: Transaction[]; nextBefore: number | null }>(
        'GET',
        `/v1/wallet/transactions?limit=20${before ? `&before=${before}` : ''}`,
        { token },
      ),
    cardDeposit: (token: string, amount: string, card: Card, idempotencyKey: string) =>
      call<Deposit>('POST', '/v1/deposits', {
        token,
        idempotencyKey,
        body: { method: 'card', amount, card },
      }),
    bankDeposit: (token: string, amount: string, idempotencyKey: string) =>
      call<Deposit>('POST', '/v1/deposits', {
        token,
        idempotencyKey,
        body: { method: 'bank_transfer', amount },
      }),
    quote: (
      token: string,
      body: { side: 'buy'; asset: string; cryptoAmount?: string; fiatAmount?: string },
      idempotencyKey: string,
    ) => call<Quote>('POST', '/v1/quotes', { token, body, idempotencyKey }),
    executeQuote: (token: string, quoteId: string, idempotencyKey: string) =>
      call<Quote>('POST', `/v1/quotes/${encodeURIComponent(quoteId)}/execute`, {
        token,
        idempotencyKey,
      }),
    /**
     * S130: pays the order's payment request from this wallet. The URL is built here from the
     * request id rather than taken from the order's `payUrl`, so the wallet's token only ever
     * goes to the exchange the app was configured with.
     */
    pay: (token: string, requestId: string, idempotencyKey: string) =>
      call<PaymentRequest>('POST', `/v1/payment-requests/${encodeURIComponent(requestId)}/pay`, {
        token,
        idempotencyKey,
      }),
    /** The request as the exchange sees it: what the payment will take, and for whom. */
    paymentRequest: (token: string, requestId: string) =>
      call<PaymentRequest>('GET', `/v1/payment-requests/${encodeURIComponent(requestId)}`, {
        token,
      }),
    streamTicket: (token: string) =>
      call<{ url: string; expiresAt: string }>('POST', '/v1/notifications/stream-tickets', {
        token,
      }),
  };
}

export type ExchangeApi = ReturnType<typeof exchangeApi>;
