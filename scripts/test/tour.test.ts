/**
 * The README's five-minute tour, as a new user follows it (issue 21): `npm start` on a fresh data
 * directory, exactly as the README runs it (no NODE_ENV, the demo data made at start); the buyer
 * opens the mobile app at phone size, signs in with 010-0000-0001 and the code from the SMS inbox
 * the app links to, connects the wallet (the exchange's code, same way), goes to Events, Winter
 * Concert, the first date, a seat on the map, and pays from the wallet; the gate person opens the
 * gate app, types the enrolment code `npm start` printed, types the ticket number and PIN shown
 * under the barcode: a green ADMIT, then the same again: a red STOP, already used.
 *
 * It fails if the demo data has no performance with open doors (the gate answers "not valid
 * yet"), if the printed code does not cover it, or if the README's words stop matching the apps.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchGateBrowser } from '../../apps/gate/test/browser.ts';
import { writeQrFeed } from '../../apps/gate/test/y4m.ts';
import { freePort } from '../free-port.ts';
import { phoneViewport, shot } from './apps/driver.ts';
import { launchChromium } from './chromium.ts';

const stepTimeoutMs = 120_000;
const script = fileURLToPath(new URL('../start.ts', import.meta.url));
// The README's words, whatever their line breaks.
const readme = readFileSync(
  fileURLToPath(new URL('../../README.md', import.meta.url)),
  'utf8',
).replace(/\s+/g, ' ');

interface Banner {
  mobileUrl: string;
  gateUrl: string;
  enrolmentCode: string;
}

/**
 * `npm start` in a child process; resolves with what its banner printed once it has printed it
 * (the first start builds the apps when their builds are missing: minutes, not seconds).
 */
function npmStart(dataDir: string, ports: Record<string, string>) {
  const env: NodeJS.ProcessEnv = { ...process.env, TESSERA_DATA_DIR: dataDir, ...ports };
  // As the README runs it: the servers' default is production; npm start asks for development.
  delete env.NODE_ENV;
  delete env.DATABASE_URL;
  delete env.EXCHANGE_RATES_FILE;
  delete env.EXCHANGE_OPERATOR_TOKEN;
  delete env.TICKETING_OPERATOR_TOKEN;
  delete env.LOG_LEVEL;
  const child = spawn(process.execPath, ['--import', 'tsx', script], { env });
  let stdout = '';
  let stderr = '';
  const banner = new Promise<Banner>((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      stdout += String(chunk);
      if (!stdout.includes('Ctrl-C stops everything.')) return;
      const mobileUrl = /Mobile app\s+(http:\S+)/.exec(stdout)?.[1];
      const gateUrl = /Gate app\s+(http:\S+)/.exec(stdout)?.[1];
      const enrolmentCode = /Gate enrolment\s+([0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{5})\s/.exec(
        stdout,
      )?.[1];
      if (!mobileUrl || !gateUrl || !enrolmentCode) {
        reject(new Error(`the banner lacks a URL or the enrolment code:\n${stdout}`));
      } else resolve({ mobileUrl, gateUrl, enrolmentCode });
    });
    child.stderr.on('data', (chunk) => {
      stderr += String(chunk);
    });
    child.once('exit', (code) =>
      reject(new Error(`npm start exited (${code}) before its banner:\n${stdout}\n${stderr}`)),
    );
  });
  return {
    child,
    banner,
    output: () => ({ stdout, stderr }),
  };
}

/** Ctrl-C, as the README says, and waits for everything to stop. */
async function stopStart(child: ChildProcess) {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  await exited;
}

/** Follows the app's link to the development SMS inbox and reads the code that landed there. */
async function codeFromInbox(context: BrowserContext, page: Page, linkName: string) {
  const [inbox] = await Promise.all([
    context.waitForEvent('page'),
    page.getByRole('link', { name: linkName }).click(),
  ]);
  await inbox.waitForLoadState();
  const { lastCode } = JSON.parse((await inbox.locator('body').innerText()) || '{}') as {
    lastCode?: string;
  };
  await inbox.close();
  if (!lastCode) throw new Error(`no code in the inbox at ${inbox.url()}`);
  return lastCode;
}

