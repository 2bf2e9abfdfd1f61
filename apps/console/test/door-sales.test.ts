/**
 * The door sales screen in headless Chromium against the real servers, on both databases (issue
 * 20 item 5): the settings form refuses no category at all, then saves one category and a
 * maximum per sale, which the server then enforces on a gate terminal's sales (another category
 * and too many tickets refused); with every category allowed again a terminal's sale appears in
 * the live list within seconds, with the totals; switched off, the gates' sales are refused and
 * the list stays as it was.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shot } from '../../../scripts/test/apps/driver.ts';
import { launchChromium } from '../../../scripts/test/chromium.ts';
import { demoAccounts } from '../../../services/exchange/src/demo.ts';
import { enrolTerminal, startedEvent, terminalCall } from './event-day-setup.ts';
import { type ConsoleSystem, startConsoleSystem } from './system.ts';

const stepTimeoutMs = 120_000;
/** The list re-reads every 3 s. */
const shownMs = 15_000;
const desk = { width: 1280, height: 900 };

describe.each(['sqlite', 'postgres'] as const)('the door sales screen on %s', (backend) => {
  let system: ConsoleSystem;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let context: BrowserContext;
  let page: Page;
  let token: string;
  let setup: Awaited<ReturnType<typeof startedEvent>>;
  let terminal: { id: string; token: string };

  beforeAll(async () => {
    system = await startConsoleSystem({ backend });
    browser = await launchChromium();
    context = browser.context;
    token = await system.organizerSession();
    setup = await startedEvent(system, token, 'Door Night');
    terminal = await enrolTerminal(system, token, setup, 'Box office', 'Door tablet');
    page = await context.newPage();
    await page.setViewportSize(desk);
    await system.signIn(page, demoAccounts.organizer.phone);
    await page.waitForURL(new RegExp(`/o/${system.organizerId}`));
  }, stepTimeoutMs);

  afterAll(async () => {
    await browser?.close();
    await system?.close();
  });

  const offer = (categoryId: string, quantity: number) =>
    terminalCall(system, terminal.token, 'POST', '/v1/terminal/door-sales', {
      body: { performanceId: setup.performanceId, categoryId, quantity },
    });
  const settings = async () =>
    (
      await system.ticketing(
        'GET',
        `/v1/performances/${setup.performanceId}/door-sales/settings`,
        undefined,
        token,
      )
    ).body;
  const save = async () => {
    await page.getByRole('button', { name: 'Save the door-sale settings' }).click();
    await page.getByRole('status').getByText('Saved.').waitFor();
  };

  it(
    'saves one category and a maximum, which the server then enforces on the gates',
    async () => {
      await page.goto(
        `${system.consoleUrl}/o/${system.organizerId}/events/${setup.eventId}/performances/${setup.performanceId}/door-sales`,
      );
      await page.getByRole('heading', { name: 'What the gates may sell' }).waitFor();
      const enabled = page.getByLabel('Gates may sell tickets for this performance');
      await expect(enabled.isChecked()).resolves.toBe(true);
      await page.getByLabel('Every category of the event').uncheck();
      await page.getByRole('button', { name: 'Save the door-sale settings' }).click();
      await page.getByText('Pick at least one category, or allow every one.').waitFor();
      await expect(settings()).resolves.toMatchObject({ categoryIds: null });

      await page.getByLabel('Orchestra').check();
      await page.getByLabel('Tickets per sale, at most').fill('2');
      await save();
      await expect(settings()).resolves.toMatchObject({
        enabled: true,
        categoryIds: [setup.orchestraId],
        maxPerSale: 2,
      });
      const refused = await offer(setup.standingId, 1);
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe('door_sale_category_not_allowed');
      await expect(page.getByText('No door sale yet.').isVisible()).resolves.toBe(true);
    },
    stepTimeoutMs,
  );

  it(
    'lists a gate’s sale within seconds with the totals, and refuses sales once switched off',
    async () => {
      await page.getByLabel('Every category of the event').check();
      await save();
      const tooMany = await offer(setup.standingId, 3);
      expect(tooMany.status).toBe(400);
      expect(tooMany.body.error.code).toBe('order_limit');
      const made = await offer(setup.standingId, 2);
      expect(made.status).toBe(201);
      const row = page.locator('tr[data-door-sale]');
      await row.first().waitFor({ timeout: shownMs });
      await expect(row.count()).resolves.toBe(1);
      await expect(row.first().textContent()).resolves.toContain('Door tablet');
      await expect(row.first().textContent()).resolves.toContain('Standing');
      await expect(row.first().getAttribute('data-status')).resolves.toBe('open');
      await expect(page.locator('[data-figure="offers"] dd').textContent()).resolves.toBe('1');

      await page.getByLabel('Gates may sell tickets for this performance').uncheck();
      await save();
      const closed = await offer(setup.standingId, 1);
      expect(closed.status).toBe(409);
      expect(closed.body.error.code).toBe('door_sales_closed');
      const list = await system.ticketing(
        'GET',
        `/v1/performances/${setup.performanceId}/door-sales`,
        undefined,
        token,
      );
      expect(list.body.doorSales).toHaveLength(1);
      expect(list.body.totals.offers).toBe(1);
      await expect(row.count()).resolves.toBe(1);
      if (backend === 'sqlite') await shot(page, 'console-door-sales');
    },
    stepTimeoutMs,
  );
});
