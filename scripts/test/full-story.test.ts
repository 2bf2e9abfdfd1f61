/**
 * The whole story in one test, through the real apps and servers in headless Chromium: the
 * organizer creates and publishes an event with the command line; a buyer signs up on the mobile
 * app, adds money by card, buys crypto and buys a seat; the gate app, enrolled with a code, reads
 * that buyer's barcode (the QR taken from the mobile app's own screen) through its fake camera
 * and admits it, and refuses a copy made on another phone; the gate loses the network, admits
 * another ticket offline, gets it back and uploads; the organizer closes the performance with the
 * command line and the report's numbers are right. All of it on SQLite and on PostgreSQL.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import {
  decodePresentation,
  encodePresentation,
  presentationFromText,
  presentationSigningInput,
  presentationToText,
  protocol,
} from '@tessera/protocol/node';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchGateBrowser } from '../../apps/gate/test/browser.ts';
import { type GateSystem, startGateSystem } from '../../apps/gate/test/system.ts';
import { writeQrFeed } from '../../apps/gate/test/y4m.ts';
import { main as organizerCli } from '../../services/ticketing/src/cli/organizer.ts';
import {
  addMoneyByCard,
  buyCrypto,
  connectWallet,
  openPage,
  orderSeats,
  payOrder,
  readBarcode,
  signIn,
} from './apps/driver.ts';
import type { Backend } from './apps/system.ts';
import { launchChromium } from './chromium.ts';

const stepTimeoutMs = 120_000;

const backends: Backend[] = ['sqlite', 'postgres'];

/**
 * With TESSERA_SCREENSHOTS=<folder> (`npm run screenshots`), the story also photographs the apps
 * for the README as it goes, on SQLite only: the screens are the same on both, and the second
 * run would only overwrite the first's pictures.
 */
const screenshots = process.env.TESSERA_SCREENSHOTS;
function camera(backend: Backend) {
  return async (page: Page, name: string) => {
    if (screenshots && backend === 'sqlite')
      await page.screenshot({ path: join(screenshots, `${name}.png`) });
  };
}

/** Runs the organizer command line in this process, as the organizer would in a terminal. */
async function cli(system: GateSystem, args: string[]) {
  let out = '';
  let err = '';
  const sink = (append: (text: string) => void) =>
    new Writable({
      write(chunk, _encoding, done) {
        append(String(chunk));
        done();
      },
    });
  const code = await organizerCli(
    [...args, '--url', system.ticketingUrl, '--token', system.organizerToken, '--json'],
    {
      stdout: sink((text) => {
        out += text;
      }),
      stderr: sink((text) => {
        err += text;
      }),
      stdin: process.stdin,
      env: {},
    } as never,
  );
  if (code !== 0) throw new Error(`organizer ${args.join(' ')}: exit ${code}: ${err}`);
  return JSON.parse(out);
}

