/**
 * The gate terminal app in headless Chromium with a fake camera: how long the decoder takes per
 * frame, and how long from a frame reaching the decoder to the decision on screen, offline
 * (claim 11, the terminal's own check) and online (claim 12, the server's).
 *
 * - `decode_ms_p50`: zxing-wasm in the app's Web Worker, one 640x480 camera frame, as the worker
 *   measures it (every frame read while the phases run, with or without a code in view).
 * - `decision_ms_p50_offline` / `decision_ms_p50_online`: from the moment the frame carrying a
 *   ticket reached the decoder (the worker's clock) to the first paint after the green or red
 *   screen was committed (`requestAnimationFrame` after React's commit), as the app records in
 *   `window.__gateMetrics`. Targets: offline under 100 ms, online under 150 ms.
 *
 * Each phase has its own browser, terminal and tickets: a camera feed (.y4m) of 12 distinct live
 * barcodes of real tickets, each in view for 0.4 s, looping (a code that comes back after its
 * repeat pause is decided again, as a duplicate: also a decision). The system is the gate app's
 * test system (apps/gate/test/system.ts): real servers on loopback, SQLite, the built app.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchGateBrowser } from '../apps/gate/test/browser.ts';
import { type HeldTicket, startGateSystem } from '../apps/gate/test/system.ts';
import { writeQrFeed } from '../apps/gate/test/y4m.ts';
import { percentile } from './lib.ts';

const codesInView = 12;
/** Each phase collects decisions this long after the camera starts. */
const phaseMs = 9_000;
/** Barcodes are made this far ahead so they stay fresh through a phase (30 s age + 15 s skew). */
const barcodeLeadS = 12;
const log = (message: string) => console.error(`[gate-ui bench] ${message}`);

const round1 = (value: number) => Math.round(value * 10) / 10;

const system = await startGateSystem();
const dir = mkdtempSync(join(tmpdir(), 'tessera-gate-bench-'));

interface PageMetrics {
  decisions: { frameAt: number | null; shownAt: number; source: string }[];
  decodeMs: number[];
  framesPerSecond: number;
}

async function phase(offline: boolean) {
  const event = await system.createEvent([{ name: 'Floor', quota: 60 }]);
  const tickets: HeldTicket[] = [];
  while (tickets.length < codesInView) {
    tickets.push(
      ...(await system.buyTickets(event.performanceId, event.categories.Floor as string, 6)),
    );
  }
  const code = await system.enrolmentCode(event.venueId, [event.performanceId], 'Bench');
  const timeS = Math.floor(Date.now() / 1000) + barcodeLeadS;
  const barcodes = await Promise.all(
    tickets.slice(0, codesInView).map((ticket) => system.barcode(ticket, timeS)),
  );
  const feed = join(dir, offline ? 'offline.y4m' : 'online.y4m');
  writeQrFeed(feed, barcodes, { framesPerCode: 6, framesPerSecond: 15 });
  const browser = await launchGateBrowser(feed, system.gateUrl);
  try {
    const page = await browser.open(system.gateUrl);
    await page.getByLabel('Enrolment code').fill(code);
    await page.getByRole('button', { name: 'Enrol' }).click();
    await page.getByTestId('mode').waitFor();
    // Away from the scan screen (camera off) while the network goes, then back to it. The
    // camera may already have put an answer over the whole screen: the tabs are pressed through it.
    await page.getByRole('button', { name: 'Log', exact: true }).dispatchEvent('click');
    if (offline) {
      await browser.context.setOffline(true);
      await page.locator('[data-testid="mode"][data-mode="offline"]').waitFor();
    }
    await page.evaluate(() => {
      const metrics = window.__gateMetrics;
      if (metrics) metrics.decisions.length = 0;
    });
    await page.getByRole('button', { name: 'Scan', exact: true }).dispatchEvent('click');
    await page.waitForTimeout(phaseMs);
    const metrics = (await page.evaluate(() => {
      const m = window.__gateMetrics;
      return m
        ? { decisions: m.decisions, decodeMs: [...m.decodeMs], framesPerSecond: m.framesPerSecond }
        : undefined;
    })) as PageMetrics | undefined;
    if (!metrics) throw new Error('the app exposed no metrics');
    const source = offline ? 'offline' : 'online';
    const times = metrics.decisions
      .filter((decision) => decision.frameAt !== null && decision.source === source)
      .map((decision) => decision.shownAt - (decision.frameAt as number));
    log(
      `${source}: ${times.length} decisions, p50 ${round1(percentile(times, 0.5))} ms, p90 ${round1(percentile(times, 0.9))} ms; ${metrics.decodeMs.length} frames decoded, p50 ${round1(percentile(metrics.decodeMs, 0.5))} ms, ${metrics.framesPerSecond} frames/s`,
    );
    if (times.length === 0) throw new Error(`no ${source} decision was made`);
    return { times, decodeMs: metrics.decodeMs, framesPerSecond: metrics.framesPerSecond };
  } finally {
    await browser.close();
  }
}

try {
  const offline = await phase(true);
  const online = await phase(false);
  console.log(
    JSON.stringify({
      scenario: 'gate-ui',
      decode_ms_p50: round1(percentile([...offline.decodeMs, ...online.decodeMs], 0.5)),
      decision_ms_p50_offline: round1(percentile(offline.times, 0.5)),
      decision_ms_p50_online: round1(percentile(online.times, 0.5)),
    }),
  );
} finally {
  await system.close();
  rmSync(dir, { recursive: true, force: true });
}
