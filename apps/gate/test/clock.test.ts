/**
 * Unit 412: a gate terminal whose own clock is wrong still decides by the right time. Its
 * Chromium runs two minutes fast; the terminal learns the server's time from its answers and,
 * with the network gone, takes a live barcode as fresh (by its own clock it would be two
 * minutes old, far past the 30 s a barcode lives) and refuses one shown a minute ago.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchGateBrowser } from './browser.ts';
import { type GateSystem, type HeldTicket, startGateSystem } from './system.ts';
import { writeQrFeed } from './y4m.ts';

const stepTimeoutMs = 120_000;
/** How far ahead the terminal's own clock runs. */
const clockAheadMs = 120_000;

describe("the gate terminal's clock", () => {
  let system: GateSystem;
  let browser: Awaited<ReturnType<typeof launchGateBrowser>> | undefined;
  let page: Page;
  let tickets: HeldTicket[];
  const dir = mkdtempSync(join(tmpdir(), 'tessera-gate-clock-'));

  beforeAll(async () => {
    system = await startGateSystem();
    const event = await system.createEvent([{ name: 'Floor' }]);
    tickets = await system.buyTickets(event.performanceId, event.categories.Floor as string, 2);
    const code = await system.enrolmentCode(event.venueId, [event.performanceId], 'North');
    // The camera sees nothing: codes come from the hardware scanner.
    const feed = join(dir, 'camera.y4m');
    writeQrFeed(feed, [''], { framesPerCode: [15] });
    browser = await launchGateBrowser(feed, system.gateUrl);
    await browser.context.clock.install({ time: Date.now() + clockAheadMs });
    page = await browser.open(system.gateUrl);
    await page.getByLabel('Enrolment code').fill(code);
    await page.getByRole('button', { name: 'Enrol', exact: true }).click();
    await page.locator('[data-testid="mode"][data-mode="online"]').waitFor();
  }, stepTimeoutMs);

  afterAll(async () => {
    await browser?.close();
    await system?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const scan = async (text: string) => {
    await page.keyboard.type(text);
    await page.keyboard.press('Enter');
  };
  const result = (reason: string) =>
    page.locator(`[data-testid="result"][data-reason="${reason}"]`);

  it(
    'offline, takes a live barcode as fresh and a minute-old one as stale, by the server’s time',
    async () => {
      const pageAheadMs = (await page.evaluate(() => Date.now())) - Date.now();
      expect(pageAheadMs).toBeGreaterThan(clockAheadMs - 10_000);

      const stop = page.getByRole('button', { name: 'Stop the camera' });
      if (await stop.isVisible()) await stop.click();
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      await browser?.context.setOffline(true);
      await page.locator('[data-testid="mode"][data-mode="offline"]').waitFor();

      const [live, old] = tickets as [HeldTicket, HeldTicket];
      await scan(await system.barcode(live));
      await result('valid').waitFor();
      expect(await result('valid').getAttribute('data-source')).toBe('offline');

      await page.getByRole('button', { name: 'Tap for the next ticket' }).click();
      await scan(await system.barcode(old, Math.floor(Date.now() / 1000) - 60));
      await result('stale').waitFor();
    },
    stepTimeoutMs,
  );
});
