/**
 * The organizer command line's catalogue commands: create a venue, import its seat map, apply an
 * event file, publish an event, list the organizer's events.
 */
import { extname } from 'node:path';
import type { TicketingAnswer, TicketingBody } from '@tessera/api-client';
import { ApiFailure, UsageError } from './client.ts';
import {
  type Command,
  type Context,
  eventsHint,
  id,
  number,
  organizerHelp,
  organizerOf,
  organizerOption,
  orHint,
  parseJsonFile,
  plural,
  printJson,
  progressOf,
  readInput,
  text,
  when,
} from './command.ts';
import { table } from './format.ts';
import { bytes } from './progress.ts';

export const venueCreate: Omit<Command, 'group' | 'help'> = {
  words: ['venue', 'create'],
  args: '[--organizer <org_…>] --name <name> --address <address> --lat <deg> --lng <deg> [--radius <m>] [--time-zone <IANA>]',
  summary:
    'Create a venue (gate terminals must be within --radius metres, default 300; times show in --time-zone, default Asia/Seoul)',
  options: {
    organizer: { type: 'string' },
    name: { type: 'string' },
    address: { type: 'string' },
    lat: { type: 'string' },
    lng: { type: 'string' },
    radius: { type: 'string' },
    'time-zone': { type: 'string' },
  },
  positionals: [],
  async run(context) {
    const body = {
      name: text(context, 'name'),
      address: text(context, 'address'),
      latitude: number(context, 'lat', -90, 90),
      longitude: number(context, 'lng', -180, 180),
      radiusM: Math.round(number(context, 'radius', 10, 100_000, 300)),
      // The server checks the zone (400 invalid_time_zone names it) and keeps its default.
      ...(context.values['time-zone'] !== undefined
        ? { timeZone: text(context, 'time-zone') }
        : {}),
    };
    // After the checks on what was typed: without --organizer this asks the API for the only one.
    const organizerId = await organizerOf(context);
    const client = context.client();
    const { body: venue } = await client.answer(
      client.api.POST('/v1/organizers/{organizerId}/venues', {
        params: { path: { organizerId } },
        body,
      }),
    );
    if (context.values.json) {
      printJson(context, venue);
      return;
    }
    context.out(`Created venue ${venue.id} "${venue.name}" (${venue.timeZone}).\n`);
    context.out(`Next: seatmap import --venue ${venue.id} <seats.csv|seats.json>\n`);
  },
};

export const seatmapImport: Command = {
  words: ['seatmap', 'import'],
  args: '--venue <ven_…> <file.csv|file.json>',
  summary: "Import or replace a venue's seat map from CSV or JSON",
  group: 'Venues and seat maps',
  help: `options:
  --venue <ven_…>      the venue (\`venues\` lists them)
The file: .csv (section,row,seat[,x,y,accessible,capacity]) or .json, as in docs/cli.md.
A map can be replaced until an event uses the venue. Progress of the upload on stderr
(on a terminal, or with --progress).

example:
  tessera-organizer seatmap import --venue ven_… services/ticketing/examples/seats.csv`,
  options: { venue: { type: 'string' } },
  positionals: ['file'],
  async run(context) {
    const venueId = id(context, context.values.venue as string, 'ven', '--venue');
    const file = context.positionals[0] as string;
    const extension = extname(file).toLowerCase();
    if (extension !== '.csv' && extension !== '.json') {
      throw new UsageError(`${file}: give a .csv or a .json seat map`, context.usage);
    }
    const content = await readInput(context, file);
    if (extension === '.json') parseJsonFile(context, file, content);
    const client = context.client();
    const progress = progressOf(context, 'uploading', content.length, bytes);
    const chunk = 64 * 1024;
    let sent = 0;
    // The body is pulled as the socket takes it, so the bar follows what has really left.
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= content.length) {
          controller.close();
          return;
        }
        const next = content.subarray(sent, Math.min(sent + chunk, content.length));
        sent += next.length;
        controller.enqueue(new Uint8Array(next));
        progress.update(sent);
        if (sent >= content.length) progress.phase('the server is checking and storing the seats…');
      },
    });
    let result: TicketingAnswer<'put', '/v1/venues/{venueId}/seat-map'>;
    try {
      ({ body: result } = await orHint(
        client.answer(
          client.api.PUT('/v1/venues/{venueId}/seat-map', {
            params: { path: { venueId } },
            headers: { 'content-type': extension === '.csv' ? 'text/csv' : 'application/json' },
            // The file's bytes as they are, streamed: the server parses and checks them.
            body: '',
            bodySerializer: () => body,
            // A streamed upload needs half duplex in Node's fetch.
            duplex: 'half',
          }),
        ),
        "`venues` lists your organizer's venues",
      ));
    } finally {
      progress.finish();
    }
    if (context.values.json) {
      printJson(context, result);
      return;
    }
    context.out(
      `Imported the seat map of ${result.venueId}: ${result.seats} seats in ${result.rows} rows of ${result.sections} sections, ${result.areas} standing areas.\n`,
    );
  },
};

