/**
 * The hosted buy page: the return-URL allowlist as parsed URLs, the server-side link check, the
 * page's security headers, and one real run in headless Chromium from sign-in to the merchant's
 * return URL. The browser may reach only the exchange and the merchant's tiny local server.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, requireChromium } from '../../../scripts/test/chromium.ts';
import { returnUrlAllowed } from '../src/buy-page/check.ts';
import { prefersKorean } from '../src/buy-page/page.ts';
import { backends, startTestExchange, type TestExchange } from './harness.ts';

describe('return URL allowlist', () => {
  const prefixes = ['https://shop.example/return', 'https://tickets.example/'];
  it.each([
    'https://shop.example/return',
    'https://shop.example/return?order=7',
    'https://shop.example/return/done#top',
    'HTTPS://SHOP.EXAMPLE/return',
    'https://shop.example:443/return',
    'https://tickets.example/',
    'https://tickets.example/any/path?x=1',
  ])('allows %s', (url) => {
    expect(returnUrlAllowed(url, prefixes)).toBe(true);
  });

  it.each([
    'https://shop.example.evil.com/return',
    'https://shop.example@evil.com/return',
    'https://evil.com/https://shop.example/return',
    'https://evil.com/?https://shop.example/return',
    'https://shop.example/returns',
    'https://shop.example/return/../admin',
    'https://shop.example/return%2F..%2F..%2Fadmin',
    'https://shop.example/',
    'http://shop.example/return',
    'https://shop.example:8443/return',
    'https://user:secret@shop.example/return',
    'https://tickets.example.evil.com/',
    'javascript:alert(1)//https://shop.example/return',
    '//shop.example/return',
    'shop.example/return',
    '',
  ])('refuses %s', (url) => {
    expect(returnUrlAllowed(url, prefixes)).toBe(false);
  });

  it('compares origins, not string prefixes', () => {
    // The classic mistake: "https://shop.example.evil.com".startsWith("https://shop.example").
    expect('https://shop.example.evil.com'.startsWith('https://shop.example')).toBe(true);
    expect(returnUrlAllowed('https://shop.example.evil.com', ['https://shop.example'])).toBe(false);
    expect(returnUrlAllowed('https://shop.example/anything', ['https://shop.example'])).toBe(true);
    expect(returnUrlAllowed('https://shop.example/x', [])).toBe(false);
    expect(returnUrlAllowed('https://shop.example/x', ['not a url'])).toBe(false);
  });

  it('reads Accept-Language by preference', () => {
    expect(prefersKorean('ko-KR,ko;q=0.9,en-US;q=0.8')).toBe(true);
    expect(prefersKorean('en-US,en;q=0.9,ko;q=0.8')).toBe(false);
    expect(prefersKorean('en;q=0.5, ko;q=0.9')).toBe(true);
    expect(prefersKorean('kok')).toBe(false);
    expect(prefersKorean(undefined)).toBe(false);
  });
});

describe.each(backends)('buy page links on %s', (backend) => {
  let x: TestExchange;
  let merchant: Awaited<ReturnType<TestExchange['signUp']>>;
  let person: Awaited<ReturnType<TestExchange['signUp']>>;
  beforeAll(async () => {
    x = await startTestExchange(backend);
    merchant = await x.signUp('merchant', 'Concert Hall');
    person = await x.signUp('person');
    const set = await x.request('PUT', '/v1/merchant/return-urls', {
      token: merchant.token,
      body: { urls: ['https://shop.example/return'] },
    });
    expect(set.status).toBe(200);
  });
  afterAll(async () => {
    await x?.close();
  });

  const query = (params: Record<string, string>) => new URLSearchParams(params).toString();
  const good = () => ({
    merchant: merchant.id,
    asset: 'BTC',
    amount: '0.0003',
    returnUrl: 'https://shop.example/return?order=9',
  });

  it('checks the merchant, asset, amount and return URL', async () => {
    const ok = await x.request('GET', `/v1/buy-page/check?${query(good())}`);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({
      allowed: true,
      code: null,
      message: null,
      merchant: { id: merchant.id, displayName: 'Concert Hall' },
    });
    const refusals: [Record<string, string>, string][] = [
      [{ ...good(), returnUrl: 'https://shop.example.evil.com/return' }, 'return_url_not_allowed'],
      [{ ...good(), returnUrl: 'https://shop.example@evil.com/return' }, 'return_url_not_allowed'],
      [{ ...good(), returnUrl: 'https://shop.example/returnx' }, 'return_url_not_allowed'],
      [{ ...good(), merchant: 'mer_0000000000000000' }, 'unknown_merchant'],
      // A person is not a merchant, even with a valid id.
      [{ ...good(), merchant: person.id }, 'unknown_merchant'],
      [{ ...good(), asset: 'KRW' }, 'invalid_asset'],
      [{ ...good(), asset: 'DOGE' }, 'invalid_asset'],
      [{ ...good(), amount: '0' }, 'invalid_amount'],
      [{ ...good(), amount: '0.000000001' }, 'invalid_amount'],
      [{ ...good(), amount: '-1' }, 'invalid_amount'],
      [{ merchant: merchant.id, asset: 'BTC', amount: '1' }, 'missing_parameter'],
    ];
    for (const [params, code] of refusals) {
      const response = await x.request('GET', `/v1/buy-page/check?${query(params)}`);
      expect(response.status, JSON.stringify(params)).toBe(200);
      expect(response.body, JSON.stringify(params)).toMatchObject({ allowed: false, code });
    }
  });

  it('serves the page with a nonce CSP, no framing, and nothing from elsewhere', async () => {
    const page = await x.request(
      'GET',
      `/buy?${query({ ...good(), reference: 'order-9</script><script>alert(1)</script>' })}`,
    );
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['cache-control']).toBe('no-store');
    const csp = String(page.headers['content-security-policy']);
    const nonce = /script-src 'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    // Every executable script and style carries the nonce; the config is an inert data block.
    const scripts = [...page.raw.matchAll(/<script([^>]*)>/g)].map((m) => m[1]);
    expect(scripts).toEqual([' type="application/json" id="buy-config"', ` nonce="${nonce}"`]);
    expect([...page.raw.matchAll(/<style([^>]*)>/g)].map((m) => m[1])).toEqual([
      ` nonce="${nonce}"`,
    ]);
    // Nothing is loaded from anywhere: the only link is the empty inline icon.
    expect([...page.raw.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((m) => m[1])).toEqual([
      'data:,',
    ]);
    expect(page.raw).not.toMatch(/\sstyle=|\son[a-z]+=/);
    // The hostile reference stays inside the JSON, escaped.
    expect(page.raw).not.toContain('</script><script>alert(1)');
    const config = JSON.parse(
      /<script type="application\/json" id="buy-config">(.*?)<\/script>/s.exec(page.raw)?.[1] ?? '',
    );
    expect(config).toEqual({
      merchant: { id: merchant.id, displayName: 'Concert Hall' },
      asset: 'BTC',
      scale: 8,
      amount: '0.0003',
      returnUrl: 'https://shop.example/return?order=9',
      reference: 'order-9</script><script>alert(1)</script>',
      fiat: 'KRW',
      fiatScale: 0,
      sandbox: true,
      devInbox: true,
    });
    const other = await x.request('GET', `/buy?${query({ ...good(), reference: 'order-9' })}`);
    expect(other.headers['content-security-policy']).not.toBe(csp);
  });

  it('answers a bad link with a 400 HTML page that says why, never a redirect', async () => {
    const cases: [Record<string, string>, string, string][] = [
      [
        { ...good(), reference: 'o-1', returnUrl: 'https://shop.example.evil.com/return' },
        'return_url_not_allowed',
        'not one the shop has registered',
      ],
      [
        { ...good(), reference: 'o-1', merchant: 'mer_0000000000000000' },
        'unknown_merchant',
        'not a merchant of this exchange',
      ],
      [{ ...good(), reference: 'o-1', amount: 'lots' }, 'invalid_amount', 'not a valid'],
      [good(), 'missing_parameter', 'missing its reference'],
    ];
    for (const [params, code, text] of cases) {
      const response = await x.request('GET', `/buy?${query(params)}`);
      expect(response.status, code).toBe(400);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      expect(response.headers.location).toBeUndefined();
      expect(response.headers['x-frame-options']).toBe('DENY');
      expect(String(response.headers['content-security-policy'])).toContain("default-src 'none'");
      expect(response.raw).toContain(`data-code="${code}"`);
      expect(response.raw).toContain(text);
      expect(response.raw).not.toContain('<script');
    }
    const korean = await x.request(
      'GET',
      `/buy?${query({ ...good(), reference: 'o-1', returnUrl: 'https://evil.example/' })}`,
      { headers: { 'accept-language': 'ko-KR,ko;q=0.9' } },
    );
    expect(korean.status).toBe(400);
    expect(korean.raw).toContain('<html lang="ko">');
    expect(korean.raw).toContain('상점이 등록한 주소가 아니므로');
    const repeated = await x.request(
      'GET',
      `/buy?${query(good())}&reference=a&merchant=${merchant.id}`,
    );
    expect(repeated.status).toBe(400);
    expect(repeated.headers['content-type']).toMatch(/^text\/html/);
  });
});

describe('the buy page in Chromium', { timeout: 90_000 }, () => {
  let x: TestExchange;
  let shop: Server;
  let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
  let context: BrowserContext;
  let origin: string;
  let shopOrigin: string;
  const shopRequests: string[] = [];

  beforeAll(async () => {
    requireChromium();
    x = await startTestExchange('sqlite');
    await x.app.listen({ port: 0, host: '127.0.0.1' });
    origin = `http://127.0.0.1:${(x.app.server.address() as AddressInfo).port}`;
    shop = createServer((request, response) => {
      shopRequests.push(request.url ?? '');
      response
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end('<!doctype html><title>shop</title><p>Thank you</p>');
    });
    await new Promise<void>((resolve) => shop.listen(0, '127.0.0.1', resolve));
    shopOrigin = `http://127.0.0.1:${(shop.address() as AddressInfo).port}`;

    browser = await launchChromium();
    context = browser.context;
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (shop ? shop.close(() => resolve()) : resolve()));
    await x?.close();
  }, 60_000);

  it('signs in, buys the shortfall at a quoted price and returns to the shop funded', async () => {
    if (!context) throw new Error('no browser');
    const merchant = await x.signUp('merchant', 'Concert Hall');
    await x.request('PUT', '/v1/merchant/return-urls', {
      token: merchant.token,
      body: { urls: [`${shopOrigin}/return`] },
    });
    const person = await x.signUp('person');
    await x.fund(person.accountId, 'KRW', 1_000_000n);
    // The wallet already holds 0.0001 BTC, so the page buys the 0.0002 BTC shortfall.
    await x.fund(person.accountId, 'BTC', 10_000n);

    const offOrigin: string[] = [];
    await context.route(
      (url) => url.origin !== origin && url.origin !== shopOrigin,
      (route) => {
        offOrigin.push(route.request().url());
        return route.abort();
      },
    );
    const page = context.pages()[0] ?? (await context.newPage());
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });

    const link = new URL('/buy', origin);
    link.search = new URLSearchParams({
      merchant: merchant.id,
      asset: 'BTC',
      amount: '0.0003',
      returnUrl: `${shopOrigin}/return?order=77`,
      reference: 'order-77',
    }).toString();
    await page.goto(link.href);
    expect(await page.locator('#title').textContent()).toBe('Buy BTC');

    await page.fill('#phone', person.phone);
    await page.click('#send-code');
    await page.locator('#code').waitFor({ state: 'visible' });
    const code = x.sms.lastCode(person.phone);
    expect(code).toMatch(/^[0-9]{6}$/);
    await page.fill('#code', code as string);
    await page.click('#sign-in');

    // Rate 95000000 × 1.005 = 95475000; 0.0002 × that = 19095 KRW; fee ⌈19.095⌉ = 20.
    const execute = page.locator('#execute');
    await execute.waitFor({ state: 'visible' });
    expect(await page.locator('#short').textContent()).toBe('0.0002 BTC');
    expect(await page.locator('#q-crypto').textContent()).toBe('0.0002 BTC');
    expect(await page.locator('#q-fee').textContent()).toBe('20 KRW');
    expect(await page.locator('#q-total').textContent()).toBe('19,115 KRW');
    expect(await page.locator('#countdown').textContent()).toMatch(/held for [0-9]+ s/);
    expect(await page.evaluate(() => sessionStorage.getItem('tessera.buy.token'))).toMatch(/^xs_/);

    await execute.click();
    await page.waitForURL((url) => url.origin === shopOrigin, { timeout: 15_000 });
    const landed = new URL(page.url());
    expect(landed.pathname).toBe('/return');
    expect(landed.searchParams.get('order')).toBe('77');
    expect(landed.searchParams.get('reference')).toBe('order-77');
    expect(landed.searchParams.get('status')).toBe('funded');
    expect(shopRequests).toContain(landed.pathname + landed.search);

    const wallet = await x.request('GET', '/v1/wallet', { token: person.token });
    const held = (asset: string) =>
      wallet.body.balances.find((b: { asset: string }) => b.asset === asset)?.amount;
    expect(held('BTC')).toBe('0.0003');
    expect(held('KRW')).toBe('980885');
    expect(pageErrors).toEqual([]);
    expect(offOrigin).toEqual([]);
  });
});
