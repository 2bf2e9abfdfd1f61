/**
 * Venues and the seat-map editor in headless Chromium against the real servers, on both
 * databases: the demo organizer adds a venue (a bad latitude is refused next to the field), draws
 * two sections, one curved, and a standing area, deletes a seat and marks one accessible, saves,
 * and the server holds exactly that map; the exported JSON imported into a new venue gives the
 * same map; a thousand-seat block draws and a click selects a seat; a venue an event uses opens
 * read-only and says why.
 */
import { readFile } from 'node:fs/promises';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../../scripts/test/chromium.ts';
import { demoAccounts } from '../../../services/exchange/src/demo.ts';
import { type ConsoleSystem, startConsoleSystem } from './system.ts';

const stepTimeoutMs = 120_000;

interface StoredMap {
  sections: {
    name: string;
    rows: {
      label: string;
      seats: { number: string; x: number; y: number; accessible: boolean }[];
    }[];
  }[];
  areas: { name: string; capacity: number }[];
}

/** The map without the server's ids, to compare two venues' maps. */
const withoutIds = (map: StoredMap) => ({
  sections: map.sections.map((section) => ({
    name: section.name,
    rows: section.rows.map((row) => ({
      label: row.label,
      seats: row.seats.map(({ number, x, y, accessible }) => ({ number, x, y, accessible })),
    })),
  })),
  areas: map.areas.map(({ name, capacity }) => ({ name, capacity })),
});

