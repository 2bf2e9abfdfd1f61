/**
 * What the gate app learns at run time from `/config.json`, written by its server from its own
 * configuration, so one build serves any deployment (the tests use free ports).
 */
export interface GateConfig {
  /** The ticketing server's API as the terminal's browser reaches it. */
  readonly ticketingUrl: string;
  /** Development servers: the enrolment screen says where a demo code comes from. */
  readonly development: boolean;
}

export function isGateConfig(value: unknown): value is GateConfig {
  if (typeof value !== 'object' || value === null) return false;
  const config = value as Record<string, unknown>;
  return typeof config.ticketingUrl === 'string' && typeof config.development === 'boolean';
}
