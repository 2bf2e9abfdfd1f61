/**
 * The whole system for the console's browser tests: the apps' test system
 * (scripts/test/apps/system.ts: the real exchange and ticketing server with the demo data, and
 * the buyer's app) with the console served beside it, its origin allowed by both servers; and
 * signing a person in through the console's own sign-in page, with the code from the ticketing
 * server's development SMS inbox, as an organizer would read it on their phone.
 */
import type { Page } from 'playwright-core';
import { freePort } from '../../../scripts/free-port.ts';
import { type Backend, startMobileSystem } from '../../../scripts/test/apps/system.ts';
import { ensureConsoleBuild } from '../server/build.ts';
import { startConsoleServer } from '../server/serve.ts';

const host = '127.0.0.1';

export async function startConsoleSystem(options: { backend?: Backend } = {}) {
  await ensureConsoleBuild();
  const consolePort = await freePort();
  const consoleUrl = `http://${host}:${consolePort}`;
  const system = await startMobileSystem({ ...options, otherOrigins: [consoleUrl] });
  const server = await startConsoleServer({
    host,
    port: consolePort,
    app: {
      ticketingUrl: system.ticketingUrl,
      exchangeUrl: system.exchangeUrl,
      mobileAppUrl: system.appUrl,
      development: true,
    },
  });

  /** Signs `phone` in on the console's sign-in page; resolves once the page has moved on. */
  async function signIn(page: Page, phone: string) {
    await page.goto(consoleUrl);
    await page.getByLabel('Phone number').fill(phone);
    await page.getByRole('button', { name: 'Send code' }).click();
    await page.getByLabel('6-digit code').waitFor();
    await page.getByLabel('6-digit code').fill(await system.smsCode('ticketing', phone));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page
      .getByRole('heading', { name: 'Sign in to the console' })
      .waitFor({ state: 'detached' });
  }

  /** A new number on the demo organizer's staff with `role`, added by its owner's `token`. */
  async function addDemoStaff(role: 'owner' | 'manager' | 'box_office' | 'gate', token: string) {
    const phone = system.newPhone();
    const added = await system.ticketing(
      'PUT',
      `/v1/organizers/${system.organizerId}/staff/${encodeURIComponent(phone)}`,
      { role },
      token,
    );
    if (added.status !== 200) throw new Error(`adding staff: ${added.status}`);
    return phone;
  }

  return {
    ...system,
    consoleUrl,
    signIn,
    addDemoStaff,
    async close() {
      await server.close();
      await system.close();
    },
  };
}

export type ConsoleSystem = Awaited<ReturnType<typeof startConsoleSystem>>;
