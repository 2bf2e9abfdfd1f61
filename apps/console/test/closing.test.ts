/**
 * Close and reconcile in headless Chromium against the real servers, on both databases (issue 20
 * item 4): a started performance with two tickets sold, admitted offline at two gates (one a
 * duplicate, one out of the venue), and a terminal that says it holds unsent admissions; closing without waiting for it asks for a reason (and nothing changes until one is
 * given); the report's figures then equal the gate-report route's JSON, with the exchange's check
 * stated; each CSV table downloads through the session (its first line checked); the printed page
 * hides the navigation; a box office member reads the report but has no close button.
 */
import { readFileSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shot } from '../../../scripts/test/apps/driver.ts';
import { launchChromium } from '../../../scripts/test/chromium.ts';
import { demoAccounts } from '../../../services/exchange/src/demo.ts';
import type { GateReport } from '../src/closing/api.ts';
import { exchangeVerdict } from '../src/closing/money.tsx';
import { enrolTerminal, startedEvent, terminalCall } from './event-day-setup.ts';
import { type ConsoleSystem, startConsoleSystem } from './system.ts';

const stepTimeoutMs = 120_000;
const desk = { width: 1280, height: 900 };
const reason = 'Tablet N lost power; its scans are on paper.';
/** Incheon airport: some 50 km from the Seoul Arts Center. */
const incheon = { latitude: 37.4602, longitude: 126.4407, accuracyM: 10 };

interface Attendee {
  /** The upload names a ticket by its number (the barcode's), not its id. */
  ticketNumber: string;
  revision: number;
  performanceCode: string;
}

/** An entry scanned offline `minutesAgo`, as the gate app uploads it. */
function entry(ticket: Attendee, minutesAgo: number, position?: typeof incheon) {
  return {
    nonce: `n${Math.random().toString(36).slice(2, 14)}`,
    performanceCode: ticket.performanceCode,
    ticketId: ticket.ticketNumber,
    revision: ticket.revision,
    direction: 'entry',
    scannedAt: new Date(Date.now() - minutesAgo * 60_000).toISOString(),
    ...(position ? { position } : {}),
  };
}