describe('the README tour on a fresh `npm start`', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-tour-'));
  const cameraDir = mkdtempSync(join(tmpdir(), 'tessera-tour-camera-'));
  let started: ReturnType<typeof npmStart>;
  let banner: Banner;
  let phone: Awaited<ReturnType<typeof launchChromium>>;
  let gate: Awaited<ReturnType<typeof launchGateBrowser>> | undefined;
  let ticket: { number: string; pin: string };

  beforeAll(async () => {
    const ports = {
      MOBILE_PORT: String(await freePort()),
      GATE_PORT: String(await freePort()),
      TICKETING_PORT: String(await freePort()),
      EXCHANGE_PORT: String(await freePort()),
    };
    started = npmStart(dataDir, ports);
    banner = await started.banner;
    phone = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    await gate?.close();
    await phone?.close();
    if (started) await stopStart(started.child);
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(cameraDir, { recursive: true, force: true });
  });

  it('the README says what this test does', () => {
    // The words the steps below rely on, so that the README and this test change together.
    expect(readme).toContain('sign in with `010-0000-0001`');
    expect(readme).toContain('the app links to the SMS inbox where the code lands');
    expect(readme).toContain('Events, Winter Concert, the first date');
    expect(readme).toContain('type the enrolment code `npm start` printed');
    expect(readme).toContain('type the ticket number and PIN shown under it');
    expect(readme).toContain('a full-screen green ADMIT');
    expect(readme).toContain('Check the same ticket again: a red STOP, already used.');
    expect(readme).toContain('**doors are open now**');
  });

  it(
    'the buyer signs in with 010-0000-0001, connects the wallet and buys a seat of Winter Concert',
    async () => {
      const page = await phone.context.newPage();
      page.setDefaultTimeout(20_000);
      await page.setViewportSize(phoneViewport);
      page.on('pageerror', (error) => console.error(`[app] ${error.message}`));
      await page.goto(banner.mobileUrl);

      // Sign in, the code from the inbox the app links to.
      await page.getByRole('link', { name: 'Sign in' }).first().click();
      await page.getByLabel('Phone number').fill('010-0000-0001');
      await page.getByRole('button', { name: 'Send code' }).click();
      const code = page.getByLabel('Code from the text message');
      await code.fill(
        await codeFromInbox(phone.context, page, 'Development: the code is in the SMS inbox.'),
      );
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByRole('heading', { name: 'My tickets' }).waitFor();

      // Connect the wallet: the exchange's code, same inbox.
      await page.getByRole('navigation').getByRole('link', { name: 'Wallet' }).click();
      await page.getByRole('button', { name: 'Send code' }).click();
      await page
        .getByLabel('Code from the text message')
        .fill(
          await codeFromInbox(
            phone.context,
            page,
            "Development: the code is in the exchange's SMS inbox.",
          ),
        );
      await page.getByRole('button', { name: 'Connect' }).click();
      await page.getByRole('heading', { name: 'Balances' }).waitFor();

      // Events, Winter Concert, the first date, a seat on the map, pay from the wallet.
      await page.getByRole('navigation').getByRole('link', { name: 'Events' }).click();
      await page.getByRole('link', { name: /Winter Concert/ }).click();
      await page.getByRole('heading', { name: 'Winter Concert' }).waitFor();
      await page.getByRole('link', { name: 'Choose seats' }).first().click();
      const seat = page.locator('button[data-seat^="Orchestra/"]:not([disabled])').first();
      await seat.click();
      await seat.and(page.locator('[aria-pressed="true"]')).waitFor();
      await page.getByRole('button', { name: 'Hold and go to payment' }).click();
      await page.getByRole('heading', { name: 'Checkout' }).waitFor();
      await page.getByRole('button', { name: /^Pay / }).click();
      const dialog = page.getByRole('alertdialog', { name: 'Confirm the payment' });
      await dialog.getByRole('button', { name: 'Pay now' }).click();
      await page
        .getByRole('heading', { name: 'Your tickets are ready.' })
        .waitFor({ timeout: 30_000 });
      await page
        .getByRole('link', { name: /Open the ticket/ })
        .first()
        .click();
      await page.getByTestId('barcode').waitFor();
      await shot(page, 'tour-1-ticket');

      // The ticket number and PIN shown under the barcode, for the gate person to type.
      const manual = page.locator('.manual-code');
      const read = async (term: string) =>
        (
          await manual
            .locator('div', { has: page.getByRole('term').getByText(term, { exact: true }) })
            .getByRole('definition')
            .innerText()
        ).replace(/\D/g, '');
      ticket = { number: await read('Ticket number'), pin: await read('PIN') };
      expect(ticket.number).toMatch(/^\d{10}$/);
      expect(ticket.pin).toMatch(/^\d+$/);
      await page.close();
    },
    stepTimeoutMs,
  );

  it(
    'the gate, enrolled with the printed code, admits the ticket, then refuses it: already used',
    async () => {
      // The gate tablet's camera sees nothing; the gate person types the number and PIN.
      const feed = join(cameraDir, 'camera.y4m');
      writeQrFeed(feed, [''], { framesPerSecond: 2, framesPerCode: [4] });
      gate = await launchGateBrowser(feed, new URL(banner.gateUrl).origin);
      const gatePage = await gate.open(banner.gateUrl);
      await gatePage.getByLabel('Enrolment code').fill(banner.enrolmentCode);
      await gatePage.getByRole('button', { name: 'Enrol', exact: true }).click();
      await gatePage.getByRole('heading', { name: 'Scan tickets' }).waitFor({ timeout: 30_000 });

      const check = async () => {
        const form = gatePage.getByRole('form', { name: 'Type a ticket number' });
        await form.getByLabel('Ticket number').fill(ticket.number);
        await form.getByLabel('PIN').fill(ticket.pin);
        await form.getByRole('button', { name: 'Check' }).click();
        const result = gatePage.getByTestId('result');
        await result.waitFor();
        return result;
      };
      const first = await check();
      expect(await first.getAttribute('data-reason')).toBe('valid');
      await first.getByText('ADMIT', { exact: true }).waitFor();
      await shot(gatePage, 'tour-2-admit');
      await gatePage.getByRole('button', { name: 'Tap for the next ticket' }).click();
      await first.waitFor({ state: 'detached' });

      const second = await check();
      expect(await second.getAttribute('data-reason')).toBe('already_used');
      await second.getByText('STOP', { exact: true }).waitFor();
      await second.getByText('Already used. Do not admit.').waitFor();
      await shot(gatePage, 'tour-3-already-used');
      // The console stayed quiet: no per-request JSON log line scrolled the banner away.
      expect(started.output().stdout).not.toMatch(/^\{"level"/m);
    },
    stepTimeoutMs,
  );
});