describe.each(['sqlite', 'postgres'] as const)('venues and seat maps on %s', (backend) => {
  let system: ConsoleSystem;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let context: BrowserContext;
  let page: Page;
  let token: string;

  beforeAll(async () => {
    system = await startConsoleSystem({ backend });
    browser = await launchChromium();
    context = browser.context;
    page = await context.newPage();
    await system.signIn(page, demoAccounts.organizer.phone);
    await page.waitForURL(new RegExp(`/o/${system.organizerId}`));
    token = await system.organizerSession();
  }, stepTimeoutMs);

  afterAll(async () => {
    await browser?.close();
    await system?.close();
  });

  const venuesUrl = () => `${system.consoleUrl}/o/${system.organizerId}/venues`;
  const block = (index: number) => page.getByRole('group', { name: `Block ${index}`, exact: true });
  const seat = (label: string) => page.locator(`rect[data-seat][aria-label="${label}"]`);
  const seatMapOf = async (venueId: string) => {
    const answer = await system.ticketing('GET', `/v1/venues/${venueId}/seat-map`);
    expect(answer.status).toBe(200);
    return answer.body as StoredMap;
  };
  /** A venue made at the server, its seat map opened in the editor. */
  const openNewVenue = async (name: string) => {
    const created = await system.ticketing(
      'POST',
      `/v1/organizers/${system.organizerId}/venues`,
      { name, address: '1 Test Street', latitude: 37.5, longitude: 127, radiusM: 300 },
      token,
    );
    expect(created.status).toBe(201);
    const venueId = created.body.id as string;
    await page.goto(`${venuesUrl()}/${venueId}/seat-map`);
    await page.getByRole('heading', { name: `Seat map of ${name}` }).waitFor();
    return venueId;
  };

  let drawnVenueId = '';
  let exported = '';

  it(
    'adds and edits a venue: a bad latitude or radius is refused next to the field, the time zone is kept',
    async () => {
      await page.goto(venuesUrl());
      await page.getByRole('link', { name: 'Add a venue' }).click();
      await page.getByLabel('Name').fill('Han River Hall');
      await page.getByLabel('Address').fill('1 Yeouido-dong, Seoul');
      await page.getByLabel('Latitude', { exact: true }).fill('95');
      await page.getByLabel('Longitude', { exact: true }).fill('126.93');
      await page.getByLabel('Radius in metres').fill('250');
      await page.getByLabel('Time zone').selectOption('Europe/London');
      await page.getByRole('button', { name: 'Add a venue' }).click();
      await page.getByText('A latitude is a number from -90 to 90, such as 37.4786.').waitFor();
      await expect(
        page.getByLabel('Latitude', { exact: true }).getAttribute('aria-invalid'),
      ).resolves.toBe('true');
      await page.getByLabel('Latitude', { exact: true }).fill('37.5284');
      await page.getByRole('button', { name: 'Add a venue' }).click();
      await page.getByRole('heading', { name: 'Seat map of Han River Hall' }).waitFor();
      drawnVenueId = /\/venues\/([^/]+)\/seat-map/.exec(page.url())?.[1] ?? '';
      const venue = await system.ticketing('GET', `/v1/venues/${drawnVenueId}`);
      expect(venue.body).toMatchObject({
        name: 'Han River Hall',
        latitude: 37.5284,
        longitude: 126.93,
        radiusM: 250,
        timeZone: 'Europe/London',
      });

      // Editing: a radius out of the server's range is refused next to the field, then saved.
      await page.goto(venuesUrl());
      await page.getByRole('link', { name: 'Edit Han River Hall' }).click();
      await expect(page.getByLabel('Time zone').inputValue()).resolves.toBe('Europe/London');
      await page.getByLabel('Radius in metres').fill('5');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText('A whole number of metres from 10 to 100,000.').waitFor();
      await page.getByLabel('Radius in metres').fill('400');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByRole('heading', { name: 'Venues' }).waitFor();
      await page.getByRole('cell', { name: 'Han River Hall', exact: true }).waitFor();
      const edited = await system.ticketing('GET', `/v1/venues/${drawnVenueId}`);
      expect(edited.body.radiusM).toBe(400);
      await page.getByRole('link', { name: 'Seat map of Han River Hall' }).click();
      await page.getByRole('heading', { name: 'Seat map of Han River Hall' }).waitFor();
    },
    stepTimeoutMs,
  );

  it(
    'draws two sections, one curved, and a standing area; deletes a seat, marks one accessible; saves exactly that',
    async () => {
      await page.getByRole('button', { name: 'Save the seat map' }).click();
      await page
        .getByText('The map is empty: add seats or a standing area before saving.')
        .waitFor();

      await page.getByRole('button', { name: 'Add a block' }).click();
      await block(1).getByLabel('Section').fill('Floor');
      await block(1).getByLabel('Rows', { exact: true }).fill('3');
      await block(1).getByLabel('Seats per row').fill('8');
      await block(1).getByLabel('Seat numbers').selectOption('rtl');
      await block(1).getByText('24 seats in this block.').waitFor();

      await page.getByRole('button', { name: 'Add a block' }).click();
      // Two blocks of one section with the same rows and numbers: refused before sending.
      await block(2).getByLabel('Section').fill('Floor');
      await block(2).getByLabel('Rows', { exact: true }).fill('1');
      await page.getByRole('button', { name: 'Save the seat map' }).click();
      await page.getByText('Seat Floor / A / 1 is on the map twice.', { exact: false }).waitFor();
      await block(2).getByLabel('Section').fill('Balcony');
      await block(2).getByLabel('Rows', { exact: true }).fill('2');
      await block(2).getByLabel('Seats per row').fill('10');
      await block(2).getByLabel('Curve').fill('x');
      await block(2).getByText('A number from -100 to 100.').waitFor();
      await block(2).getByLabel('Curve').fill('2');
      await block(2).getByRole('button', { name: 'Move the block down' }).click();
      await page.getByText('On the map: 44 seats and 0 standing areas.').waitFor();

      await page.getByRole('button', { name: 'Add a standing area' }).click();
      await page.getByLabel('Capacity').fill('0');
      await page.getByText('A number from 1 to 1,000,000.').waitFor();
      await page.getByLabel('Capacity').fill('500');
      await page.getByRole('group', { name: 'Standing area 1' }).getByLabel('Name').fill('Pit');

      // Seat 8 of row A stands leftmost: the block is numbered right to left.
      await seat('Floor, row A, seat 8').click();
      await page.getByRole('button', { name: 'Mark accessible' }).click();
      await seat('Floor, row C, seat 1').click();
      await seat('Floor, row C, seat 2').click({ modifiers: ['Shift'] });
      await page.getByText('2 seats selected').waitFor();
      // Shift-clicking a selected seat takes it out of the selection.
      await seat('Floor, row C, seat 2').click({ modifiers: ['Shift'] });
      await page.getByText('1 seat selected').waitFor();
      await page.getByRole('button', { name: 'Delete seats' }).click();
      await page.getByText('On the map: 43 seats and 1 standing area.').waitFor();

      await page.getByRole('button', { name: 'Save the seat map' }).click();
      await page.getByText('Saved: 43 seats in 2 sections and 1 standing area.').waitFor();

      const map = await seatMapOf(drawnVenueId);
      expect(map.sections.map((section) => section.name)).toEqual(['Floor', 'Balcony']);
      const [floor, balcony] = map.sections;
      expect(floor?.rows.map((row) => row.seats.length)).toEqual([8, 8, 7]);
      expect(floor?.rows[0]?.seats.map((s) => s.number)).toEqual([
        '8',
        '7',
        '6',
        '5',
        '4',
        '3',
        '2',
        '1',
      ]);
      expect(floor?.rows[2]?.seats.some((s) => s.number === '1')).toBe(false);
      const accessible = map.sections.flatMap((section) =>
        section.rows.flatMap((row) =>
          row.seats
            .filter((s) => s.accessible)
            .map((s) => `${section.name}/${row.label}/${s.number}`),
        ),
      );
      expect(accessible).toEqual(['Floor/A/8']);
      expect(balcony?.rows.map((row) => row.seats.length)).toEqual([10, 10]);
      const curved = balcony?.rows[0]?.seats ?? [];
      // The row's ends come forward (up) from its middle; left to right order is kept.
      expect(curved[0]?.y).toBeLessThan(curved[4]?.y ?? 0);
      expect(curved.map((s) => s.x)).toEqual([...curved.map((s) => s.x)].sort((a, b) => a - b));
      expect(map.areas.map(({ name, capacity }) => ({ name, capacity }))).toEqual([
        { name: 'Pit', capacity: 500 },
      ]);
      const venue = await system.ticketing('GET', `/v1/venues/${drawnVenueId}`);
      expect(venue.body.seatCount).toBe(43);
    },
    stepTimeoutMs,
  );

  it(
    'exports the map as JSON and CSV, and the JSON imported into a new venue saves the same map',
    async () => {
      const [json] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Download JSON' }).click(),
      ]);
      expect(json.suggestedFilename()).toBe('han-river-hall-seat-map.json');
      exported = await readFile((await json.path()) as string, 'utf8');
      const [csv] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Download CSV' }).click(),
      ]);
      const csvText = await readFile((await csv.path()) as string, 'utf8');
      expect(csvText.split('\n')[0]).toBe('section,row,seat,x,y,accessible,capacity');
      expect(csvText).toContain('\nPit,,,,,,500\n');

      const copyId = await openNewVenue('Han River Hall copy');
      await page.getByLabel('Import a file').setInputFiles({
        name: 'hall.json',
        mimeType: 'application/json',
        buffer: Buffer.from(exported),
      });
      await page.getByText('On the map: 43 seats and 1 standing area.').waitFor();
      await page.getByRole('button', { name: 'Save the seat map' }).click();
      await page.getByText('Saved: 43 seats in 2 sections and 1 standing area.').waitFor();
      expect(withoutIds(await seatMapOf(copyId))).toEqual(
        withoutIds(await seatMapOf(drawnVenueId)),
      );

      // Text that is no seat map is refused next to the field, in words.
      await page.getByLabel('Or paste JSON or CSV').fill('section,place\nFloor,A');
      await page.getByRole('button', { name: 'Show on the map' }).click();
      await page
        .getByText('This cannot be read as a seat map: line 1: unknown column "place"', {
          exact: false,
        })
        .waitFor();
      // Pasted CSV in the server's format is drawn in place of the map (and not saved yet).
      await page
        .getByLabel('Or paste JSON or CSV')
        .fill('section,row,seat,capacity\nBox,A,1,\nBox,A,2,\nLawn,,,50\n');
      await page.getByRole('button', { name: 'Show on the map' }).click();
      await page.getByText('On the map: 2 seats and 1 standing area.').waitFor();
      await seat('Box, row A, seat 2').waitFor();
      // The map saved before opens again as imported seats that can still be moved.
      await page.reload();
      await page.getByRole('group', { name: 'Block 1 (imported seats)' }).waitFor();
      await page.getByText('On the map: 43 seats and 1 standing area.').waitFor();
    },
    stepTimeoutMs,
  );

  it(
    'draws a thousand seats in one block; a click or the row control selects seats, a drag moves the block',
    async () => {
      await openNewVenue('Arena');
      await page.getByRole('button', { name: 'Add a block' }).click();
      await block(1).getByLabel('Rows', { exact: true }).fill('25');
      await block(1).getByLabel('Seats per row').fill('40');
      await page.getByText('On the map: 1,000 seats and 0 standing areas.').waitFor();
      await expect(page.locator('rect[data-seat]').count()).resolves.toBe(1_000);
      await seat('Section 1, row M, seat 20').click();
      await page.getByText('1 seat selected').waitFor();
      await expect(seat('Section 1, row M, seat 20').getAttribute('class')).resolves.toBe(
        'seat selected',
      );
      await block(1).getByLabel('Row', { exact: true }).selectOption('Y');
      await block(1).getByRole('button', { name: 'Select', exact: true }).click();
      await page.getByText('40 seats selected').waitFor();

      // Dragging a seat moves its block (snapped to half seats) and leaves the selection alone.
      const box = await seat('Section 1, row A, seat 1').boundingBox();
      if (!box) throw new Error('seat A1 is not drawn');
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + 80, box.y + box.height / 2 + 40, { steps: 8 });
      await page.mouse.up();
      await expect
        .poll(async () => Number(await block(1).getByLabel('Across (x)').inputValue()))
        .toBeGreaterThan(1);
      const across = Number(await block(1).getByLabel('Across (x)').inputValue());
      expect(across % 0.5).toBe(0);
      expect(Number(await block(1).getByLabel('Down (y)').inputValue())).toBeGreaterThan(0);
      await page.getByText('40 seats selected').waitFor();
    },
    stepTimeoutMs,
  );

  it(
    'opens the map of a venue an event uses read-only, and says why',
    async () => {
      const venues = await system.ticketing(
        'GET',
        `/v1/organizers/${system.organizerId}/venues`,
        undefined,
        token,
      );
      const hall = (venues.body.venues as { id: string; name: string }[]).find((venue) =>
        venue.name.startsWith('Seoul Arts Center'),
      );
      await page.goto(`${venuesUrl()}/${hall?.id}/seat-map`);
      await page.getByText('so its seat map can no longer change', { exact: false }).waitFor();
      await expect(page.locator('rect[data-seat]').count()).resolves.toBeGreaterThan(0);
      await expect(page.getByRole('button', { name: 'Save the seat map' }).count()).resolves.toBe(
        0,
      );
      await expect(page.getByRole('button', { name: 'Add a block' }).count()).resolves.toBe(0);
    },
    stepTimeoutMs,
  );

  it(
    'turns the editor read-only when the server refuses a save because an event now uses the venue',
    async () => {
      const venueId = await openNewVenue('Late Hall');
      await page.getByRole('button', { name: 'Add a standing area' }).click();
      await page.getByRole('button', { name: 'Save the seat map' }).click();
      await page.getByText('Saved: 0 seats in 0 sections and 1 standing area.').waitFor();
      const event = await system.ticketing(
        'POST',
        `/v1/organizers/${system.organizerId}/events`,
        {
          slug: `late-${Math.random().toString(36).slice(2, 8)}`,
          name: 'Late Show',
          venueId,
          refundPolicy: 'until_start',
          refundCutoffS: 0,
          categories: [
            {
              name: 'Standing',
              pricing: 'crypto',
              priceAsset: 'USDT',
              price: '20',
              seating: 'ga',
              area: 'Standing 1',
              quota: 10,
              kind: 'single',
            },
          ],
          performances: [
            {
              doorsAt: new Date(Date.now() + 86_400_000).toISOString(),
              startsAt: new Date(Date.now() + 90_000_000).toISOString(),
              endsAt: new Date(Date.now() + 99_000_000).toISOString(),
            },
          ],
        },
        token,
      );
      expect(event.status).toBe(201);
      await page.getByRole('button', { name: 'Add a standing area' }).click();
      await page.getByRole('button', { name: 'Save the seat map' }).click();
      await page
        .getByText('An event uses this venue, so its seat map can no longer change', {
          exact: false,
        })
        .waitFor();
      await expect(page.getByRole('button', { name: 'Save the seat map' }).count()).resolves.toBe(
        0,
      );
      expect((await seatMapOf(venueId)).areas).toHaveLength(1);
    },
    stepTimeoutMs,
  );
  it(
    'shows gate staff the venues and their maps, with no way to change them',
    async () => {
      const phone = await system.addDemoStaff('gate', token);
      // The browser profile is shared: forget the owner's session here (it stays valid).
      const staffPage = await context.newPage();
      await staffPage.goto(system.consoleUrl);
      await staffPage.evaluate(() => localStorage.removeItem('tessera.console.session'));
      await system.signIn(staffPage, phone);
      await staffPage.goto(venuesUrl());
      await staffPage.getByRole('cell', { name: 'Han River Hall', exact: true }).waitFor();
      await expect(staffPage.getByRole('link', { name: 'Add a venue' }).count()).resolves.toBe(0);
      await expect(staffPage.getByRole('link', { name: /^Edit / }).count()).resolves.toBe(0);
      await staffPage
        .getByRole('link', { name: 'Seat map of Han River Hall', exact: true })
        .click();
      await staffPage.getByText('Your role may look at this seat map but not change it.').waitFor();
      await expect(staffPage.locator('rect[data-seat]').count()).resolves.toBe(43);
      await expect(
        staffPage.getByRole('button', { name: 'Save the seat map' }).count(),
      ).resolves.toBe(0);
      // The address of the form is not a way in either: the role's home opens instead.
      await staffPage.goto(`${venuesUrl()}/new`);
      await staffPage.waitForURL((url) => !url.pathname.endsWith('/venues/new'));
      await staffPage.close();
    },
    stepTimeoutMs,
  );
});
