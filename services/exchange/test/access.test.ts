/**
 * Access control and the API surface as a whole: every route in the generated OpenAPI document
 * either is public or refuses a caller without a valid token; subscribers cannot reach operator
 * or merchant routes; sign-in attempts are rate limited; /docs serves the document.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';
import { startTestExchange, type TestExchange } from './harness.ts';

describe('the API surface (sqlite)', () => {
  let x: TestExchange;
  beforeAll(async () => {
    x = await startTestExchange('sqlite');
  });
  afterAll(async () => {
    await x?.close();
  });

  interface Operation {
    security?: unknown[];
    summary?: string;
  }

  async function operations() {
    const document = (await x.request('GET', '/docs/json')).body as {
      paths: Record<string, Record<string, Operation>>;
    };
    const list: { method: string; path: string; operation: Operation }[] = [];
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(methods))
        list.push({ method, path, operation });
    }
    return list;
  }

  // Fill path parameters with well-formed ids so the request reaches authentication, not 404.
  const concrete = (path: string) => path.replace(/\{id\}/g, 'pr_0000000000000000');

  it('documents every route with a summary, and /docs serves a page', async () => {
    const list = await operations();
    expect(list.length).toBeGreaterThan(15);
    for (const { method, path, operation } of list) {
      expect(operation.summary, `${method} ${path}`).toBeTruthy();
    }
    const page = await x.request('GET', '/docs/');
    expect(page.status).toBe(200);
    expect(page.raw).toContain('<html');
  });

  it('refuses every non-public route without a token, or with a forged one', async () => {
    const publicRoutes = new Set([
      'get /v1/assets',
      'get /health',
      'get /ready',
      'post /v1/auth/codes',
      'post /v1/subscribers',
      'post /v1/auth/sessions',
      'get /dev/sms',
      'get /v1/rates',
      'get /buy',
      'get /v1/buy-page/check',
      // The handoff code is the credential (buy-page/handoff.ts).
      'post /v1/buy-page/handoffs/redeem',
      'get /v1/notifications/stream',
    ]);
    let checked = 0;
    for (const { method, path } of await operations()) {
      if (publicRoutes.has(`${method} ${path}`)) continue;
      const anonymous = await x.request(method.toUpperCase(), concrete(path), { body: {} });
      expect(anonymous.status, `${method} ${path} without a token`).toBe(401);
      const forged = await x.request(method.toUpperCase(), concrete(path), {
        token: 'xs_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
        body: {},
      });
      expect(forged.status, `${method} ${path} with a forged token`).toBe(401);
      checked += 1;
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('keeps persons out of merchant and operator routes, and merchants out of operator routes', async () => {
    const person = await x.signUp('person');
    const shop = await x.signUp('merchant');
    let operatorRoutes = 0;
    for (const { method, path } of await operations()) {
      const url = concrete(path);
      if (path.startsWith('/v1/operator/')) {
        operatorRoutes += 1;
        for (const who of [person, shop]) {
          const response = await x.request(method.toUpperCase(), url, {
            token: who.token,
            body: {},
          });
          expect(response.status, `${method} ${path}`).toBe(403);
        }
      } else if (
        path.startsWith('/v1/merchant/') ||
        (path === '/v1/payment-requests' && method === 'post')
      ) {
        const response = await x.request(method.toUpperCase(), url, {
          token: person.token,
          body: {},
        });
        expect(response.status, `${method} ${path}`).toBe(403);
      }
    }
    expect(operatorRoutes).toBeGreaterThan(0);
  });

  it('signs out: the token stops working at once', async () => {
    const person = await x.signUp('person');
    expect((await x.request('GET', '/v1/me', { token: person.token })).status).toBe(200);
    expect((await x.request('DELETE', '/v1/auth/session', { token: person.token })).status).toBe(
      204,
    );
    expect((await x.request('GET', '/v1/me', { token: person.token })).status).toBe(401);
  });

  it('burns a code after five wrong tries and never reveals whether it was close', async () => {
    const phone = '+821055501234';
    await x.request('POST', '/v1/auth/codes', { body: { phone } });
    const code = x.sms.lastCode(phone) as string;
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) {
      const response = await x.request('POST', '/v1/subscribers', {
        body: { phone, code: wrong, kind: 'person', displayName: 'Guesser' },
      });
      expect(response.body.error.code).toBe('invalid_code');
    }
    const right = await x.request('POST', '/v1/subscribers', {
      body: { phone, code, kind: 'person', displayName: 'Guesser' },
    });
    expect(right.status).toBe(401);
  });

  it('merchant API keys are shown once, work, and stop at once when revoked', async () => {
    const shop = await x.signUp('merchant');
    const created = await x.request('POST', '/v1/merchant/api-keys', {
      token: shop.token,
      body: { label: 'ticketing' },
    });
    expect(created.status).toBe(201);
    const apiKey = created.body.key as string;
    const stored = await x.database.db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', created.body.id)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(stored)).not.toContain(apiKey);
    expect((await x.request('GET', '/v1/me', { token: apiKey })).status).toBe(200);
    const listed = await x.request('GET', '/v1/merchant/api-keys', { token: shop.token });
    expect(JSON.stringify(listed.body)).not.toContain(apiKey);
    // A key cannot mint more keys.
    expect(
      (await x.request('POST', '/v1/merchant/api-keys', { token: apiKey, body: { label: 'x' } }))
        .status,
    ).toBe(403);
    expect(
      (await x.request('DELETE', `/v1/merchant/api-keys/${created.body.id}`, { token: shop.token }))
        .status,
    ).toBe(204);
    expect((await x.request('GET', '/v1/me', { token: apiKey })).status).toBe(401);
  });
});

describe('rate limits and configuration', () => {
  it('limits sign-in code requests per client address', async () => {
    const x = await startTestExchange('sqlite', { EXCHANGE_AUTH_RATE_LIMIT: '3' });
    try {
      const statuses = [];
      for (let i = 0; i < 5; i++) {
        statuses.push(
          (await x.request('POST', '/v1/auth/codes', { body: { phone: `+8210900000${i}0` } }))
            .status,
        );
      }
      expect(statuses).toEqual([202, 202, 202, 429, 429]);
    } finally {
      await x.close();
    }
  });

  it('lists every bad variable at once', () => {
    try {
      loadConfig({
        NODE_ENV: 'production',
        EXCHANGE_PORT: 'eighty',
        EXCHANGE_ASSETS: 'BTC:8,eth:99',
        DATABASE_URL: 'mysql://x',
      });
      expect.unreachable('a bad configuration must throw');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join('\n');
      for (const name of [
        'EXCHANGE_PORT',
        'EXCHANGE_ASSETS',
        'DATABASE_URL',
        'EXCHANGE_SECRET_KEY',
        'EXCHANGE_OPERATOR_TOKEN',
        'EXCHANGE_SMS_URL',
      ]) {
        expect(problems).toContain(name);
      }
    }
  });
});

describe('housekeeping', () => {
  it('forgets idempotency keys after a week, expired codes and sessions, and nothing else', async () => {
    const { sweep } = await import('../src/workers/housekeeping.ts');
    const x = await startTestExchange('sqlite', { EXCHANGE_SESSION_TTL_S: '3600' });
    try {
      const alice = await x.signUp('person');
      const bob = await x.signUp('person');
      await x.fund(alice.accountId, 'USDT', 5_000_000n);
      const k = 'housekeeping-key-1';
      const body = { to: { subscriberId: bob.id }, asset: 'USDT', amount: '1' };
      expect(
        (await x.request('POST', '/v1/transfers', { token: alice.token, key: k, body })).status,
      ).toBe(201);
      expect(await sweep(x.exchange)).toEqual({ idempotencyKeys: 0, phoneCodes: 0, sessions: 0 });
      x.clock.advance(8 * 86_400_000);
      const removed = await sweep(x.exchange);
      expect(removed.idempotencyKeys).toBe(1);
      expect(removed.phoneCodes).toBe(2);
      expect(removed.sessions).toBe(2);
      const entries = await x.database.db.selectFrom('journal_entries').select('id').execute();
      expect(entries).toHaveLength(2);
    } finally {
      await x.close();
    }
  });
});
