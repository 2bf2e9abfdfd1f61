/**
 * The organizer command line's venue commands: list the organizer's venues, show one, and the
 * help of `venue create` (the command itself is in catalogue-commands.ts).
 */
import type { TicketingAnswer } from '@tessera/api-client';
import { venueCreate } from './catalogue-commands.ts';
import {
  type Command,
  type Context,
  id,
  organizerHelp,
  organizerOf,
  organizerOption,
  orHint,
  printJson,
} from './command.ts';
import { table } from './format.ts';

type Venue = TicketingAnswer<'get', '/v1/venues/{venueId}'>;

/** The organizer's venues (any staff role). */
export async function venuesOf(context: Context, organizerId: string) {
  const client = context.client();
  const { body } = await client.answer(
    client.api.GET('/v1/organizers/{organizerId}/venues', { params: { path: { organizerId } } }),
  );
  return body.venues;
}

const areasText = (venue: Venue) =>
  venue.areas.length === 0 ? '-' : venue.areas.map((a) => `${a.name} ${a.capacity}`).join(', ');

export function venuesTable(venues: readonly Venue[], indent = '') {
  return table(
    ['Venue', 'Name', 'Seats', 'Sections', 'Standing', 'Radius'],
    venues.map((v) => [
      v.id,
      v.name,
      v.seatCount,
      v.sections.map((s) => s.name).join(', ') || '-',
      areasText(v),
      `${v.radiusM} m`,
    ]),
    indent,
  );
}

const venueCreateWithHelp: Command = {
  ...venueCreate,
  group: 'Venues and seat maps',
  help: `options:
  --organizer <org_…>  the organizer
  --name <name>        the venue's name
  --address <address>  its street address
  --lat <deg> --lng <deg>  where it is (negative: --lng -73.97 or --lng=-73.97)
  --radius <m>         how far from it a gate terminal may be, 10 to 100000 (default 300)

example:
  tessera-organizer venue create --organizer org_… --name "Lotte Concert Hall" \\
    --address "300 Olympic-ro, Seoul" --lat 37.5133 --lng 127.1028 --radius 250`,
};

export const venues: Command = {
  words: ['venues'],
  args: '[--organizer <org_…>]',
  summary: "The organizer's venues: seats, sections, standing areas",
  group: 'Venues and seat maps',
  help: `options:
${organizerHelp}
The venue ids are what \`event apply --venue\` and \`seatmap import --venue\` take.

example:
  tessera-organizer venues`,
  options: organizerOption,
  positionals: [],
  async run(context) {
    const organizerId = await organizerOf(context);
    const list = await venuesOf(context, organizerId);
    if (context.values.json) printJson(context, { venues: list });
    else if (list.length === 0) {
      context.out('No venues yet: venue create --name … --address … --lat … --lng …\n');
    } else context.out(`${venuesTable(list)}\n`);
  },
};

export const venueShow: Command = {
  words: ['venue', 'show'],
  args: '<ven_…>',
  summary: 'A venue: position, admission radius, sections with seat counts, standing areas',
  group: 'Venues and seat maps',
  help: `No options.

example:
  tessera-organizer venue show ven_…`,
  options: {},
  positionals: ['venueId'],
  async run(context) {
    const venueId = id(context, context.positionals[0], 'ven', 'the venue id');
    const client = context.client();
    const { body } = await orHint(
      client.answer(client.api.GET('/v1/venues/{venueId}', { params: { path: { venueId } } })),
      "`venues` lists your organizer's venues",
    );
    if (context.values.json) {
      printJson(context, body);
      return;
    }
    context.out(
      `${body.name} (${body.id})\n${body.address}\n${body.latitude}, ${body.longitude}; terminals within ${body.radiusM} m\n`,
    );
    context.out(
      body.sections.length === 0
        ? 'No seats yet: seatmap import --venue <ven_…> <seats.csv>\n'
        : `${table(
            ['Section', 'Rows', 'Seats', 'Accessible'],
            body.sections.map((s) => [s.name, s.rows, s.seats, s.accessibleSeats]),
            '  ',
          )}\n`,
    );
    if (body.areas.length > 0) context.out(`Standing: ${areasText(body)}\n`);
  },
};

export const venueCommands = [venues, venueCreateWithHelp, venueShow];
