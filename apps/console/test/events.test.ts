/**
 * The events screens in headless Chromium against the real servers, on both databases: the demo
 * organizer sees its events with their dates on the venue's clock; creates an event at the demo
 * concert hall (two reserved categories on different sections and a standing one priced in KRW,
 * two performances) from a browser set to London, after the form refused a bad price and an end
 * before the start next to the fields; publishes it, and the server holds the times of a Seoul
 * evening; the buyer's app lists it; a third performance is added, the event unpublished and
 * duplicated into a draft; a box-office staff member sees it all read-only.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../../scripts/test/chromium.ts';
import { demoAccounts } from '../../../services/exchange/src/demo.ts';
import { type ConsoleSystem, startConsoleSystem } from './system.ts';

const stepTimeoutMs = 180_000;

/** What a category looks like at the server, for comparing. */
interface ServerCategory {
  name: string;
  pricing: string;
  priceAsset: string;
  price: string;
  seating: string;
  area: string | null;
  capacity: number;
}

/**
 * Chromium with its clock in London, far from the venue's Seoul: it takes its zone from `TZ` at
 * start, set only while it starts (the servers in this process keep theirs).
 */
async function launchInLondon() {
  const zone = process.env.TZ;
  process.env.TZ = 'Europe/London';
  try {
    return await launchChromium();
  } finally {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  }
}

/** Signs `phone` in, after whoever this browser's console session belonged to. */
async function signInAs(system: ConsoleSystem, page: Page, phone: string) {
  await page.goto(system.consoleUrl);
  await page.evaluate(() => localStorage.removeItem('tessera.console.session'));
  await system.signIn(page, phone);
}

const seoulTime = (iso: string) =>
  new Intl.DateTimeFormat('en-US', {
    hour: 'numeric',
    minute: '2-digit',
    timeZone: 'Asia/Seoul',
  }).format(new Date(iso));

