/**
 * The event day in the organizer console, end to end through the real apps in headless Chromium
 * (issue 20's test), on SQLite and PostgreSQL: the organizer makes two enrolment codes at once in
 * the console; two gate apps enrol with them (North inside the venue, South standing 3 km away);
 * buyers' tickets are scanned at both; the live dashboard shows each admission within two seconds
 * of the gate's answer, at its gate, with its position on the map; South loses the network and
 * admits a ticket that North then also admits online, and when South is back and uploads, the
 * dashboard flags the duplicate; South is flagged outside the geofence on the map; revoking South
 * in the console stops it at once; closing shows the reconciliation report, whose figures match
 * the server's report route, and its CSV downloads.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureConsoleBuild } from '../../apps/console/server/build.ts';
import { startConsoleServer } from '../../apps/console/server/serve.ts';
import { signInOnConsole } from '../../apps/console/test/system.ts';
import { hallPosition, launchGateBrowser } from '../../apps/gate/test/browser.ts';
import { type GateSystem, type HeldTicket, startGateSystem } from '../../apps/gate/test/system.ts';
import { writeQrFeed } from '../../apps/gate/test/y4m.ts';
import { demoAccounts } from '../../services/exchange/src/demo.ts';
import { freePort } from '../free-port.ts';
import { shot } from './apps/driver.ts';
import type { Backend } from './apps/system.ts';
import { launchChromium } from './chromium.ts';

const stepTimeoutMs = 120_000;
/** The bound: an admission on the dashboard within two seconds of the gate's answer. */
const dashboardMs = 2_000;
/** 3 km north of the hall: well outside its geofence, whatever the fix's accuracy. */
const awayPosition = { latitude: hallPosition.latitude + 0.027, longitude: 127.0115, accuracy: 10 };

const backends: Backend[] = ['sqlite', 'postgres'];

type GateBrowser = Awaited<ReturnType<typeof launchGateBrowser>>;

