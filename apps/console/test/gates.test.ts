/**
 * The gates screen in headless Chromium against the real servers, on both databases (issue 20
 * item 1): the demo organizer makes enrolment codes for two gates at once (no gate at all is
 * refused next to the field), shown as text and QR; a terminal enrols with each and appears in
 * the list; the device, app version and GPS fix one sends with its call show, flagged outside
 * the venue; the other is renamed,
 * then revoked, after which the server refuses the terminal's own calls; a box office member,
 * whose role may not admit, has no gates screen.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shot } from '../../../scripts/test/apps/driver.ts';
import { launchChromium } from '../../../scripts/test/chromium.ts';
import { demoAccounts } from '../../../services/exchange/src/demo.ts';
import { gateNamesOf } from '../src/gates/enrol.tsx';
import { terminalCall } from './event-day-setup.ts';
import { type ConsoleSystem, startConsoleSystem } from './system.ts';

const stepTimeoutMs = 120_000;

describe.each(['sqlite', 'postgres'] as const)('the gates screen on %s', (backend) => {
  let system: ConsoleSystem;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let context: BrowserContext;
  let page: Page;
  let token: string;
  let terminal: { id: string; token: string };
  let south: { id: string; token: string };

  beforeAll(async () => {
    system = await startConsoleSystem({ backend });
    browser = await launchChromium();
    context = browser.context;
    token = await system.organizerSession();
    page = await context.newPage();
    await system.signIn(page, demoAccounts.organizer.phone);
    await page.waitForURL(new RegExp(`/o/${system.organizerId}`));
  }, stepTimeoutMs);

  afterAll(async () => {
    await browser?.close();
    await system?.close();
  });

  const row = () => page.locator(`tr[data-terminal="${terminal.id}"]`);

  it(
    'makes a code per gate at once, refusing no gate at all, and a terminal enrols with each',
    async () => {
      await page.getByRole('navigation').getByRole('link', { name: 'Gates' }).click();
      await page.getByRole('heading', { name: 'Enrol a gate terminal' }).waitFor();
      await page.getByRole('checkbox').first().waitFor();
      await page.getByRole('button', { name: 'Make enrolment codes' }).click();
      await page.getByText('Required.').waitFor();
      const names = page.getByLabel('Gate names, one per line');
      await expect(names.getAttribute('aria-invalid')).resolves.toBe('true');
      // A blank line and a repeated name are dropped: two gates, two codes.
      await names.fill('North\n\nSouth\nNorth');
      await page.getByRole('button', { name: 'Make enrolment codes' }).click();
      await page.getByRole('heading', { name: 'Code for gate North' }).waitFor();
      await page.getByRole('heading', { name: 'Code for gate South' }).waitFor();
      const shown = page.getByTestId('enrolment-code');
      await expect(shown.count()).resolves.toBe(2);
      const codes: Record<string, string> = {};
      for (const element of await shown.all()) {
        const code = ((await element.textContent()) ?? '').trim();
        expect(code).toMatch(/^[0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{5}$/);
        await page.getByRole('img', { name: `QR code of the enrolment code ${code}` }).waitFor();
        codes[(await element.getAttribute('data-gate')) ?? ''] = code;
      }
      if (backend === 'sqlite') await shot(page, 'console-gate-codes');

      for (const [gate, name] of [
        ['North', 'Tablet 1'],
        ['South', 'Tablet 2'],
      ] as const) {
        const enrolled = await system.ticketing('POST', '/v1/terminals/enrol', {
          code: codes[gate],
          name,
        });
        expect(enrolled.status).toBe(201);
        expect(enrolled.body.terminal.gate).toBe(gate);
        const made = { id: enrolled.body.terminal.id, token: enrolled.body.token };
        if (gate === 'North') terminal = made;
        else south = made;
      }
      await page.reload();
      await row().getByText('Tablet 1').waitFor();
      await expect(row().textContent()).resolves.toContain('North');
    },
    stepTimeoutMs,
  );

  it(
    'shows the device, app version and last GPS fix a terminal sends, flagged outside the venue',
    async () => {
      const southRow = page.locator(`tr[data-terminal="${south.id}"]`);
      await expect(southRow.locator('[data-column="device"]').textContent()).resolves.toBe(
        'Not reported',
      );
      const fixAt = Date.now() - 5_000;
      const called = await terminalCall(system, south.token, 'GET', '/v1/terminal/package', {
        // Incheon airport: some 50 km from the Seoul Arts Center.
        headers: {
          appVersion: '0.1.0',
          device: 'Android 14, Chrome 131',
          position: { latitude: 37.4602, longitude: 126.4407, accuracyM: 12, at: fixAt },
        },
      });
      expect(called.status).toBe(200);
      await page.reload();
      await southRow
        .locator('[data-column="device"]')
        .getByText('Android 14, Chrome 131')
        .waitFor();
      await expect(southRow.locator('[data-column="app-version"]').textContent()).resolves.toBe(
        '0.1.0',
      );
      const position = southRow.locator('[data-column="position"]');
      await expect(position.textContent()).resolves.toContain('37.46020, 126.44070 ±12 m');
      await position.getByText('Outside the venue').waitFor();
      await expect(southRow.locator('[data-column="state"]').textContent()).resolves.toBe('Online');
      if (backend === 'sqlite') await shot(page, 'console-gate-terminals');
    },
    stepTimeoutMs,
  );

  it(
    'renames the terminal, then revokes it: the server refuses its next call',
    async () => {
      await row().getByRole('button', { name: 'Rename' }).click();
      const name = page.getByLabel('New name of Tablet 1');
      await name.fill(' ');
      await page.getByRole('button', { name: 'Save the name' }).click();
      await page.getByText('Give it a name of 1 to 80 characters.').waitFor();
      await name.fill('North tablet');
      await page.getByRole('button', { name: 'Save the name' }).click();
      await row().getByText('North tablet').waitFor();
      const listed = await system.ticketing(
        'GET',
        `/v1/organizers/${system.organizerId}/terminals`,
        undefined,
        token,
      );
      const found = listed.body.terminals.find((t: { id: string }) => t.id === terminal.id);
      expect(found.name).toBe('North tablet');

      expect(
        (await system.ticketing('GET', '/v1/terminal/package', undefined, terminal.token)).status,
      ).toBe(200);
      await row().getByRole('button', { name: 'Revoke' }).click();
      await page.getByText('signs it out at once, on every server').waitFor();
      await page.getByRole('button', { name: 'Revoke North tablet' }).click();
      await row()
        .getByText(/^Revoked /)
        .waitFor();
      const refused = await system.ticketing(
        'GET',
        '/v1/terminal/package',
        undefined,
        terminal.token,
      );
      expect(refused.status).toBe(401);
    },
    stepTimeoutMs,
  );

  it(
    'shows no gates screen to a box office member, whose role may not admit',
    async () => {
      const phone = await system.addDemoStaff('box_office', token);
      const other = await launchChromium();
      try {
        const staff = await other.context.newPage();
        await system.signIn(staff, phone);
        await staff.waitForURL(new RegExp(`/o/${system.organizerId}`));
        const nav = staff.getByRole('navigation');
        await nav.getByRole('link', { name: 'Sales' }).waitFor();
        await expect(nav.getByRole('link', { name: 'Gates' }).count()).resolves.toBe(0);
        await staff.goto(`${system.consoleUrl}/o/${system.organizerId}/gates`);
        await staff.waitForURL((url) => !url.pathname.endsWith('/gates'));
        await expect(staff.getByLabel('Gate name').count()).resolves.toBe(0);
      } finally {
        await other.close();
      }
    },
    stepTimeoutMs,
  );
});

describe('gate names typed one per line', () => {
  it('are trimmed, blank lines dropped and each name kept once, in order', () => {
    expect(gateNamesOf(' North \n\nSouth\r\nNorth\n  \nVIP door')).toEqual([
      'North',
      'South',
      'VIP door',
    ]);
    expect(gateNamesOf('\n \n')).toEqual([]);
  });
});
