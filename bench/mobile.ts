/**
 * The buyer's mobile app: what a phone downloads first, how long a barcode refresh takes, and how
 * soon a ticket is on screen when the app starts with no network.
 *
 * - `initial_js_kb_gzip`: the JavaScript index.html loads at start (its module script and the
 *   modules it preloads), gzipped as the app's server sends it, in KB (1,024 bytes). The other
 *   screens load later, when first opened. Target: at most 150.
 * - `barcode_refresh_ms_p50`: one refresh of the live barcode in headless Chromium: the
 *   presentation signed with the device key (WebCrypto Ed25519), its QR code computed and drawn,
 *   as the app itself measures it (`tessera:barcode-refresh` in the page's performance
 *   timeline); 60 refreshes asked for with the ticket screen's "New code now" button, the first
 *   draw of the screen left out. Target: under 20 ms.
 * - `ticket_open_offline_ms_p50`: from the start of the page load (the timeline's origin) to the
 *   first barcode drawn on the ticket screen (`tessera:ticket-visible`), with the browser offline
 *   and the app's server stopped, so everything comes from the service worker and IndexedDB; 20
 *   starts. Target: under 500 ms.
 *
 * The system is the one the app's browser tests use (scripts/test/apps/system.ts): the real
 * exchange and ticketing server with the demo data, and the built app on its own server. The app
 * is built first if its build is missing or stale. The demo buyer signs in through the app,
 * connects its wallet and buys a seat, so the ticket measured is a real one on this device.
 */

import { ensureMobileBuild } from '../apps/mobile/server/build.ts';
import { mobileDistDir } from '../apps/mobile/server/serve.ts';
import {
  connectWallet,
  openPage,
  orderSeats,
  payOrder,
  signIn,
} from '../scripts/test/apps/driver.ts';
import { startMobileSystem } from '../scripts/test/apps/system.ts';
import { launchChromium } from '../scripts/test/chromium.ts';
import { demoAccounts } from '../services/exchange/src/demo.ts';
import { initialScriptsKbGzip, percentile } from './lib.ts';

const refreshes = 60;
const offlineStarts = 20;
const log = (message: string) => console.error(`[mobile bench] ${message}`);

const round1 = (value: number) => Math.round(value * 10) / 10;

// 1. The build, and what it makes a phone download at start.
const { built } = await ensureMobileBuild({ log });
log(built ? 'built the app' : 'the build was fresh');
const initialKb = initialScriptsKbGzip(mobileDistDir, log);

// 2. A real ticket on this browser's device key.
const system = await startMobileSystem();
const browser = await launchChromium();
try {
  const page = await openPage(browser.context, system);
  const phone = demoAccounts.buyer.phone;
  await signIn(page, system, phone);
  await connectWallet(page, system, phone);
  const events = await system.ticketing('GET', '/v1/events');
  const concert = (events.body.events as { id: string; slug: string }[]).find(
    (event) => event.slug === 'winter-concert',
  );
  const detail = await system.ticketing('GET', `/v1/events/${concert?.id}`);
  await orderSeats(page, system, detail.body.performances[0].id, ['Orchestra/E/10']);
  await payOrder(page);
  await page
    .getByRole('link', { name: /Open the ticket/ })
    .first()
    .click();
  await page.getByTestId('barcode').waitFor();
  const ticketPath = new URL(page.url()).pathname;
  log(`ticket ${ticketPath}`);

  // 3. Barcode refreshes, asked for one after another.
  const measured = () =>
    page.evaluate(() =>
      performance.getEntriesByName('tessera:barcode-refresh').map((e) => e.duration),
    );
  const button = page.getByRole('button', { name: 'New code now' });
  for (let round = 0; round < refreshes; round += 1) {
    const before = (await measured()).length;
    await button.click();
    await page.waitForFunction(
      (count) => performance.getEntriesByName('tessera:barcode-refresh').length > count,
      before,
    );
  }
  const refreshMs = (await measured()).slice(1);
  log(
    `barcode refresh: p50 ${percentile(refreshMs, 0.5).toFixed(2)} ms, p90 ${percentile(refreshMs, 0.9).toFixed(2)} ms, max ${Math.max(...refreshMs).toFixed(2)} ms over ${refreshMs.length}`,
  );

  // 4. Starts with no network and no app server: the service worker and IndexedDB only.
  await page.evaluate(async () => (await navigator.serviceWorker.ready).active?.state);
  await system.stopApp();
  await browser.context.setOffline(true);
  const openMs: number[] = [];
  for (let start = 0; start < offlineStarts; start += 1) {
    await page.goto(new URL(ticketPath, system.appUrl).href);
    const visibleAt = await page.waitForFunction(() => {
      const mark = performance.getEntriesByName('tessera:ticket-visible')[0];
      return mark ? mark.startTime : false;
    });
    openMs.push(Number(await visibleAt.jsonValue()));
  }
  log(
    `offline ticket open: p50 ${percentile(openMs, 0.5).toFixed(0)} ms, p90 ${percentile(openMs, 0.9).toFixed(0)} ms, max ${Math.max(...openMs).toFixed(0)} ms over ${openMs.length}`,
  );

  console.log(
    JSON.stringify({
      scenario: 'mobile',
      initial_js_kb_gzip: initialKb,
      barcode_refresh_ms_p50: round1(percentile(refreshMs, 0.5)),
      ticket_open_offline_ms_p50: Math.round(percentile(openMs, 0.5)),
    }),
  );
} finally {
  await browser.close();
  await system.close();
}
