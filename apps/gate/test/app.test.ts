/**
 * The gate terminal in headless Chromium against the real servers (test/system.ts), as a gate
 * person uses it: enrolled by showing the supervisor's code to the camera, tickets shown to a
 * fake camera (a .y4m of real presentations' QR codes), a hardware scanner's keystrokes, typed
 * manual codes, the network cut and back, a door sale paid by the buyer's mobile app, what the
 * organizer's door-sale settings leave the gate to offer, and the end of the event. The steps run in order, one gate's evening; each `it` says what it checks.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  encodePresentation,
  presentationSigningInput,
  presentationToText,
  protocol,
} from '@tessera/protocol/node';
import { createFormats } from '@tessera/web-kit/format';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectWallet, payOrder } from '../../../scripts/test/apps/driver.ts';
import { demoAccounts } from '../../../services/exchange/src/demo.ts';
import { hallPosition, launchGateBrowser, tabletViewport } from './browser.ts';
import { type GateSystem, type HeldTicket, startGateSystem } from './system.ts';
import { writeQrFeed } from './y4m.ts';

const stepTimeoutMs = 90_000;
/** With TESSERA_SCREENSHOTS=<folder>, some steps photograph the screens they check (SQLite only). */
const screenshots = process.env.TESSERA_SCREENSHOTS;
/** About 2.2 km north of the hall: well outside its 300 m radius. */
const farAway = { latitude: 37.4986, longitude: 127.0115, accuracy: 15 };

