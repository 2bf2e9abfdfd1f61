/**
 * The service worker of both apps: the offline shell. At install it stores every file of this
 * build (the list is written in at build time by packages/service-kit/src/vite-app.ts), so once
 * the app has been opened it starts with no network at all: the buyer's app opens the tickets
 * kept in IndexedDB, the gate terminal reads and decides on its event package.
 *
 * - Page loads (navigations) get the stored index.html at once: each app is one page, and every
 *   file it needs is stored with it, so there is nothing to wait for. A new build changes this
 *   file, so the browser installs the new worker, which stores the new files and replaces the
 *   old cache; the next start runs the new version.
 * - The build's own files: from the cache (their names carry their content hash).
 * - `/config.json` (the servers, per deployment): from the network, falling back to the cache.
 * - Calls to the servers' APIs are other origins and never pass through here: nothing of the
 *   buyer's sessions or money is ever cached.
 *
 * The cache names keep the `tessera-mobile-` prefix for both apps (each app has its own origin,
 * so its own caches): a new prefix would leave the caches already on devices behind.
 */

// Only the parts of the worker scope this file uses: the project's type check runs with the DOM
// library, which cannot be combined with the WebWorker one in the same program.
interface ExtendableEvent extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  readonly request: Request;
  respondWith(response: Response | Promise<Response>): void;
}
interface WorkerScope {
  readonly location: Location;
  readonly clients: { claim(): Promise<void> };
  skipWaiting(): Promise<void>;
  addEventListener(type: 'install' | 'activate', listener: (event: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', listener: (event: FetchEvent) => void): void;
}

declare const __PRECACHE_URLS__: readonly string[];
declare const __CACHE_VERSION__: string;

const worker = self as unknown as WorkerScope;
const cacheName = `tessera-mobile-${__CACHE_VERSION__}`;
const shellUrl = '/index.html';
const configUrl = '/config.json';
const precached = new Set(__PRECACHE_URLS__);
/** How long the worker waits for `/config.json` from the network before using its copy. */
const configTimeoutMs = 3_000;

worker.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(cacheName);
      // All or nothing: a half-stored build would start offline and then miss a file.
      await cache.addAll([...precached]);
      // Best effort: the deployment's configuration, for offline starts.
      await cache.add(configUrl).catch(() => undefined);
      await worker.skipWaiting();
    })(),
  );
});

worker.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith('tessera-mobile-') && name !== cacheName) await caches.delete(name);
      }
      await worker.clients.claim();
    })(),
  );
});

worker.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== worker.location.origin) return;
  if (request.mode === 'navigate') {
    event.respondWith(fromCache(shellUrl, request));
  } else if (url.pathname === configUrl) {
    event.respondWith(networkFirst(request));
  } else if (precached.has(url.pathname)) {
    event.respondWith(fromCache(url.pathname, request));
  }
});

async function fromCache(key: string, request: Request): Promise<Response> {
  const cached = await caches.match(key, { cacheName });
  return cached ?? fetch(request);
}

async function networkFirst(request: Request): Promise<Response> {
  const cache = await caches.open(cacheName);
  try {
    const response = await fetch(request, { signal: AbortSignal.timeout(configTimeoutMs) });
    if (response.ok) await cache.put(configUrl, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(configUrl);
    if (cached) return cached;
    throw error;
  }
}

// A module, so the names above stay out of the global scope of the project's type check.
export {};
