/**
 * The organizer console: what a desk browser downloads first, and how a big seat map behaves in
 * the seat-map editor.
 *
 * - `initial_js_kb_gzip`: the JavaScript the console's index.html loads at start (its module
 *   script and the modules it preloads), gzipped as its server sends it, in KB. Each feature's
 *   screens load when first opened.
 * - `seat_map_render_ms_p50`: in headless Chromium, from the start of loading the editor of a
 *   venue with 1,000 seats (25 rows of 40) to every seat drawn (1,000 `[data-seat]` elements in
 *   the page), over 5 loads; `seat_map_100_render_ms_p50` the same for a venue of 100 seats in the
 *   same run, and `seat_map_render_ratio` the one over the other: the cost of the seats
 *   themselves, whatever the machine's speed (a constant page cost makes it well under 10).
 * - `seat_select_ms_p50`: a click on a seat of the 1,000-seat map until the seat shows as
 *   selected, measured in the page (the click dispatched, a MutationObserver sees the class), 20
 *   clicks: how responsive editing stays at that size.
 *
 * - `seat_model`: the editor's model in Node (bench/console-seat-model.ts): a 1,000-seat block
 *   computed, written as the server's JSON and CSV, and one edit of a 10,000-seat map of ten
 *   blocks, where only the edited block is computed again.
 *
 * - The live check-in dashboards (bench/console-dashboards.ts): the gate bench's load with and
 *   without 20 dashboards open on real feed connections: `admissions_ratio_with_dashboards`
 *   (target at least 0.85), `server_cpu_ms_per_dashboard_s` and `dashboard_update_ms_p99` (from
 *   the server recording an admission to a dashboard having it; target under 2 s).
 *
 * The system is the console's browser tests' (apps/console/test/system.ts): the real servers with
 * the demo data and the built console; the demo organizer signs in through the console's page.
 */
import { consoleDistDir } from '../apps/console/server/serve.ts';
import { startConsoleSystem } from '../apps/console/test/system.ts';
import { launchChromium } from '../scripts/test/chromium.ts';
import { demoAccounts } from '../services/exchange/src/demo.ts';
import { measureDashboards } from './console-dashboards.ts';
import { measureSeatModel } from './console-seat-model.ts';
import { initialScriptsKbGzip, percentile } from './lib.ts';

const loads = 5;
const clicks = 20;
const log = (message: string) => console.error(`[console bench] ${message}`);
const round1 = (value: number) => Math.round(value * 10) / 10;

