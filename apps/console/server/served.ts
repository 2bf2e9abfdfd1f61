/**
 * What the console's server answers besides the build: `/config.json`, which tells the console
 * where the two servers and the buyer's app are, and the map tiles of the check-in dashboard. Vite's dev server answers it too
 * (vite.config.ts), so this module imports no package (apps/mobile/server/served.ts says why).
 */
import type { ConsoleConfig, MapTiles } from '../src/app-config.ts';

export function consoleConfigJson(config: ConsoleConfig): string {
  return JSON.stringify({
    ticketingUrl: config.ticketingUrl,
    exchangeUrl: config.exchangeUrl,
    mobileAppUrl: config.mobileAppUrl,
    development: config.development,
    tiles: config.tiles ?? null,
  } satisfies ConsoleConfig);
}

/** What OpenStreetMap's tile policy asks maps using its tiles to show. */
const osmAttribution = '© OpenStreetMap contributors';
const tileUrlCharsMax = 500;

/**
 * The map tiles from the environment: CONSOLE_TILE_URL, a Leaflet template (`{z}`, `{x}`, `{y}`,
 * optionally `{s}` for the provider's subdomains) over http(s), and CONSOLE_TILE_ATTRIBUTION
 * (OpenStreetMap's by default). Neither set: no tiles. A bad template throws, naming it.
 */
export function tilesFromEnvironment(
  env: Readonly<Record<string, string | undefined>>,
): MapTiles | null {
  const url = env.CONSOLE_TILE_URL?.trim();
  if (!url) return null;
  if (
    url.length > tileUrlCharsMax ||
    !/^https?:\/\/[^/\s]+\/\S*$/.test(url) ||
    !['{z}', '{x}', '{y}'].every((part) => url.includes(part))
  ) {
    throw new Error(
      `CONSOLE_TILE_URL must be an http(s) tile template with {z}, {x} and {y}, not ${url}`,
    );
  }
  return { url, attribution: env.CONSOLE_TILE_ATTRIBUTION?.trim() || osmAttribution };
}

/**
 * The tile server as a Content-Security-Policy source: its scheme and host, `{s}` (the
 * provider's subdomains) as `*`, so the page may load tiles from there and nowhere else.
 */
export function tileSource(tiles: MapTiles): string {
  const [, scheme, host] = /^(https?):\/\/([^/]+)/.exec(tiles.url) ?? [];
  if (!scheme || !host) throw new Error(`not a tile template: ${tiles.url}`);
  return `${scheme}://${host.replace('{s}', '*')}`;
}
