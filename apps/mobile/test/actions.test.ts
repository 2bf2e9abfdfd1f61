/**
 * Clear actions in the buyer app (issue 21, item 13), in a phone-sized Chromium against the real
 * servers: a new sign-in code asked for again, the server's wait shown and counted down when it
 * says not yet; a ticket offered to one's own number refused before any confirmation; no two
 * buttons on the payment confirmation both saying cancel. One database is enough here.
 */

import { displayPhone } from '@tessera/web-kit/phone';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addMoneyByCard,
  buyCrypto,
  connectWallet,
  openPage,
  orderSeats,
  payOrder,
  shot,
} from '../../../scripts/test/apps/driver.ts';
import { type MobileSystem, startMobileSystem } from '../../../scripts/test/apps/system.ts';
import { launchChromium } from '../../../scripts/test/chromium.ts';

const stepTimeoutMs = 120_000;

describe("clear actions in the buyer's app", () => {
  let system: MobileSystem;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let context: BrowserContext;
  let page: Page;
  let tonight: Awaited<ReturnType<MobileSystem['createTonight']>>;
  const phone = { value: '' };

  beforeAll(async () => {
    system = await startMobileSystem({ backend: 'sqlite' });
    browser = await launchChromium();
    context = browser.context;
    tonight = await system.createTonight(await system.organizerSession());
    page = await openPage(context, system);
  }, stepTimeoutMs);

  afterAll(async () => {
    await browser?.close();
    await system?.close();
  });

  it(
    "sends the code again, then shows the server's wait and counts it down on the button",
    async () => {
      phone.value = system.newPhone();
      await page.goto(new URL('/sign-in', system.appUrl).href);
      await page.getByLabel('Phone number').fill(phone.value);
      await page.getByLabel('Phone number').press('Enter');
      await page.getByLabel('Code from the text message').waitFor();
      const first = await system.smsCode('ticketing', phone.value);

      // The second code is sent at once.
      const again = page.getByRole('button', { name: 'Send the code again' });
      await again.click();
      await page.getByText(`A new code was sent to ${displayPhone(phone.value)}.`).waitFor();
      await expect.poll(() => system.smsCode('ticketing', phone.value)).not.toBe(first);

      // A third one so soon: the server answers 429 with its wait, which the screen shows.
      await again.click();
      await page
        .getByRole('alert')
        .getByText(/^Too many tries\. Wait \d+ seconds/)
        .waitFor();
      const waiting = page.getByRole('button', { name: /^Send again in \d+ s$/ });
      await waiting.waitFor();
      expect(await waiting.isDisabled()).toBe(true);
      const secondsShown = async () =>
        Number((await waiting.textContent())?.match(/in (\d+) s/)?.[1] ?? Number.NaN);
      const before = await secondsShown();
      expect(before).toBeGreaterThan(0);
      expect(before).toBeLessThanOrEqual(30);
      await shot(page, 'mobile-sign-in-resend-wait');
      // It counts down by itself.
      await expect.poll(secondsShown, { timeout: 5_000 }).toBeLessThan(before);

      // The newest code signs in.
      const code = page.getByLabel('Code from the text message');
      await code.fill(await system.smsCode('ticketing', phone.value));
      await code.press('Enter');
      await page.getByRole('heading', { name: 'My tickets' }).waitFor();
    },
    stepTimeoutMs,
  );

  it(
    'the payment confirmation dismisses with Back: one button only says cancel',
    async () => {
      await connectWallet(page, system, phone.value);
      await addMoneyByCard(page, '100000', '4242424242424242');
      await page
        .getByRole('region', { name: 'Add money' })
        .getByText('100,000 KRW was added to your wallet.')
        .waitFor();
      await buyCrypto(page, 'USDT', '60');
      await orderSeats(page, system, tonight.performanceId, ['Orchestra/B/3']);
      await page.getByRole('button', { name: /^Pay / }).click();
      const dialog = page.getByRole('alertdialog', { name: 'Confirm the payment' });
      await dialog.waitFor();
      await page.getByRole('button', { name: 'Cancel the order' }).waitFor();
      expect(await page.getByRole('button', { name: /cancel/i }).count()).toBe(1);
      await shot(page, 'mobile-pay-confirm-back');
      await dialog.getByRole('button', { name: 'Back' }).click();
      await dialog.waitFor({ state: 'detached' });
      await page.getByRole('button', { name: /^Pay / }).waitFor();
    },
    stepTimeoutMs,
  );
  it(
    "refuses a ticket offered to the buyer's own number before any confirmation",
    async () => {
      // The seat held in the step before, paid: the buyer's own ticket on this device.
      await payOrder(page);
      await page
        .getByRole('link', { name: /Open the ticket/ })
        .first()
        .click();
      await page.getByText('Valid', { exact: true }).waitFor();
      await page.getByRole('button', { name: 'Send to someone' }).click();
      // Typed the local way: still the same number.
      const local = `0${phone.value.slice(3)}`;
      await page.getByLabel('Their phone number').fill(local);
      await page.getByLabel('Their phone number').press('Enter');
      await page
        .getByRole('alert')
        .getByText('You cannot send a ticket to your own number.')
        .waitFor();
      expect(await page.getByText(/^Offer this ticket to /).count()).toBe(0);
      await shot(page, 'mobile-transfer-own-number');
      expect(await page.getByRole('button', { name: 'Confirm' }).count()).toBe(0);
    },
    stepTimeoutMs,
  );
});
