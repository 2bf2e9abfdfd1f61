/**
 * The whole system for the console's browser tests: the apps' test system
 * (scripts/test/apps/system.ts: the real exchange and ticketing server with the demo data, and
 * the buyer's app) with the console served beside it, its origin allowed by both servers; and
 * signing a person in through the console's own sign-in page, with the code from the ticketing
 * server's development SMS inbox, as an organizer would read it on their phone.
 */
import type { Page } from 'playwright-core';
import { freePort } from '../../../scripts/free-port.ts';
import {
  type Backend,
  type MobileSystem,
  startMobileSystem,
} from '../../../scripts/test/apps/system.ts';
import { ensureConsoleBuild } from '../server/build.ts';
import { startConsoleServer } from '../server/serve.ts';

const host = '127.0.0.1';

/** Tries at starting the system when the console's port was taken meanwhile. */
const portTries = 3;

/**
 * The console's port is picked before the servers start (they must allow its origin), so another
 * process may take it in between (CI saw EADDRINUSE once), as it may take one of the system's
 * own: then the system starts again on fresh ports.
 */
async function startWithConsole(options: { backend?: Backend }) {
  for (let attempt = 1; ; attempt += 1) {
    const consolePort = await freePort();
    const consoleUrl = `http://${host}:${consolePort}`;
    const taken = (error: unknown) =>
      (error as NodeJS.ErrnoException).code === 'EADDRINUSE' && attempt < portTries;
    let system: MobileSystem;
    try {
      system = await startMobileSystem({ ...options, otherOrigins: [consoleUrl] });
    } catch (error) {
      // One of the system's own ports, picked the same way, was taken: start again.
      if (taken(error)) continue;
      throw error;
    }
    try {
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
      return { system, server, consoleUrl };
    } catch (error) {
      await system.close();
      if (!taken(error)) throw error;
    }
  }
}

/**
 * Signs `phone` in on the console at `consoleUrl` with the code `smsCode` reads from the
 * ticketing server's development inbox; resolves once the page has moved on.
 */
export async function signInOnConsole(
  page: Page,
  consoleUrl: string,
  phone: string,
  smsCode: () => Promise<string>,
) {
  await page.goto(consoleUrl);
  await page.getByLabel('Phone number').fill(phone);
  await page.getByRole('button', { name: 'Send code' }).click();
  await page.getByLabel('6-digit code').waitFor();
  await page.getByLabel('6-digit code').fill(await smsCode());
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page
    .getByRole('heading', { name: 'Sign in to the console' })
    .waitFor({ state: 'detached' });
}

export async function startConsoleSystem(options: { backend?: Backend } = {}) {
  await ensureConsoleBuild();
  const { system, server, consoleUrl } = await startWithConsole(options);

  /** Signs `phone` in on the console's sign-in page; resolves once the page has moved on. */
  const signIn = (page: Page, phone: string) =>
    signInOnConsole(page, consoleUrl, phone, () => system.smsCode('ticketing', phone));

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
