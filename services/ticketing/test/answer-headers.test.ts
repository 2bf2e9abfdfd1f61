/**
 * Every answer of both servers, errors included, carries `X-Content-Type-Options: nosniff` (a
 * browser never sniffs a JSON answer into HTML or script) and `Cache-Control: no-store` (tokens,
 * balances and tickets stay out of browser and shared caches) unless the route chose its own.
 * Walks every route of both OpenAPI documents: without a token (401 or the public answer), with
 * a signed-in user's token (200, 400, 403, 404...), an unknown route (404) and a bad body (400).
 * The headers do not depend on the database, so this runs on SQLite only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listOperations } from '../../../scripts/test/openapi-operations.ts';
import { startTestSystem, type TestSystem } from './harness.ts';

/** Routes that stream (they take the response over and never end by themselves). */
const streams = new Set(['GET /v1/notifications/stream', 'GET /v1/terminal/feed']);

describe('security headers on every answer', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startTestSystem('sqlite');
  });
  afterAll(async () => {
    await system?.close();
  });

  function expectProtected(
    answer: { status: number; headers: Record<string, unknown> },
    what: string,
  ) {
    expect(answer.headers['x-content-type-options'], what).toBe('nosniff');
    expect(answer.headers['cache-control'], what).toBe('no-store');
  }

  it('on every route of both servers, with and without a token', async () => {
    const buyer = await system.signIn();
    const person = await system.x.signUp('person');
    const servers = [
      { name: 'ticketing', app: system.app, request: system.request, token: buyer.token },
      { name: 'exchange', app: system.x.app, request: system.x.request, token: person.token },
    ];
    const statuses = new Set<number>();
    for (const server of servers) {
      const operations = await listOperations(server.app);
      expect(operations.length).toBeGreaterThan(15);
      for (const { method, path, url } of operations) {
        if (path.startsWith('/docs')) continue;
        const what = `${server.name} ${method} ${path}`;
        const body = method === 'GET' || method === 'DELETE' ? undefined : {};
        const anonymous = await server.request(method, url, { body });
        statuses.add(anonymous.status);
        expectProtected(anonymous, `${what} without a token (${anonymous.status})`);
        if (streams.has(`${method} ${path}`)) continue;
        const signedIn = await server.request(method, url, { body, token: server.token });
        statuses.add(signedIn.status);
        expectProtected(signedIn, `${what} signed in (${signedIn.status})`);
      }
    }
    // The walk met successes and the error answers alike.
    for (const status of [200, 400, 401, 403, 404]) expect(statuses).toContain(status);
  });

  it('on an unknown route, a malformed body and a bad token', async () => {
    for (const request of [system.request, system.x.request]) {
      const missing = await request('GET', '/v1/no-such-route');
      expect(missing.status).toBe(404);
      expectProtected(missing, 'unknown route');
      const malformed = await request('POST', '/v1/auth/codes', {
        body: '{not json',
        headers: { 'content-type': 'application/json' },
      });
      expect(malformed.status).toBe(400);
      expectProtected(malformed, 'malformed body');
      const invalid = await request('POST', '/v1/auth/codes', { body: { phone: 12 } });
      expect(invalid.status).toBe(400);
      expectProtected(invalid, 'invalid body');
      const forged = await request('GET', '/v1/me', { token: 'forged' });
      expect(forged.status).toBe(401);
      expectProtected(forged, 'forged token');
      const health = await request('GET', '/health');
      expect(health.status).toBe(200);
      expectProtected(health, 'health');
    }
  });
});
