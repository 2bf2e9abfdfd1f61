/**
 * The exchange client over the generated client: what it sends (the merchant's key, the
 * idempotency key, `{}` for a bodiless POST) and what the exchange's answers become (its refusals
 * as ExchangeError with its code, 5xx as exchange_unavailable, a pooled connection closed by the
 * exchange tried once more). A local HTTP server plays the exchange.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ExchangeClient, ExchangeError, ExchangeUnavailable } from '../src/exchange-client.ts';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

const wire = {
  id: 'pr_1',
  status: 'cancelled',
  asset: 'USDT',
  amount: '1.5',
  reference: 'ord_1',
  expiresAt: '2026-12-07T12:00:00.000Z',
  paidAt: null,
  payerId: null,
  refundedAmount: '0',
};

describe('the exchange client', () => {
  let server: Server;
  let baseUrl: string;
  let seen: Seen[] = [];
  /** What the next answers are: one function per request, else the default. */
  let script: ((request: Seen, respond: (status: number, body?: unknown) => void) => void)[] = [];
  let dropped = 0;

  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      request.on('end', () => {
        const one = {
          method: request.method ?? '',
          url: request.url ?? '',
          headers: request.headers,
          body,
        };
        seen.push(one);
        const respond = (status: number, answer?: unknown) => {
          response.writeHead(status, { 'content-type': 'application/json' });
          response.end(answer === undefined ? '' : JSON.stringify(answer));
        };
        const next = script.shift();
        if (next) return next(one, respond);
        if (one.url === '/v1/assets') {
          return respond(200, {
            fiat: 'KRW',
            assets: [{ code: 'USDT', scale: 6, kind: 'crypto' }],
          });
        }
        return respond(200, wire);
      });
    });
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((closed) => server.close(() => closed())));

  beforeEach(() => {
    seen = [];
    script = [];
    dropped = 0;
  });

  it('sends the merchant key and the idempotency key, and {} for a bodiless POST', async () => {
    const client = new ExchangeClient(baseUrl);
    const view = await client.cancelPaymentRequest('mk_key', 'pr_1');
    expect(view).toMatchObject({ id: 'pr_1', status: 'cancelled', amount: 1_500_000n });
    const cancel = seen.find((request) => request.url === '/v1/payment-requests/pr_1/cancel');
    expect(cancel).toMatchObject({
      method: 'POST',
      body: '{}',
      headers: {
        authorization: 'Bearer mk_key',
        'idempotency-key': 'cancel-pr_1',
        'content-type': 'application/json',
      },
    });
  });

  it("passes on the exchange's refusal with its code, and one it does not know as exchange_error", async () => {
    const client = new ExchangeClient(baseUrl);
    script.push((_, respond) =>
      respond(409, { error: { code: 'request_expired', message: 'too late' } }),
    );
    const refused = await client.paymentRequest('mk_key', 'pr_1').catch((error) => error);
    expect(refused).toBeInstanceOf(ExchangeError);
    expect(refused).toMatchObject({ status: 502, code: 'request_expired', exchangeStatus: 409 });
    script.push((_, respond) => respond(400, { error: { code: 'brand_new', message: 'new' } }));
    const unknown = await client.paymentRequest('mk_key', 'pr_1').catch((error) => error);
    expect(unknown).toMatchObject({ code: 'exchange_error', exchangeStatus: 400 });
    expect(unknown.message).toContain('new');
  });

  it('answers a 5xx as exchange_unavailable, and retries a connection the exchange closed', async () => {
    const client = new ExchangeClient(baseUrl);
    script.push((_, respond) => respond(503));
    const down = await client.whoAmI('mk_key').catch((error) => error);
    expect(down).toBeInstanceOf(ExchangeUnavailable);
    expect(down).toMatchObject({ status: 503, code: 'exchange_unavailable' });
    // The first attempt's connection is closed without an answer: the client tries once more.
    script.push(() => {
      dropped++;
      server.closeAllConnections();
    });
    script.push((_, respond) =>
      respond(200, { id: 'acc_1', kind: 'merchant', displayName: 'Org' }),
    );
    expect(await client.whoAmI('mk_key')).toEqual({
      id: 'acc_1',
      kind: 'merchant',
      displayName: 'Org',
    });
    expect(dropped).toBe(1);
    expect(seen.filter((request) => request.url === '/v1/me')).toHaveLength(3);
  });
});
