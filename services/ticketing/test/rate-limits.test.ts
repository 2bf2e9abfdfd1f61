/**
 * The ticketing server's sign-in limits behind the load balancer and across instances: two
 * instances on one database count in the same bucket, and with TRUSTED_PROXIES each buyer behind
 * the proxy has a bucket of their own. (The exchange's rate-limits.test.ts and
 * sign-in-codes.test.ts cover the Redis store and the sign-in code limits in depth.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { createTicketing } from '../src/context.ts';
import { allRoutes } from '../src/routes.ts';
import { backends, startTestSystem, type TestSystem } from './harness.ts';

const closing: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closing.splice(0).reverse()) await close();
});

async function secondInstance(system: TestSystem) {
  const app = await buildApp(createTicketing({ ...system.ticketing }), allRoutes);
  closing.push(() => app.close());
  return app;
}

type AnyApp = TestSystem['app'];

async function askCode(app: AnyApp, phone: string, from: { peer?: string; client?: string } = {}) {
  const response = await app.inject({
    method: 'POST',
    url: '/v1/auth/codes',
    payload: { phone },
    ...(from.peer ? { remoteAddress: from.peer } : {}),
    headers: from.client ? { 'x-forwarded-for': from.client } : {},
  });
  return { status: response.statusCode, retryAfter: response.headers['retry-after'] };
}

describe.each(backends)('ticketing rate limits on %s', (backend) => {
  it('two instances on one database share the sign-in bucket: the 4th request, to B after 3 to A, is refused', async () => {
    const system = await startTestSystem(backend, { TICKETING_AUTH_RATE_LIMIT: '3' });
    closing.push(() => system.close());
    const b = await secondInstance(system);
    for (let i = 0; i < 3; i++) {
      expect((await askCode(system.app, system.newPhone())).status).toBe(202);
    }

    const refused = await askCode(b as AnyApp, system.newPhone());

    expect(refused.status).toBe(429);
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    system.clock.advance(60_000);
    expect((await askCode(b as AnyApp, system.newPhone())).status).toBe(202);
  });

  it('behind a trusted proxy, buyers get their own buckets and a spoofed header from elsewhere is ignored', async () => {
    const system = await startTestSystem(backend, {
      TICKETING_AUTH_RATE_LIMIT: '2',
      TRUSTED_PROXIES: '10.0.0.0/8',
    });
    closing.push(() => system.close());
    const proxy = (client: string) => ({ peer: '10.0.0.2', client });
    expect((await askCode(system.app, system.newPhone(), proxy('198.51.100.1'))).status).toBe(202);
    expect((await askCode(system.app, system.newPhone(), proxy('198.51.100.1'))).status).toBe(202);
    expect((await askCode(system.app, system.newPhone(), proxy('198.51.100.1'))).status).toBe(429);
    expect((await askCode(system.app, system.newPhone(), proxy('198.51.100.2'))).status).toBe(202);

    const spoof = (client: string) => ({ peer: '203.0.113.9', client });
    expect((await askCode(system.app, system.newPhone(), spoof('198.51.100.3'))).status).toBe(202);
    expect((await askCode(system.app, system.newPhone(), spoof('198.51.100.4'))).status).toBe(202);
    expect((await askCode(system.app, system.newPhone(), spoof('198.51.100.5'))).status).toBe(429);
  });
});