describe.each(backends)('the whole system on %s, from event file to gate report', (backend) => {
  const snap = camera(backend);
  let system: GateSystem;
  let phone: Awaited<ReturnType<typeof launchChromium>>;
  let gate: Awaited<ReturnType<typeof launchGateBrowser>> | undefined;
  let gatePage: Page;
  let performanceId: string;
  let performanceCode: string;
  let hallId: string;
  let startsAt: number;
  const dir = mkdtempSync(join(tmpdir(), 'tessera-story-'));

  beforeAll(async () => {
    system = await startGateSystem({ backend });
    phone = await launchChromium();
  }, stepTimeoutMs);

  afterAll(async () => {
    await gate?.close();
    await phone?.close();
    await system?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'the organizer creates and publishes an event from a file with the command line',
    async () => {
      const venues = await system.ticketing(
        'GET',
        `/v1/organizers/${system.organizerId}/venues`,
        undefined,
        system.organizerToken,
      );
      hallId = (venues.body.venues as { id: string; name: string }[]).find((venue) =>
        venue.name.startsWith('Seoul Arts Center'),
      )?.id as string;
      const now = Date.now();
      const file = join(dir, 'event.json');
      writeFileSync(
        file,
        JSON.stringify({
          slug: `story-${Math.random().toString(36).slice(2, 8)}`,
          name: 'Story Night',
          refundPolicy: 'until_start',
          categories: [
            {
              name: 'Orchestra',
              pricing: 'crypto',
              priceAsset: 'USDT',
              price: '30',
              seating: 'seated',
              sections: ['Orchestra'],
              kind: 'single',
            },
          ],
          performances: [
            {
              // The doors are open; the show starts in 20 s (a performance can be closed
              // only once it has started), and the box office sells until the end.
              doorsAt: new Date(now - 10 * 60_000).toISOString(),
              startsAt: new Date(now + 20_000).toISOString(),
              endsAt: new Date(now + 3 * 3_600_000).toISOString(),
              salesStart: new Date(now - 60_000).toISOString(),
              salesEnd: new Date(now + 3 * 3_600_000).toISOString(),
            },
          ],
        }),
      );
      const applied = await cli(system, [
        'event',
        'apply',
        '--organizer',
        system.organizerId,
        '--venue',
        hallId,
        file,
      ]);
      expect(applied.status).toBe('draft');
      const published = await cli(system, ['event', 'publish', applied.id]);
      expect(published.status).toBe('published');
      performanceId = published.performances[0].id;
      performanceCode = published.performances[0].code;
      startsAt = Date.parse(published.performances[0].startsAt);
    },
    stepTimeoutMs,
  );

  it(
    'a buyer signs up on the phone, buys crypto and a seat, and the gate camera admits the barcode from that screen and refuses a copy',
    async () => {
      const buyerPhone = system.newPhone();
      const page = await openPage(phone.context, system);
      await signIn(page, system, buyerPhone);
      await connectWallet(page, system, buyerPhone);
      await addMoneyByCard(page, '100000', '4242 4242 4242 4242');
      await page
        .getByRole('region', { name: 'Add money' })
        .getByText('100,000 KRW was added to your wallet.')
        .waitFor();
      await buyCrypto(page, 'USDT', '40');
      await orderSeats(page, system, performanceId, ['Orchestra/D/7']);
      await payOrder(page);
      await page
        .getByRole('link', { name: /Open the ticket/ })
        .first()
        .click();
      await page.getByRole('heading', { name: 'Story Night' }).waitFor();
      await snap(page, 'mobile-ticket');

      // The QR as the phone shows it, and the same credential signed by another phone.
      const shown = await readBarcode(page);
      const credential = decodePresentation(presentationFromText(shown.text)).credentialBytes;
      const other = await protocol.generateSigner();
      const digest = await protocol.backend.sha256(credential);
      const signature = await other.sign(presentationSigningInput(digest, shown.timeS));
      const copy = presentationToText(encodePresentation(credential, shown.timeS, signature));
      // The phone is held up to the camera for a second, then taken away (the file loops after
      // half a minute, by when the camera is off).
      const feed = join(dir, 'camera.y4m');
      writeQrFeed(feed, [shown.text, ''], { framesPerSecond: 10, framesPerCode: [10, 300] });

      // The gate is set up by typing its enrolment code; its camera is on from then.
      const code = await system.enrolmentCode(hallId, [performanceId], 'Main');
      gate = await launchGateBrowser(feed, system.gateUrl);
      gatePage = await gate.open(system.gateUrl);
      await gatePage.getByLabel('Enrolment code').fill(code);
      await gatePage.getByRole('button', { name: 'Enrol', exact: true }).click();
      const answer = (reason: string) =>
        gatePage.locator(`[data-testid="result"][data-reason="${reason}"]`);
      await answer('valid').waitFor({ timeout: 30_000 });
      expect(await answer('valid').getAttribute('data-source')).toBe('online');
      await gatePage.getByText('Seat Orchestra D-7').waitFor();
      await snap(gatePage, 'gate-admit');
      await gatePage.getByRole('button', { name: 'Tap for the next ticket' }).click();
      await gatePage.getByRole('button', { name: 'Stop the camera' }).click();
      // The copy, shown to the hardware scanner: the same ticket, another phone's signature.
      await gatePage.keyboard.type(copy);
      await gatePage.keyboard.press('Enter');
      await answer('wrong_device').waitFor();
      await snap(gatePage, 'gate-refuse');
      await gatePage.getByRole('button', { name: 'Tap for the next ticket' }).click();
      await page.close();
    },
    stepTimeoutMs,
  );

  it(
    'the gate loses the network, admits another ticket offline, and uploads it when back',
    async () => {
      if (!gate) throw new Error('the gate was not set up');
      const [ticket] = await system.buyTickets(
        performanceId,
        (await system.ticketing('GET', `/v1/performances/${performanceId}/availability`)).body
          .categories[0].id,
        1,
      );
      if (!ticket) throw new Error('no ticket');
      await gate.context.setOffline(true);
      await gatePage.locator('[data-testid="mode"][data-mode="offline"]').waitFor();
      // A hardware scanner types the barcode and Enter.
      await gatePage.keyboard.type(await system.barcode(ticket));
      await gatePage.keyboard.press('Enter');
      const admitted = gatePage.locator('[data-testid="result"][data-reason="valid"]');
      await admitted.waitFor();
      expect(await admitted.getAttribute('data-source')).toBe('offline');
      await gatePage.getByTestId('pending').getByText('1 to upload').waitFor();
      await gatePage.getByRole('button', { name: 'Tap for the next ticket' }).click();
      await gate.context.setOffline(false);
      await gatePage
        .locator('[data-testid="mode"][data-mode="online"]')
        .waitFor({ timeout: 30_000 });
      await gatePage.getByTestId('pending').getByText('0 to upload').waitFor({ timeout: 30_000 });
    },
    stepTimeoutMs,
  );

  it(
    'the organizer closes the performance with the command line, and the report adds up',
    async () => {
      // A performance is closed after it has started.
      const wait = startsAt - Date.now() + 1_000;
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const closed = await cli(system, ['close', performanceId]);
      const report = closed.report;
      expect(report.performance.code).toBe(performanceCode);
      expect(report.tickets).toEqual({ sold: 2, admitted: 2, noShows: 0 });
      expect(report.admissions).toMatchObject({
        entries: 2,
        online: 1,
        offline: 1,
        duplicates: 0,
      });
      // The copy, refused once. On a machine slow enough that the camera's file looped (after
      // 31 s) before the camera went off, the gate saw the admitted phone a second time and
      // rightly refused it as already used: that, and nothing else, may be there besides.
      const refusals = new Map<string, number>(
        report.refusals.map((line: { reason: string; count: number }) => [line.reason, line.count]),
      );
      expect(refusals.get('wrong_device')).toBe(1);
      expect(refusals.get('already_used') ?? 0).toBeLessThanOrEqual(1);
      expect([...refusals.keys()].filter((reason) => reason !== 'already_used')).toEqual([
        'wrong_device',
      ]);
      expect(report.revenue).toEqual([
        { asset: 'USDT', paid: '60', orders: 2, refunded: '0', refundsPending: '0', net: '60' },
      ]);
      expect(report.exchange).toMatchObject({ status: 'checked', missing: [], mismatched: [] });
      const again = await cli(system, ['gate-report', performanceId]);
      expect(again.tickets).toEqual(report.tickets);
    },
    stepTimeoutMs,
  );
});