describe.each(backends)('the event day in the console on %s', (backend) => {
  let system: GateSystem;
  let consoleUrl: string;
  let closeConsole: () => Promise<void>;
  let desk: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;
  const gates: Record<'North' | 'South', { browser: GateBrowser; page: Page }> = {} as never;
  let event: Awaited<ReturnType<GateSystem['createEvent']>>;
  let tickets: HeldTicket[];
  const dir = mkdtempSync(join(tmpdir(), 'tessera-event-day-'));

  beforeAll(async () => {
    await ensureConsoleBuild();
    const port = await freePort();
    consoleUrl = `http://127.0.0.1:${port}`;
    system = await startGateSystem({ backend, otherOrigins: [consoleUrl] });
    const server = await startConsoleServer({
      host: '127.0.0.1',
      port,
      app: {
        ticketingUrl: system.ticketingUrl,
        exchangeUrl: system.exchangeUrl,
        mobileAppUrl: system.appUrl,
        development: true,
      },
    });
    closeConsole = () => server.close();
    // Started a quarter of an hour ago, so that it can be closed at the end of the day.
    const now = Date.now();
    event = await system.createEvent([{ name: 'Floor' }], {
      doorsAt: new Date(now - 45 * 60_000).toISOString(),
      startsAt: new Date(now - 15 * 60_000).toISOString(),
      endsAt: new Date(now + 3 * 3_600_000).toISOString(),
      salesStart: new Date(now - 24 * 3_600_000).toISOString(),
      salesEnd: new Date(now + 3 * 3_600_000).toISOString(),
    });
    tickets = await system.buyTickets(event.performanceId, event.categories.Floor as string, 4);
    desk = await launchChromium();
    page = await desk.context.newPage();
    page.setDefaultTimeout(20_000);
    const phone = demoAccounts.organizer.phone;
    await signInOnConsole(page, consoleUrl, phone, () => system.smsCode('ticketing', phone));
  }, stepTimeoutMs);

  afterAll(async () => {
    for (const gate of Object.values(gates)) await gate.browser.close();
    await desk?.close();
    await closeConsole?.();
    await system?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const organizerPath = () => `${consoleUrl}/o/${system.organizerId}`;
  /** The README's pictures (`npm run screenshots`), from the SQLite run. */
  const picture = async (name: string) => {
    if (backend === 'sqlite') await shot(page, name);
  };
  const dashboard = () => page.locator('.checkin-dashboard');

  /** A hardware scanner's keystrokes at `gate`, then the answer it shows. */
  async function scan(gate: Page, ticket: HeldTicket, reason: string) {
    const next = gate.getByRole('button', { name: 'Tap for the next ticket' });
    if (await next.isVisible()) await next.click();
    await gate.keyboard.type(await system.barcode(ticket));
    await gate.keyboard.press('Enter');
    const result = gate.locator(`[data-testid="result"][data-reason="${reason}"]`);
    await result.waitFor();
    return result;
  }

  it(
    'makes two enrolment codes at once, and two gate apps enrol with them',
    async () => {
      await page.goto(`${organizerPath()}/gates`);
      await page.getByRole('heading', { name: 'Enrol a gate terminal' }).waitFor();
      await page.getByLabel('Event').selectOption({ label: 'Gate Night' });
      await page.getByLabel('Gate names, one per line').fill('North\nSouth');
      await page.getByRole('button', { name: 'Make enrolment codes' }).click();
      const codes: Record<string, string> = {};
      for (const gate of ['North', 'South']) {
        const shown = page.locator(`[data-testid="enrolment-code"][data-gate="${gate}"]`);
        codes[gate] = ((await shown.textContent()) ?? '').trim();
        expect(codes[gate]).toMatch(/^[0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{5}$/);
      }
      // Each gate app has a camera that sees nothing: the codes and the tickets are typed.
      const feed = join(dir, 'camera.y4m');
      writeQrFeed(feed, [''], { framesPerCode: [10] });
      for (const gate of ['North', 'South'] as const) {
        const browser = await launchGateBrowser(feed, system.gateUrl);
        if (gate === 'South') await browser.context.setGeolocation(awayPosition);
        const gatePage = await browser.open(system.gateUrl);
        gates[gate] = { browser, page: gatePage };
        await gatePage.getByLabel('Enrolment code').fill(codes[gate] as string);
        await gatePage.getByLabel('Name of this terminal').fill(`${gate} tablet`);
        await gatePage.getByRole('button', { name: 'Enrol' }).click();
        await gatePage.locator('[data-testid="mode"][data-mode="online"]').waitFor();
        const stop = gatePage.getByRole('button', { name: 'Stop the camera' });
        if (await stop.isVisible()) await stop.click();
        await gatePage.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      }
      await page.goto(`${organizerPath()}/gates`);
      await page.locator('tr[data-terminal]').getByText('North tablet').waitFor();
      await page.locator('tr[data-terminal]').getByText('South tablet').waitFor();
    },
    stepTimeoutMs,
  );

  it(
    'shows each admission on the live dashboard within two seconds, per gate, with its position',
    async () => {
      await page.goto(`${organizerPath()}/checkin/${event.performanceId}`);
      await dashboard().and(page.locator('[data-live="yes"]')).waitFor();
      await expect(dashboard().getAttribute('data-admitted')).resolves.toBe('0');

      await scan(gates.North.page, tickets[0] as HeldTicket, 'valid');
      await page.locator('.checkin-dashboard[data-admitted="1"]').waitFor({ timeout: dashboardMs });
      await page.locator('.checkin-gates tr[data-gate="North"][data-entries="1"]').waitFor();
      await page.locator('.checkin-map-canvas[data-points="1"][data-outside-points="0"]').waitFor();

      await scan(gates.South.page, tickets[1] as HeldTicket, 'valid');
      await page.locator('.checkin-dashboard[data-admitted="2"]').waitFor({ timeout: dashboardMs });
      await page.locator('.checkin-gates tr[data-gate="South"][data-entries="1"]').waitFor();
      // South stands 3 km away: its admission is outside the venue, red on the map.
      await page.locator('.checkin-map-canvas[data-points="2"][data-outside-points="1"]').waitFor();
      await page.locator('.checkin-dashboard[data-outside="1"]').waitFor();
    },
    stepTimeoutMs,
  );

  it(
    'flags the duplicate when an offline gate uploads a ticket another gate admitted online',
    async () => {
      const south = gates.South;
      await south.browser.context.setOffline(true);
      await south.page.locator('[data-testid="mode"][data-mode="offline"]').waitFor();
      const copied = tickets[2] as HeldTicket;
      const offline = await scan(south.page, copied, 'valid');
      expect(await offline.getAttribute('data-source')).toBe('offline');
      // Meanwhile North, online, admits the same ticket: it cannot know of South's admission.
      await scan(gates.North.page, copied, 'valid');
      await page.locator('.checkin-dashboard[data-admitted="3"]').waitFor({ timeout: dashboardMs });
      await expect(dashboard().getAttribute('data-duplicates')).resolves.toBe('0');
      // South is back: its upload is the ticket's second entry, flagged as it arrives.
      await south.browser.context.setOffline(false);
      await south.page
        .locator('[data-testid="mode"][data-mode="online"]')
        .waitFor({ timeout: 30_000 });
      await page.locator('.checkin-dashboard[data-duplicates="1"]').waitFor({ timeout: 30_000 });
      const flagged = page.locator('.checkin-flagged');
      await flagged.getByRole('link', { name: copied.number }).first().waitFor();
      await flagged.getByText('Offline, uploaded later').first().waitFor();
    },
    stepTimeoutMs,
  );

  it(
    'flags the terminal outside the geofence on the map',
    async () => {
      // The snapshot (re-read on load) carries each terminal's last reported position.
      await page.reload();
      await dashboard().and(page.locator('[data-live="yes"]')).waitFor();
      await page.locator('.checkin-map-canvas[data-outside-terminals="1"]').waitFor();
      await page.getByTestId('terminals-outside').getByText('South tablet').waitFor();
      await picture('console-checkin');
      await page.locator('.checkin-map-label.outside').getByText('South tablet').waitFor();
      await expect(
        page.locator('.checkin-map-label:not(.outside)').getByText('North tablet').count(),
      ).resolves.toBe(1);
    },
    stepTimeoutMs,
  );

  it(
    'revokes a terminal in the console, and the gate is stopped at once',
    async () => {
      const terminals = await system.ticketing(
        'GET',
        `/v1/organizers/${system.organizerId}/terminals`,
        undefined,
        system.organizerToken,
      );
      const south = (terminals.body.terminals as { id: string; name: string }[]).find(
        (terminal) => terminal.name === 'South tablet',
      );
      if (!south) throw new Error('South tablet is not listed');
      await page.goto(`${organizerPath()}/gates`);
      const row = page.locator(`tr[data-terminal="${south.id}"]`);
      await row.getByRole('button', { name: 'Revoke' }).click();
      await page.getByRole('button', { name: 'Revoke South tablet' }).click();
      await row.getByText(/^Revoked /).waitFor();
      await picture('console-gates');
      // The very next scan at South is refused by the server: the terminal is signed out.
      const next = gates.South.page.getByRole('button', { name: 'Tap for the next ticket' });
      if (await next.isVisible()) await next.click();
      await gates.South.page.keyboard.type(await system.barcode(tickets[3] as HeldTicket));
      await gates.South.page.keyboard.press('Enter');
      await gates.South.page
        .getByText(/switched off by a supervisor/)
        .first()
        .waitFor();
      const admitted = await system.ticketing(
        'GET',
        `/v1/performances/${event.performanceId}/gate-report`,
        undefined,
        system.organizerToken,
      );
      // Nothing South scanned after the revoke reached the books.
      expect(admitted.body.tickets.admitted).toBe(3);
    },
    stepTimeoutMs,
  );

  it(
    'closes the performance, and the report matches the report route and downloads as CSV',
    async () => {
      await page.goto(
        `${organizerPath()}/events/${event.eventId}/performances/${event.performanceId}/close`,
      );
      await page.getByRole('heading', { name: 'Close the performance' }).waitFor();
      const plain = page.getByRole('button', { name: 'Close the performance', exact: true });
      if (await plain.isVisible()) {
        await plain.click();
      } else {
        await page.getByLabel('Why close without them?').fill('South was revoked at 3 km.');
        await page
          .getByRole('button', { name: 'Close without waiting for these terminals' })
          .click();
      }
      await page
        .getByTestId('closing-state')
        .getByText(/^Closed /)
        .waitFor();
      await page.getByRole('heading', { name: 'Reconciliation report' }).waitFor();
      await picture('console-close');
      const report = await system.ticketing(
        'GET',
        `/v1/performances/${event.performanceId}/gate-report`,
        undefined,
        system.organizerToken,
      );
      expect(report.body.tickets).toMatchObject({ sold: 4, admitted: 3, noShows: 1 });
      expect(report.body.admissions).toMatchObject({ duplicates: 1, outsideVenue: 2 });
      for (const [field, value] of [
        ['sold', report.body.tickets.sold],
        ['admitted', report.body.tickets.admitted],
        ['noShows', report.body.tickets.noShows],
        ['duplicates', report.body.admissions.duplicates],
        ['outsideVenue', report.body.admissions.outsideVenue],
      ] as const) {
        await expect(
          page.locator(`[data-figure="${field}"] dd`).textContent(),
          field,
        ).resolves.toBe(String(value));
      }
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Download CSV: summary' }).click(),
      ]);
      const file = join(dir, 'summary.csv');
      await download.saveAs(file);
      const csv = readFileSync(file, 'utf8');
      const lines = csv.split(/\r?\n/);
      expect(lines[0]).toBe('metric,asset,value');
      expect(lines).toContain(`tickets_admitted,,${report.body.tickets.admitted}`);
      expect(lines).toContain(`duplicates,,${report.body.admissions.duplicates}`);
    },
    stepTimeoutMs,
  );
});