describe.each(['sqlite', 'postgres'] as const)('close and reconcile on %s', (backend) => {
  let system: ConsoleSystem;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let context: BrowserContext;
  let page: Page;
  let token: string;
  let setup: Awaited<ReturnType<typeof startedEvent>>;
  let terminal: { id: string; token: string };

  const closePath = () =>
    `/o/${system.organizerId}/events/${setup.eventId}/performances/${setup.performanceId}/close`;
  const report = async () => {
    const answer = await system.ticketing(
      'GET',
      `/v1/performances/${setup.performanceId}/gate-report`,
      undefined,
      token,
    );
    expect(answer.status).toBe(200);
    return answer.body as GateReport;
  };

  beforeAll(async () => {
    system = await startConsoleSystem({ backend });
    browser = await launchChromium();
    context = browser.context;
    token = await system.organizerSession();
    setup = await startedEvent(system, token, 'Closing Night');
    for (const seat of ['Orchestra/B/5', 'Orchestra/B/6']) {
      await system.buyForNumber(system.newPhone(), setup.performanceId, seat);
    }
    terminal = await enrolTerminal(system, token, setup, 'North', 'Tablet N');
    const south = await enrolTerminal(system, token, setup, 'South', 'Tablet S');
    const attendees = await system.ticketing(
      'GET',
      `/v1/events/${setup.eventId}/attendees`,
      undefined,
      token,
    );
    const [first, second] = attendees.body.attendees as Attendee[];
    if (!first || !second) throw new Error('two tickets were bought');
    // Offline admissions as the gate app uploads them: the first ticket at both gates (the
    // second a duplicate), the second at the south gate from 50 km away (out of the venue).
    // North then says it still holds two admissions it has not sent.
    const upload = async (gate: { token: string }, pending: number, scans: unknown[]) => {
      const answer = await terminalCall(system, gate.token, 'POST', '/v1/terminal/admissions', {
        body: { pending, admissions: scans },
      });
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    };
    await upload(terminal, 2, [entry(first, 3)]);
    await upload(south, 0, [
      entry(first, 2),
      entry(second, 1, incheon),
      // A number no ticket has: refused, and counted among the refusals.
      entry({ ...second, ticketNumber: 'zzzzzzzz' }, 1),
    ]);
    page = await context.newPage();
    await page.setViewportSize(desk);
    await system.signIn(page, demoAccounts.organizer.phone);
    await page.waitForURL(new RegExp(`/o/${system.organizerId}`));
  }, stepTimeoutMs);

  afterAll(async () => {
    await browser?.close();
    await system?.close();
  });

  it(
    'asks for a reason to close without the outstanding terminal, then shows the route’s report',
    async () => {
      await page.goto(`${system.consoleUrl}${closePath()}`);
      await page.getByRole('heading', { name: 'Close the performance' }).waitFor();
      const row = page.locator(`.closing-close tr[data-terminal="${terminal.id}"]`);
      await row.getByText('Said it holds unsent admissions').waitFor();
      await expect(row.textContent()).resolves.toContain('Tablet N');

      await page.getByRole('button', { name: 'Close without waiting for these terminals' }).click();
      await page.getByText('Give a reason (1 to 500 characters).').waitFor();
      expect((await report()).performance.status).not.toBe('closed');

      await page.getByLabel('Why close without them?').fill(reason);
      await page.getByRole('button', { name: 'Close without waiting for these terminals' }).click();
      await page
        .getByTestId('closing-state')
        .getByText(/^Closed /)
        .waitFor();
      await page.getByText(reason, { exact: false }).first().waitFor();

      const data = await report();
      expect(data.performance.status).toBe('closed');
      expect(data.performance.forcedReason).toBe(reason);
      expect(data.tickets.sold).toBe(2);
      // Re-read so the page shows the same moment's report as the one just fetched.
      await page.reload();
      await page.getByRole('heading', { name: 'Reconciliation report' }).waitFor();
      const figures = { ...data.tickets, ...data.admissions };
      for (const [field, value] of Object.entries(figures)) {
        await expect(
          page.locator(`[data-figure="${field}"] dd`).textContent(),
          field,
        ).resolves.toBe(value.toLocaleString('en-US'));
      }
      await expect(page.locator('[data-verdict]').getAttribute('data-verdict')).resolves.toBe(
        exchangeVerdict(data),
      );
      for (const line of data.revenue) {
        await page.locator(`tr[data-asset="${line.asset}"]`).waitFor();
      }
      await page.locator(`.closing-report tr[data-terminal="${terminal.id}"]`).waitFor();
      // Refusals in words, with the route's counts.
      expect(data.refusals).toEqual([{ reason: 'unknown_ticket', count: 1 }]);
      await expect(
        page.locator('.closing-refusals tr[data-reason="unknown_ticket"]').textContent(),
      ).resolves.toBe('An upload named a ticket that is not on record.1');
      // The listed cases and the gates, as the route lists them.
      expect(data.duplicates.total).toBe(1);
      expect(data.outsideVenue.total).toBe(1);
      for (const row of data.duplicates.listed) {
        await page.locator(`.closing-duplicates tr[data-ticket="${row.ticketNumber}"]`).waitFor();
      }
      for (const row of data.outsideVenue.listed) {
        await page.locator(`.closing-outside tr[data-ticket="${row.ticketNumber}"]`).waitFor();
      }
      for (const gate of ['North', 'South']) {
        const entries = data.gates
          .filter((row) => row.gate === gate)
          .reduce((sum, row) => sum + row.entries, 0);
        await expect(
          page.locator(`.closing-gates tr[data-gate="${gate}"] td`).first().textContent(),
        ).resolves.toBe(String(entries));
      }
      await page
        .getByRole('img', { name: 'Entries per gate per quarter hour' })
        .locator('canvas')
        .waitFor();
      if (backend === 'sqlite') await shot(page, 'console-closing');
    },
    stepTimeoutMs,
  );

  it(
    'downloads each table as CSV through the session, and prints without the navigation',
    async () => {
      const firstLines = {
        summary: 'metric,asset,value',
        gates: 'gate,period_start,entries,exits,duplicates',
      };
      for (const [table, header] of Object.entries(firstLines)) {
        const label = table === 'summary' ? 'summary' : 'gates';
        const [download] = await Promise.all([
          page.waitForEvent('download'),
          page.getByRole('button', { name: `Download CSV: ${label}` }).click(),
        ]);
        const file = await download.path();
        expect(download.suggestedFilename()).toMatch(new RegExp(`^gate-${table}-.+\\.csv$`));
        expect(readFileSync(file, 'utf8').split(/\r?\n/)[0]).toBe(header);
      }
      const summary = readFileSync(
        await (
          await Promise.all([
            page.waitForEvent('download'),
            page.getByRole('button', { name: 'Download CSV: summary' }).click(),
          ])
        )[0].path(),
        'utf8',
      );
      expect(summary).toContain('tickets_sold,,2');

      await page.emulateMedia({ media: 'print' });
      try {
        await expect(page.locator('.sidebar').isVisible()).resolves.toBe(false);
        await expect(page.getByRole('button', { name: 'Print' }).isVisible()).resolves.toBe(false);
        await expect(
          page.getByRole('heading', { name: 'Reconciliation report' }).isVisible(),
        ).resolves.toBe(true);
      } finally {
        await page.emulateMedia({ media: 'screen' });
      }
    },
    stepTimeoutMs,
  );

  it(
    'shows a box office member the report, without the close',
    async () => {
      const phone = await system.addDemoStaff('box_office', token);
      const other = await launchChromium();
      try {
        const staff = await other.context.newPage();
        await system.signIn(staff, phone);
        await staff.waitForURL(new RegExp(`/o/${system.organizerId}`));
        await staff.goto(`${system.consoleUrl}${closePath()}`);
        await staff.getByRole('heading', { name: 'Reconciliation report' }).waitFor();
        await expect(
          staff.getByRole('heading', { name: 'Close the performance' }).count(),
        ).resolves.toBe(0);
      } finally {
        await other.close();
      }
    },
    stepTimeoutMs,
  );
});

