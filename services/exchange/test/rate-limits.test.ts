/**
 * Rate limits as they run in production: behind a proxy (TRUSTED_PROXIES), across instances
 * (buckets in the database, or in Redis with REDIS_URL), and the sign-in code limits that keep
 * SMS pumping expensive without locking an ordinary user out. Time is the harness's manual
 * clock; nothing sleeps.
 */
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { createExchange } from '../src/context.ts';
import { allRoutes } from '../src/routes.ts';
import { type Backend, backends, startTestExchange, type TestExchange } from './harness.ts';

const closing: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closing.splice(0).reverse()) await close();
});

async function start(backend: Backend, env: Record<string, string>) {
  const x = await startTestExchange(backend, env);
  closing.push(() => x.close());
  return x;
}

/** A second instance of the same server on the same database (and clock), as behind a balancer. */
async function secondInstance(x: TestExchange) {
  const app = await buildApp(createExchange({ ...x.exchange }), allRoutes);
  closing.push(() => app.close());
  return app;
}

type AnyApp = TestExchange['app'] | Awaited<ReturnType<typeof secondInstance>>;

async function askCode(
  app: AnyApp,
  phone: string,
  from: { peer?: string; forwardedFor?: string } = {},
) {
  const response = await app.inject({
    method: 'POST',
    url: '/v1/auth/codes',
    payload: { phone },
    ...(from.peer ? { remoteAddress: from.peer } : {}),
    headers: from.forwardedFor ? { 'x-forwarded-for': from.forwardedFor } : {},
  });
  return {
    status: response.statusCode,
    retryAfter: response.headers['retry-after'],
    body: response.json() as { error?: { code: string; message: string } },
  };
}

let phoneSeed = 0;
/** A number of its own prefix, so that only the limit under test counts. */
function freshPhone() {
  phoneSeed += 1;
  return `+1${String(200 + (phoneSeed % 700))}${String(1_000_000 + Math.floor(Math.random() * 8_999_999)).slice(-7)}`;
}

describe.each(backends)('rate limits on %s', (backend) => {
  it('two instances on one database share a bucket: the 4th request, to B after 3 to A, is refused', async () => {
    const x = await start(backend, { EXCHANGE_AUTH_RATE_LIMIT: '3' });
    const b = await secondInstance(x);
    for (let i = 0; i < 3; i++) expect((await askCode(x.app, freshPhone())).status).toBe(202);

    const refused = await askCode(b, freshPhone());

    expect(refused.status).toBe(429);
    expect(refused.body.error?.code).toBe('rate_limited');
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    expect(Number(refused.retryAfter)).toBeLessThanOrEqual(60);
    expect(refused.body.error?.message).toMatch(/try again in \d+ seconds/);
    // The window is the shared clock's: a minute later both instances serve again.
    x.clock.advance(60_000);
    expect((await askCode(b, freshPhone())).status).toBe(202);
    expect((await askCode(x.app, freshPhone())).status).toBe(202);
  });

  it('counts concurrent requests on two instances exactly: 5 of 24 pass a limit of 5', async () => {
    const x = await start(backend, { EXCHANGE_AUTH_RATE_LIMIT: '5' });
    const b = await secondInstance(x);
    const answers = await Promise.all(
      Array.from({ length: 24 }, (_, i) => askCode(i % 2 ? b : x.app, freshPhone())),
    );
    expect(answers.filter((answer) => answer.status === 202)).toHaveLength(5);
    expect(answers.filter((answer) => answer.status === 429)).toHaveLength(19);
  });

  it('behind a trusted proxy, two clients (different X-Forwarded-For) get separate buckets', async () => {
    const x = await start(backend, {
      EXCHANGE_AUTH_RATE_LIMIT: '2',
      TRUSTED_PROXIES: '10.0.0.0/8, 192.0.2.7',
    });
    const viaProxy = (client: string) => ({ peer: '10.1.2.3', forwardedFor: client });
    expect((await askCode(x.app, freshPhone(), viaProxy('198.51.100.1'))).status).toBe(202);
    expect((await askCode(x.app, freshPhone(), viaProxy('198.51.100.1'))).status).toBe(202);
    expect((await askCode(x.app, freshPhone(), viaProxy('198.51.100.1'))).status).toBe(429);

    // Another buyer behind the same load balancer is not refused for the first one's requests.
    expect((await askCode(x.app, freshPhone(), viaProxy('198.51.100.2'))).status).toBe(202);
    // Through the other trusted proxy: the same client, the same bucket.
    const other = { peer: '192.0.2.7', forwardedFor: '198.51.100.1' };
    expect((await askCode(x.app, freshPhone(), other)).status).toBe(429);
  });

  it('ignores X-Forwarded-For from an untrusted peer: spoofing it does not reset the limit', async () => {
    const x = await start(backend, {
      EXCHANGE_AUTH_RATE_LIMIT: '2',
      TRUSTED_PROXIES: '10.0.0.0/8',
    });
    const spoofed = (i: number) => ({ peer: '203.0.113.9', forwardedFor: `198.51.100.${i}` });
    expect((await askCode(x.app, freshPhone(), spoofed(1))).status).toBe(202);
    expect((await askCode(x.app, freshPhone(), spoofed(2))).status).toBe(202);
    expect((await askCode(x.app, freshPhone(), spoofed(3))).status).toBe(429);
    expect((await askCode(x.app, freshPhone(), spoofed(4))).status).toBe(429);
    // A chain naming a trusted proxy does not help either: the peer itself is not trusted.
    const chain = { peer: '203.0.113.9', forwardedFor: '198.51.100.5, 10.0.0.1' };
    expect((await askCode(x.app, freshPhone(), chain)).status).toBe(429);
  });

  it('prunes buckets whose window has ended', async () => {
    const x = await start(backend, { EXCHANGE_AUTH_RATE_LIMIT: '3' });
    const routeKeys = async () =>
      (
        await x.database.db
          .selectFrom('rate_limits')
          .select('key')
          .where('key', 'like', 'route:%')
          .execute()
      )
        .map((row) => row.key)
        .sort();
    expect((await askCode(x.app, freshPhone(), { peer: '198.51.100.1' })).status).toBe(202);
    expect(await routeKeys()).toEqual(['route:POST /v1/auth/codes|198.51.100.1']);

    x.clock.advance(2 * 60_000);
    expect((await askCode(x.app, freshPhone(), { peer: '198.51.100.2' })).status).toBe(202);

    expect(await routeKeys()).toEqual(['route:POST /v1/auth/codes|198.51.100.2']);
  });

  it('trusts no proxy by default', async () => {
    const x = await start(backend, { EXCHANGE_AUTH_RATE_LIMIT: '1' });
    const viaProxy = (client: string) => ({ peer: '10.1.2.3', forwardedFor: client });
    expect((await askCode(x.app, freshPhone(), viaProxy('198.51.100.1'))).status).toBe(202);
    expect((await askCode(x.app, freshPhone(), viaProxy('198.51.100.2'))).status).toBe(429);
  });
});

