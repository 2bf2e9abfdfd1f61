/**
 * Vite builds the gate app into dist/ (packages/service-kit/src/vite-app.ts says how, and why it
 * is imported by its path), the decode worker among the hashed bundles. The decoder's
 * WebAssembly is not bundled: the app's server serves it from node_modules (server/served.ts).
 * `npm run dev -w @tessera/gate` serves the app with a /config.json pointing at the ticketing
 * server of `npm start`, and the decoder.
 *
 * The offline shell is the apps' service worker (@tessera/web-kit/sw: navigations get the
 * stored index.html, the build's files come from the cache, /config.json from the network
 * first), compiled with this build's file list, the decoder's WebAssembly included, so that a
 * terminal reloaded with no network still starts, reads and decides.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { viteApp } from '../../packages/service-kit/src/vite-app.ts';
import { gateConfigJson, zxingWasmFile, zxingWasmPath } from './server/served.ts';

/** The version every call tells the server (src/terminal-headers.ts). */
const { version } = JSON.parse(readFileSync(new URL('package.json', import.meta.url), 'utf8')) as {
  version: string;
};

export default defineConfig({
  ...viteApp({
    root: fileURLToPath(new URL('.', import.meta.url)),
    serviceWorker: createRequire(import.meta.url).resolve('@tessera/web-kit/sw'),
    developmentConfigJson: gateConfigJson({
      ticketingUrl: 'http://127.0.0.1:4200',
      development: true,
    }),
    served: [{ url: zxingWasmPath, file: zxingWasmFile, contentType: 'application/wasm' }],
  }),
  worker: { format: 'es' },
  define: { __GATE_APP_VERSION__: JSON.stringify(version) },
});
