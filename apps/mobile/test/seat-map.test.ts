/**
 * The buyer's seat map (issue 21, item 9), in Chromium against the real servers and the demo
 * concert: a whole row of 20 in sight on a phone without sideways scrolling; zoom with + and −,
 * Ctrl + wheel, a two-finger pinch and a tap; panning by dragging (which chooses nothing) with the
 * row letters still at the left edge; a legend; every seat named in words with its price and
 * state; and the alternatives in words, not "Orchestra/A/11", in English and Korean.
 */
import type { BrowserContext, CDPSession, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shot } from '../../../scripts/test/apps/driver.ts';
import { type MobileSystem, startMobileSystem } from '../../../scripts/test/apps/system.ts';
import { launchChromium } from '../../../scripts/test/chromium.ts';

const stepTimeoutMs = 120_000;
const phone = { width: 375, height: 740 };
const tablet = { width: 820, height: 1180 };

type Box = { x: number; y: number; width: number; height: number };

async function box(locator: Locator): Promise<Box> {
  const found = await locator.boundingBox();
  if (!found) throw new Error('not on screen');
  return found;
}

/** True when `inner` lies within `outer` (a pixel of rounding allowed). */
const inside = (inner: Box, outer: Box) =>
  inner.x >= outer.x - 1 &&
  inner.y >= outer.y - 1 &&
  inner.x + inner.width <= outer.x + outer.width + 1 &&
  inner.y + inner.height <= outer.y + outer.height + 1;

/** Scrolls the map to the middle of the screen, as a buyer about to touch it would. */
async function showMap(page: Page) {
  await page
    .locator('.seat-frame')
    .evaluate((element) => element.scrollIntoView({ block: 'center' }));
}

const scaleOf = async (page: Page) =>
  Number(await page.getByRole('group', { name: 'Seat map' }).getAttribute('data-scale'));

/**
 * A page as a phone (or tablet) opens it: its size, a touch screen or a mouse, its language. The
 * DevTools session it returns also sends touches.
 */
async function openAs(
  context: BrowserContext,
  url: string,
  options: { size?: typeof phone; touch?: boolean; korean?: boolean } = {},
) {
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  page.on('pageerror', (error) => console.error(`[app] ${error.message}`));
  const cdp = await context.newCDPSession(page);
  if (options.touch) {
    await cdp.send('Emulation.setTouchEmulationEnabled', { enabled: true, maxTouchPoints: 5 });
  }
  if (options.korean) {
    await page.addInitScript(() => {
      localStorage.removeItem('tessera.lang');
      Object.defineProperty(navigator, 'languages', { get: () => ['ko-KR', 'ko'] });
    });
  }
  await page.setViewportSize(options.size ?? phone);
  await page.goto(url);
  return { page, cdp };
}

/** Two fingers, through the DevTools protocol: they touch down, spread (or close), lift. */
async function pinch(cdp: CDPSession, center: { x: number; y: number }, from: number, to: number) {
  const fingers = (half: number) => [
    { x: center.x - half, y: center.y, id: 1 },
    { x: center.x + half, y: center.y, id: 2 },
  ];
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: fingers(from) });
  const steps = 8;
  for (let step = 1; step <= steps; step += 1) {
    const half = from + ((to - from) * step) / steps;
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: fingers(half) });
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
}

async function tap(cdp: CDPSession, at: { x: number; y: number }) {
  await cdp.send('Input.dispatchTouchEvent', {
    type: 'touchStart',
    touchPoints: [{ ...at, id: 1 }],
  });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
}

