/**
 * What the app's server answers besides the build: `/config.json`, which tells the app where the
 * two servers are. Vite's dev server answers it too (vite.config.ts), so this module imports no
 * package: Vite loads a config's relative imports itself and leaves package imports to Node,
 * which cannot load TypeScript.
 */
import type { AppConfig } from '../src/app-config.ts';

export function appConfigJson(config: AppConfig): string {
  return JSON.stringify({
    ticketingUrl: config.ticketingUrl,
    exchangeUrl: config.exchangeUrl,
    development: config.development,
  } satisfies AppConfig);
}
