/**
 * A buyer using the app, step by step, through what a person sees: roles, labels and visible
 * text (so the steps only work while the screens are usable by assistive technology too), the
 * keyboard's Enter to submit forms, and the SMS codes read from the servers' development inboxes.
 */
import { join } from 'node:path';
import { decodePresentation, presentationFromText } from '@tessera/protocol';
import type { BrowserContext, Page } from 'playwright-core';
import { readQrText } from './barcode-reader.ts';
import type { MobileSystem } from './system.ts';

/**
 * With TESSERA_SCREENSHOTS=<folder>, a step photographs the screen it checks (else nothing): the
 * whole page, or with `screenOnly` just what is on the screen as scrolled (sticky bars in place).
 */
export async function shot(page: Page, name: string, options: { screenOnly?: boolean } = {}) {
  const folder = process.env.TESSERA_SCREENSHOTS;
  if (folder) {
    await page.screenshot({ path: join(folder, `${name}.png`), fullPage: !options.screenOnly });
  }
}

/** A phone screen, as the issue asks: 360 x 640 CSS pixels. */
export const phoneViewport = { width: 360, height: 640 };
const stepTimeoutMs = 20_000;

export async function openPage(context: BrowserContext, system: MobileSystem, path = '/') {
  const page = await context.newPage();
  page.setDefaultTimeout(stepTimeoutMs);
  await page.setViewportSize(phoneViewport);
  // A failure inside the app fails the step that waits on it; print it so the cause shows.
  page.on('pageerror', (error) => console.error(`[app] ${error.message}`));
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy'))
      console.error(`[csp] ${message.text()}`);
  });
  await page.goto(new URL(path, system.appUrl).href);
  return page;
}

/** Signs in with a phone number and the code from the ticketing server's SMS inbox. */
export async function signIn(page: Page, system: MobileSystem, phone: string) {
  await page.goto(new URL('/sign-in', system.appUrl).href);
  await page.getByLabel('Phone number').fill(phone);
  await page.getByLabel('Phone number').press('Enter');
  const code = page.getByLabel('Code from the text message');
  await code.waitFor();
  await code.fill(await system.smsCode('ticketing', phone));
  await code.press('Enter');
  await page.waitForURL((url) => url.pathname === '/');
  await page.getByRole('heading', { name: 'My tickets' }).waitFor();
}

/** Connects (or opens) the wallet at the exchange from the wallet screen. */
export async function connectWallet(page: Page, system: MobileSystem, phone: string) {
  await page.getByRole('navigation').getByRole('link', { name: 'Wallet' }).click();
  await page.getByLabel('Your name (for a new wallet)').fill('Test Buyer');
  await page.getByRole('button', { name: 'Send code' }).click();
  const code = page.getByLabel('Code from the text message');
  await code.waitFor();
  await code.fill(await system.smsCode('exchange', phone));
  await code.press('Enter');
  await page.getByRole('heading', { name: 'Balances' }).waitFor();
}

export async function addMoneyByCard(page: Page, amountKrw: string, cardNumber: string) {
  const section = page.getByRole('region', { name: 'Add money' });
  await section.getByLabel('Amount (KRW)').fill(amountKrw);
  await section.getByLabel('Card number').fill(cardNumber);
  await section.getByLabel('Expiry (MM/YY)').fill('12/39');
  await section.getByLabel('Security code').fill('123');
  await section.getByRole('button', { name: /^Add / }).click();
}

export async function buyCrypto(page: Page, asset: string, amount: string) {
  const section = page.getByRole('region', { name: 'Buy crypto' });
  await section.getByLabel('Asset').selectOption(asset);
  await section.getByLabel(`Amount (${asset})`).fill(amount);
  await section.getByRole('button', { name: 'Get a price' }).click();
  await section.getByRole('timer').waitFor();
  await section.getByRole('button', { name: /^Buy for / }).click();
  await section.getByRole('status').getByText(`You bought ${amount} ${asset}.`).waitFor();
}

/**
 * Picks the seats on the map (labels like `Orchestra/C/5`) in their category (by default the
 * first one offered) and holds and orders them.
 */
export async function orderSeats(
  page: Page,
  system: MobileSystem,
  performanceId: string,
  seats: string[],
  category?: string,
) {
  await page.goto(new URL(`/performances/${performanceId}`, system.appUrl).href);
  if (category) await page.getByRole('radio', { name: new RegExp(`^${category} ·`) }).check();
  for (const seat of seats) {
    const button = page.locator(`button[data-seat="${seat}"]`);
    await button.click();
    await button.and(page.locator('[aria-pressed="true"]')).waitFor();
  }
  await page.getByRole('button', { name: 'Hold and go to payment' }).click();
  await page.waitForURL((url) => url.pathname.startsWith('/orders/'));
  await page.getByRole('heading', { name: 'Checkout' }).waitFor();
  return new URL(page.url()).pathname.split('/').at(-1) as string;
}

/** Pays the open order from the wallet, with the one confirmation, and waits for the tickets. */
export async function payOrder(page: Page) {
  await page.getByRole('button', { name: /^Pay / }).click();
  const dialog = page.getByRole('alertdialog', { name: 'Confirm the payment' });
  await dialog.waitFor();
  await dialog.getByRole('button', { name: 'Pay now' }).click();
  await page.getByRole('heading', { name: 'Your tickets are ready.' }).waitFor({ timeout: 30_000 });
  await page
    .getByRole('link', { name: /Open the ticket/ })
    .first()
    .waitFor();
}

/** The barcode on screen, read from a screenshot of it, with the time it was made. */
export async function readBarcode(page: Page) {
  const canvas = page.getByTestId('barcode');
  await canvas.waitFor();
  // As the holder would: the code in the middle of the screen, clear of the sticky tabs.
  await canvas.evaluate((element) => element.scrollIntoView({ block: 'center' }));
  const text = await readQrText(await canvas.screenshot());
  const timeS = decodePresentation(presentationFromText(text)).timeS;
  return { text, timeS };
}

/** Waits until the barcode shown was made at or after `sinceS` (Unix seconds). */
export async function waitForBarcodeSince(page: Page, sinceS: number) {
  await page.waitForFunction(
    (since) =>
      Number(document.querySelector('[data-testid="barcode"]')?.getAttribute('data-time-s')) >=
      since,
    sinceS,
  );
}
