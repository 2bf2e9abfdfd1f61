/**
 * The terminal's storage (src/store.ts) in headless Chromium's real IndexedDB: a terminal that
 * ran version 1 (the package's old names) opens version 2 with its enrolment and its unsent
 * admissions kept, and what came from the server dropped, to be fetched whole again. The page is
 * served from 127.0.0.1; no other host is contacted.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../../scripts/test/chromium.ts';

const storePath = fileURLToPath(new URL('../src/store.ts', import.meta.url));
const setupTimeoutMs = 60_000;

const html = `<!doctype html>
<html><head><meta charset="utf-8"><title>gate storage</title></head>
<body><script src="/store.js"></script></body></html>
`;

/** store.ts as a script that puts its exports on `window.gateStore`. */
async function bundleStore(): Promise<string> {
  const result = await build({
    entryPoints: [storePath],
    bundle: true,
    write: false,
    format: 'iife',
    globalName: 'gateStore',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (output === undefined) throw new Error('esbuild produced no output');
  return output.text;
}

function serve(script: string): Promise<Server> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    if (path === '/') response.writeHead(200, { 'content-type': 'text/html' }).end(html);
    else if (path === '/store.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    } else response.writeHead(404).end();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

/** Lays out the database as version 1 of the gate app left it. */
function writeVersion1(page: Page) {
  return page.evaluate(
    () =>
      new Promise<void>((resolve, reject) => {
        const request = indexedDB.open('tessera-gate', 1);
        request.onupgradeneeded = () => {
          const db = request.result;
          db.createObjectStore('kv');
          db.createObjectStore('manualCodes', { keyPath: 'manualNumber' });
          db.createObjectStore('revocations', { keyPath: 'key' });
          db.createObjectStore('admissions', { keyPath: 'key' });
          db.createObjectStore('log', { keyPath: 'nonce' }).createIndex('pending', 'pending');
        };
        request.onerror = () => reject(request.error);
        request.onsuccess = () => {
          const db = request.result;
          const stores = ['kv', 'manualCodes', 'revocations', 'admissions', 'log'];
          const t = db.transaction(stores, 'readwrite');
          const kv = t.objectStore('kv');
          kv.put(
            { token: 'tt_kept', terminal: { id: 'trm_1', name: 'N1', gate: 'North' } },
            'credential',
          );
          kv.put('cursor-v1', 'cursor');
          kv.put('42', 'lastEventId');
          t.objectStore('manualCodes').put({
            manualNumber: '3141592652',
            ticketNumber: '0311jfmq',
          });
          t.objectStore('revocations').put({ key: 'PRF1/0311jfmq', ticketNumber: '0311jfmq' });
          t.objectStore('admissions').put({ key: 'a', ticketNumber: '0311jfmq' });
          const log = t.objectStore('log');
          log.put({ nonce: 'n-sent', pending: 0, ticketNumber: 'x1', presentationTime: null });
          log.put({
            nonce: 'n-unsent',
            pending: 1,
            ticketNumber: 'x2',
            presentationTime: 1_790_000_000,
          });
          t.oncomplete = () => {
            db.close();
            resolve();
          };
          t.onerror = () => reject(t.error);
        };
      }),
  );
}

describe('the gate terminal storage in Chromium', { timeout: 60_000 }, () => {
  let server: Server | undefined;
  let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
  let page: Page;

  beforeAll(async () => {
    server = await serve(await bundleStore());
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    await browser.context.route(
      (url) => url.origin !== origin,
      (route) => route.abort(),
    );
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => 'gateStore' in window);
  }, setupTimeoutMs);

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }, setupTimeoutMs);

  it("upgrades version 1: keeps the enrolment and unsent admissions under the protocol's names, drops the server's data", async () => {
    await writeVersion1(page);
    const seen = await page.evaluate(async () => {
      type Store = typeof import('../src/store.ts');
      const store = (window as unknown as { gateStore: Store }).gateStore;
      const before = {
        credential: await store.getValue<{ token: string }>('credential'),
        cursor: await store.getValue('cursor'),
        lastEventId: await store.getValue('lastEventId'),
        manualCodes: await store.getAll('manualCodes'),
        revocations: await store.getAll('revocations'),
        admissions: await store.getAll('admissions'),
        log: await store.getAll<{ nonce: string }>('log'),
        pending: await store.getAllPending(),
      };
      // The next package's manual codes go in by their 10-digit ticket number.
      await store.write({ put: { manualCodes: [{ ticketNumber: '2718281828', ticketId: 'y' }] } });
      return { ...before, manualCodesAfter: await store.getAll('manualCodes') };
    });
    expect(seen.credential?.token).toBe('tt_kept');
    expect(seen.cursor).toBeUndefined();
    expect(seen.lastEventId).toBeUndefined();
    expect(seen.manualCodes).toEqual([]);
    expect(seen.revocations).toEqual([]);
    expect(seen.admissions).toEqual([]);
    expect(seen.log.map((entry) => entry.nonce).sort()).toEqual(['n-sent', 'n-unsent']);
    expect(seen.pending).toEqual([
      { nonce: 'n-unsent', pending: 1, ticketId: 'x2', presentationTimeS: 1_790_000_000 },
    ]);
    expect(seen.manualCodesAfter).toEqual([{ ticketNumber: '2718281828', ticketId: 'y' }]);
  });
});
