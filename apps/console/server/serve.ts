/**
 * Serves the built console (dist/) with `/config.json` naming the ticketing server, the exchange
 * and the buyer's app, and a Content-Security-Policy that lets the page talk to exactly the two
 * servers (@tessera/service-kit/static-app), and load map tiles from the tile server if one is set.
 */
import { fileURLToPath } from 'node:url';
import {
  type AppServerOptions,
  type StaticApp,
  startStaticApp,
} from '@tessera/service-kit/static-app';
import type { ConsoleConfig } from '../src/app-config.ts';
import { consoleConfigJson, tileSource } from './served.ts';

export const consoleDistDir = fileURLToPath(new URL('../dist/', import.meta.url));

export type ConsoleServerOptions = AppServerOptions<ConsoleConfig>;

export function startConsoleServer(options: ConsoleServerOptions): Promise<StaticApp> {
  return startStaticApp(options, {
    name: 'console',
    workspace: '@tessera/console',
    distDir: consoleDistDir,
    configJson: consoleConfigJson(options.app),
    connectTo: [options.app.ticketingUrl, options.app.exchangeUrl],
    // The check-in map's tiles, when a tile server is configured: images from it only.
    imageSources: options.app.tiles ? [tileSource(options.app.tiles)] : [],
  });
}
