/**
 * Setting up the event day for the close, door-sales and timeline suites through the servers'
 * APIs (what the console shows is then checked in the browser): an event of the demo organizer
 * that has already started (so it can be closed), a terminal enrolled for it, and a terminal's
 * own call with the headers the gate app sends.
 */
import { expect } from 'vitest';
import type { ConsoleSystem } from './system.ts';

/**
 * A published event at the demo concert hall whose one performance started a minute ago (doors
 * half an hour ago), still on sale until its end: the server closes only a started performance.
 */
export async function startedEvent(system: ConsoleSystem, token: string, name: string) {
  const venues = await system.ticketing(
    'GET',
    `/v1/organizers/${system.organizerId}/venues`,
    undefined,
    token,
  );
  const hall = (venues.body.venues as { id: string; name: string }[]).find((venue) =>
    venue.name.startsWith('Seoul Arts Center'),
  );
  if (!hall) throw new Error('the demo concert hall is missing');
  const now = Date.now();
  const created = await system.ticketing(
    'POST',
    `/v1/organizers/${system.organizerId}/events`,
    {
      slug: `${name.toLowerCase().replace(/[^a-z]+/g, '-')}-${Math.random().toString(36).slice(2, 8)}`,
      name,
      venueId: hall.id,
      categories: [
        {
          name: 'Orchestra',
          pricing: 'crypto',
          priceAsset: 'USDT',
          price: '55',
          seating: 'seated',
          sections: ['Orchestra'],
          kind: 'single',
        },
        {
          name: 'Standing',
          pricing: 'crypto',
          priceAsset: 'USDT',
          price: '20',
          seating: 'ga',
          area: 'Standing',
          quota: 50,
          kind: 'single',
        },
      ],
      performances: [
        {
          doorsAt: new Date(now - 30 * 60_000).toISOString(),
          startsAt: new Date(now - 60_000).toISOString(),
          endsAt: new Date(now + 3 * 3_600_000).toISOString(),
          salesStart: new Date(now - 3_600_000).toISOString(),
          salesEnd: new Date(now + 2 * 3_600_000).toISOString(),
        },
      ],
    },
    token,
  );
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const published = await system.ticketing(
    'POST',
    `/v1/events/${created.body.id}/publish`,
    undefined,
    token,
  );
  expect(published.status).toBe(200);
  const categories = created.body.categories as { id: string; name: string }[];
  const idOf = (category: string) => categories.find((c) => c.name === category)?.id as string;
  return {
    eventId: created.body.id as string,
    venueId: hall.id,
    performanceId: created.body.performances[0].id as string,
    orchestraId: idOf('Orchestra'),
    standingId: idOf('Standing'),
  };
}

/** A terminal enrolled at `gate` for the performance, with its session token. */
export async function enrolTerminal(
  system: ConsoleSystem,
  token: string,
  setup: { venueId: string; performanceId: string },
  gate: string,
  name: string,
) {
  const made = await system.ticketing(
    'POST',
    `/v1/organizers/${system.organizerId}/enrolments`,
    { venueId: setup.venueId, gate, performanceIds: [setup.performanceId] },
    token,
  );
  expect(made.status).toBe(201);
  const enrolled = await system.ticketing('POST', '/v1/terminals/enrol', {
    code: made.body.code,
    name,
  });
  expect(enrolled.status).toBe(201);
  return { id: enrolled.body.terminal.id as string, token: enrolled.body.token as string };
}

/** What the gate app sends on every call: its version, its device and its last GPS fix. */
export interface TerminalHeaders {
  appVersion?: string;
  device?: string;
  position?: { latitude: number; longitude: number; accuracyM: number; at: number };
}

/** A terminal's call as the gate app makes it, with the headers it sends. */
export async function terminalCall(
  system: ConsoleSystem,
  terminalToken: string,
  method: string,
  path: string,
  options: { headers?: TerminalHeaders; body?: unknown } = {},
) {
  const { appVersion, device, position } = options.headers ?? {};
  const response = await fetch(new URL(path, system.ticketingUrl), {
    method,
    headers: {
      authorization: `Bearer ${terminalToken}`,
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(appVersion ? { 'tessera-app-version': appVersion } : {}),
      ...(device ? { 'tessera-device': device } : {}),
      ...(position
        ? {
            'tessera-position': `${position.latitude},${position.longitude},${position.accuracyM},${position.at}`,
          }
        : {}),
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  // biome-ignore lint/suspicious/noExplicitAny: a test reads the JSON answers it expects.
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as any };
}
