/**
 * Serves the built app (dist/) the way a phone needs it (@tessera/service-kit/static-app): the
 * app at every app path, `/config.json` naming the ticketing server and the exchange, and a
 * Content-Security-Policy that lets the page talk to exactly those two servers.
 */
import { fileURLToPath } from 'node:url';
import {
  type AppServerOptions,
  type StaticApp,
  startStaticApp,
} from '@tessera/service-kit/static-app';
import type { AppConfig } from '../src/app-config.ts';
import { appConfigJson } from './served.ts';

export const mobileDistDir = fileURLToPath(new URL('../dist/', import.meta.url));

export type MobileServerOptions = AppServerOptions<AppConfig>;

export type MobileServer = StaticApp;

export function startMobileServer(options: MobileServerOptions): Promise<MobileServer> {
  return startStaticApp(options, {
    name: 'mobile',
    workspace: '@tessera/mobile',
    distDir: mobileDistDir,
    configJson: appConfigJson(options.app),
    connectTo: [options.app.ticketingUrl, options.app.exchangeUrl],
  });
}
