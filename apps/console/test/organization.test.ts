/**
 * The organization's own screens in headless Chromium against the real servers, on both
 * databases (issue 19 items 2, 3, 7): a new person creates an organization and links its wallet
 * through the exchange's own sign-in, opening the merchant account on the way, and sees its
 * balances with their fiat value, while the API key never reaches the browser's storage; the
 * owner adds a box office member, who signs in in another browser and sees neither staff, wallet
 * nor keys, and whose own calls the server refuses; the last owner cannot leave; the owner rotates
 * the signing key and retires the old one; the staff screen in Korean.
 */
import type { ErrorCode } from '@tessera/api-client';
import { ApiError } from '@tessera/web-kit/http';
import { displayPhone } from '@tessera/web-kit/phone';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../../scripts/test/chromium.ts';
import { type MessageKey, type Params, translate } from '../src/i18n.ts';
import { codeMessages } from '../src/shell/error-codes.ts';
import { describeError } from '../src/shell/errors.ts';
import * as shellWords from '../src/shell/words.ts';
import { type ConsoleSystem, startConsoleSystem } from './system.ts';

const stepTimeoutMs = 120_000;
const organizationName = 'Mapo Jazz Club';

/** The console session token the page keeps (shell's session.tsx). */
function consoleToken(page: Page): Promise<string> {
  return page.evaluate(
    () => JSON.parse(localStorage.getItem('tessera.console.session') ?? '{}').token as string,
  );
}

