/**
 * Times at the venue and numbers in the language (issue 21 items 8 and 11), in a phone-sized
 * Chromium set to London against the real servers: a 19:00 concert in Seoul reads 19:00 with the
 * zone's label, not the phone's 10:00; counts and prices are grouped ("40,000 left", "45,000
 * KRW"), in English and in Korean.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPage, shot } from '../../../scripts/test/apps/driver.ts';
import { type MobileSystem, startMobileSystem } from '../../../scripts/test/apps/system.ts';
import { chromiumArgs, chromiumPath, requireChromium } from '../../../scripts/test/chromium.ts';

const stepTimeoutMs = 120_000;

/** A Saturday concert at 19:00 in Seoul: 10:00 the same morning in London. */
const startsAt = '2027-12-18T19:00:00+09:00';

describe("the buyer's app on a phone in London, for a concert in Seoul", () => {
  let system: MobileSystem;
  let context: BrowserContext;
  let page: Page;
  let show: { eventId: string; performanceId: string };
  const profile = mkdtempSync(join(tmpdir(), 'tessera-chromium-tz-'));

  /** A hall in Seoul with a field of 40,000 places, and a published concert there. */
  async function createSeoulConcert() {
    const token = await system.organizerSession();
    const organizer = `/v1/organizers/${system.organizerId}`;
    const venue = await system.ticketing(
      'POST',
      `${organizer}/venues`,
      {
        name: 'Olympic Stadium',
        address: '25 Olympic-ro, Songpa-gu, Seoul',
        latitude: 37.5157,
        longitude: 127.0728,
        radiusM: 500,
        timeZone: 'Asia/Seoul',
      },
      token,
    );
    expect(venue.status).toBe(201);
    const map = await system.ticketing(
      'PUT',
      `/v1/venues/${venue.body.id}/seat-map`,
      { areas: [{ name: 'Field', capacity: 40_000 }] },
      token,
    );
    expect(map.status).toBe(200);
    const event = await system.ticketing(
      'POST',
      `${organizer}/events`,
      {
        slug: `stadium-${Math.random().toString(36).slice(2, 8)}`,
        name: 'Stadium Night',
        venueId: venue.body.id,
        categories: [
          {
            name: 'Field',
            pricing: 'fiat',
            priceAsset: 'KRW',
            price: '45000',
            seating: 'ga',
            area: 'Field',
            quota: 40_000,
            kind: 'single',
          },
        ],
        performances: [{ startsAt, endsAt: '2027-12-18T22:00:00+09:00' }],
      },
      token,
    );
    expect(event.status, JSON.stringify(event.body)).toBe(201);
    const published = await system.ticketing(
      'POST',
      `/v1/events/${event.body.id}/publish`,
      undefined,
      token,
    );
    expect(published.status).toBe(200);
    return { eventId: event.body.id as string, performanceId: event.body.performances[0].id };
  }

  beforeAll(async () => {
    requireChromium();
    system = await startMobileSystem({ backend: 'sqlite' });
    show = await createSeoulConcert();
    // The phone's own zone and language: a visitor from London.
    context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      headless: true,
      args: chromiumArgs,
      timezoneId: 'Europe/London',
      locale: 'en-GB',
    });
    page = await openPage(context, system, `/events/${show.eventId}`);
  }, stepTimeoutMs);

  afterAll(async () => {
    await context?.close();
    await system?.close();
    rmSync(profile, { recursive: true, force: true });
  });

  it(
    "shows the performance at the venue's 19:00 with the zone's label, not the phone's 10:00",
    async () => {
      expect(await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone)).toBe(
        'Europe/London',
      );
      const date = page.getByRole('region', { name: 'Dates' }).getByText(/7:00\sPM/);
      await date.waitFor();
      const text = (await date.textContent()) ?? '';
      expect(text).toMatch(/^Sat, Dec 18, 2027, 7:00\sPM GMT\+9$/);
      expect(text).not.toMatch(/10:00/);
      // The price grouped, as everywhere: not "45000 KRW".
      await page.getByText('45,000 KRW').waitFor();
      await shot(page, 'mobile-event-venue-time-en');

      await page.goto(new URL(`/performances/${show.performanceId}`, system.appUrl).href);
      await page.getByText(/^Sat, Dec 18, 2027, 7:00\sPM GMT\+9/).waitFor();
      await page.getByText('40,000 left').waitFor();
      await page.getByRole('radio', { name: /^Field · 45,000 KRW/ }).waitFor();
      await shot(page, 'mobile-performance-venue-time-en');
    },
    stepTimeoutMs,
  );

  it(
    'says the same in Korean: 오후 7:00 with the label, 40,000석 남음',
    async () => {
      await page.getByRole('button', { name: /^한국어/ }).click();
      await page.getByText('40,000석 남음').waitFor();
      const heading = page.getByText(/12월 18일.*오후 7:00 GMT\+9/);
      await heading.waitFor();
      expect(await heading.textContent()).not.toMatch(/오전 10:00/);
      await shot(page, 'mobile-performance-venue-time-ko');
      await page.goto(new URL('/', system.appUrl).href);
      await page.getByRole('button', { name: /^English/ }).click();
    },
    stepTimeoutMs,
  );
});
