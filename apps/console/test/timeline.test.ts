/**
 * Sales over time on the event's sales screen, in headless Chromium against the real servers, on
 * both databases (issue 20 item 6): after three tickets sold in two orders, the chart is drawn,
 * its summary and its screen-reader table carry the totals of the timeline route, and the
 * per-second view of the first ten minutes asks the route with stepS=1 and shows the same
 * tickets (they were all sold within a minute of the first).
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shot } from '../../../scripts/test/apps/driver.ts';
import { launchChromium } from '../../../scripts/test/chromium.ts';
import { demoAccounts } from '../../../services/exchange/src/demo.ts';
import type { SalesTimeline } from '../src/sales/api.ts';
import { addDecimal, totalsOf } from '../src/sales/timeline.tsx';
import { startedEvent } from './event-day-setup.ts';
import { type ConsoleSystem, startConsoleSystem } from './system.ts';

const stepTimeoutMs = 120_000;
/** The screen re-reads every 5 s. */
const shownMs = 20_000;
const desk = { width: 1280, height: 900 };

describe.each(['sqlite', 'postgres'] as const)('sales over time on %s', (backend) => {
  let system: ConsoleSystem;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let context: BrowserContext;
  let page: Page;
  let token: string;
  let setup: Awaited<ReturnType<typeof startedEvent>>;

  beforeAll(async () => {
    system = await startConsoleSystem({ backend });
    browser = await launchChromium();
    context = browser.context;
    token = await system.organizerSession();
    setup = await startedEvent(system, token, 'Timeline Gala');
    await system.buyForNumber(system.newPhone(), setup.performanceId, 'Orchestra/B/5');
    await system.buyForNumber(system.newPhone(), setup.performanceId, 'Orchestra/B/6');
    await system.buyForNumber(system.newPhone(), setup.performanceId, 'Orchestra/B/7');
    page = await context.newPage();
    await page.setViewportSize(desk);
    await system.signIn(page, demoAccounts.organizer.phone);
    await page.waitForURL(new RegExp(`/o/${system.organizerId}`));
  }, stepTimeoutMs);

  afterAll(async () => {
    await browser?.close();
    await system?.close();
  });

  const timeline = async (query = '') => {
    const answer = await system.ticketing(
      'GET',
      `/v1/events/${setup.eventId}/sales/timeline${query}`,
      undefined,
      token,
    );
    expect(answer.status).toBe(200);
    return answer.body as SalesTimeline;
  };

  it(
    'draws tickets and revenue since sales opened, with the route’s totals',
    async () => {
      const whole = await timeline();
      const totals = totalsOf(whole);
      expect(totals.tickets).toBe(3);
      expect(totals.revenue).toEqual([{ asset: 'USDT', amount: '165' }]);
      await page.goto(`${system.consoleUrl}/o/${system.organizerId}/events/${setup.eventId}/sales`);
      await page.getByRole('heading', { name: 'Sales over time' }).waitFor();
      const summary = page.locator('.sales-timeline-summary');
      await summary.waitFor({ timeout: shownMs });
      await expect(summary.getAttribute('data-tickets')).resolves.toBe(String(totals.tickets));
      await expect(summary.textContent()).resolves.toContain('3 tickets, 3 orders, 0 refunded');
      await expect(summary.textContent()).resolves.toContain('165');
      const chart = page.getByRole('img', { name: /^Tickets and revenue since sales opened/ });
      await chart.waitFor();
      // uPlot drew into the container: its canvas has the container's width.
      const width = await chart.locator('canvas').evaluate((canvas) => canvas.clientWidth);
      expect(width).toBeGreaterThan(200);
      // The screen reader's table ends at the last total.
      const lastRow = page.locator('.sales-timeline table.chart-table tbody tr').last();
      await expect(lastRow.locator('td').first().textContent()).resolves.toBe('3');
      if (backend === 'sqlite') await shot(page, 'console-sales-timeline');
    },
    stepTimeoutMs,
  );

  it(
    'shows the first ten minutes per second',
    async () => {
      const whole = await timeline();
      const opened = whole.salesOpenedAt as string;
      const to = new Date(Date.parse(opened) + 10 * 60_000).toISOString();
      const perSecond = await timeline(
        `?from=${encodeURIComponent(opened)}&to=${encodeURIComponent(to)}&stepS=1`,
      );
      expect(perSecond.stepS).toBe(1);
      const asked = page.waitForRequest(
        (request) => request.url().includes('/sales/timeline') && request.url().includes('stepS=1'),
      );
      await page.getByLabel('First 10 minutes, per second').check();
      await asked;
      const chart = page.getByRole('img', { name: /^Tickets per second in the first 10 minutes/ });
      await chart.waitFor();
      await expect(
        page.locator('.sales-timeline-summary').getAttribute('data-tickets'),
      ).resolves.toBe(String(totalsOf(perSecond).tickets));
      const rows = page.locator('.sales-timeline table.chart-table tbody tr');
      await expect(rows.count()).resolves.toBe(perSecond.points.length);
      if (backend === 'sqlite')
        await shot(page, 'console-sales-timeline-start', { screenOnly: true });
    },
    stepTimeoutMs,
  );
});

describe('the timeline totals', () => {
  it('adds decimal amounts exactly, digit for digit', () => {
    expect(addDecimal('52.5', '0.75')).toBe('53.25');
    expect(addDecimal('0.1', '0.2')).toBe('0.3');
    expect(addDecimal('999999999999999999.999999', '0.000001')).toBe('1000000000000000000');
    expect(addDecimal('0', '20')).toBe('20');
  });

  it('sums tickets, orders, refunds and revenue per asset over the points', () => {
    const timeline = {
      salesOpenedAt: '2026-12-07T10:00:00.000Z',
      from: '2026-12-07T10:00:00.000Z',
      to: '2026-12-07T11:00:00.000Z',
      stepS: 60,
      points: [
        {
          at: '2026-12-07T10:00:00.000Z',
          tickets: 2,
          orders: 1,
          refunds: 0,
          revenue: [{ asset: 'USDT', amount: '110' }],
        },
        {
          at: '2026-12-07T10:05:00.000Z',
          tickets: 1,
          orders: 1,
          refunds: 1,
          revenue: [
            { asset: 'ETH', amount: '0.01' },
            { asset: 'USDT', amount: '0.5' },
          ],
        },
      ],
    } as SalesTimeline;
    expect(totalsOf(timeline)).toEqual({
      tickets: 3,
      orders: 2,
      refunds: 1,
      revenue: [
        { asset: 'USDT', amount: '110.5' },
        { asset: 'ETH', amount: '0.01' },
      ],
    });
  });
});
