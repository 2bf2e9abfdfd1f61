/**
 * Issue 21, item 12: the buyer's app carries its wallet session to the hosted buy page with a
 * one-time handoff code (buy-page/handoff.ts), so a signed-in buyer is not asked for the phone and
 * a new SMS code again. The API on both databases: single use, 60 s, bound to the wallet, the
 * app's session and the merchant, limited; then in Chromium: a handoff in the URL fragment skips
 * sign-in and leaves no trace in the address bar; a spent one falls back to the prefilled
 * number, with the development SMS inbox linked.
 */
import type { AddressInfo } from 'node:net';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shot } from '../../../scripts/test/apps/driver.ts';
import { launchChromium, requireChromium } from '../../../scripts/test/chromium.ts';
import { handoffsLiveMax, handoffTtlMs } from '../src/buy-page/handoff.ts';
import { backends, startTestExchange, type TestExchange } from './harness.ts';

describe.each(backends)('buy page handoff codes on %s', (backend) => {
  let x: TestExchange;
  let merchant: Awaited<ReturnType<TestExchange['signUp']>>;
  let other: Awaited<ReturnType<TestExchange['signUp']>>;
  beforeAll(async () => {
    x = await startTestExchange(backend);
    merchant = await x.signUp('merchant', 'Concert Hall');
    other = await x.signUp('merchant', 'Other Shop');
  });
  afterAll(async () => {
    await x?.close();
  });

  const mint = (token: string, merchantId = merchant.id) =>
    x.request('POST', '/v1/buy-page/handoffs', { token, body: { merchant: merchantId } });
  const redeem = (code: string, merchantId = merchant.id) =>
    x.request('POST', '/v1/buy-page/handoffs/redeem', { body: { code, merchant: merchantId } });

  it("redeems once for a session of the page's own, on the same wallet", async () => {
    const person = await x.signUp('person');
    const minted = await mint(person.token);
    expect(minted.status).toBe(201);
    expect(minted.body.code).toMatch(/^xh_[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(minted.body.expiresAt)).toBe(x.clock.now() + handoffTtlMs);
    // Stored hashed: the code itself is nowhere in the database.
    const rows = await x.database.db.selectFrom('buy_handoffs').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(minted.body.code);
    expect(JSON.stringify(rows)).not.toContain(person.token);

    const redeemed = await redeem(minted.body.code);
    expect(redeemed.status).toBe(201);
    expect(redeemed.body.subscriber).toEqual({
      id: person.id,
      phone: person.phone,
      displayName: expect.any(String),
    });
    const pageToken = redeemed.body.token as string;
    expect(pageToken).toMatch(/^xs_/);
    expect(pageToken).not.toBe(person.token);
    // At most an hour: the page does not get the app's week-long session.
    expect(Date.parse(redeemed.body.expiresAt)).toBe(x.clock.now() + 3_600_000);
    const me = await x.request('GET', '/v1/me', { token: pageToken });
    expect(me.body.id).toBe(person.id);

    const again = await redeem(minted.body.code);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('handoff_used');
    // Signing the page out leaves the app's session alone.
    expect((await x.request('DELETE', '/v1/auth/session', { token: pageToken })).status).toBe(204);
    expect((await x.request('GET', '/v1/me', { token: person.token })).status).toBe(200);
  });

  it('refuses an expired code, another merchant, an unknown code and a malformed one', async () => {
    const person = await x.signUp('person');
    const late = await mint(person.token);
    x.clock.advance(handoffTtlMs);
    const expired = await redeem(late.body.code);
    expect(expired.status).toBe(410);
    expect(expired.body.error).toMatchObject({ code: 'handoff_expired' });

    const elsewhere = await mint(person.token);
    const wrong = await redeem(elsewhere.body.code, other.id);
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('handoff_wrong_merchant');
    // Shown to the wrong page, it is spent: not usable on the right one either.
    expect((await redeem(elsewhere.body.code)).body.error.code).toBe('handoff_used');

    const unknown = await redeem(`xh_${'A'.repeat(43)}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('not_found');
    const malformed = await redeem('my session token');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('invalid_request');
    const noMerchant = await mint(person.token, 'mer_0000000000000000');
    expect(noMerchant.status).toBe(404);
    const personAsMerchant = await mint(person.token, person.id);
    // A person's id is not a merchant's.
    expect(personAsMerchant.status).toBe(400);
  });

  it("dies with the app's session, and is only for signed-in people", async () => {
    const person = await x.signUp('person');
    const minted = await mint(person.token);
    await x.request('DELETE', '/v1/auth/session', { token: person.token });
    const orphan = await redeem(minted.body.code);
    expect(orphan.status).toBe(410);
    expect(orphan.body.error.code).toBe('handoff_expired');

    expect((await mint(merchant.token)).status).toBe(403);
    expect(
      (await x.request('POST', '/v1/buy-page/handoffs', { body: { merchant: merchant.id } }))
        .status,
    ).toBe(401);
  });

  it('lets a wallet hold only a few live codes at once', async () => {
    const person = await x.signUp('person');
    for (let i = 0; i < handoffsLiveMax; i += 1)
      expect((await mint(person.token)).status).toBe(201);
    const refused = await mint(person.token);
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('rate_limited');
    // Once they expire, new ones can be made.
    x.clock.advance(handoffTtlMs);
    expect((await mint(person.token)).status).toBe(201);
  });
});

describe('the buy page with a handoff, in Chromium', { timeout: 90_000 }, () => {
  let x: TestExchange;
  let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
  let context: BrowserContext;
  let origin: string;

  beforeAll(async () => {
    requireChromium();
    x = await startTestExchange('sqlite');
    await x.app.listen({ port: 0, host: '127.0.0.1' });
    origin = `http://127.0.0.1:${(x.app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    context = browser.context;
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await x?.close();
  }, 60_000);

  async function setup() {
    const merchant = await x.signUp('merchant', 'Concert Hall');
    await x.request('PUT', '/v1/merchant/return-urls', {
      token: merchant.token,
      body: { urls: ['https://shop.example/return'] },
    });
    const person = await x.signUp('person');
    await x.fund(person.accountId, 'KRW', 1_000_000n);
    const link = new URL('/buy', origin);
    link.search = new URLSearchParams({
      merchant: merchant.id,
      asset: 'BTC',
      amount: '0.0003',
      returnUrl: 'https://shop.example/return?order=5',
      reference: 'order-5',
    }).toString();
    const page = await context.newPage();
    await page.setViewportSize({ width: 360, height: 640 });
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    return { merchant, person, link, page, requests };
  }

  it('skips the phone and the code, and keeps the code out of the address bar', async () => {
    const { merchant, person, link, page, requests } = await setup();
    const minted = await x.request('POST', '/v1/buy-page/handoffs', {
      token: person.token,
      body: { merchant: merchant.id },
    });
    const fragment = new URLSearchParams({ handoff: minted.body.code, phone: person.phone });
    await page.goto(`${link.href}#${fragment}`);
    await page.locator('#execute').waitFor({ state: 'visible' });
    expect(await page.locator('#signin-phone').isHidden()).toBe(true);
    expect(await page.locator('#signed-in-as').textContent()).toBe(`Signed in as ${person.phone}`);
    expect(await page.locator('#short').textContent()).toBe('0.0003 BTC');
    // The fragment is gone from the address bar and the history entry; no request carried it.
    expect(new URL(page.url()).hash).toBe('');
    expect(await page.evaluate(() => location.href)).toBe(link.href);
    expect(requests.filter((url) => url.includes(minted.body.code))).toEqual([]);
    await shot(page, 'buy-page-handoff');
    await page.close();
  });

  it('falls back to the prefilled number and links the SMS inbox when the code is spent', async () => {
    const { merchant, person, link, page } = await setup();
    const minted = await x.request('POST', '/v1/buy-page/handoffs', {
      token: person.token,
      body: { merchant: merchant.id },
    });
    x.clock.advance(handoffTtlMs);
    const fragment = new URLSearchParams({ handoff: minted.body.code, phone: person.phone });
    await page.goto(`${link.href}#${fragment}`);
    await page.locator('#signin-phone').waitFor({ state: 'visible' });
    expect(await page.locator('#phone').inputValue()).toBe(person.phone);
    expect(await page.locator('#message').textContent()).toContain(
      'could not be carried over from the app',
    );
    // One tap: the send button has the focus.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('send-code');
    await shot(page, 'buy-page-prefilled-phone');
    await page.click('#send-code');
    const inbox = page.locator('#dev-inbox');
    await inbox.waitFor({ state: 'visible' });
    expect(await inbox.textContent()).toBe('Development: the code is in the SMS inbox.');
    expect(await inbox.getAttribute('href')).toBe(
      `/dev/sms?phone=${encodeURIComponent(person.phone)}`,
    );
    await shot(page, 'buy-page-prefilled-inbox');
    const [tab] = await Promise.all([context.waitForEvent('page'), inbox.click()]);
    await tab.waitForLoadState();
    const lastCode = JSON.parse(await tab.locator('body').innerText()).lastCode as string;
    await tab.close();
    expect(lastCode).toBe(x.sms.lastCode(person.phone));
    await page.fill('#code', lastCode);
    await page.click('#sign-in');
    await page.locator('#execute').waitFor({ state: 'visible' });
    await page.close();
  });
});