// The servers behind the app on each database the project supports.
describe.each(['sqlite', 'postgres'] as const)('the gate terminal in Chromium on %s', (backend) => {
  let system: GateSystem;
  let browser: Awaited<ReturnType<typeof launchGateBrowser>>;
  let page: Page;
  let event: Awaited<ReturnType<GateSystem['createEvent']>>;
  let tickets: HeldTicket[];
  const dir = mkdtempSync(join(tmpdir(), 'tessera-gate-test-'));
  /** The Late category's tickets open two hours from now (a whole second: credentials count in seconds). */
  const lateFrom = new Date(Math.ceil(Date.now() / 1000) * 1000 + 2 * 3_600_000).toISOString();

  /** The answer on screen once it says `reason`. */
  const result = (reason: string) =>
    page.locator(`[data-testid="result"][data-reason="${reason}"]`);

  const shot = async (name: string) => {
    if (screenshots && backend === 'sqlite')
      await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
  };

  /** A hardware scanner: the code as fast keystrokes, then Enter. */
  const scan = async (text: string) => {
    await page.keyboard.type(text);
    await page.keyboard.press('Enter');
  };

  const typeManual = async (ticketNumber: string, pin: string) => {
    await page.getByLabel('Ticket number', { exact: true }).fill(ticketNumber);
    await page.getByLabel('PIN', { exact: true }).fill(pin);
    await page.getByRole('button', { name: 'Check' }).click();
  };

  /**
   * Turns the camera off (its feed keeps showing the first ticket), and takes the focus off its
   * button, so that no keystroke of a scan can press it on again.
   */
  const cameraOff = async () => {
    const stop = page.getByRole('button', { name: 'Stop the camera' });
    if (await stop.isVisible()) await stop.click();
    await page.getByRole('button', { name: 'Start the camera' }).waitFor();
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  };

  const clearResult = async () => {
    const next = page.getByRole('button', { name: 'Tap for the next ticket' });
    if (await next.isVisible()) await next.click();
  };

  beforeAll(async () => {
    system = await startGateSystem({ backend });
    event = await system.createEvent([
      { name: 'Floor' },
      { name: 'Lounge', reentryAllowed: true },
      { name: 'Card', kind: 'stored_value', storedValue: '10', storedValueAsset: 'USDT' },
      // The same terms as Floor: offline, only the package's record of a ticket tells them apart.
      { name: 'Balcony' },
      { name: 'Late', validFrom: lateFrom },
    ]);
    tickets = await system.buyTickets(event.performanceId, event.categories.Floor as string, 6);
    const code = await system.enrolmentCode(event.venueId, [event.performanceId], 'North');
    // The camera sees the supervisor's enrolment sheet, then the first buyer's live ticket
    // (made 10 s ahead, so it stays fresh for 40 s: the protocol's 30 s plus its 15 s skew).
    const feed = join(dir, 'camera.y4m');
    const barcode = await system.barcode(
      tickets[0] as HeldTicket,
      Math.floor(Date.now() / 1000) + 10,
    );
    // Between the two, 4 s of nothing: the ticket leaves the view and comes back, a second
    // showing (the app takes a code held in view for one showing, however long).
    writeQrFeed(feed, [`tessera-enrol:${code}`, '', barcode], { framesPerCode: [8, 60, 8] });
    browser = await launchGateBrowser(feed, system.gateUrl);
    page = await browser.open(system.gateUrl);
  }, stepTimeoutMs);

  afterAll(async () => {
    await browser?.close();
    await system?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'enrols by showing the enrolment code to the camera and shows its status',
    async () => {
      await page.getByRole('heading', { name: 'Set up this terminal' }).waitFor();
      await page.getByRole('button', { name: 'Scan the code with the camera' }).click();
      const mode = page.getByTestId('mode');
      await mode.waitFor();
      expect(await mode.getAttribute('data-mode')).toBe('online');
      const status = page.getByRole('region', { name: 'Tessera Gate' });
      await status.getByText('Gate North').waitFor();
      await status.getByText('Gate Night').waitFor();
      await status.getByText(/^Synced /).waitFor();
      await status.getByText('0 to upload').waitFor();
    },
    stepTimeoutMs,
  );

  it(
    'admits the ticket the camera reads, then answers duplicate with the first time and gate',
    async () => {
      await result('valid').waitFor();
      const admitted = page.getByTestId('result');
      expect(await admitted.getAttribute('data-source')).toBe('online');
      await admitted.getByText('Floor').waitFor();
      // The camera still sees the same barcode: after the repeat pause it is the second showing.
      await result('already_used').waitFor({ timeout: 20_000 });
      await page.getByText(/^First used .* at Gate North$/).waitFor();
      const fps = Number(await page.getByTestId('fps').getAttribute('data-fps'));
      expect(fps).toBeGreaterThanOrEqual(10);
      await clearResult();
      await cameraOff();
    },
    stepTimeoutMs,
  );

  it(
    "admits a hardware scanner's keystrokes wherever the focus is, and a typed manual code; refuses a wrong PIN",
    async () => {
      await clearResult();
      // The focus is in the ticket number field: the burst is the scanner's, the field stays empty.
      await page.getByLabel('Ticket number', { exact: true }).focus();
      await scan(await system.barcode(tickets[1] as HeldTicket));
      await result('valid').waitFor();
      expect(await page.getByLabel('Ticket number', { exact: true }).inputValue()).toBe('');

      await clearResult();
      const manual = (tickets[2] as HeldTicket).manualCode;
      await typeManual(manual.ticketNumber, manual.pin);
      await result('valid').waitFor();

      await clearResult();
      const other = (tickets[3] as HeldTicket).manualCode;
      const wrongPin = String((Number(other.pin) + 1) % 1_000_000).padStart(6, '0');
      await typeManual(other.ticketNumber, wrongPin);
      await result('wrong_code').waitFor();
      await page.getByText('Wrong ticket number or PIN. Retype it or ask again.').waitFor();
    },
    stepTimeoutMs,
  );

  it(
    'says when a ticket not valid yet can be used, online and offline, with its category',
    async () => {
      await clearResult();
      const [late] = await system.buyTickets(
        event.performanceId,
        event.categories.Late as string,
        1,
      );
      // The formatting module's words for it: the hall's time (Seoul), labelled unless this
      // machine's zone is the hall's (Node and Chromium here share the machine's zone).
      const opens = createFormats('en-GB').dateTime(lateFrom, 'Asia/Seoul');
      const nowS = Math.floor(Date.now() / 1000);
      await scan(await system.barcode(late as HeldTicket, nowS));
      await result('not_yet_valid').waitFor();
      const online = page.getByTestId('result');
      expect(await online.getAttribute('data-source')).toBe('online');
      await online.getByTestId('valid-from').getByText(`Entry opens ${opens}`).waitFor();
      await online.getByText('Late', { exact: true }).waitFor();
      await shot('gate-not-valid-yet');

      await clearResult();
      await cameraOff();
      await browser.context.setOffline(true);
      await page.locator('[data-testid="mode"][data-mode="offline"]').waitFor();
      await scan(await system.barcode(late as HeldTicket, nowS + 1));
      await result('not_yet_valid').waitFor();
      const offline = page.getByTestId('result');
      expect(await offline.getAttribute('data-source')).toBe('offline');
      await offline.getByTestId('valid-from').getByText(`Entry opens ${opens}`).waitFor();
      await offline.getByText('Late', { exact: true }).waitFor();
      await shot('gate-not-valid-yet-offline');
      await clearResult();
      await browser.context.setOffline(false);
      await page.locator('[data-testid="mode"][data-mode="online"]').waitFor({ timeout: 20_000 });
    },
    stepTimeoutMs,
  );

  it(
    'decides a scan that comes while the one before is being decided, right after it',
    async () => {
      await clearResult();
      const pair = await system.buyTickets(
        event.performanceId,
        event.categories.Floor as string,
        2,
      );
      const admitted = async () => {
        const report = await system.ticketing(
          'GET',
          `/v1/performances/${event.performanceId}/gate-report`,
          undefined,
          system.organizerToken,
        );
        return report.body.tickets.admitted as number;
      };
      const before = await admitted();
      const codes = await Promise.all(pair.map((ticket) => system.barcode(ticket)));
      // Both bursts in one task: the second arrives while the first is still being decided.
      await page.evaluate((texts) => {
        for (const text of texts) {
          for (const key of [...text, 'Enter']) {
            window.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
          }
        }
      }, codes);
      await expect.poll(admitted, { timeout: 10_000 }).toBe(before + 2);
      await result('valid').waitFor();
    },
    stepTimeoutMs,
  );

  it(
    'with the network cut, admits offline, refuses a copy on another phone and a used ticket, and uploads with the GPS position when back',
    async () => {
      await clearResult();
      await browser.context.setGeolocation(farAway);
      await page.getByText(/^Outside the venue: [\d,]+ m from it/).waitFor();
      await browser.context.setOffline(true);
      await page.locator('[data-testid="mode"][data-mode="offline"]').waitFor();

      const offlineTicket = tickets[3] as HeldTicket;
      await scan(await system.barcode(offlineTicket));
      await result('valid').waitFor();
      expect(await page.getByTestId('result').getAttribute('data-source')).toBe('offline');
      // Its category, as online, though Balcony's terms are the same as Floor's.
      await page.getByTestId('result').getByText('Floor', { exact: true }).waitFor();
      await page.getByText('Terminal outside the venue: this admission is flagged.').waitFor();

      // The same credential with a barcode signed by another phone's key (claim 10's binding).
      await clearResult();
      const copied = tickets[4] as HeldTicket;
      const otherPhone = await protocol.generateSigner();
      const timeS = Math.floor(Date.now() / 1000);
      const digest = await protocol.backend.sha256(copied.credential);
      const signature = await otherPhone.sign(presentationSigningInput(digest, timeS));
      await scan(presentationToText(encodePresentation(copied.credential, timeS, signature)));
      await result('wrong_device').waitFor();
      expect(await page.getByTestId('result').getAttribute('data-source')).toBe('offline');

      // Admitted online before the cut: the terminal's own log and the feed know it.
      await clearResult();
      await scan(await system.barcode(tickets[1] as HeldTicket));
      await result('already_used').waitFor();
      await page.getByText(/^First used .* at Gate North$/).waitFor();

      // A manual code offline: the salted PIN hash from the event package.
      await clearResult();
      const typed = (tickets[4] as HeldTicket).manualCode;
      await typeManual(typed.ticketNumber, typed.pin);
      await result('valid').waitFor();
      await page.getByTestId('pending').getByText('2 to upload').waitFor();

      // Reloaded with no network: the service worker starts the app, the device keeps the log.
      await page.reload();
      await page.locator('[data-testid="mode"][data-mode="offline"]').waitFor();
      await page.getByTestId('pending').getByText('2 to upload').waitFor();
      await cameraOff();

      await clearResult();
      await browser.context.setOffline(false);
      await page.locator('[data-testid="mode"][data-mode="online"]').waitFor({ timeout: 20_000 });
      await page.getByTestId('pending').getByText('0 to upload').waitFor({ timeout: 20_000 });
      await browser.context.setGeolocation(hallPosition);

      const report = await system.ticketing(
        'GET',
        `/v1/performances/${event.performanceId}/gate-report`,
        undefined,
        system.organizerToken,
      );
      expect(report.status).toBe(200);
      expect(report.body.admissions.offline).toBe(2);
      const outside = report.body.outsideVenue.listed as {
        ticketNumber: string;
        source: string;
        gate: string;
        latitude: number;
        longitude: number;
      }[];
      const uploaded = outside.find((scan) => scan.ticketNumber === offlineTicket.number);
      expect(uploaded).toMatchObject({ source: 'offline', gate: 'North' });
      expect(uploaded?.latitude).toBeCloseTo(farAway.latitude, 4);
      expect(uploaded?.longitude).toBeCloseTo(farAway.longitude, 4);
      // Every call said what the terminal is and where it was (Tessera-* headers, past CORS).
      expect(await system.terminalAt('North')).toMatchObject({
        appVersion: expect.stringMatching(/^\d+\.\d+\.\d+$/),
        device: expect.stringMatching(/Linux/),
        lastFix: { accuracyM: expect.any(Number) },
      });
    },
    stepTimeoutMs,
  );

  it(
    'decides offline by itself when the server is too slow, and goes back online when it answers',
    async () => {
      const [late] = await system.buyTickets(
        event.performanceId,
        event.categories.Floor as string,
        1,
      );
      // The browser still has its network, but the server answers nothing until the test lets
      // it: every terminal call waits here. Nothing below measures time, so a slow machine
      // cannot fail it; an app that waited for the server instead of deciding by itself would
      // never show a result.
      const held: (() => void)[] = [];
      let calls = 0;
      const slow = `${system.ticketingUrl}/v1/terminal/**`;
      await browser.context.route(slow, async (route) => {
        calls += 1;
        await new Promise<void>((release) => held.push(release));
        await route.continue().catch(() => undefined);
      });
      await clearResult();
      await scan(await system.barcode(late as HeldTicket));
      await result('valid').waitFor();
      expect(await page.getByTestId('result').getAttribute('data-source')).toBe('offline');
      await page.locator('[data-testid="mode"][data-mode="offline"]').waitFor();
      await page.getByTestId('pending').getByText('1 to upload').waitFor();
      // Its probes get answers, but late ones (after the app gave up on them): it stays
      // offline rather than time out on every read.
      const callsWhenOffline = calls;
      await expect.poll(() => calls, { timeout: 30_000 }).toBeGreaterThan(callsWhenOffline + 1);
      for (const release of held.splice(0)) release();
      await expect.poll(() => calls, { timeout: 30_000 }).toBeGreaterThan(callsWhenOffline + 2);
      expect(await page.getByTestId('mode').getAttribute('data-mode')).toBe('offline');

      await browser.context.unroute(slow);
      for (const release of held.splice(0)) release();
      await page.locator('[data-testid="mode"][data-mode="online"]').waitFor({ timeout: 20_000 });
      await page.getByTestId('pending').getByText('0 to upload').waitFor({ timeout: 20_000 });
      await clearResult();
    },
    stepTimeoutMs,
  );

  it(
    'counts admissions per gate, the other gates’ included, and refuses offline what another gate admitted',
    async () => {
      // Another gate admits the last ticket; the live feed brings it here.
      // A gate whose name already says "gate": never "Gate South gate".
      const southCode = await system.enrolmentCode(
        event.venueId,
        [event.performanceId],
        'South gate',
      );
      const south = await system.ticketing('POST', '/v1/terminals/enrol', {
        code: southCode,
        name: 'south',
      });
      const response = await fetch(new URL('/v1/terminal/verifications', system.ticketingUrl), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${south.body.token}`,
        },
        body: JSON.stringify({ barcode: await system.barcode(tickets[5] as HeldTicket) }),
      });
      expect((await response.json()).admitted).toBe(true);
      await page.getByRole('button', { name: 'Log' }).click();
      const counters = page.getByTestId('counters');
      await counters
        .locator('[data-gate="North"] [data-testid="entries"]')
        .getByText('8')
        .waitFor();
      await counters
        .locator('[data-gate="South gate"] [data-testid="entries"]')
        .getByText('1')
        .waitFor();

      // Offline, that admission is still known here: a duplicate, with the other gate named.
      await page.getByRole('button', { name: 'Scan', exact: true }).click();
      await cameraOff();
      await browser.context.setOffline(true);
      await page.locator('[data-testid="mode"][data-mode="offline"]').waitFor();
      await scan(await system.barcode(tickets[5] as HeldTicket));
      await result('already_used').waitFor();
      expect(await page.getByTestId('result').getAttribute('data-source')).toBe('offline');
      await page.getByText(/^First used .* at South gate$/).waitFor();
      await clearResult();
      await browser.context.setOffline(false);
      await page.locator('[data-testid="mode"][data-mode="online"]').waitFor({ timeout: 20_000 });
    },
    stepTimeoutMs,
  );

  it(
    'scans out and back in where the ticket allows it, online and offline, and debits stored value',
    async () => {
      const [lounge] = await system.buyTickets(
        event.performanceId,
        event.categories.Lounge as string,
        1,
      );
      const [card] = await system.buyTickets(
        event.performanceId,
        event.categories.Card as string,
        1,
      );
      await page.getByRole('button', { name: 'Scan', exact: true }).click();
      await cameraOff();
      const nowS = Math.floor(Date.now() / 1000);
      // Each showing is a new barcode (the phone's rotates); the same one twice is one showing.
      let shown = 0;
      const show = async (ticket: HeldTicket, reason: string) => {
        await clearResult();
        shown += 1;
        await scan(await system.barcode(ticket, nowS + shown));
        await result(reason).waitFor();
      };
      // The answer covers the screen: it is cleared before the gate person changes direction.
      const way = (name: 'Entry' | 'Exit') => ({
        check: async () => {
          await clearResult();
          await page.getByRole('radio', { name }).check();
        },
      });
      const exit = way('Exit');
      const entry = way('Entry');

      await exit.check();
      await show(lounge as HeldTicket, 'not_inside');
      await entry.check();
      await show(lounge as HeldTicket, 'valid');
      await exit.check();
      await show(lounge as HeldTicket, 'exit');
      await entry.check();
      await show(lounge as HeldTicket, 'reentry');

      await browser.context.setOffline(true);
      await page.locator('[data-testid="mode"][data-mode="offline"]').waitFor();
      await show(lounge as HeldTicket, 'already_used');
      await exit.check();
      await show(lounge as HeldTicket, 'exit');
      await entry.check();
      await show(lounge as HeldTicket, 'reentry');
      await browser.context.setOffline(false);
      await page.getByTestId('pending').getByText('0 to upload').waitFor({ timeout: 20_000 });
      await page.locator('[data-testid="mode"][data-mode="online"]').waitFor();

      // Stored value: 10 USDT on the card, 4.5 a ride.
      await clearResult();
      await page.getByLabel(/^Amount to debit/).fill('4.5');
      await show(card as HeldTicket, 'valid');
      await page.getByTestId('result').getByText('5.5 USDT left').waitFor();
      // The scan was typed with the focus in the amount field, which keeps what it held.
      expect(await page.getByLabel(/^Amount to debit/).inputValue()).toBe('4.5');
      await show(card as HeldTicket, 'valid');
      await page.getByTestId('result').getByText('1 USDT left').waitFor();
      await show(card as HeldTicket, 'entitlement_exhausted');
      await clearResult();
      await page.getByLabel(/^Amount to debit/).fill('');
    },
    stepTimeoutMs,
  );

  it(
    "sells at the door: the buyer's app claims the QR and pays, and the gate shows the admission",
    async () => {
      await page.getByRole('button', { name: 'Door sale' }).click();
      await page.getByRole('radio', { name: /^Lounge 5 USDT · \d+ left$/ }).check();
      await page.getByRole('button', { name: 'Show the payment code' }).click();
      const qr = page.getByTestId('pay-qr');
      await qr.waitFor();
      const claimUrl = (await qr.getAttribute('data-url')) as string;
      expect(claimUrl.startsWith(`${system.appUrl}/door/ds_`)).toBe(true);

      // The buyer, on the mobile app in the same browser (another origin): signs in, connects
      // the demo wallet, opens the code's address and pays.
      const phone = await browser.context.newPage();
      phone.setDefaultTimeout(20_000);
      // Not signed in yet: the offer asks for it, and signing in comes back to the offer.
      await phone.goto(claimUrl);
      await phone.getByText('Sign in to buy the tickets this gate offers.').waitFor();
      await phone.getByRole('link', { name: 'Sign in' }).click();
      const buyer = demoAccounts.buyer.phone;
      await phone.getByLabel('Phone number').fill(buyer);
      await phone.getByLabel('Phone number').press('Enter');
      const codeField = phone.getByLabel('Code from the text message');
      // The code is in the inbox once the app shows its field.
      await codeField.waitFor();
      await codeField.fill(await system.smsCode('ticketing', buyer));
      await codeField.press('Enter');
      await phone.waitForURL((url) => url.pathname.startsWith('/door/ds_'));
      await phone.getByText('1 × Lounge, 5 USDT each').waitFor();
      await connectWallet(phone, system, buyer);
      await phone.goto(claimUrl);
      await phone.getByRole('button', { name: 'Buy and go to payment' }).click();
      await phone.waitForURL((url) => url.pathname.startsWith('/orders/'));
      await payOrder(phone);
      await phone.close();

      const done = page.locator('[data-testid="door-sale"][data-status="admitted"]');
      await done.waitFor({ timeout: 30_000 });
      await done.getByText('Paid. 1 admitted.').waitFor();
    },
    stepTimeoutMs,
  );

  it(
    'offers at the door only what the organizer allows, and nothing when door sales are off',
    async () => {
      const settings = async (body: Record<string, unknown>) => {
        const answer = await system.ticketing(
          'PUT',
          `/v1/performances/${event.performanceId}/door-sales/settings`,
          body,
          system.organizerToken,
        );
        expect(answer.status, JSON.stringify(answer.body)).toBe(200);
        // The gate learns the settings with its package: sync now rather than wait for it.
        await page.getByRole('button', { name: 'Log' }).click();
        await page.getByRole('button', { name: 'Sync now' }).click();
        await page.getByRole('button', { name: 'Door sale' }).click();
      };
      await settings({ enabled: true, categoryIds: [event.categories.Lounge], maxPerSale: 2 });
      await page.getByRole('radio', { name: /^Floor/ }).waitFor({ state: 'detached' });
      expect(await page.getByRole('radio').count()).toBe(1);
      await page.getByRole('radio', { name: /^Lounge/ }).waitFor();
      expect(await page.getByLabel('Tickets').getAttribute('max')).toBe('2');

      await settings({ enabled: false, categoryIds: null, maxPerSale: 2 });
      await page.getByText('Door sales are off for this performance.').waitFor();
      expect(await page.getByRole('radio').count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Show the payment code' }).isDisabled()).toBe(
        true,
      );
      await settings({ enabled: true, categoryIds: null, maxPerSale: 10 });
      await page.getByRole('radio', { name: /^Floor/ }).waitFor();
    },
    stepTimeoutMs,
  );

  it(
    'at the end of the event, sends everything and shows the summary',
    async () => {
      await page.getByRole('button', { name: 'End of event' }).click();
      await page.getByRole('button', { name: 'Send everything and show the summary' }).click();
      const report = page.getByTestId('report');
      await report.waitFor();
      const admitted = report.locator('[data-metric="end.admitted"] dd');
      // Nine bought and admitted at the gates (one refused first: a wrong PIN is not an entry;
      // two scanned back to back), the re-entry ticket, the stored-value card, and the door sale.
      expect(Number(await admitted.textContent())).toBe(12);
      // Three offline admissions, then an offline exit and re-entry.
      expect(Number(await report.locator('[data-metric="end.offline"] dd').textContent())).toBe(5);
      // Refusals by name, not by code.
      await expect(report.locator('li[data-reason="already_used"]').textContent()).resolves.toMatch(
        /^Already used: \d+$/,
      );
      await expect(
        report.locator('li[data-reason="not_yet_valid"]').textContent(),
      ).resolves.toMatch(/^Not valid yet: \d+$/);
      await expect(report.getByText(/already_used|not_yet_valid/).count()).resolves.toBe(0);
      await shot('gate-end-summary');
    },
    stepTimeoutMs,
  );

  it(
    'is installable, and fits a phone upright and a tablet on its side without sideways scrolling',
    async () => {
      await page.evaluate(async () => (await navigator.serviceWorker.ready).active?.state);
      const cdp = await browser.context.newCDPSession(page);
      const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as {
        installabilityErrors: { errorId: string }[];
      };
      expect(installabilityErrors.map((error) => error.errorId)).toEqual([]);
      await page.getByRole('button', { name: 'Scan', exact: true }).click();
      for (const viewport of [
        { width: 360, height: 740 },
        { width: 1024, height: 600 },
      ]) {
        await page.setViewportSize(viewport);
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        expect(width, `${viewport.width}x${viewport.height}`).toBeLessThanOrEqual(viewport.width);
      }
      await page.setViewportSize(tabletViewport);
    },
    stepTimeoutMs,
  );

  it(
    'speaks Korean',
    async () => {
      await page.getByRole('button', { name: /한국어/ }).click();
      await page.getByRole('button', { name: '스캔' }).click();
      await page.getByTestId('mode').getByText('온라인').waitFor();
      await page.getByRole('heading', { name: '티켓 번호 입력' }).waitFor();
      await page.getByRole('region', { name: '테세라 게이트' }).getByText('North 게이트').waitFor();
      await page.getByRole('button', { name: '행사 종료' }).click();
      await page.getByRole('button', { name: '모두 보내고 요약 보기' }).click();
      const report = page.getByTestId('report');
      await expect(report.locator('li[data-reason="already_used"]').textContent()).resolves.toMatch(
        /^이미 사용함: \d+$/,
      );
      await shot('gate-end-summary-ko');
    },
    stepTimeoutMs,
  );
});
