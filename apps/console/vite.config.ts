/**
 * Vite builds the console into dist/; `npm run dev -w @tessera/console` serves it with a
 * /config.json pointing at the servers of `npm start`. No service worker: the console is used
 * online, at a desk (packages/service-kit/src/vite-app.ts).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { viteApp } from '../../packages/service-kit/src/vite-app.ts';
import { consoleConfigJson } from './server/served.ts';

export default defineConfig(
  viteApp({
    root: fileURLToPath(new URL('.', import.meta.url)),
    developmentConfigJson: consoleConfigJson({
      ticketingUrl: 'http://127.0.0.1:4200',
      exchangeUrl: 'http://127.0.0.1:4100',
      mobileAppUrl: 'http://127.0.0.1:4300',
      development: true,
    }),
  }),
);