describe.each(['sqlite', 'postgres'] as const)('the organization screens on %s', (backend) => {
  let system: ConsoleSystem;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let context: BrowserContext;
  let owner: Page;
  let ownerPhone: string;
  let organizerId: string;

  beforeAll(async () => {
    system = await startConsoleSystem({ backend });
    browser = await launchChromium();
    context = browser.context;
  }, stepTimeoutMs);

  afterAll(async () => {
    await browser?.close();
    await system?.close();
  });

  it(
    'a new person creates an organization, links its wallet through the exchange sign-in and sees its balances',
    async () => {
      owner = await context.newPage();
      ownerPhone = system.newPhone();
      await system.signIn(owner, ownerPhone);
      await owner.getByRole('link', { name: 'Create an organization' }).click();
      await owner.getByLabel('Name').fill(organizationName);
      await owner.getByRole('button', { name: 'Create an organization' }).click();
      await owner.waitForURL(/\/o\/org_[^/]+/);
      organizerId = /\/o\/(org_[^/]+)/.exec(owner.url())?.[1] ?? '';

      await owner.getByRole('link', { name: 'Wallet' }).click();
      await owner.getByText('No wallet is linked yet.').waitFor();
      await owner.getByRole('button', { name: 'Link the wallet' }).click();
      const phoneField = owner.getByLabel('Phone number of the merchant account');
      // The owner's own number is offered, as people write it.
      await expect(phoneField.inputValue()).resolves.toBe(displayPhone(ownerPhone));
      await phoneField.fill('12');
      await owner.getByRole('button', { name: 'Send the exchange code' }).click();
      await owner.getByText('Enter a phone number such as').waitFor();
      await expect(phoneField.getAttribute('aria-invalid')).resolves.toBe('true');
      await phoneField.fill(displayPhone(ownerPhone));
      await expect(owner.getByLabel('Name of a new merchant account').inputValue()).resolves.toBe(
        organizationName,
      );
      await owner.getByRole('button', { name: 'Send the exchange code' }).click();
      // The code form shows once the exchange has sent the code: only then is it in the inbox.
      await owner.getByText(`The exchange sent a code to ${displayPhone(ownerPhone)}.`).waitFor();
      await owner.getByLabel('6-digit code').fill(await system.smsCode('exchange', ownerPhone));
      await owner.getByRole('button', { name: 'Sign in and link' }).click();
      await owner.getByText('The wallet is linked.').waitFor();
      await owner.getByText(/^mer_/).waitFor();

      // Every asset of the new merchant wallet, 0 of each, valued in KRW at the exchange's rate.
      const rows = owner.locator('table.balances tbody tr');
      await rows.first().waitFor();
      expect(await rows.count()).toBeGreaterThan(0);
      for (const row of await rows.all()) {
        const cells = await row.locator('td').allTextContents();
        expect(cells[0]).toMatch(/^0 /);
        expect(cells[1]).toMatch(/^0 KRW$/);
      }

      const record = await system.ticketing(
        'GET',
        `/v1/organizers/${organizerId}`,
        undefined,
        await consoleToken(owner),
      );
      expect(record.status).toBe(200);
      expect(record.body.wallet.merchantName).toBe(organizationName);
      expect(record.body.wallet.merchantId).toMatch(/^mer_/);

      // The exchange session lives in this tab only; the API key in no storage at all.
      const stored = await owner.evaluate(() => ({
        local: JSON.stringify({ ...localStorage }),
        session: JSON.stringify({ ...sessionStorage }),
      }));
      expect(stored.session).toContain(record.body.wallet.merchantId);
      expect(stored.local).not.toContain(record.body.wallet.merchantId);
      expect(`${stored.local}${stored.session}`).not.toContain('xk_');

      // A reload of the tab keeps the exchange sign-in, so the balances stay.
      await owner.reload();
      await owner.locator('table.balances tbody tr').first().waitFor();
      await expect(
        owner.getByRole('button', { name: 'Link another wallet' }).count(),
      ).resolves.toBe(1);

      // Without the exchange session (another tab), the balances ask for the exchange's sign-in.
      await owner.evaluate(() => sessionStorage.clear());
      await owner.reload();
      await owner.getByRole('button', { name: 'Sign in at the exchange to see balances' }).click();
      await expect(owner.getByLabel('Name of a new merchant account').count()).resolves.toBe(0);
      await owner.getByRole('button', { name: 'Send the exchange code' }).click();
      await owner.getByText(`The exchange sent a code to ${displayPhone(ownerPhone)}.`).waitFor();
      await owner.getByLabel('6-digit code').fill(await system.smsCode('exchange', ownerPhone));
      await owner.getByRole('button', { name: 'Sign in', exact: true }).click();
      await owner.locator('table.balances tbody tr').first().waitFor();
      const after = await system.ticketing(
        'GET',
        `/v1/organizers/${organizerId}`,
        undefined,
        await consoleToken(owner),
      );
      // Signing in to see balances changes nothing in the link.
      expect(after.body.wallet).toEqual(record.body.wallet);

      // Signing out of the exchange ends the session there, not only in this tab.
      const exchangeToken = await owner.evaluate(() => {
        const key = Object.keys(sessionStorage).find((name) => name.includes('.exchange.'));
        return JSON.parse(sessionStorage.getItem(key ?? '') ?? '{}').token as string;
      });
      expect((await system.exchange('GET', '/v1/wallet', undefined, exchangeToken)).status).toBe(
        200,
      );
      await owner.getByRole('button', { name: 'Sign out of the exchange' }).click();
      await owner
        .getByRole('button', { name: 'Sign in at the exchange to see balances' })
        .waitFor();
      expect((await system.exchange('GET', '/v1/wallet', undefined, exchangeToken)).status).toBe(
        401,
      );
    },
    stepTimeoutMs,
  );

  it(
    'the owner adds a box office member, who sees only what the role allows; the server refuses them the rest',
    async () => {
      const staffPhone = system.newPhone();
      await owner.getByRole('link', { name: 'Staff' }).click();
      await owner.getByText('What each role may do').waitFor();
      await owner
        .getByText('Sees sales and sells at the door; cannot change events or refund.')
        .waitFor();
      const phoneField = owner.getByLabel('Their phone number');
      await phoneField.fill('010-12');
      await owner.getByRole('button', { name: 'Add to staff' }).click();
      await owner.getByText('Enter a phone number such as').waitFor();
      await expect(phoneField.getAttribute('aria-invalid')).resolves.toBe('true');
      // Typed as people type it; the role is Box office by default.
      await phoneField.fill(displayPhone(staffPhone));
      await owner.getByRole('button', { name: 'Add to staff' }).click();
      await owner.getByText(`${displayPhone(staffPhone)} is on staff as Box office.`).waitFor();
      const roleOf = owner.getByLabel(`Role of ${displayPhone(staffPhone)}`);
      await expect(roleOf.inputValue()).resolves.toBe('box_office');

      const other = await launchChromium();
      try {
        const page = await other.context.newPage();
        await system.signIn(page, staffPhone);
        await page.waitForURL(new RegExp(`/o/${organizerId}`));
        await expect(page.locator('.organization').textContent()).resolves.toContain('Box office');
        const nav = page.getByRole('navigation');
        await nav.getByRole('link', { name: 'Organizations' }).waitFor();
        for (const name of ['Staff', 'Wallet', 'Signing keys']) {
          await expect(nav.getByRole('link', { name, exact: true }).count()).resolves.toBe(0);
        }
        // Opened by its address, the staff screen is not there: the person lands on their home.
        await page.goto(`${system.consoleUrl}/o/${organizerId}/staff`);
        await page.waitForURL((url) => !url.pathname.endsWith('/staff'));
        await expect(page.getByRole('heading', { name: 'Staff' }).count()).resolves.toBe(0);
        await expect(page.getByLabel('Their phone number').count()).resolves.toBe(0);
        const refused = await system.ticketing(
          'PUT',
          `/v1/organizers/${organizerId}/staff/${encodeURIComponent(system.newPhone())}`,
          { role: 'owner' },
          await consoleToken(page),
        );
        expect(refused.status).toBe(403);
      } finally {
        await other.close();
      }

      // The owner changes the member's role, then removes them after a confirmation.
      await roleOf.selectOption('gate');
      const staffNow = async () => {
        const answer = await system.ticketing(
          'GET',
          `/v1/organizers/${organizerId}/staff`,
          undefined,
          await consoleToken(owner),
        );
        return (answer.body.staff as { phone: string; role: string }[]).find(
          (member) => member.phone === staffPhone,
        )?.role;
      };
      await expect.poll(staffNow).toBe('gate');
      const row = owner.locator('tr', { hasText: displayPhone(staffPhone) });
      await row.getByRole('button', { name: 'Remove' }).click();
      await owner.getByText(`Remove ${displayPhone(staffPhone)} from the staff?`).waitFor();
      await owner.getByRole('button', { name: `Remove ${displayPhone(staffPhone)}` }).click();
      await roleOf.waitFor({ state: 'detached' });
      await expect(staffNow()).resolves.toBeUndefined();
    },
    stepTimeoutMs,
  );

  it(
    'the last owner can neither step down nor leave, and is told so in words',
    async () => {
      const me = displayPhone(ownerPhone);
      await owner.getByLabel(`Role of ${me}`).selectOption('manager');
      await owner.getByText('An organization must keep at least one owner').waitFor();
      await expect(owner.getByLabel(`Role of ${me}`).inputValue()).resolves.toBe('owner');
      const row = owner.locator('tr', { hasText: `${me} (you)` });
      await row.getByRole('button', { name: 'Remove' }).click();
      await owner.getByText('Remove yourself from the staff?').waitFor();
      await owner.getByRole('button', { name: `Remove ${me}` }).click();
      await owner.getByText('An organization must keep at least one owner').waitFor();
      await owner.getByRole('button', { name: 'Cancel' }).click();
      await expect(owner.getByLabel(`Role of ${me}`).inputValue()).resolves.toBe('owner');
    },
    stepTimeoutMs,
  );

  it(
    'the owner rotates the signing key, keeps the old one active, then retires it',
    async () => {
      await owner.getByRole('link', { name: 'Signing keys' }).click();
      const rows = owner.locator('table.keys tbody tr');
      await rows.first().waitFor();
      expect(await rows.count()).toBe(1);
      const oldKeyId = (await rows.first().locator('code').textContent()) ?? '';
      await owner.getByText('The only active key cannot be retired').waitFor();
      await expect(owner.getByRole('button', { name: 'Retire' }).count()).resolves.toBe(0);

      await owner.getByRole('button', { name: 'Rotate the signing key' }).click();
      await owner.getByRole('button', { name: 'Add a new key' }).click();
      await owner.getByText('new tickets are signed with it').waitFor();
      await expect.poll(() => rows.count()).toBe(2);
      const oldRow = owner.locator(`tr[data-key="${oldKeyId}"]`);
      await expect(oldRow.locator('td').nth(1).textContent()).resolves.toBe('Active');

      await oldRow.getByRole('button', { name: 'Retire' }).click();
      await owner.getByText(`Retiring key ${oldKeyId} makes gates refuse every ticket`).waitFor();
      await owner.getByRole('button', { name: `Retire key ${oldKeyId}` }).click();
      await expect.poll(() => oldRow.locator('td').nth(1).textContent()).toBe('Retired');
      await expect(oldRow.locator('td').nth(3).textContent()).resolves.not.toBe('—');

      const record = await system.ticketing(
        'GET',
        `/v1/organizers/${organizerId}`,
        undefined,
        await consoleToken(owner),
      );
      const statuses = Object.fromEntries(
        (record.body.keys as { keyId: string; status: string }[]).map((key) => [
          key.keyId,
          key.status,
        ]),
      );
      expect(Object.keys(statuses)).toHaveLength(2);
      expect(statuses[oldKeyId]).toBe('retired');
      expect(Object.values(statuses)).toContain('active');
    },
    stepTimeoutMs,
  );

  it(
    'shows the staff screen in Korean',
    async () => {
      await owner.getByRole('link', { name: 'Staff' }).click();
      await owner.getByText('What each role may do').waitFor();
      await owner.getByLabel('Language').selectOption('ko');
      await owner.getByRole('heading', { name: '스태프', exact: true }).waitFor();
      await owner.getByText('역할별로 할 수 있는 일').waitFor();
      await owner.getByRole('button', { name: '스태프로 추가' }).click();
      await owner.getByText('필수 항목입니다.').waitFor();
      await expect(owner.locator('html').getAttribute('lang')).resolves.toBe('ko');
      await owner.getByLabel('언어').selectOption('en');
      await owner.close();
    },
    stepTimeoutMs,
  );
});

