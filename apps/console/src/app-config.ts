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
}

export function isConsoleConfig(value: unknown): value is ConsoleConfig {
  if (typeof value !== 'object' || value === null) return false;
  const config = value as Record<string, unknown>;
  return (
    typeof config.ticketingUrl === 'string' &&
    typeof config.exchangeUrl === 'string' &&
    typeof config.mobileAppUrl === 'string' &&
    typeof config.development === 'boolean'
  );
}
