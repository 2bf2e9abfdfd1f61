/**
 * Vite builds the app into dist/ with the apps' service worker (@tessera/web-kit/sw), and `npm
 * run dev -w @tessera/mobile` serves it with a /config.json pointing at the servers of `npm
 * start` (packages/service-kit/src/vite-app.ts says how, and why it is imported by its path).
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { viteApp } from '../../packages/service-kit/src/vite-app.ts';
import { appConfigJson } from './server/served.ts';

export default defineConfig(
  viteApp({
    root: fileURLToPath(new URL('.', import.meta.url)),
    serviceWorker: createRequire(import.meta.url).resolve('@tessera/web-kit/sw'),
    developmentConfigJson: appConfigJson({
      ticketingUrl: 'http://127.0.0.1:4200',
      exchangeUrl: 'http://127.0.0.1:4100',
      development: true,
    }),
  }),
);
