/**
 * The apps' shared browser code that runs in Node as well: the servers' clock learnt from `Date`
 * headers, the HTTP client's errors, and the languages' placeholders and browser rule.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import createClient from 'openapi-fetch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, answers, call, NetworkError } from '../src/http.ts';
import { createI18n, fillPlaceholders, firstSpoken } from '../src/i18n.ts';
import { noteServerDate, serverClockOffsetMs, serverNowMs } from '../src/server-clock.ts';

describe("the servers' clock", () => {
  it('corrects a phone clock that is off by more than two seconds, and ignores noise', () => {
    const sent = Date.now();
    // The server says it is 90 s later than the phone thinks (the phone is slow).
    noteServerDate(new Date(sent + 90_000).toUTCString(), sent, sent + 40);
    expect(Math.abs(serverClockOffsetMs() - 90_000)).toBeLessThan(1_600);
    expect(Math.abs(serverNowMs() - (Date.now() + 90_000))).toBeLessThan(1_600);
    // A right clock (the header's second truncated, a short trip) leaves no offset.
    const again = Date.now();
    noteServerDate(new Date(again).toUTCString(), again, again + 30);
    expect(serverClockOffsetMs()).toBe(0);
    // Garbage and absurd headers change nothing.
    noteServerDate(new Date(again + 5 * 86_400_000).toUTCString(), again, again);
    noteServerDate('not a date', again, again);
    noteServerDate(null, again, again);
    expect(serverClockOffsetMs()).toBe(0);
  });
});

describe('the HTTP client', () => {
  let server: Server;
  let baseUrl: string;
  const seen: { method: string; body: string; headers: Record<string, unknown> }[] = [];
  const slow: ServerResponse[] = [];
  let dateHeader: string | undefined;

  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      request.on('end', () => {
        seen.push({ method: request.method ?? '', body, headers: request.headers });
        if (request.url === '/refused') {
          response.writeHead(409, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ error: { code: 'sold_out', message: 'none left' } }));
        } else if (request.url === '/slow') {
          // Never answers: the caller's time limit or abort ends the call.
          slow.push(response);
        } else if (request.url === '/broken') {
          response.writeHead(502);
          response.end('<html>bad gateway</html>');
        } else {
          response.writeHead(200, {
            'content-type': 'application/json',
            ...(dateHeader ? { date: dateHeader } : {}),
          });
          response.end(JSON.stringify({ ok: true }));
        }
      });
    });
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => {
    for (const response of slow) response.destroy();
    return new Promise<void>((closed) => server.close(() => closed()));
  });

  /** A route of each kind the test server has, as the generated types would declare them. */
  interface Answered {
    responses: { 200: { content: { 'application/json': { ok: boolean } } } };
  }
  interface TestPaths {
    '/ok': { post: Answered; get: Answered };
    '/refused': { get: Answered };
    '/broken': { get: Answered };
    '/slow': { get: Answered };
  }
  const clientOf = (url: string) => {
    const client = createClient<TestPaths>({ baseUrl: url });
    client.use(answers);
    return client;
  };

  it('sends JSON with the token and key, and a POST without a body as {}', async () => {
    const client = clientOf(baseUrl);
    expect(
      await call((init) => client.POST('/ok', init), { token: 't0k', idempotencyKey: 'k-1' }),
    ).toEqual({ ok: true });
    expect(seen.at(-1)).toMatchObject({
      method: 'POST',
      body: '{}',
      headers: {
        authorization: 'Bearer t0k',
        'idempotency-key': 'k-1',
        'content-type': 'application/json',
        accept: 'application/json',
      },
    });
    await call((init) => client.GET('/ok', init));
    expect(seen.at(-1)?.body).toBe('');
    expect(seen.at(-1)?.headers['content-type']).toBeUndefined();
  });

  it("turns the server's error into an ApiError, and any other failure into one of ours", async () => {
    const client = clientOf(baseUrl);
    const refused = await call((init) => client.GET('/refused', init)).catch((error) => error);
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({ status: 409, code: 'sold_out', message: 'none left' });
    const broken = await call((init) => client.GET('/broken', init)).catch((error) => error);
    expect(broken).toMatchObject({ status: 502, code: 'http_502' });
    const gone = await call((init) => clientOf('http://127.0.0.1:9').GET('/ok', init)).catch(
      (error) => error,
    );
    expect(gone).toBeInstanceOf(NetworkError);
    expect(gone).toMatchObject({ timedOut: false });
  });

  it('gives up a call that outlives its time limit, and passes on its own abort as it is', async () => {
    const client = clientOf(baseUrl);
    const late = await call((init) => client.GET('/slow', init), { timeoutMs: 50 }).catch(
      (error) => error,
    );
    expect(late).toBeInstanceOf(NetworkError);
    expect(late).toMatchObject({ timedOut: true });
    const mine = new AbortController();
    const aborted = call((init) => client.GET('/slow', init), { signal: mine.signal }).catch(
      (error) => error,
    );
    mine.abort(new Error('left the screen'));
    expect(await aborted).toMatchObject({ message: 'left the screen' });
  });

  it("learns the servers' clock from each answer's Date header", async () => {
    const client = clientOf(baseUrl);
    dateHeader = new Date(Date.now() + 3_600_000).toUTCString();
    try {
      await call((init) => client.GET('/ok', init));
      expect(Math.abs(serverClockOffsetMs() - 3_600_000)).toBeLessThan(2_000);
    } finally {
      dateHeader = undefined;
      await call((init) => client.GET('/ok', init));
    }
    expect(serverClockOffsetMs()).toBe(0);
  });
});

describe('languages', () => {
  const { translate, isMessageKey } = createI18n({
    tables: { en: { hello: 'Hello {name}' }, ko: { hello: '{name}님 안녕하세요' } },
    fallback: 'en',
    locales: { en: 'en-GB', ko: 'ko-KR' },
    storageKey: 'test.lang',
    fromBrowser: () => undefined,
    formats: {},
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(translate('ko', 'hello', { name: '민지' })).toBe('민지님 안녕하세요');
    expect(fillPlaceholders('{count} left')).toBe('{count} left');
    expect(fillPlaceholders('{count} of {max}', { count: 3 })).toBe('3 of {max}');
    expect(isMessageKey('hello')).toBe(true);
    expect(isMessageKey('goodbye')).toBe(false);
  });

  it("takes the first of the browser's languages that the app speaks", () => {
    const pick = firstSpoken(['ko', 'en']);
    expect(pick(['fr-FR', 'ko-KR', 'en-US'])).toBe('ko');
    expect(pick(['en-GB', 'ko'])).toBe('en');
    expect(pick(['fr'])).toBeUndefined();
  });
});