type EventView = TicketingAnswer<'put', '/v1/organizers/{organizerId}/events/by-slug/{slug}'>;

export function eventText(event: EventView) {
  const lines = [
    `  venue: ${event.venue.name} (${event.venue.id})`,
    '  categories:',
    table(
      ['Id', 'Name', 'Price', 'Seating', 'Capacity'],
      event.categories.map((category) => [
        category.id,
        category.name,
        `${category.price} ${category.priceAsset}${category.pricing === 'fiat' ? ' (fiat)' : ''}`,
        category.seating === 'ga' ? `standing: ${category.area ?? ''}` : 'seated',
        category.capacity,
      ]),
      '    ',
    ),
    '  performances:',
    table(
      ['Id', 'Starts', 'Code', 'Status', 'On sale'],
      event.performances.map((performance) => [
        performance.id,
        when(performance.startsAt),
        performance.code,
        performance.status,
        performance.onSale ? 'yes' : 'no',
      ]),
      '    ',
    ),
  ];
  return `${lines.join('\n')}\n`;
}

export const eventApply: Command = {
  words: ['event', 'apply'],
  args: '[--organizer <org_…>] [--venue <ven_…>] <event.json>',
  summary: 'Create or update an event from a file, matched by its slug',
  group: 'Events and performances',
  help: `options:
${organizerHelp}
  --venue <ven_…>      the venue (sets the file's venueId; \`venues\` lists them)
The file's "slug" is the event's key: the first apply creates the event (a draft), later
ones bring it in line with the file. Fields: docs/cli.md, "File formats".

example:
  tessera-organizer event apply --venue ven_… services/ticketing/examples/event.json`,
  options: { ...organizerOption, venue: { type: 'string' } },
  positionals: ['file'],
  async run(context) {
    const file = context.positionals[0] as string;
    const parsed = parseJsonFile(context, file, await readInput(context, file));
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new UsageError(`${file} must hold one JSON object (the event)`, context.usage);
    }
    const event = { ...(parsed as Record<string, unknown>) };
    const slug = event.slug;
    if (typeof slug !== 'string' || !/^[a-z0-9][a-z0-9-]{0,62}$/.test(slug)) {
      throw new UsageError(
        `${file} needs a "slug": lower-case letters, digits and dashes (the event's key)`,
        context.usage,
      );
    }
    if (context.values.venue !== undefined) {
      event.venueId = id(context, context.values.venue as string, 'ven', '--venue');
    }
    const organizerId = await organizerOf(context);
    if (event.venueId === undefined) {
      throw new UsageError(
        `${file} has no "venueId" and no --venue was given: which venue is the event at?\n${await venueChoice(context, organizerId)}`,
        context.usage,
      );
    }
    const client = context.client();
    let answer: { status: number; body: EventView };
    try {
      answer = await client.answer(
        client.api.PUT('/v1/organizers/{organizerId}/events/by-slug/{slug}', {
          params: { path: { organizerId, slug } },
          // The file as it is: the server checks it against the route's schema.
          body: event as TicketingBody<'put', '/v1/organizers/{organizerId}/events/by-slug/{slug}'>,
        }),
      );
    } catch (error) {
      if (error instanceof ApiFailure && error.status === 404 && /^venue/.test(error.message)) {
        const from = context.values.venue !== undefined ? '--venue' : `${file}'s "venueId"`;
        error.hint = `${from} ${String(event.venueId)} is not a venue of ${organizerId}.\n${await venueChoice(context, organizerId)}`;
      }
      throw error;
    }
    const { status, body } = answer;
    if (context.values.json) {
      printJson(context, body);
      return;
    }
    context.out(
      `${status === 201 ? 'Created' : 'Updated'} event ${body.id} "${body.name}" (${body.slug}), ${body.status}\n`,
    );
    context.out(eventText(body));
    if (body.status === 'draft') context.out(`Next: event publish ${body.id}\n`);
  },
};