describe('the exchange check', () => {
  const checked = {
    revenue: [{ asset: 'USDT', paid: '110' }],
    exchange: {
      status: 'checked',
      revenue: [{ asset: 'USDT', paid: '110.000', requests: 2, refunded: '0', net: '110' }],
      missing: [],
      mismatched: [],
    },
  } as unknown as GateReport;
  const changed = (part: Partial<GateReport['exchange']>) =>
    ({ ...checked, exchange: { ...checked.exchange, ...part } }) as GateReport;

  it('matches when every asset is paid the same, whatever the trailing zeros', () => {
    expect(exchangeVerdict(checked)).toBe('match');
  });

  it('is a mismatch when an amount differs, an order is missing or a payment differs', () => {
    expect(
      exchangeVerdict(
        changed({
          revenue: [{ asset: 'USDT', paid: '55', requests: 1, refunded: '0', net: '55' }],
        }),
      ),
    ).toBe('mismatch');
    expect(exchangeVerdict(changed({ revenue: [] }))).toBe('mismatch');
    expect(exchangeVerdict(changed({ missing: [{ requestId: 'r', orderId: 'o' }] }))).toBe(
      'mismatch',
    );
    expect(
      exchangeVerdict(changed({ mismatched: [{ requestId: 'r', orderId: 'o', problem: 'p' }] })),
    ).toBe('mismatch');
  });

  it('says when the exchange was not asked or not read whole', () => {
    expect(exchangeVerdict(changed({ status: 'unavailable' }))).toBe('unavailable');
    expect(exchangeVerdict(changed({ status: 'incomplete' }))).toBe('incomplete');
  });
});