const seatModel = measureSeatModel();
log(`seat model: ${JSON.stringify(seatModel)}`);
const system = await startConsoleSystem();
const initialKb = initialScriptsKbGzip(consoleDistDir, log);
const browser = await launchChromium();
let seatFigures: Record<string, unknown> = {};
try {
  const token = await system.organizerSession();
  /** A venue of the demo organizer with `rows` × `seats` seats in one section. */
  const venueWith = async (rows: number, seats: number) => {
    const venue = await system.ticketing(
      'POST',
      `/v1/organizers/${system.organizerId}/venues`,
      {
        name: `Bench hall ${rows * seats}`,
        address: '1 Bench Street, Seoul',
        latitude: 37.4786,
        longitude: 127.0115,
        radiusM: 300,
        timeZone: 'Asia/Seoul',
      },
      token,
    );
    if (venue.status !== 201)
      throw new Error(`venue: ${venue.status} ${JSON.stringify(venue.body)}`);
    const map = {
      sections: [
        {
          name: 'Main',
          rows: Array.from({ length: rows }, (_, row) => ({
            label: `R${row + 1}`,
            seats: Array.from({ length: seats }, (_, seat) => ({
              number: String(seat + 1),
              x: seat,
              y: row,
            })),
          })),
        },
      ],
      areas: [],
    };
    const put = await system.ticketing('PUT', `/v1/venues/${venue.body.id}/seat-map`, map, token);
    if (put.status !== 200) throw new Error(`seat map: ${put.status} ${JSON.stringify(put.body)}`);
    return venue.body.id as string;
  };
  const small = await venueWith(10, 10);
  const large = await venueWith(25, 40);

  const page = await browser.context.newPage();
  await system.signIn(page, demoAccounts.organizer.phone);
  const editor = (venueId: string) =>
    `${system.consoleUrl}/o/${system.organizerId}/venues/${venueId}/seat-map`;

  /** Loads the editor `loads` times; ms from navigation start to `count` seats in the page. */
  const renderMs = async (venueId: string, count: number) => {
    const times: number[] = [];
    for (let load = 0; load < loads; load += 1) {
      await page.goto(editor(venueId));
      const drawnAt = await page.waitForFunction(
        (expected) =>
          document.querySelectorAll('[data-seat]').length >= expected && performance.now(),
        count,
        { timeout: 60_000 },
      );
      times.push(Number(await drawnAt.jsonValue()));
    }
    return times;
  };
  const smallMs = await renderMs(small, 100);
  const largeMs = await renderMs(large, 1_000);
  log(
    `render: 100 seats p50 ${percentile(smallMs, 0.5).toFixed(0)} ms, 1,000 seats p50 ${percentile(largeMs, 0.5).toFixed(0)} ms`,
  );

  // Clicks on seats spread over the map, each timed inside the page.
  const selectMs: number[] = [];
  for (let click = 0; click < clicks; click += 1) {
    const elapsed = await page.evaluate(async (index) => {
      const seats = document.querySelectorAll('[data-seat]');
      const seat = seats[(index * 49) % seats.length] as SVGElement;
      const before = seat.getAttribute('class');
      const started = performance.now();
      const changed = new Promise<number>((resolve) => {
        new MutationObserver((_, observer) => {
          if (seat.getAttribute('class') !== before) {
            observer.disconnect();
            resolve(performance.now() - started);
          }
        }).observe(seat, { attributes: true, attributeFilter: ['class'] });
      });
      seat.dispatchEvent(new MouseEvent('click', { bubbles: true }));
      return changed;
    }, click);
    selectMs.push(elapsed);
  }
  log(
    `seat select: p50 ${percentile(selectMs, 0.5).toFixed(1)} ms, max ${Math.max(...selectMs).toFixed(1)} ms`,
  );

  seatFigures = {
    seat_map_seats: 1_000,
    seat_map_render_ms_p50: Math.round(percentile(largeMs, 0.5)),
    seat_map_100_render_ms_p50: Math.round(percentile(smallMs, 0.5)),
    seat_map_render_ratio: round1(percentile(largeMs, 0.5) / percentile(smallMs, 0.5)),
    seat_select_ms_p50: round1(percentile(selectMs, 0.5)),
    seat_model: seatModel,
  };
} finally {
  await browser.close();
  await system.close();
}

// The live dashboards, with the console's system stopped so that only the gate load shares the cores.
const live = await measureDashboards();
log(`dashboards: ${JSON.stringify(live)}`);
console.log(
  JSON.stringify({
    scenario: 'console',
    initial_js_kb_gzip: initialKb,
    dashboards: live.dashboards,
    admissions_per_s_without: live.admissions_per_s_without,
    admissions_per_s_with: live.admissions_per_s_with,
    admissions_ratio_with_dashboards: live.admissions_ratio_with_dashboards,
    server_cpu_ms_per_dashboard_s: live.server_cpu_ms_per_dashboard_s,
    dashboard_update_ms_p99: live.dashboard_update_ms_p99,
    dashboard_update_ms_p50: live.dashboard_update_ms_p50,
    ticketing_cpu_ms_per_admission_without: live.ticketing_cpu_ms_per_admission_without,
    ticketing_cpu_ms_per_admission_with: live.ticketing_cpu_ms_per_admission_with,
    dashboard_backend: live.backend,
    ...seatFigures,
  }),
);