describe('the rate-limit configuration', () => {
  it('reads TRUSTED_PROXIES and refuses what is not an address, a CIDR or a proxy-addr name', () => {
    const config = loadConfig({
      NODE_ENV: 'test',
      TRUSTED_PROXIES: ' 10.0.0.0/8, 192.0.2.7 ,fd00::/8,loopback',
    });
    expect(config.trustedProxies).toEqual(['10.0.0.0/8', '192.0.2.7', 'fd00::/8', 'loopback']);
    expect(loadConfig({ NODE_ENV: 'test' }).trustedProxies).toEqual([]);
    expect(() =>
      loadConfig({
        NODE_ENV: 'test',
        TRUSTED_PROXIES: '10.0.0.0/33,proxy.example,*',
        REDIS_URL: 'http://127.0.0.1:6379',
      }),
    ).toThrow(
      /TRUSTED_PROXIES: "10.0.0.0\/33"[\s\S]*"proxy.example"[\s\S]*"\*"[\s\S]*REDIS_URL must be/,
    );
  });
});

/** Whether Redis answers PING at 127.0.0.1:6379 within a second. */
function redisAnswers(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: 6379 });
    const done = (up: boolean) => {
      socket.destroy();
      resolve(up);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

const redisUp = await redisAnswers();
if (!redisUp) {
  console.warn('rate-limits.test.ts: Redis does not answer at 127.0.0.1:6379; Redis test skipped');
}

describe.skipIf(!redisUp)(
  'rate limits in Redis (REDIS_URL; skipped when Redis does not answer at 127.0.0.1:6379)',
  () => {
    it('two instances with their own databases share a bucket through Redis', async () => {
      const env = {
        EXCHANGE_AUTH_RATE_LIMIT: '3',
        REDIS_URL: 'redis://127.0.0.1:6379',
        REDIS_PREFIX: `tessera-test-${randomBytes(6).toString('hex')}:`,
      };
      // Two databases: only Redis can make them count together.
      const a = await start('sqlite', env);
      const b = await start('sqlite', env);
      for (let i = 0; i < 3; i++) expect((await askCode(a.app, freshPhone())).status).toBe(202);

      const refused = await askCode(b.app, freshPhone());

      expect(refused.status).toBe(429);
      expect(refused.body.error?.code).toBe('rate_limited');
      expect(Number(refused.retryAfter)).toBeGreaterThan(0);
      // The route's buckets are not in the databases (the sign-in code limits are, by design).
      const routeBuckets = await a.database.db
        .selectFrom('rate_limits')
        .select('key')
        .where('key', 'like', 'route:%')
        .execute();
      expect(routeBuckets).toEqual([]);
    });
  },
);
