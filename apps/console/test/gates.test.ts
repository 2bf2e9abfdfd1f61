/**
 * The gates screen in headless Chromium against the real servers, on both databases (issue 20
 * item 1): the demo organizer makes an enrolment code (a gate with no name is refused next to the
 * field), shown as text and QR; a terminal enrols with it and appears in the list; it is renamed,
 * then revoked, after which the server refuses the terminal's own calls; a box office member,
 * whose role may not admit, has no gates screen.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../../scripts/test/chromium.ts';
import { demoAccounts } from '../../../services/exchange/src/demo.ts';
import { type ConsoleSystem, startConsoleSystem } from './system.ts';

const stepTimeoutMs = 120_000;

describe.each(['sqlite', 'postgres'] as const)('the gates screen on %s', (backend) => {
  let system: ConsoleSystem;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let context: BrowserContext;
  let page: Page;
  let token: string;
  let terminal: { id: string; token: string };

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
    'makes an enrolment code, refusing a gate without a name, and a terminal enrols with it',
    async () => {
      await page.getByRole('navigation').getByRole('link', { name: 'Gates' }).click();
      await page.getByRole('heading', { name: 'Enrol a gate terminal' }).waitFor();
      await page.getByRole('checkbox').first().waitFor();
      await page.getByRole('button', { name: 'Make an enrolment code' }).click();
      await page.getByText('Required.').waitFor();
      await expect(page.getByLabel('Gate name').getAttribute('aria-invalid')).resolves.toBe('true');
      await page.getByLabel('Gate name').fill('North');
      await page.getByRole('button', { name: 'Make an enrolment code' }).click();
      await page.getByRole('heading', { name: 'Code for gate North' }).waitFor();
      const code = ((await page.getByTestId('enrolment-code').textContent()) ?? '').trim();
      expect(code).toMatch(/^[0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{5}$/);
      await page.getByRole('img', { name: `QR code of the enrolment code ${code}` }).waitFor();

      const enrolled = await system.ticketing('POST', '/v1/terminals/enrol', {
        code,
        name: 'Tablet 1',
      });
      expect(enrolled.status).toBe(201);
      terminal = { id: enrolled.body.terminal.id, token: enrolled.body.token };
      expect(enrolled.body.terminal.gate).toBe('North');
      await page.reload();
      await row().getByText('Tablet 1').waitFor();
      await expect(row().textContent()).resolves.toContain('North');
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
