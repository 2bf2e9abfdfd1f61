/**
 * Runs the protocol's browser build in headless Chromium, so the golden vectors and a device-key
 * round trip go through the browser's own WebCrypto rather than Node's. The page is served from
 * 127.0.0.1 (a secure context, which crypto.subtle needs); no other host is contacted.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, requireChromium } from '../../../scripts/test/chromium.ts';
import {
  decodeCredential,
  decodePresentation,
  fromHex,
  presentationFromText,
  protocol,
  toHex,
} from '../src/node.ts';
import type { BrowserResults, RunProtocolChecks } from './browser/entry.ts';

const entryPath = fileURLToPath(new URL('./browser/entry.ts', import.meta.url));
// Inside the window of the credential the page issues, so the Node verifier can admit it.
const presentationTimeS = 1_790_000_600;
const setupTimeoutMs = 60_000;

const page = `<!doctype html>
<html>
  <head><meta charset="utf-8"><title>tessera protocol in Chromium</title></head>
  <body><script src="/bundle.js"></script></body>
</html>
`;

async function bundleEntry(): Promise<string> {
  const result = await build({
    entryPoints: [entryPath],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (output === undefined) throw new Error('esbuild produced no output');
  return output.text;
}

function serve(bundle: string): Promise<Server> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    if (path === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
    } else if (path === '/bundle.js') {
      response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(bundle);
    } else {
      response.writeHead(404).end();
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

describe('protocol in Chromium with WebCrypto', { timeout: 60_000 }, () => {
  let server: Server | undefined;
  let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
  let context: BrowserContext;
  let browserPage: Page;
  let origin: string;
  const pageErrors: string[] = [];
  const offOriginRequests: string[] = [];
  let results: Promise<BrowserResults> | undefined;

  /** Runs the page's checks once; every test below reads the same results. */
  function browserResults(): Promise<BrowserResults> {
    results ??= browserPage.evaluate(
      (timeS) =>
        (window as unknown as { runProtocolChecks: RunProtocolChecks }).runProtocolChecks(timeS),
      presentationTimeS,
    );
    return results;
  }

  beforeAll(async () => {
    requireChromium();
    server = await serve(await bundleEntry());
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    browser = await launchChromium();
    context = browser.context;
    // The page must reach nothing but our own server.
    await context.route(
      (url) => url.origin !== origin,
      (route) => {
        offOriginRequests.push(route.request().url());
        return route.abort();
      },
    );
    browserPage = context.pages()[0] ?? (await context.newPage());
    browserPage.on('pageerror', (error) => pageErrors.push(String(error)));
    browserPage.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    await browserPage.goto(`${origin}/`);
    await browserPage.waitForFunction(() => 'runProtocolChecks' in window, undefined, {
      timeout: 10_000,
    });
  }, setupTimeoutMs);

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }, setupTimeoutMs);

  it('really runs in Chromium, in a secure context, without contacting other hosts', async () => {
    const environment = await browserPage.evaluate(() => ({
      userAgent: navigator.userAgent,
      secure: window.isSecureContext,
      subtle: typeof crypto.subtle,
    }));
    expect(environment.userAgent).toContain('Chrome');
    expect(environment.secure).toBe(true);
    expect(environment.subtle).toBe('object');
    expect(offOriginRequests).toEqual([]);
  });

  it('passes every golden vector', async () => {
    const { report } = await browserResults();
    expect(
      report.failures,
      `golden vectors failing in Chromium:\n${report.failures.join('\n')}`,
    ).toEqual([]);
    // A runner that silently checked nothing would otherwise pass.
    expect(report.checks).toBeGreaterThan(100);
    expect(pageErrors).toEqual([]);
  });

  it('makes a presentation with a generated device key that the Node verifier admits', async () => {
    const { roundTrip } = await browserResults();
    const presentation = decodePresentation(presentationFromText(roundTrip.presentationText));
    expect(presentation.timeS).toBe(presentationTimeS);
    // The credential is bound to the key generated in the page.
    expect(toHex(decodeCredential(presentation.credentialBytes).devicePublicKey)).toBe(
      roundTrip.devicePublicKey,
    );

    const keyring = await protocol.prepareKeyring([
      { publicKey: fromHex(roundTrip.organizerPublicKey) },
    ]);
    const decision = await protocol.verifyPresentation(roundTrip.presentationText, {
      keyring,
      eventIds: [roundTrip.eventId],
      nowS: presentationTimeS,
    });
    expect(
      decision,
      JSON.stringify(decision, (_, v) => (typeof v === 'bigint' ? `${v}` : v)),
    ).toMatchObject({
      admitted: true,
      reason: 'valid',
    });
    expect(pageErrors).toEqual([]);
  });
});
