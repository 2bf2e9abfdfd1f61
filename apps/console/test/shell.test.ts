/**
 * The console's frame in headless Chromium against the real servers, on both databases: a new
 * person signs in, sees they work for no organization, creates one and lands in it as its owner;
 * the demo organizer goes straight into theirs; a bad phone number and a wrong code are refused
 * next to the field and in words; signing out ends the session at the server too.
 */
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../../scripts/test/chromium.ts';
import { demoAccounts } from '../../../services/exchange/src/demo.ts';
import { type ConsoleSystem, startConsoleSystem } from './system.ts';

const stepTimeoutMs = 120_000;

describe.each(['sqlite', 'postgres'] as const)('the console shell on %s', (backend) => {
  let system: ConsoleSystem;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let context: BrowserContext;

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
    'refuses a bad phone number and a wrong code next to the field, in words',
    async () => {
      const page = await context.newPage();
      await page.goto(system.consoleUrl);
      await page.getByLabel('Phone number').fill('12');
      await page.getByRole('button', { name: 'Send code' }).click();
      await expect
        .poll(() => page.getByRole('alert').first().textContent())
        .toContain('Enter a phone number such as');
      await expect(page.getByLabel('Phone number').getAttribute('aria-invalid')).resolves.toBe(
        'true',
      );
      await page.getByLabel('Phone number').fill(system.newPhone());
      await page.getByRole('button', { name: 'Send code' }).click();
      await page.getByLabel('6-digit code').fill('12');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('The code is 6 digits.').waitFor();
      await page.getByLabel('6-digit code').fill('000000');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('The code is wrong or has expired. Ask for a new one.').waitFor();
      await page.close();
    },
    stepTimeoutMs,
  );

  it(
    'a new person creates an organization and becomes its owner; signing out ends the session',
    async () => {
      const page = await context.newPage();
      await system.signIn(page, system.newPhone());
      await page.getByText('You do not work for an organization yet.').waitFor();
      await page.getByRole('link', { name: 'Create an organization' }).click();
      await page.getByRole('button', { name: 'Create an organization' }).click();
      await expect(page.getByText('Required.').count()).resolves.toBe(1);
      await page.getByLabel('Name').fill('Han River Festival');
      await page.getByRole('button', { name: 'Create an organization' }).click();
      await page.waitForURL(/\/o\/[^/]+/);
      await expect(page.locator('.organization').textContent()).resolves.toContain('Owner');
      const token = await page.evaluate(
        () => JSON.parse(localStorage.getItem('tessera.console.session') ?? '{}').token as string,
      );
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Sign in to the console' }).waitFor();
      expect((await system.ticketing('GET', '/v1/me', undefined, token)).status).toBe(401);
      await page.close();
    },
    stepTimeoutMs,
  );

  it(
    "the demo organizer's owner goes straight into it, in Korean too",
    async () => {
      const page = await context.newPage();
      await system.signIn(page, demoAccounts.organizer.phone);
      await page.waitForURL(new RegExp(`/o/${system.organizerId}`));
      await expect(page.locator('.organization').textContent()).resolves.toContain(
        demoAccounts.organizer.name,
      );
      await page.getByLabel('Language').selectOption('ko');
      await page.getByText('로그아웃').waitFor();
      await expect(page.locator('html').getAttribute('lang')).resolves.toBe('ko');
      await page.close();
    },
    stepTimeoutMs,
  );
});