describe("the buyer's seat map", () => {
  let system: MobileSystem;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let context: BrowserContext;
  let concertId: string;
  let concertPath: string;

  beforeAll(async () => {
    system = await startMobileSystem({ backend: 'sqlite' });
    browser = await launchChromium();
    context = browser.context;
    const events = await system.ticketing('GET', '/v1/events');
    const concert = (events.body.events as { id: string; name: string }[]).find(
      (event) => event.name === 'Winter Concert',
    );
    if (!concert) throw new Error('the demo concert is missing');
    const event = await system.ticketing('GET', `/v1/events/${concert.id}`);
    concertId = event.body.performances[0].id;
    concertPath = `/performances/${concertId}`;
  }, stepTimeoutMs);

  afterAll(async () => {
    await browser?.close();
    await system?.close();
  });

  async function openMap(options: Parameters<typeof openAs>[2] = {}) {
    const opened = await openAs(context, new URL(concertPath, system.appUrl).href, options);
    await opened.page.locator('button[data-seat="Orchestra/A/1"]').waitFor();
    return opened;
  }

  it(
    'shows a whole row of 20 on a 375 px phone without sideways scrolling, with a legend',
    async () => {
      const { page } = await openMap({ touch: true });
      try {
        await page
          .getByText('Tap the map where you want to sit to zoom in, then tap your seats.', {
            exact: false,
          })
          .waitFor();
        const widths = await page.evaluate(() => ({
          page: document.documentElement.scrollWidth,
          view: window.innerWidth,
        }));
        expect(widths.page).toBeLessThanOrEqual(widths.view);
        const frame = await box(page.getByRole('group', { name: 'Seat map' }));
        const screen = { x: 0, y: 0, width: phone.width, height: Number.POSITIVE_INFINITY };
        for (const seat of ['Orchestra/A/1', 'Orchestra/A/20', 'Orchestra/H/20']) {
          const seatBox = await box(page.locator(`button[data-seat="${seat}"]`));
          expect(inside(seatBox, frame), seat).toBe(true);
          expect(inside(seatBox, screen), seat).toBe(true);
        }
        expect(await scaleOf(page)).toBeLessThan(1);
        const legend = page.getByRole('list', { name: 'Legend' });
        for (const words of ['Available', 'Your choice', 'Sold or held', 'Accessible seat']) {
          await legend.getByText(words, { exact: true }).waitFor();
        }
        // Every seat says where it is, what it costs and whether it can be had.
        await page
          .getByRole('button', {
            name: 'Orchestra, row A, seat 1, accessible seat, 55 USDT, available',
            exact: true,
          })
          .waitFor();
        await page.getByRole('radio', { name: /^Balcony/ }).check();
        await page
          .getByRole('button', {
            name: 'Balcony, row 1, seat 5, 45,000 KRW, available',
            exact: true,
          })
          .waitFor();
        await page.getByRole('radio', { name: /^Orchestra/ }).check();
        await showMap(page);
        await shot(page, 'seat-map-phone-en', { screenOnly: true });
      } finally {
        await page.close();
      }
    },
    stepTimeoutMs,
  );

  it(
    'zooms with + and Ctrl + wheel; a drag pans without choosing, the row letters stay in sight',
    async () => {
      const { page } = await openMap();
      try {
        await page
          .getByText(/^Click the seats you want\. Zoom with \+ and − or Ctrl \+ scroll/)
          .waitFor();
        const fitted = await scaleOf(page);
        await page.getByRole('button', { name: 'Zoom in' }).click();
        await expect.poll(() => scaleOf(page)).toBeGreaterThan(fitted);
        await page.getByRole('button', { name: 'Zoom in' }).click();
        await expect.poll(() => scaleOf(page)).toBeGreaterThan(0.9);
        await showMap(page);
        const frame = await box(page.getByRole('group', { name: 'Seat map' }));
        const last = page.locator('button[data-seat="Orchestra/A/20"]');
        // Zoomed in on the middle, the row's far end is out of the frame: drag the map left.
        const start = { x: frame.x + frame.width * 0.8, y: frame.y + frame.height / 2 };
        await page.mouse.move(start.x, start.y);
        await page.mouse.down();
        for (let step = 1; step <= 10; step += 1) {
          await page.mouse.move(start.x - step * 60, start.y, { steps: 2 });
        }
        await page.mouse.up();
        await expect.poll(async () => inside(await box(last), frame)).toBe(true);
        expect(inside(await box(page.locator('button[data-seat="Orchestra/A/1"]')), frame)).toBe(
          false,
        );
        // The row letter A is still at the frame's left edge, in sight.
        const label = await box(page.locator('.row-label', { hasText: /^A$/ }));
        expect(inside(label, frame)).toBe(true);
        expect(label.x - frame.x).toBeLessThan(30);
        // The drag ended over a seat, and chose none.
        await expect(page.locator('.seat[aria-pressed="true"]').count()).resolves.toBe(0);
        await showMap(page);
        await shot(page, 'seat-map-phone-zoomed-en', { screenOnly: true });

        // Back to the whole map, then Ctrl + wheel (a trackpad pinch) zooms in at the cursor.
        await page.getByRole('button', { name: 'Whole map' }).click();
        await expect.poll(() => scaleOf(page)).toBeCloseTo(fitted, 3);
        await showMap(page);
        const fittedFrame = await box(page.getByRole('group', { name: 'Seat map' }));
        await page.mouse.move(fittedFrame.x + fittedFrame.width / 2, fittedFrame.y + 20);
        await page.keyboard.down('Control');
        await page.mouse.wheel(0, -300);
        await page.keyboard.up('Control');
        await expect.poll(() => scaleOf(page)).toBeGreaterThan(fitted);
        await page.getByRole('button', { name: 'Zoom out' }).click();
        await page.getByRole('button', { name: 'Whole map' }).click();
        await expect.poll(() => scaleOf(page)).toBeCloseTo(fitted, 3);
      } finally {
        await page.close();
      }
    },
    stepTimeoutMs,
  );

  it(
    'pinches with two fingers; on seats too small to touch a tap zooms in, the next one chooses',
    async () => {
      const { page, cdp } = await openMap({ touch: true });
      try {
        const fitted = await scaleOf(page);
        const frameLocator = page.getByRole('group', { name: 'Seat map' });
        await showMap(page);
        let frame = await box(frameLocator);
        const center = { x: frame.x + frame.width / 2, y: frame.y + frame.height / 2 };
        await pinch(cdp, center, 30, 90);
        await expect.poll(() => scaleOf(page)).toBeGreaterThan(fitted * 2);
        await pinch(cdp, center, 120, 10);
        await expect.poll(() => scaleOf(page)).toBeCloseTo(fitted, 3);

        // At the fitted scale a seat is smaller than a finger: the tap zooms in, choosing nothing.
        const seat = page.locator('button[data-seat="Orchestra/C/10"]');
        const small = await box(seat);
        expect(small.width).toBeLessThan(24);
        await tap(cdp, { x: small.x + small.width / 2, y: small.y + small.height / 2 });
        await expect.poll(() => scaleOf(page)).toBeGreaterThan(1);
        await expect(seat.getAttribute('aria-pressed')).resolves.toBe('false');
        frame = await box(frameLocator);
        const large = await box(seat);
        expect(large.width).toBeGreaterThanOrEqual(24);
        expect(inside(large, frame)).toBe(true);
        await tap(cdp, { x: large.x + large.width / 2, y: large.y + large.height / 2 });
        await expect.poll(() => seat.getAttribute('aria-pressed')).toBe('true');
      } finally {
        await page.close();
      }
    },
    stepTimeoutMs,
  );

  it(
    'chooses a seat by its name, says the choice in words, and brings a focused seat into sight',
    async () => {
      const { page } = await openMap();
      try {
        await page
          .getByRole('button', { name: /^Orchestra, row C, seat 5, 55 USDT, available$/ })
          .click();
        await page
          .getByRole('button', { name: 'Orchestra, row C, seat 5, 55 USDT, selected', exact: true })
          .waitFor();
        await page.getByText('1 selected (up to').waitFor();
        await page.getByText('Orchestra · Row C · Seat 5', { exact: true }).waitFor();

        // Zoomed in on the left, a seat at the row's far end that gets the focus comes into sight.
        const frameLocator = page.getByRole('group', { name: 'Seat map' });
        for (let press = 0; press < 3; press += 1) {
          await page.getByRole('button', { name: 'Zoom in' }).click();
        }
        await showMap(page);
        const frame = await box(frameLocator);
        const far = page.locator('button[data-seat="Orchestra/D/20"]');
        await far.focus();
        await expect.poll(async () => inside(await box(far), frame)).toBe(true);
        await page.keyboard.press('Enter');
        await expect.poll(() => far.getAttribute('aria-pressed')).toBe('true');
        await page.getByText('Orchestra · Row C · Seat 5, Orchestra · Row D · Seat 20').waitFor();
      } finally {
        await page.close();
      }
    },
    stepTimeoutMs,
  );

  it(
    'offers the alternatives in words, in English and in Korean',
    async () => {
      const tonight = await system.createTonight(await system.organizerSession());
      await system.holdPlaces(tonight.performanceId, tonight.standingId, 1);
      const url = new URL(`/performances/${tonight.performanceId}`, system.appUrl).href;
      const { page } = await openAs(context, url);
      try {
        await page.getByRole('radio', { name: /Standing/ }).check();
        const others = page.getByRole('region', { name: 'Other choices' });
        const best = others.getByText(
          /^Best seats left together: Orchestra · Row [A-H] · Seat \d+/,
        );
        await best.waitFor();
        expect(await others.textContent()).not.toContain('/');
        const words = (await best.textContent())?.match(/Orchestra · Row [A-H] · Seat \d+/)?.[0];
        await shot(page, 'seat-map-alternatives-en');
        await others.getByRole('button', { name: 'Pick these' }).click();
        await page.getByText(`${words}`, { exact: true }).waitFor();
        await expect(page.locator('.seat[aria-pressed="true"]').count()).resolves.toBe(1);
      } finally {
        await page.close();
      }
      const { page: korean } = await openAs(context, url, { korean: true });
      try {
        await korean.getByRole('radio', { name: /Standing/ }).check();
        const others = korean.getByRole('region', { name: '다른 선택' });
        await others.getByText(/^붙어 있는 남은 최적 좌석: Orchestra [A-H]열 \d+번/).waitFor();
        expect(await others.textContent()).not.toContain('/');
        await shot(korean, 'seat-map-alternatives-ko');
      } finally {
        await korean.close();
      }
    },
    stepTimeoutMs,
  );

  it(
    'looks right on a tablet, and in Korean, with seats held by others and one chosen',
    async () => {
      // Someone else holds the six best seats (the middle of row A): grey, and not to be had.
      const availability = await system.ticketing(
        'GET',
        `/v1/performances/${concertId}/availability`,
      );
      const orchestra = (availability.body.categories as { id: string; name: string }[]).find(
        (category) => category.name === 'Orchestra',
      );
      await system.holdPlaces(concertId, orchestra?.id as string, 6);
      const { page } = await openMap({ size: tablet, touch: true });
      try {
        await page
          .getByText('Tap the seats you want. Pinch or use + and − to zoom; drag to look around.')
          .waitFor();
        const frame = await box(page.getByRole('group', { name: 'Seat map' }));
        const seat = await box(page.locator('button[data-seat="Orchestra/A/20"]'));
        expect(inside(seat, frame)).toBe(true);
        // Wide enough for seats a finger can take without zooming.
        expect(seat.width).toBeGreaterThanOrEqual(24);
        await showMap(page);
        await shot(page, 'seat-map-tablet-en', { screenOnly: true });
      } finally {
        await page.close();
      }
      const { page: korean } = await openMap({ touch: true, korean: true });
      try {
        await korean.getByText('앉고 싶은 곳을 누르면 확대됩니다.', { exact: false }).waitFor();
        await korean
          .getByRole('button', {
            name: 'Orchestra A열 1번, 장애인석, 55 USDT, 선택 가능',
            exact: true,
          })
          .waitFor();
        const legend = korean.getByRole('list', { name: '범례' });
        await legend.getByText('판매·선점됨').waitFor();
        await expect(korean.locator('.seat-frame .seat-taken').count()).resolves.toBe(6);
        await korean.getByRole('button', { name: '확대' }).click();
        await korean.getByRole('button', { name: '확대' }).click();
        await korean
          .getByRole('button', { name: /^Orchestra B열 10번, 55 USDT, 선택 가능$/ })
          .click();
        await korean.getByText('Orchestra B열 10번', { exact: true }).waitFor();
        await showMap(korean);
        await shot(korean, 'seat-map-phone-zoomed-ko', { screenOnly: true });
        await korean.getByRole('button', { name: '전체 보기' }).click();
        await showMap(korean);
        await shot(korean, 'seat-map-phone-ko', { screenOnly: true });
        await korean.setViewportSize(tablet);
        await showMap(korean);
        await shot(korean, 'seat-map-tablet-ko', { screenOnly: true });
      } finally {
        await korean.close();
      }
    },
    stepTimeoutMs,
  );
});
