/**
 * What the console's server answers besides the build: `/config.json`, which tells the console
 * where the two servers and the buyer's app are. Vite's dev server answers it too
 * (vite.config.ts), so this module imports no package (apps/mobile/server/served.ts says why).
 */
import type { ConsoleConfig } from '../src/app-config.ts';

export function consoleConfigJson(config: ConsoleConfig): string {
  return JSON.stringify({
    ticketingUrl: config.ticketingUrl,
    exchangeUrl: config.exchangeUrl,
    mobileAppUrl: config.mobileAppUrl,
    development: config.development,
  } satisfies ConsoleConfig);
}
