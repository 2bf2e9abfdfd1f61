/**
 * The buyer's app in headless Chromium at phone size, against the real exchange and ticketing
 * server (scripts/test/apps/system.ts): signing up, funding the wallet by the card sandbox,
 * buying crypto and a seat, the ticket offline with a fresh barcode that a gate's offline check
 * accepts (and refuses as stale a minute later), the exchange's buy page and back to the same
 * order, a transfer to another phone, a lost device key recovered, a refund, the two languages
 * and the screen sizes. The steps run in order, one buyer's story; each `it` says what it checks.
 */

import { protocol } from '@tessera/protocol/node';
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
  readBarcode,
  shot,
  signIn,
  waitForBarcodeSince,
} from '../../../scripts/test/apps/driver.ts';
import { type MobileSystem, startMobileSystem } from '../../../scripts/test/apps/system.ts';
import { launchChromium } from '../../../scripts/test/chromium.ts';

const stepTimeoutMs = 120_000;

// The servers behind the app on each database the project supports.
describe.each(['sqlite', 'postgres'] as const)(
  "the buyer's mobile app in a phone-sized Chromium on %s",
  (backend) => {
    let system: MobileSystem;
    let browser: Awaited<ReturnType<typeof launchChromium>>;
    let context: BrowserContext;
    let page: Page;
    let organizerToken: string;
    let tonight: Awaited<ReturnType<MobileSystem['createTonight']>>;
    let keyring: Awaited<ReturnType<typeof protocol.prepareKeyring>>;
    const buyer = { phone: '', ticketId: '' };

    beforeAll(async () => {
      system = await startMobileSystem({ backend });
      browser = await launchChromium();
      context = browser.context;
      organizerToken = await system.organizerSession();
      tonight = await system.createTonight(organizerToken);
      keyring = await protocol.prepareKeyring(
        (await system.organizerKeys(organizerToken)).map((publicKey) => ({ publicKey })),
      );
    }, stepTimeoutMs);

    afterAll(async () => {
      await browser?.close();
      await system?.close();
    });

    /** Later steps start from a page of their own if an earlier one lost it. */
    const livePage = async () => {
      if (page.isClosed()) page = await openPage(context, system);
      return page;
    };

    /** The wallet screen, 100,000 KRW added by the sandbox card. */
    const fundedWallet = async () => {
      const wallet = await livePage();
      await wallet.goto(new URL('/wallet', system.appUrl).href);
      await addMoneyByCard(wallet, '100000', '4242424242424242');
      await wallet
        .getByRole('region', { name: 'Add money' })
        .getByText('100,000 KRW was added to your wallet.')
        .waitFor();
      return wallet;
    };

    const verify = (text: string, nowS: number) =>
      protocol.verifyPresentation(text, { keyring, eventIds: [tonight.performanceCode], nowS });

    it(
      'signs up, funds the wallet by card (a declined card first), buys crypto, buys a seat and shows the ticket',
      async () => {
        buyer.phone = system.newPhone();
        page = await openPage(context, system);
        await signIn(page, system, buyer.phone);
        await connectWallet(page, system, buyer.phone);

        // Seed 001: a refused payment method says why and lets the buyer try again.
        const addMoney = page.getByRole('region', { name: 'Add money' });
        await addMoneyByCard(page, '100000', '4000 0000 0000 0002');
        await addMoney.getByText('The card was refused: the bank declined the card').waitFor();
        await addMoneyByCard(page, '100000', '4242 4242 4242 4242');
        await addMoney.getByText('100,000 KRW was added to your wallet.').waitFor();
        await buyCrypto(page, 'USDT', '60');
        const balances = page.getByRole('region', { name: 'Balances' });
        await balances.locator('[data-asset="USDT"]').getByText('60 USDT').waitFor();

        const orderId = await orderSeats(page, system, tonight.performanceId, ['Orchestra/C/5']);
        await page.getByText('Your wallet holds 60 USDT.').waitFor();
        await expect(page.getByRole('timer').textContent()).resolves.toMatch(/^\d+:\d\d$/);
        await payOrder(page);
        const order = await system.ticketing(
          'GET',
          `/v1/orders/${orderId}`,
          undefined,
          organizerToken,
        );
        expect(order.body.status).toBe('issued');

        await page
          .getByRole('link', { name: /Open the ticket/ })
          .first()
          .click();
        await page.getByRole('heading', { name: 'Tonight Recital' }).waitFor();
        buyer.ticketId = new URL(page.url()).pathname.split('/').at(-1) as string;
        await page.getByText('Orchestra · Row C · Seat 5').waitFor();
        await page.getByText('Ticket number').waitFor();
        const pin = page.locator('.manual-code dd').nth(1);
        await expect(pin.textContent()).resolves.toMatch(/^\d{3} \d{3}$/);
        // The wallet's live feed told the buyer about the payment.
        await page.locator('.notices').getByText('You paid 55 USDT.').waitFor();
      },
      stepTimeoutMs,
    );

    it(
      "shows a barcode that a gate's offline check accepts, and refuses as stale 60 s later",
      async () => {
        const { text, timeS } = await readBarcode(page);
        const nowS = Math.floor(Date.now() / 1000);
        expect(Math.abs(nowS - timeS)).toBeLessThanOrEqual(16);
        const accepted = await verify(text, timeS);
        expect(accepted).toMatchObject({ admitted: true, reason: 'valid' });
        // The same screenshot shown a minute later.
        const replayed = await verify(text, timeS + 60);
        expect(replayed).toMatchObject({ admitted: false, reason: 'stale' });
        // A new code on demand is a new signature over a new time, still valid.
        // The code's time has a one-second grain: wait for the next second to begin.
        await expect.poll(() => Math.floor(Date.now() / 1000)).toBeGreaterThan(timeS);
        await page.getByRole('button', { name: 'New code now' }).click();
        await waitForBarcodeSince(page, timeS + 1);
        const fresh = await readBarcode(page);
        expect(fresh.text).not.toBe(text);
        await expect(verify(fresh.text, fresh.timeS)).resolves.toMatchObject({ admitted: true });
      },
      stepTimeoutMs,
    );

    it(
      'reopens offline, with its server gone, and still shows the ticket with a fresh barcode',
      async () => {
        const ready = await page.evaluate(
          async () => (await navigator.serviceWorker.ready).active?.state,
        );
        expect(ready).toBe('activated');
        await page.close();
        await system.stopApp();
        await context.setOffline(true);
        try {
          const offlineSinceS = Math.floor(Date.now() / 1000);
          page = await openPage(context, system);
          await page.getByText('Offline: your tickets still open').waitFor();
          await page.locator(`a[data-ticket-id="${buyer.ticketId}"]`).click();
          await page.getByRole('heading', { name: 'Tonight Recital' }).waitFor();
          await waitForBarcodeSince(page, offlineSinceS);
          const { text, timeS } = await readBarcode(page);
          expect(timeS).toBeGreaterThanOrEqual(offlineSinceS);
          await expect(verify(text, timeS)).resolves.toMatchObject({
            admitted: true,
            reason: 'valid',
          });
          // The app really came from the service worker's cache.
          const controlled = await page.evaluate(() => navigator.serviceWorker.controller !== null);
          expect(controlled).toBe(true);
        } finally {
          await context.setOffline(false);
          await system.startApp();
        }
      },
      stepTimeoutMs,
    );

    it(
      "goes to the exchange's buy page when the wallet is short, and comes back to the same order",
      async () => {
        page = await fundedWallet();
        const orderId = await orderSeats(page, system, tonight.performanceId, ['Orchestra/C/6']);
        // 5 USDT left after the first seat; this one costs 55.
        await page.getByText('You need 50 USDT more.').waitFor();
        await expect(page.getByRole('button', { name: /^Pay / }).count()).resolves.toBe(0);
        await page.getByRole('link', { name: 'Buy USDT at the exchange' }).click();

        // The exchange's own page, signed in already: the app handed its wallet session over
        // with a one-time code in the fragment, which the page spent and wiped (item 12).
        const codesBefore = await system.exchange(
          'GET',
          `/dev/sms?phone=${encodeURIComponent(buyer.phone)}`,
        );
        await page.waitForURL(
          (url) => url.origin === system.exchangeUrl && url.pathname === '/buy',
        );
        await page.locator('#execute').waitFor({ state: 'visible' });
        expect(await page.locator('#signin-phone').isHidden()).toBe(true);
        await page.getByText(`Signed in as ${buyer.phone}`).waitFor();
        expect(new URL(page.url()).hash).toBe('');
        await shot(page, 'mobile-buy-page-signed-in');
        // No new SMS code was sent for it.
        const codesAfter = await system.exchange(
          'GET',
          `/dev/sms?phone=${encodeURIComponent(buyer.phone)}`,
        );
        expect(codesAfter.body.messages.length).toBe(codesBefore.body.messages.length);
        await page.locator('#execute').click();

        await page.waitForURL((url) => url.origin === system.appUrl, { timeout: 20_000 });
        expect(new URL(page.url()).pathname).toBe(`/orders/${orderId}`);
        await page.getByText('Back from the exchange: your wallet was topped up.').waitFor();
        await page.getByText('Your wallet holds 55 USDT.').waitFor();
        await payOrder(page);
      },
      stepTimeoutMs,
    );

    it(
      'says so when a payment is refused, and cancels the order on request (seats back on sale)',
      async () => {
        page = await fundedWallet();
        await buyCrypto(page, 'USDT', '60');
        const orderId = await orderSeats(page, system, tonight.performanceId, ['Orchestra/C/7']);
        await page.getByRole('button', { name: 'Pay 55 USDT' }).waitFor();

        // The request is withdrawn at the exchange before the buyer confirms.
        const order = await system.ticketing(
          'GET',
          `/v1/orders/${orderId}`,
          undefined,
          organizerToken,
        );
        const cancelled = await system.exchange(
          'POST',
          `/v1/payment-requests/${order.body.payment.requestId}/cancel`,
          {},
          system.merchantApiKey,
          { 'idempotency-key': `test-cancel-${orderId}` },
        );
        expect(cancelled.status).toBe(200);
        await page.getByRole('button', { name: 'Pay 55 USDT' }).click();
        await page.getByRole('button', { name: 'Pay now' }).click();
        await page
          .getByText('The payment did not go through: This payment was cancelled.')
          .waitFor();
        await page.getByRole('button', { name: 'Try again' }).waitFor();

        await page.getByRole('button', { name: 'Cancel the order' }).click();
        await page.getByText('This order was cancelled; nothing was charged.').waitFor();
        const seats = await system.ticketing(
          'GET',
          `/v1/performances/${tonight.performanceId}/availability`,
        );
        const rowC = (
          seats.body.seats.rows as {
            section: string;
            row: string;
            numbers: string[];
            status: string;
          }[]
        ).find((row) => row.section === 'Orchestra' && row.row === 'C');
        expect(rowC?.status[rowC.numbers.indexOf('7')]).toBe('a');
        const wallet = page.getByRole('navigation').getByRole('link', { name: 'Wallet' });
        await wallet.click();
        await page.getByRole('region', { name: 'Balances' }).getByText('60 USDT').waitFor();
      },
      stepTimeoutMs,
    );

    it(
      'sends a ticket to another phone, which accepts it and adds one bought for it elsewhere; the sender sees it as no longer valid',
      async () => {
        page = await livePage();
        const friend = system.newPhone();
        await page.goto(new URL(`/tickets/${buyer.ticketId}`, system.appUrl).href);
        await page.getByRole('button', { name: 'Send to someone' }).click();
        await page.getByLabel('Their phone number').fill(friend);
        await page.getByLabel('Their phone number').press('Enter');
        await page.getByText(`Offer this ticket to ${displayPhone(friend)}?`).waitFor();
        await page.getByRole('button', { name: 'Confirm' }).click();
        await page
          .getByText(
            `Offered to ${displayPhone(friend)}. It stays valid here until they accept it.`,
          )
          .waitFor();

        // Someone else also bought a seat for the friend's number on another device.
        const gift = await system.buyForNumber(friend, tonight.performanceId, 'Orchestra/D/1');
        const giftId = gift.tickets[0]?.id as string;

        const other = await launchChromium();
        try {
          const phone = await openPage(other.context, system);
          await signIn(phone, system, friend);
          const offer = phone.getByRole('region', { name: 'Tickets for you' });
          await offer.getByText('Orchestra · Row D · Seat 1').waitFor();
          await offer.getByRole('button', { name: 'Add to this phone' }).click();
          await phone
            .getByRole('region', { name: 'Your tickets' })
            .locator(`a[data-ticket-id="${giftId}"]`)
            .waitFor();
          await offer.getByText('Tonight Recital').waitFor();
          await offer.getByRole('button', { name: 'Accept' }).click();
          await phone
            .getByRole('region', { name: 'Your tickets' })
            .locator(`a[data-ticket-id="${buyer.ticketId}"]`)
            .click();
          await phone.getByText('Orchestra · Row C · Seat 5').waitFor();
          const { text, timeS } = await readBarcode(phone);
          const decision = await verify(text, timeS);
          expect(decision).toMatchObject({ admitted: true, reason: 'valid' });
          expect(decision.terms?.revision).toBe(2);
        } finally {
          await other.close();
        }

        await page.goto(system.appUrl);
        const gone = page.getByRole('region', { name: 'No longer valid' });
        await gone.getByText(`Transferred to ${displayPhone(friend)}: no longer valid`).waitFor();
        await page.goto(new URL(`/tickets/${buyer.ticketId}`, system.appUrl).href);
        await page.getByText('This ticket can no longer be used.').waitFor();
        await expect(page.getByTestId('barcode').count()).resolves.toBe(0);
        buyer.phone = friend; // the ticket's holder from here on
      },
      stepTimeoutMs,
    );

    it(
      'recovers from a lost device key: a new device signs in and moves the ticket to itself',
      async () => {
        const replacement = await launchChromium();
        try {
          const phone = await openPage(replacement.context, system);
          await signIn(phone, system, buyer.phone);
          const listed = phone.locator(`a[data-ticket-id="${buyer.ticketId}"]`);
          await listed.getByText('On another device').waitFor();
          await listed.click();
          await phone.getByRole('button', { name: 'Move it to this phone' }).click();
          const code = phone.getByLabel('Code from the text message');
          // The new code is in the inbox once the app shows its field (before, the inbox still
          // holds the sign-in's code).
          await code.waitFor();
          await code.fill(await system.smsCode('ticketing', buyer.phone));
          await code.press('Enter');
          await phone.getByText('Valid', { exact: true }).waitFor();
          const { text, timeS } = await readBarcode(phone);
          const decision = await verify(text, timeS);
          expect(decision).toMatchObject({ admitted: true, reason: 'valid' });
          expect(decision.terms?.revision).toBe(3);

          // The organizer refunds it: the ticket turns invalid on the phone at its next look.
          const refund = await system.ticketing(
            'POST',
            `/v1/organizers/${system.organizerId}/tickets/${buyer.ticketId}/refund`,
            {},
            organizerToken,
          );
          expect(refund.status).toBe(200);
          await phone.reload();
          await phone.getByText('Refunded: no longer valid').waitFor();
          await expect(phone.getByTestId('barcode').count()).resolves.toBe(0);
        } finally {
          await replacement.close();
        }
      },
      stepTimeoutMs,
    );

    it('shows the alternatives when a category is sold out, and takes one', async () => {
      await system.holdPlaces(tonight.performanceId, tonight.standingId, 1);
      const choose = await openPage(context, system, `/performances/${tonight.performanceId}`);
      try {
        await choose.getByRole('radio', { name: /Standing/ }).check();
        await choose.getByText('Sold out').waitFor();
        const others = choose.getByRole('region', { name: 'Other choices' });
        await others.getByRole('button', { name: /^Orchestra · 55 USDT · \d+ left$/ }).click();
        await expect(choose.getByRole('radio', { name: /Orchestra/ }).isChecked()).resolves.toBe(
          true,
        );
        await choose.getByRole('region', { name: 'Pick seats on the map' }).waitFor();
      } finally {
        await choose.close();
      }
    });

    it('is installable: a manifest, icons and a service worker Chromium accepts', async () => {
      const installable = await openPage(context, system);
      try {
        await installable.evaluate(async () => (await navigator.serviceWorker.ready).active?.state);
        const cdp = await context.newCDPSession(installable);
        const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as {
          installabilityErrors: { errorId: string }[];
        };
        expect(installabilityErrors.map((error) => error.errorId)).toEqual([]);
        const manifest = (await cdp.send('Page.getAppManifest')) as {
          errors: unknown[];
          url: string;
        };
        expect(manifest.errors).toEqual([]);
        expect(manifest.url).toBe(`${system.appUrl}/manifest.webmanifest`);
      } finally {
        await installable.close();
      }
    });

    it('speaks Korean to a Korean browser, and switches language on request', async () => {
      const korean = await context.newPage();
      try {
        await korean.addInitScript(() => {
          localStorage.removeItem('tessera.lang');
          Object.defineProperty(navigator, 'languages', { get: () => ['ko-KR', 'ko', 'en'] });
        });
        await korean.goto(new URL('/events', system.appUrl).href);
        await korean.getByRole('heading', { name: '공연' }).waitFor();
        await korean
          .getByRole('navigation', { name: '주 메뉴' })
          .getByRole('link', { name: '티켓' })
          .waitFor();
        await expect(korean.evaluate(() => document.documentElement.lang)).resolves.toBe('ko');
        await korean.getByRole('button', { name: 'English (앱을 영어로 바꾸기)' }).click();
        await korean.getByRole('heading', { name: 'Events' }).waitFor();
        await expect(korean.evaluate(() => document.documentElement.lang)).resolves.toBe('en');
      } finally {
        await korean.evaluate(() => localStorage.removeItem('tessera.lang'));
        await korean.close();
      }
    });

    it('fits a 360 px phone and a desktop window without sideways scrolling', async () => {
      const sized = await openPage(context, system, `/performances/${tonight.performanceId}`);
      try {
        await sized.locator('button[data-seat="Orchestra/A/1"]').waitFor();
        const widths = () =>
          sized.evaluate(() => ({
            page: document.documentElement.scrollWidth,
            view: window.innerWidth,
            app: (document.getElementById('root') as HTMLElement).getBoundingClientRect().width,
          }));
        const phone = await widths();
        expect(phone.page).toBeLessThanOrEqual(phone.view);
        await sized.setViewportSize({ width: 1280, height: 800 });
        const desktop = await widths();
        expect(desktop.page).toBeLessThanOrEqual(desktop.view);
        expect(desktop.app).toBeLessThanOrEqual(640);
      } finally {
        await sized.close();
      }
    });
  },
);
