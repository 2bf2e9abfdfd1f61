/**
 * The gate's dates and times (issue 21 items 8 and 11), in a headless Chromium whose clock is set
 * to London against the real servers, for a terminal at the demo hall in Seoul: the door sale's
 * performance reads at the venue's hour with the zone's label, and the end-of-event summary's
 * date is written by Intl in the chosen language ("Tue 8 Dec, 01:05 GMT+9"), never "07/12/2026".
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumArgs, chromiumPath, requireChromium } from '../../../scripts/test/chromium.ts';
import { hallPosition, tabletViewport } from './browser.ts';
import { type GateSystem, startGateSystem } from './system.ts';

const stepTimeoutMs = 90_000;
const screenshots = process.env.TESSERA_SCREENSHOTS;
const shortDate = /\d{1,2}\/\d{1,2}\/\d{2,4}/;

describe('the gate terminal in London time, at a venue in Seoul', () => {
  let system: GateSystem;
  let context: BrowserContext;
  let page: Page;
  let event: Awaited<ReturnType<GateSystem['createEvent']>>;
  let startsAt: string;
  const profile = mkdtempSync(join(tmpdir(), 'tessera-gate-tz-'));

  const shot = async (name: string) => {
    if (screenshots) {
      await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
    }
  };

  beforeAll(async () => {
    requireChromium();
    system = await startGateSystem({ backend: 'sqlite' });
    event = await system.createEvent([{ name: 'Floor' }]);
    // Two performances, so the door sale asks which (with one, it names none).
    const other = await system.createEvent([{ name: 'Floor' }]);
    const performance = await system.ticketing('GET', `/v1/performances/${event.performanceId}`);
    startsAt = performance.body.startsAt;
    expect(performance.body.venue.timeZone).toBe('Asia/Seoul');
    const code = await system.enrolmentCode(
      event.venueId,
      [event.performanceId, other.performanceId],
      'North',
    );
    context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      headless: true,
      args: chromiumArgs,
      viewport: tabletViewport,
      geolocation: hallPosition,
      timezoneId: 'Europe/London',
      locale: 'en-GB',
    });
    await context.grantPermissions(['geolocation'], { origin: system.gateUrl });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (error) => console.error(`[gate] ${error.message}`));
    await page.goto(system.gateUrl);
    await page.getByLabel('Enrolment code').fill(code);
    await page.getByRole('button', { name: 'Enrol', exact: true }).click();
    await page.getByTestId('mode').waitFor();
  }, stepTimeoutMs);

  afterAll(async () => {
    await context?.close();
    await system?.close();
    rmSync(profile, { recursive: true, force: true });
  });

  it(
    "offers the door sale's performance at the venue's hour, labelled with its zone",
    async () => {
      await page.getByRole('button', { name: 'Door sale', exact: true }).click();
      // What the hour is in Seoul, as Intl says it for the gate's English (en-GB).
      const seoulHour = new Intl.DateTimeFormat('en-GB', {
        hour: 'numeric',
        minute: '2-digit',
        timeZone: 'Asia/Seoul',
      }).format(new Date(startsAt));
      const option = page.getByLabel('Performance').locator('option').first();
      await expect.poll(async () => (await option.textContent()) ?? '').toContain('GMT+9');
      const text = (await option.textContent()) ?? '';
      expect(text).toContain(seoulHour);
      expect(text).not.toMatch(shortDate);
      await shot('gate-door-venue-time');
    },
    stepTimeoutMs,
  );

  it(
    "dates the end-of-event summary with Intl in the chosen language, not '07/12/2026'",
    async () => {
      await page.getByRole('button', { name: 'End of event' }).click();
      await page.getByRole('button', { name: 'Send everything and show the summary' }).click();
      const report = page.getByTestId('report').first();
      await report.waitFor();
      const asOf = report.getByText(/^As of /);
      const english = (await asOf.textContent()) ?? '';
      // "As of Tue 8 Dec, 01:05 GMT+9": weekday, day, month in words, the venue's time and zone.
      expect(english).toMatch(/^As of \w{3} \d{1,2} \w{3}, \d{2}:\d{2} GMT\+9$/);
      expect(english).not.toMatch(shortDate);
      await shot('gate-end-summary-date-en');

      await page.getByRole('button', { name: /^한국어/ }).click();
      const korean = (await report.getByText(/ 기준$/).textContent()) ?? '';
      expect(korean).toMatch(
        /^\d{1,2}월 \d{1,2}일 \([월화수목금토일]\) (오전|오후) \d{1,2}:\d{2} GMT\+9 기준$/,
      );
      expect(korean).not.toMatch(shortDate);
      await shot('gate-end-summary-date-ko');
    },
    stepTimeoutMs,
  );
});
