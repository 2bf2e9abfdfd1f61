/**
 * The service frame (http.ts) as both servers get it: /metrics for the operator only, a close
 * that finishes in-flight requests and ends live streams, and log lines that are one JSON object
 * each and carry no secret.
 */
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { configureServiceApp, createFastify } from '../src/http.ts';

const operatorToken = 'operator-token-for-tests';

/** The frame with an operator check, a slow route, a live stream and a failing route. */
async function frame(logLines?: string[]) {
  const app = createFastify({
    logLevel: logLines ? 'info' : 'silent',
    ...(logLines ? { logStream: { write: (line: string) => logLines.push(line) } } : {}),
  });
  let release: () => void = () => {};
  await configureServiceApp(app, {
    publicUrl: 'http://127.0.0.1',
    title: 't',
    description: 'd',
    corsOrigins: [],
    async authorize(request, access) {
      if (request.headers.authorization !== `Bearer ${operatorToken}`)
        throw Object.assign(new Error('send a token'), { statusCode: 401 });
      if (access !== 'operator') throw Object.assign(new Error('no'), { statusCode: 403 });
    },
    async ready() {},
    metricsAccess: 'operator',
  });
  app.get('/slow', { config: { access: 'public' } }, async () => {
    await new Promise<void>((resolve) => {
      release = resolve;
    });
    return { finished: true };
  });
  app.get('/stream', { config: { access: 'public' } }, async (_request, reply) => {
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream' });
    reply.raw.write(': connected\n\n');
  });
  app.post('/v1/cards', { config: { access: 'public' } }, async () => {
    throw new Error('the card processor is down');
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return { app, base, release: () => release() };
}

describe('the service frame', () => {
  it('serves /metrics to the operator token only', async () => {
    const { app, base } = await frame();
    try {
      const anonymous = await fetch(`${base}/metrics`);
      expect(anonymous.status).toBe(401);
      const wrong = await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer nope' } });
      expect(wrong.status).toBe(401);
      await fetch(`${base}/health`);
      const scraped = await fetch(`${base}/metrics`, {
        headers: { authorization: `Bearer ${operatorToken}` },
      });
      expect(scraped.status).toBe(200);
      expect(scraped.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      const text = await scraped.text();
      expect(text).toContain('http_requests_total{method="GET",route="/health",status="200"} 1\n');
      expect(text).toContain('http_requests_total{method="GET",route="/metrics",status="401"} 2\n');
    } finally {
      await app.close();
    }
  });

  it('finishes an in-flight request on close, ends live streams at once, refuses new work', async () => {
    const { app, base, release } = await frame();
    const stream = await fetch(`${base}/stream`);
    const reader = stream.body?.getReader();
    expect(new TextDecoder().decode((await reader?.read())?.value)).toContain('connected');
    const slow = fetch(`${base}/slow`).then(async (response) => ({
      status: response.status,
      body: await response.json(),
    }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = performance.now();
    const closed = app.close();
    // The stream ends without its client doing anything.
    let ended = false;
    while (!ended) ended = (await reader?.read())?.done ?? true;
    await expect(fetch(`${base}/health`)).rejects.toThrow();
    setTimeout(release, 200);
    expect(await slow).toEqual({ status: 200, body: { finished: true } });
    await closed;
    // Closed as soon as the slow request finished: its kept-alive connection did not hold the
    // close until the grace period (10 s) cut it.
    expect(performance.now() - started).toBeLessThan(3_000);
  });

  it('logs one JSON object a line, without tokens, query strings or request bodies', async () => {
    const lines: string[] = [];
    const { app, base } = await frame(lines);
    try {
      await fetch(`${base}/metrics?ticket=stream-ticket-secret`, {
        headers: { authorization: 'Bearer session-token-secret' },
      });
      const failed = await fetch(`${base}/v1/cards`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer xk_api-key-secret' },
        body: JSON.stringify({ cardNumber: '4242424242424242', code: '493817' }),
      });
      expect(failed.status).toBe(500);
      expect(await failed.json()).toEqual({
        error: { code: 'internal_error', message: 'internal error' },
      });
    } finally {
      await app.close();
    }
    const text = lines.join('');
    const entries = text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries.length).toBeGreaterThanOrEqual(5);
    for (const secret of [
      'stream-ticket-secret',
      'session-token-secret',
      'xk_api-key-secret',
      '4242424242424242',
      '493817',
    ])
      expect(text).not.toContain(secret);
    expect(entries).toContainEqual(
      expect.objectContaining({
        msg: 'incoming request',
        req: { method: 'GET', url: '/metrics', remoteAddress: '127.0.0.1' },
      }),
    );
    expect(entries).toContainEqual(
      expect.objectContaining({ msg: 'request completed', res: { statusCode: 401 } }),
    );
    // The unhandled error keeps its cause in the log (one line, stack escaped), not in the answer.
    expect(entries).toContainEqual(
      expect.objectContaining({
        msg: 'unhandled error',
        err: expect.objectContaining({ message: 'the card processor is down' }),
      }),
    );
  });
});