describe.each(['sqlite', 'postgres'] as const)('the events screens on %s', (backend) => {
  let system: ConsoleSystem;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let context: BrowserContext;
  let token: string;
  /** The event made in the browser, for the steps after. */
  let created: { id: string; slug: string; name: string } | undefined;

  beforeAll(async () => {
    system = await startConsoleSystem({ backend });
    browser = await launchInLondon();
    context = browser.context;
    token = await system.organizerSession();
  }, stepTimeoutMs);

  afterAll(async () => {
    await browser?.close();
    await system?.close();
  });

  const organizerEvents = async () => {
    const list = await system.ticketing(
      'GET',
      `/v1/organizers/${system.organizerId}/events?limit=100`,
      undefined,
      token,
    );
    return list.body.events as { id: string; slug: string; name: string; status: string }[];
  };

  it(
    "lists the demo organizer's events with the next date on the venue's clock",
    async () => {
      const page = await context.newPage();
      await signInAs(system, page, demoAccounts.organizer.phone);
      await page.getByRole('heading', { name: 'Events' }).waitFor();
      const concert = (await organizerEvents()).find((event) => event.slug === 'winter-concert');
      expect(concert).toBeDefined();
      const event = await system.ticketing('GET', `/v1/events/${concert?.id}`, undefined, token);
      const first = event.body.performances[0].startsAt as string;
      const row = page.locator(`tr[data-event="${concert?.id}"]`);
      await row.getByRole('link', { name: 'Winter Concert' }).waitFor();
      await expect(row.textContent()).resolves.toContain('Seoul Arts Center, Concert Hall');
      const next = row.locator('time');
      await next.waitFor();
      await expect(next.getAttribute('datetime')).resolves.toBe(first);
      // 19:00 in Seoul, labelled with its zone on a browser in London, not 10:00.
      await expect(next.textContent()).resolves.toContain(`${seoulTime(first)} GMT+9`);
      await page.getByRole('link', { name: 'City Transit Pass' }).waitFor();
      await page.getByRole('link', { name: 'New event' }).waitFor();
      await page.close();
    },
    stepTimeoutMs,
  );

  it(
    'creates an event with three categories and two performances, refusing bad input first, and publishes it',
    async () => {
      const page = await context.newPage();
      await signInAs(system, page, demoAccounts.organizer.phone);
      await page.getByRole('link', { name: 'New event' }).click();
      await page.getByRole('heading', { name: 'New event' }).waitFor();
      const name = `Spring Gala ${backend}`;
      await page.getByLabel('Name', { exact: true }).fill(name);
      await expect(page.getByLabel(/slug/).inputValue()).resolves.toBe(`spring-gala-${backend}`);
      await page.getByLabel('Venue').selectOption({ label: 'Seoul Arts Center, Concert Hall' });
      // The venue's map comes in above the categories: wait for it before clicking below it.
      const map = page.getByRole('img', {
        name: 'Seat map of Seoul Arts Center, Concert Hall with the categories',
      });
      await map.waitFor();

      const first = page.getByRole('region', { name: 'Category 1' });
      await first.getByLabel('Category name').fill('Orchestra seats');
      await first.getByLabel('Priced in').selectOption('crypto');
      await first.getByLabel('Asset').selectOption('USDT');
      await first.getByLabel('Orchestra').check();
      // A bad price is named next to the field as soon as the field is left.
      await first.getByLabel(/^Price \(/).fill('abc');
      await first.getByLabel(/^Price \(/).blur();
      await first.getByText('An amount such as 55 or 12.5, above 0.').waitFor();

      await page.getByRole('button', { name: 'Add a category' }).click();
      const second = page.getByRole('region', { name: 'Category 2' });
      await second.getByLabel('Category name').fill('Balcony seats');
      await second.getByLabel(/^Price \(/).fill('50000');
      await second.getByLabel('Balcony').check();
      // Each category's sections take its colour on the map.
      await expect(map.locator('[aria-label="Orchestra A-1"]').getAttribute('fill')).resolves.toBe(
        '#2f6fdf',
      );
      await expect(map.locator('[aria-label="Balcony 1-1"]').getAttribute('fill')).resolves.toBe(
        '#d9822b',
      );

      await page.getByRole('button', { name: 'Add a category' }).click();
      const third = page.getByRole('region', { name: 'Category 3' });
      await third.getByLabel('Category name').fill('Floor standing');
      await third.getByLabel(/^Price \(/).fill('30000');
      await third.getByLabel('Seating').selectOption('ga');
      await third.getByLabel('Standing area').selectOption('Standing');
      await third.getByLabel('Places to sell').fill('100');

      const firstShow = page.getByRole('region', { name: 'Performance 1' });
      await firstShow.getByLabel('Starts').fill('2027-03-20T19:00');
      await firstShow.getByLabel('Ends').fill('2027-03-20T18:00');
      await firstShow.getByLabel('Ends').blur();
      await firstShow.getByText('After the start.').waitFor();
      await page.getByRole('button', { name: 'Add a performance' }).click();
      const secondShow = page.getByRole('region', { name: 'Performance 2' });
      await secondShow.getByLabel('Starts').fill('2027-03-21T15:00');
      await secondShow.getByLabel('Ends').fill('2027-03-21T18:00');

      await page.getByRole('button', { name: 'Create the event' }).click();
      // Refused next to the fields, before anything is sent.
      await first.getByText('An amount such as 55 or 12.5, above 0.').waitFor();
      await expect(first.getByLabel(/^Price \(/).getAttribute('aria-invalid')).resolves.toBe(
        'true',
      );
      await firstShow.getByText('After the start.').waitFor();
      expect((await organizerEvents()).some((event) => event.name === name)).toBe(false);

      await first.getByLabel(/^Price \(/).fill('60');
      await firstShow.getByLabel('Ends').fill('2027-03-20T22:00');
      await firstShow.getByLabel('Ends').blur();
      await firstShow.getByText('After the start.').waitFor({ state: 'detached' });
      await first.getByText('An amount such as 55').waitFor({ state: 'detached' });
      // The server refuses a slug the demo concert has: in words, next to the slug.
      const slug = page.getByLabel(/slug/);
      await slug.fill('winter-concert');
      await page.getByRole('button', { name: 'Create the event' }).click();
      const taken = 'Another event of this organization already uses this slug.';
      await page.locator('.field-error', { hasText: taken }).waitFor();
      await page.locator('.failure', { hasText: taken }).waitFor();
      await expect(slug.getAttribute('aria-invalid')).resolves.toBe('true');
      await slug.fill(`spring-gala-${backend}`);
      await slug.blur();
      await page.locator('.field-error', { hasText: taken }).waitFor({ state: 'detached' });
      await page.getByRole('button', { name: 'Create the event' }).click();
      await page.waitForURL(/\/events\/ev_[0-9a-z]+$/);
      await page.getByRole('heading', { name, level: 1 }).waitFor();
      const eventId = /\/events\/(ev_[0-9a-z]+)$/.exec(page.url())?.[1] ?? '';
      created = { id: eventId, slug: `spring-gala-${backend}`, name };

      await page.getByRole('button', { name: 'Publish', exact: true }).click();
      await page.getByText('The event is on sale.').waitFor();
      // The preview lists the dates on the venue's clock and offers the buyer's app.
      const preview = page.getByRole('complementary', { name: 'How the buyer’s app shows it' });
      await preview.getByText('60 USDT').waitFor();
      await preview.getByText('50,000 KRW, paid in crypto at the rate of the moment').waitFor();
      await expect(
        preview.getByRole('link', { name: 'Open in the buyer’s app' }).getAttribute('href'),
      ).resolves.toBe(`${system.appUrl}/events/${eventId}`);

      const event = (await system.ticketing('GET', `/v1/events/${eventId}`)).body;
      expect(event.status).toBe('published');
      expect(event.venue.timeZone).toBe('Asia/Seoul');
      const categories = (event.categories as ServerCategory[]).map((category) => ({
        name: category.name,
        pricing: category.pricing,
        priceAsset: category.priceAsset,
        price: category.price,
        seating: category.seating,
        area: category.area,
      }));
      expect(categories).toEqual([
        {
          name: 'Orchestra seats',
          pricing: 'crypto',
          priceAsset: 'USDT',
          price: '60',
          seating: 'seated',
          area: null,
        },
        {
          name: 'Balcony seats',
          pricing: 'fiat',
          priceAsset: 'KRW',
          price: '50000',
          seating: 'seated',
          area: null,
        },
        {
          name: 'Floor standing',
          pricing: 'fiat',
          priceAsset: 'KRW',
          price: '30000',
          seating: 'ga',
          area: 'Standing',
        },
      ]);
      const capacities = (event.categories as ServerCategory[]).map((c) => c.capacity);
      expect(capacities).toEqual([160, 64, 100]);
      const times = (event.performances as { startsAt: string; endsAt: string }[]).map((p) => [
        new Date(p.startsAt).toISOString(),
        new Date(p.endsAt).toISOString(),
      ]);
      // 19:00–22:00 and 15:00–18:00 in Seoul (UTC+9), typed on a browser in London.
      expect(times).toEqual([
        ['2027-03-20T10:00:00.000Z', '2027-03-20T13:00:00.000Z'],
        ['2027-03-21T06:00:00.000Z', '2027-03-21T09:00:00.000Z'],
      ]);
      await page.close();
    },
    stepTimeoutMs,
  );

  it(
    "shows the published event in the buyer's app on a phone",
    async () => {
      expect(created).toBeDefined();
      const phone = await context.newPage();
      await phone.setViewportSize({ width: 390, height: 844 });
      await phone.goto(new URL('/events', system.appUrl).href);
      await phone
        .getByText(created?.name ?? '')
        .first()
        .waitFor();
      await phone.close();
    },
    stepTimeoutMs,
  );

  it(
    'adds a third performance, unpublishes, and duplicates the event into a draft',
    async () => {
      expect(created).toBeDefined();
      const eventId = created?.id ?? '';
      const page = await context.newPage();
      await signInAs(system, page, demoAccounts.organizer.phone);
      await page.goto(`${system.consoleUrl}/o/${system.organizerId}/events/${eventId}`);
      const add = page.locator('form.add-performance');
      await add.getByLabel('Starts').fill('2027-03-22T19:00');
      await add.getByLabel('Ends').fill('2027-03-22T19:00');
      await add.getByRole('button', { name: 'Add the performance' }).click();
      await add.getByText('After the start.').waitFor();
      await add.getByLabel('Ends').fill('2027-03-22T21:30');
      await add.getByLabel('Ends').blur();
      await add.getByText('After the start.').waitFor({ state: 'detached' });
      await add.getByRole('button', { name: 'Add the performance' }).click();
      await add.getByText('The performance was added.').waitFor();
      await page.getByRole('region', { name: 'Performance 3' }).waitFor();
      let event = (await system.ticketing('GET', `/v1/events/${eventId}`, undefined, token)).body;
      expect(
        event.performances.map((p: { startsAt: string }) => new Date(p.startsAt).toISOString()),
      ).toContain('2027-03-22T10:00:00.000Z');

      // Changing a price of the published event: the form sends the categories' seats again.
      await page
        .getByRole('region', { name: 'Category 2' })
        .getByLabel(/^Price \(/)
        .fill('55000');
      await page.getByRole('button', { name: 'Save changes' }).click();
      await page.getByText('Saved.', { exact: true }).waitFor();
      event = (await system.ticketing('GET', `/v1/events/${eventId}`, undefined, token)).body;
      expect(event.categories.map((c: ServerCategory) => [c.name, c.price, c.capacity])).toEqual([
        ['Orchestra seats', '60', 160],
        ['Balcony seats', '55000', 64],
        ['Floor standing', '30000', 100],
      ]);

      await page.getByRole('button', { name: 'Unpublish' }).click();
      await page.getByText('The event is back to draft').waitFor();
      event = (await system.ticketing('GET', `/v1/events/${eventId}`, undefined, token)).body;
      expect(event.status).toBe('draft');

      const duplicate = page.locator('form.duplicate');
      await duplicate.getByLabel('Move the performances by (days)').fill('7');
      await duplicate.getByRole('button', { name: 'Duplicate' }).click();
      await page.getByRole('heading', { name: `New event (copy of ${created?.name})` }).waitFor();
      await expect(page.getByLabel(/slug/).inputValue()).resolves.toBe(`${created?.slug}-copy`);
      await expect(
        page.getByRole('region', { name: 'Performance 3' }).getByLabel('Starts').inputValue(),
      ).resolves.toBe('2027-03-29T19:00');
      await expect(
        page.getByRole('region', { name: 'Category 1' }).getByLabel('Orchestra').isChecked(),
      ).resolves.toBe(true);
      await page.getByRole('button', { name: 'Create the event' }).click();
      await page.waitForURL(
        (url) => /\/events\/ev_[0-9a-z]+$/.test(url.pathname) && !url.pathname.endsWith(eventId),
      );
      const copy = (await organizerEvents()).find((e) => e.slug === `${created?.slug}-copy`);
      expect(copy?.status).toBe('draft');
      const copied = (await system.ticketing('GET', `/v1/events/${copy?.id}`, undefined, token))
        .body;
      expect(copied.categories.map((c: ServerCategory) => [c.name, c.capacity])).toEqual([
        ['Orchestra seats', 160],
        ['Balcony seats', 64],
        ['Floor standing', 100],
      ]);
      expect(
        copied.performances.map((p: { startsAt: string }) => new Date(p.startsAt).toISOString()),
      ).toEqual([
        '2027-03-27T10:00:00.000Z',
        '2027-03-28T06:00:00.000Z',
        '2027-03-29T10:00:00.000Z',
      ]);
      await page.getByRole('link', { name: 'Events' }).click();
      await page.locator(`tr[data-event="${copy?.id}"]`).getByText('Draft').waitFor();
      await page.close();
    },
    stepTimeoutMs,
  );

  it(
    'shows a box-office staff member the events read-only',
    async () => {
      const phone = await system.addDemoStaff('box_office', token);
      const page = await context.newPage();
      await signInAs(system, page, phone);
      await page.waitForURL(new RegExp(`/o/${system.organizerId}`));
      await page.getByRole('heading', { name: 'Events' }).waitFor();
      await page.getByRole('link', { name: 'Winter Concert' }).click();
      await page.getByText('Your role may look at this event but not change it.').waitFor();
      await expect(page.getByLabel('Name', { exact: true }).isDisabled()).resolves.toBe(true);
      await page.getByRole('region', { name: 'Category 1' }).waitFor();
      await expect(
        page.getByRole('button', { name: 'Publish', exact: true }).count(),
      ).resolves.toBe(0);
      await expect(page.getByRole('button', { name: 'Save changes' }).count()).resolves.toBe(0);
      await expect(page.getByRole('button', { name: 'Add the performance' }).count()).resolves.toBe(
        0,
      );
      await page.getByRole('link', { name: 'Events' }).click();
      await page.getByRole('link', { name: 'City Transit Pass' }).waitFor();
      await expect(page.getByRole('link', { name: 'New event' }).count()).resolves.toBe(0);
      await page.goto(`${system.consoleUrl}/o/${system.organizerId}/events/new`);
      await page.getByRole('heading', { name: 'Events' }).waitFor();
      await page.close();
    },
    stepTimeoutMs,
  );
});
