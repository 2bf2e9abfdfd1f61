/**
 * The circuit breaker in front of the exchange (issue 18, item 3), at the client: a frozen
 * exchange (a proxy that accepts and never answers) costs the first calls their timeout, then
 * calls fail at once with 503 `exchange_unavailable` and a Retry-After without opening a
 * connection, one probe goes out when the circuit half-opens, and the circuit closes as soon as
 * the exchange answers. The breaker's clock is a manual one; only the calls' own short timeout
 * is real time, and nothing is asserted about how long anything took.
 *
 * The calls' timeout is 3 s: long enough that a loaded test machine never times out a call the
 * proxy passes through, short enough that the frozen calls cost seconds, not minutes.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../exchange/src/clock.ts';
import { loadConfig } from '../src/config.ts';
import { ExchangeClient, ExchangeUnavailable } from '../src/exchange-client.ts';
import { startFrozenExchange } from './frozen-exchange.ts';

describe('the exchange client’s circuit breaker', () => {
  let upstream: Server;
  let proxy: Awaited<ReturnType<typeof startFrozenExchange>>;
  let answered = 0;
  beforeAll(async () => {
    upstream = createServer((_request, response) => {
      answered += 1;
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ id: 'm1', kind: 'merchant', displayName: 'Hall' }));
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const address = upstream.address();
    proxy = await startFrozenExchange({
      host: '127.0.0.1',
      port: typeof address === 'object' && address ? address.port : 0,
    });
  });
  afterAll(async () => {
    await proxy?.close();
    await new Promise((resolve) => upstream?.close(resolve));
  });

  const refusal = async (call: Promise<unknown>) => {
    const error = await call.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ExchangeUnavailable);
    return error as ExchangeUnavailable;
  };

  it('opens after repeated timeouts, refuses without calling, probes once half-open, and closes when answered', async () => {
    const clock = new ManualClock();
    const client = new ExchangeClient(proxy.url, proxy.url, {
      timeoutMs: 3_000,
      breaker: { failureThreshold: 3, openMs: 10_000, now: () => clock.now() },
    });
    expect((await client.whoAmI('key')).id).toBe('m1');
    expect(client.availability()).toEqual({ state: 'closed', retryAfterS: 0 });

    proxy.set('hold');
    const before = proxy.requests;
    for (let i = 0; i < 3; i++) {
      const timedOut = await refusal(client.whoAmI('key'));
      expect(timedOut.message).toContain('timeout');
      expect(timedOut.status).toBe(503);
    }
    expect(proxy.requests - before).toBe(3);

    // Open: every call is refused at once, and none reaches the exchange.
    expect(client.availability()).toEqual({ state: 'open', retryAfterS: 10 });
    for (let i = 0; i < 20; i++) {
      const refused = await refusal(client.whoAmI('key'));
      expect(refused.code).toBe('exchange_unavailable');
      expect(refused.message).toContain('circuit open');
      expect(refused.retryAfterS).toBe(10);
    }
    clock.advance(6_500);
    expect((await refusal(client.whoAmI('key'))).retryAfterS).toBe(4);
    expect(proxy.requests - before).toBe(3);

    // Half-open while still frozen: one probe goes out (the call beside it is refused), times
    // out, and the circuit opens again for the whole period.
    clock.advance(3_500);
    expect(client.availability().state).toBe('half_open');
    const probe = refusal(client.whoAmI('key'));
    const beside = await refusal(client.whoAmI('key'));
    expect(beside.message).toContain('circuit open');
    expect((await probe).message).toContain('timeout');
    expect(proxy.requests - before).toBe(4);
    expect(client.availability()).toEqual({ state: 'open', retryAfterS: 10 });

    // The exchange answers again: the next probe closes the circuit, and calls flow.
    proxy.set('pass');
    await refusal(client.whoAmI('key'));
    clock.advance(10_000);
    const answeredBefore = answered;
    expect((await client.whoAmI('key')).id).toBe('m1');
    expect(client.availability()).toEqual({ state: 'closed', retryAfterS: 0 });
    for (let i = 0; i < 5; i++) expect((await client.whoAmI('key')).id).toBe('m1');
    expect(answered - answeredBefore).toBe(6);
  });

  it('counts an answer of any status as the exchange answering: a 4xx or 5xx never opens it', async () => {
    const failing = createServer((_request, response) => {
      response.statusCode = 503;
      response.end('{"error":{"code":"not_ready","message":"down"}}');
    });
    await new Promise<void>((resolve) => failing.listen(0, '127.0.0.1', resolve));
    const address = failing.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const client = new ExchangeClient(url, url, { breaker: { failureThreshold: 2 } });
    for (let i = 0; i < 5; i++) {
      const error = await refusal(client.whoAmI('key'));
      expect(error.message).toContain('status 503');
      expect(error.retryAfterS).toBe(1);
    }
    expect(client.availability().state).toBe('closed');
    await new Promise((resolve) => failing.close(resolve));
  });
});

describe('the exchange breaker’s settings', () => {
  it('come from the environment, within bounds', () => {
    expect(loadConfig({ NODE_ENV: 'test' }).exchangeCalls).toEqual({
      timeoutMs: 10_000,
      failureThreshold: 5,
      openMs: 5_000,
    });
    const set = loadConfig({
      NODE_ENV: 'test',
      TICKETING_EXCHANGE_TIMEOUT_MS: '2500',
      TICKETING_EXCHANGE_BREAKER_FAILURES: '3',
      TICKETING_EXCHANGE_BREAKER_OPEN_MS: '30000',
    });
    expect(set.exchangeCalls).toEqual({ timeoutMs: 2_500, failureThreshold: 3, openMs: 30_000 });
    expect(() =>
      loadConfig({ NODE_ENV: 'test', TICKETING_EXCHANGE_BREAKER_FAILURES: '0' }),
    ).toThrow('TICKETING_EXCHANGE_BREAKER_FAILURES must be an integer from 1 to 1000');
  });
});