export const eventPublish: Command = {
  words: ['event', 'publish'],
  args: '<ev_…>',
  summary: 'Put an event on sale',
  group: 'Events and performances',
  help: `No options. Needs the organizer's exchange wallet linked (\`organizer show\` tells).
Each performance is on sale from its salesStart to its salesEnd. \`event unpublish\` undoes it.

example:
  tessera-organizer event publish ev_…`,
  options: {},
  positionals: ['eventId'],
  async run(context) {
    const eventId = id(context, context.positionals[0], 'ev', 'the event id');
    const client = context.client();
    const { body } = await orHint(
      client.answer(
        client.api.POST('/v1/events/{eventId}/publish', { params: { path: { eventId } } }),
      ),
      eventsHint,
    );
    if (context.values.json) {
      printJson(context, body);
      return;
    }
    context.out(`Published ${body.id} "${body.name}": ${body.status}\n`);
    context.out(eventText(body));
  },
};

export const events: Command = {
  words: ['events'],
  args: '[--organizer <org_…>]',
  summary: "An organizer's events in every status, newest first",
  group: 'Events and performances',
  help: `options:
${organizerHelp}
\`event show <ev_…>\` shows one with its categories and performances.

example:
  tessera-organizer events`,
  options: organizerOption,
  positionals: [],
  async run(context) {
    const organizerId = await organizerOf(context);
    const client = context.client();
    type Page = TicketingAnswer<'get', '/v1/organizers/{organizerId}/events'>;
    const all: Page['events'] = [];
    let after: string | null = null;
    do {
      const page: { body: Page } = await client.answer(
        client.api.GET('/v1/organizers/{organizerId}/events', {
          params: { path: { organizerId }, query: { limit: 100, ...(after ? { after } : {}) } },
        }),
      );
      all.push(...page.body.events);
      after = page.body.next;
    } while (after);
    if (context.values.json) {
      printJson(context, { events: all });
      return;
    }
    context.out(
      `${table(
        ['Event', 'Slug', 'Name', 'Status', 'Performances'],
        all.map((e) => [e.id, e.slug, e.name, e.status, e.performances]),
      )}\n`,
    );
  },
};

/** The organizer's venues as a choice to make, or how to make the first one. */
async function venueChoice(context: Context, organizerId: string) {
  const client = context.client();
  const { body } = await client.answer(
    client.api.GET('/v1/organizers/{organizerId}/venues', { params: { path: { organizerId } } }),
  );
  if (body.venues.length === 0) {
    return `${organizerId} has no venue yet: make one with \`venue create --name … --address … --lat … --lng …\`, import its seats with \`seatmap import\`, then run this again with --venue <ven_…>.`;
  }
  const rows = body.venues.map(
    (v) =>
      `  ${v.id}  ${v.name} (${plural(v.seatCount, 'seat')}${v.areas.length ? `, ${plural(v.areas.length, 'standing area')}` : ''})`,
  );
  return `Its venues:\n${rows.join('\n')}\nRun again with --venue <ven_…> (or set "venueId" in the file).`;
}
