/**
 * Vite builds the app into dist/ with its service worker, src/sw.ts, and `npm run dev -w
 * @tessera/mobile` serves it with a /config.json pointing at the servers of `npm start`
 * (packages/service-kit/src/vite-app.ts says how, and why it is imported by its path).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { viteApp } from '../../packages/service-kit/src/vite-app.ts';
import { appConfigJson } from './server/served.ts';

export default defineConfig(
  viteApp({
    root: fileURLToPath(new URL('.', import.meta.url)),
    serviceWorker: fileURLToPath(new URL('src/sw.ts', import.meta.url)),
    developmentConfigJson: appConfigJson({
      ticketingUrl: 'http://127.0.0.1:4200',
      exchangeUrl: 'http://127.0.0.1:4100',
      development: true,
    }),
  }),
);
