/**
 * Two ends of a buyer's purchase in a phone-sized Chromium against the real servers: the hold's
 * countdown reaching 0:00 ends the hold on screen (the page's clock is moved forward, the
 * servers' is not), and a bought ticket given back for a refund where the event allows it.
 * Issue 21, items 7 and 5. One database is enough here: the app's behaviour is under test.
 */
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
  signIn,
} from '../../../scripts/test/apps/driver.ts';
import { type MobileSystem, startMobileSystem } from '../../../scripts/test/apps/system.ts';
import { launchChromium } from '../../../scripts/test/chromium.ts';

const stepTimeoutMs = 120_000;

describe('checkout and refund in the buyer app', () => {
  let system: MobileSystem;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let context: BrowserContext;
  let page: Page;
  let organizerToken: string;
  let tonight: Awaited<ReturnType<MobileSystem['createTonight']>>;

  beforeAll(async () => {
    system = await startMobileSystem({ backend: 'sqlite' });
    browser = await launchChromium();
    context = browser.context;
    organizerToken = await system.organizerSession();
    tonight = await system.createTonight(organizerToken);
    // A buyer with a wallet holding 60 USDT: enough for one 55 USDT seat.
    const phone = system.newPhone();
    page = await openPage(context, system);
    await signIn(page, system, phone);
    await connectWallet(page, system, phone);
    await addMoneyByCard(page, '100000', '4242424242424242');
    await page
      .getByRole('region', { name: 'Add money' })
      .getByText('100,000 KRW was added to your wallet.')
      .waitFor();
    await buyCrypto(page, 'USDT', '60');
  }, stepTimeoutMs);

  afterAll(async () => {
    await browser?.close();
    await system?.close();
  });

  it(
    'gives a ticket back for a refund after one confirmation, shows the amount, and the ticket turns refunded',
    async () => {
      await orderSeats(page, system, tonight.performanceId, ['Orchestra/B/2']);
      await payOrder(page);
      await page
        .getByRole('link', { name: /Open the ticket/ })
        .first()
        .click();
      await page.getByRole('heading', { name: 'Tonight Recital' }).waitFor();
      await page.getByText('Valid', { exact: true }).waitFor();

      // Tonight's event refunds until the start: the button says until when.
      await page.getByText(/^Refunds are possible until /).waitFor();
      await page.getByRole('button', { name: 'Give back for a refund' }).click();
      const dialog = page.getByRole('alertdialog', { name: 'Refund this ticket?' });
      await dialog.getByText(/^55 USDT goes back to the wallet that paid/).waitFor();
      await shot(page, 'mobile-refund-confirm');
      // Keeping it changes nothing.
      await dialog.getByRole('button', { name: 'Keep the ticket' }).click();
      await expect(dialog.count()).resolves.toBe(0);
      await page.getByTestId('barcode').waitFor();

      await page.getByRole('button', { name: 'Give back for a refund' }).click();
      await dialog.getByRole('button', { name: 'Refund the ticket' }).click();
      await page
        .getByText(/^Refunded: 55 USDT is (on its way back to|back in) your wallet\.$/)
        .waitFor();
      await page.getByText('Refunded: no longer valid').waitFor();
      await shot(page, 'mobile-refund-done');
      await expect(page.getByTestId('barcode').count()).resolves.toBe(0);
      await expect(
        page.getByRole('button', { name: 'Give back for a refund' }).count(),
      ).resolves.toBe(0);

      const seats = await system.ticketing(
        'GET',
        `/v1/performances/${tonight.performanceId}/availability`,
      );
      const rowB = (
        seats.body.seats.rows as {
          section: string;
          row: string;
          numbers: string[];
          status: string;
        }[]
      ).find((row) => row.section === 'Orchestra' && row.row === 'B');
      // The seat is back on sale.
      expect(rowB?.status[rowB.numbers.indexOf('2')]).toBe('a');
    },
    stepTimeoutMs,
  );

  it(
    'ends the hold on screen when the countdown reaches 0:00: Pay disabled, why, and a way to choose again',
    async () => {
      // The test moves the browser's clock (the servers keep real time). Playwright's clock is
      // the whole context's, so this step comes last.
      const checkout = await context.newPage();
      try {
        await checkout.setViewportSize({ width: 360, height: 640 });
        await checkout.clock.install();
        await orderSeats(checkout, system, tonight.performanceId, ['Orchestra/B/1']);
        const pay = checkout.getByRole('button', { name: 'Pay 55 USDT' });
        await expect(pay.isEnabled()).resolves.toBe(true);
        await checkout.getByText('Your seats are held until the time runs out.').waitFor();

        // The payment window is the hold (600 s) less the margin (30 s): past it.
        await checkout.clock.fastForward('10:00');
        await checkout.getByRole('timer').getByText('0:00').waitFor();
        await checkout.getByText(/^Time is up: these seats are no longer held for you/).waitFor();
        await expect(pay.isDisabled()).resolves.toBe(true);
        await shot(checkout, 'mobile-hold-ended');
        await expect(
          checkout.getByRole('button', { name: 'Cancel the order' }).count(),
        ).resolves.toBe(0);
        await expect(
          checkout.getByText('Your seats are held until the time runs out.').count(),
        ).resolves.toBe(0);
        await checkout.getByRole('link', { name: 'Choose seats again' }).click();
        await checkout.waitForURL(
          (url) => url.pathname === `/performances/${tonight.performanceId}`,
        );
        await checkout.getByRole('button', { name: 'Hold and go to payment' }).waitFor();
      } finally {
        await checkout.close();
      }
    },
    stepTimeoutMs,
  );
});