/**
 * The console's error words, without a browser: every code an organizer's screens can meet is
 * worded (a refusal in words, never a raw code), both languages keep the same placeholders (a
 * Korean message that dropped `{message}` would lose the server's sentence naming the field),
 * and describeError puts the server's sentence where a message asks for it.
 */
describe('the console error words', () => {
  const organizerCodes = [
    'last_owner',
    'last_key',
    'forbidden',
    'invalid_api_key',
    'not_a_merchant',
    'account_suspended',
    'wallet_not_linked',
    'organizer_signup_closed',
    'invalid_seat_map',
    'invalid_category',
    'invalid_performance',
    'no_categories',
    'no_performances',
    'insufficient_funds',
    'performance_closed',
    'exchange_unavailable',
    'invalid_request',
    // The door-sale settings (a category removed while the form was open).
    'unknown_category',
  ] as const satisfies readonly ErrorCode[];

  it('words every code an organizer meets on the staff, wallet, keys, catalogue and refund screens', () => {
    expect(organizerCodes.filter((code) => codeMessages[code] === null)).toEqual([]);
  });

  it('keeps the same placeholders in English and Korean for every error message', () => {
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    const keys = Object.keys(shellWords.en).filter((key) => key.startsWith('error.'));
    expect(keys.length).toBeGreaterThan(50);
    const differing = keys.filter(
      (key) =>
        placeholders(shellWords.en[key as keyof typeof shellWords.en]).join() !==
        placeholders(shellWords.ko[key as keyof typeof shellWords.ko]).join(),
    );
    expect(differing).toEqual([]);
  });

  it("puts the server's sentence where a message names the field, and words a refusal without a code", () => {
    const t = (key: MessageKey, params?: Params) => translate('en', key, params);
    const category = new ApiError(
      400,
      'invalid_category',
      'category "VIP": price must be positive',
      {},
    );
    expect(describeError(category, t)).toBe(
      'A ticket category is not right: category "VIP": price must be positive',
    );
    const owner = new ApiError(409, 'last_owner', 'an organizer must keep at least one owner', {});
    expect(describeError(owner, t)).not.toContain('last_owner');
    expect(describeError(owner, t)).toContain('at least one owner');
    expect(translate('ko', 'error.last_owner')).toContain('소유자');
  });
});
