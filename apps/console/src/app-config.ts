/**
 * What the console learns at run time from `/config.json`, which its server writes from its own
 * configuration, so one build serves any deployment (the test systems use free ports).
 */
export interface ConsoleConfig {
  /** The ticketing server's API as the browser reaches it. */
  readonly ticketingUrl: string;
  /** The exchange's API as the browser reaches it (linking the wallet, its balances). */
  readonly exchangeUrl: string;
  /** The buyer's app, for the event preview's "open in the app" link. */
  readonly mobileAppUrl: string;
  /** Development servers: the sign-in names the SMS inbox. */
  readonly development: boolean;
  /**
   * The map tiles of the check-in dashboard's map (CONSOLE_TILE_URL): a Leaflet URL template
   * such as `https://tile.openstreetmap.org/{z}/{x}/{y}.png`, with the attribution its provider
   * asks for. Absent or null: the map draws on a plain background (no third party is asked).
   */
  readonly tiles?: MapTiles | null;
}

export interface MapTiles {
  readonly url: string;
  readonly attribution: string;
}

function isMapTiles(value: unknown): value is MapTiles {
  if (typeof value !== 'object' || value === null) return false;
  const tiles = value as Record<string, unknown>;
  return typeof tiles.url === 'string' && typeof tiles.attribution === 'string';
}

export function isConsoleConfig(value: unknown): value is ConsoleConfig {
  if (typeof value !== 'object' || value === null) return false;
  const config = value as Record<string, unknown>;
  return (
    typeof config.ticketingUrl === 'string' &&
    typeof config.exchangeUrl === 'string' &&
    typeof config.mobileAppUrl === 'string' &&
    typeof config.development === 'boolean' &&
    (config.tiles === undefined || config.tiles === null || isMapTiles(config.tiles))
  );
}
