/**
 * What the app learns at run time from `/config.json`, which the app's server writes from its own
 * configuration: one build then serves any deployment (the test systems use free ports).
 */
export interface AppConfig {
  /** The ticketing server's API as the browser reaches it. */
  readonly ticketingUrl: string;
  /** The exchange's API as the browser reaches it. */
  readonly exchangeUrl: string;
  /** Development servers: the app names the SMS inbox and the card sandbox's test card. */
  readonly development: boolean;
}

export function isAppConfig(value: unknown): value is AppConfig {
  if (typeof value !== 'object' || value === null) return false;
  const config = value as Record<string, unknown>;
  return (
    typeof config.ticketingUrl === 'string' &&
    typeof config.exchangeUrl === 'string' &&
    typeof config.development === 'boolean'
  );
}
