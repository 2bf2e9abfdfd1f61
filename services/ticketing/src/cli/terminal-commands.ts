/**
 * The organizer command line's gate commands: make an enrolment code for a gate terminal, list
 * the organizer's terminals, rename one, revoke one.
 */
import { rename, unlink, writeFile } from 'node:fs/promises';
import type { TicketingAnswer } from '@tessera/api-client';
import { UsageError } from './client.ts';
import {
  type Command,
  type Context,
  eventsHint,
  id,
  list,
  organizerHelp,
  organizerOf,
  organizerOption,
  orHint,
  printJson,
  userPath,
  when,
} from './command.ts';
import { table } from './format.ts';

type Terminal = TicketingAnswer<
  'get',
  '/v1/organizers/{organizerId}/terminals'
>['terminals'][number];

const terminalsHint = "`terminals` lists your organizer's terminals";

/** The performances an enrolment covers: --performance (repeated), or every one to come of --event. */
async function performancesOf(context: Context) {
  const named = list(context, 'performance');
  const event = context.values.event as string | undefined;
  if (named.length > 0 && event !== undefined) {
    throw new UsageError('give --performance or --event, not both', context.usage);
  }
  if (named.length === 0 && event === undefined) {
    throw new UsageError(
      'which performances? --performance <perf_…> (repeat it for several), or --event <ev_…> for all of its scheduled ones',
      context.usage,
    );
  }
  if (named.length > 0) {
    return { ids: named.map((p) => id(context, p, 'perf', '--performance')), venueId: undefined };
  }
  const eventId = id(context, event, 'ev', '--event');
  const client = context.client();
  const { body } = await orHint(
    client.answer(client.api.GET('/v1/events/{eventId}', { params: { path: { eventId } } })),
    eventsHint,
  );
  const ids = body.performances.filter((p) => p.status === 'scheduled').map((p) => p.id);
  if (ids.length === 0) throw new UsageError(`${eventId} has no scheduled performance`);
  if (ids.length > 50) {
    throw new UsageError(
      `${eventId} has ${ids.length} scheduled performances; a code covers up to 50: name them with --performance`,
      context.usage,
    );
  }
  return { ids, venueId: body.venue.id };
}

/** The venue: --venue, else the event's, else the first performance's. */
async function venueOf(context: Context, found: { ids: string[]; venueId: string | undefined }) {
  if (context.values.venue !== undefined) {
    return id(context, context.values.venue as string, 'ven', '--venue');
  }
  if (found.venueId) return found.venueId;
  const performanceId = found.ids[0] as string;
  const client = context.client();
  const { body } = await orHint(
    client.answer(
      client.api.GET('/v1/performances/{performanceId}', { params: { path: { performanceId } } }),
    ),
    "`event show <ev_…>` lists an event's performances",
  );
  return body.venue.id;
}

export const enrol: Command = {
  words: ['enrol'],
  args: '--gate <name> (--performance <perf_…>… | --event <ev_…>) [--venue <ven_…>] [--qr <file.svg>]',
  summary: 'Make a one-time code (24 h) that enrols a gate terminal',
  group: 'Gates and terminals',
  help: `options:
  --gate <name>            the gate the terminal stands at, e.g. "North"
  --performance <perf_…>   a performance it checks tickets for (repeat for several, up to 50)
  --event <ev_…>           instead: every scheduled performance of the event
  --venue <ven_…>          the venue (default: the performances')
  --qr <file.svg>          also write the code as a QR code (SVG) the gate app can scan
${organizerHelp}
Type the code into the gate app (or scan the QR); it enrols one terminal, once.
The API makes codes; it cannot list or withdraw them (they lapse after 24 hours).

example:
  tessera-organizer enrol --gate North --event ev_… --qr north.svg`,
  options: {
    ...organizerOption,
    gate: { type: 'string' },
    performance: { type: 'string', multiple: true },
    event: { type: 'string' },
    venue: { type: 'string' },
    qr: { type: 'string' },
  },
  positionals: [],
  async run(context) {
    const gate = context.values.gate;
    if (typeof gate !== 'string' || gate.trim() === '' || gate.length > 60) {
      throw new UsageError('--gate <name> is required (up to 60 characters)', context.usage);
    }
    const qr = context.values.qr as string | undefined;
    if (qr === '') throw new UsageError('--qr needs a file name', context.usage);
    const found = await performancesOf(context);
    const venueId = await venueOf(context, found);
    const organizerId = await organizerOf(context);
    const client = context.client();
    const { body } = await client.answer(
      client.api.POST('/v1/organizers/{organizerId}/enrolments', {
        params: { path: { organizerId } },
        body: { venueId, gate: gate.trim(), performanceIds: found.ids },
      }),
    );
    if (qr) await writeAtomically(context, qr, body.qrSvg);
    if (context.values.json) {
      printJson(context, body);
      return;
    }
    context.out(
      [
        `Enrolment code: ${body.code}`,
        `  gate ${body.gate}, ${body.performanceIds.length} performance${body.performanceIds.length === 1 ? '' : 's'}, valid until ${when(body.expiresAt)}, for one terminal`,
        ...(qr ? [`  QR code written to ${qr}`] : []),
        'Type it into the gate app (or scan the QR code) on the terminal to enrol.',
        '',
      ].join('\n'),
    );
  },
};

async function writeAtomically(context: Context, file: string, content: string) {
  const target = userPath(context, file);
  try {
    await writeFile(`${target}.part`, content);
    await rename(`${target}.part`, target);
  } catch (error) {
    await unlink(`${target}.part`).catch(() => {});
    throw new UsageError(
      `cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      context.usage,
    );
  }
}

const terminalRows = (terminals: readonly Terminal[]) =>
  table(
    [
      'Terminal',
      'Name',
      'Gate',
      'Status',
      'Last seen',
      'Online',
      'Pending',
      'Performances',
      'Version',
      'Device',
    ],
    terminals.map((t) => [
      t.id,
      t.name,
      t.gate,
      t.revokedAt ? `revoked ${when(t.revokedAt)}` : 'active',
      t.lastSeenAt ? when(t.lastSeenAt) : 'never',
      t.online ? 'yes' : 'no',
      t.pendingUploads,
      t.performanceIds.length,
      t.appVersion ?? '-',
      `${t.device ?? '-'}${t.outsideVenue ? ' (last fix outside the venue)' : ''}`,
    ]),
  );

export const terminals: Command = {
  words: ['terminals'],
  args: '[--organizer <org_…>] [--active]',
  summary:
    "The organizer's gate terminals: gate, last seen, online, admissions still to upload, app version and device",
  group: 'Gates and terminals',
  help: `options:
${organizerHelp}
  --active             leave out revoked terminals

example:
  tessera-organizer terminals --active`,
  options: { ...organizerOption, active: { type: 'boolean' } },
  positionals: [],
  async run(context) {
    const organizerId = await organizerOf(context);
    const client = context.client();
    const { body } = await client.answer(
      client.api.GET('/v1/organizers/{organizerId}/terminals', {
        params: { path: { organizerId } },
      }),
    );
    const shown = context.values.active
      ? body.terminals.filter((t) => t.revokedAt === null)
      : body.terminals;
    if (context.values.json) printJson(context, { terminals: shown });
    else if (shown.length === 0) {
      context.out('No terminals yet: `enrol --gate <name> --event <ev_…>` makes a code for one.\n');
    } else context.out(`${terminalRows(shown)}\n`);
  },
};

export const terminalRename: Command = {
  words: ['terminal', 'rename'],
  args: '<trm_…> --name <name> [--organizer <org_…>]',
  summary: 'Rename a gate terminal (its name shows in the gate report)',
  group: 'Gates and terminals',
  help: `options:
  --name <name>        the new name, up to 80 characters
${organizerHelp}

example:
  tessera-organizer terminal rename trm_… --name "North 1"`,
  options: { ...organizerOption, name: { type: 'string' } },
  positionals: ['terminalId'],
  async run(context) {
    const terminalId = id(context, context.positionals[0], 'trm', 'the terminal id');
    const name = context.values.name;
    if (typeof name !== 'string' || name.trim() === '' || name.length > 80) {
      throw new UsageError('--name <name> is required (up to 80 characters)', context.usage);
    }
    const organizerId = await organizerOf(context);
    const client = context.client();
    const { body } = await orHint(
      client.answer(
        client.api.PATCH('/v1/organizers/{organizerId}/terminals/{terminalId}', {
          params: { path: { organizerId, terminalId } },
          body: { name: name.trim() },
        }),
      ),
      terminalsHint,
    );
    if (context.values.json) printJson(context, body);
    else context.out(`Renamed ${body.id} to "${body.name}" (gate ${body.gate}).\n`);
  },
};

export const terminalRevoke: Command = {
  words: ['terminal', 'revoke'],
  args: '<trm_…> [--organizer <org_…>]',
  summary: 'Revoke a gate terminal (lost or stolen): its next request is refused',
  group: 'Gates and terminals',
  help: `options:
${organizerHelp}
Admissions it has not uploaded are lost with it: the gate report lists them apart.

example:
  tessera-organizer terminal revoke trm_…`,
  options: organizerOption,
  positionals: ['terminalId'],
  async run(context) {
    const terminalId = id(context, context.positionals[0], 'trm', 'the terminal id');
    const organizerId = await organizerOf(context);
    const client = context.client();
    const { body } = await orHint(
      client.answer(
        client.api.DELETE('/v1/organizers/{organizerId}/terminals/{terminalId}', {
          params: { path: { organizerId, terminalId } },
        }),
      ),
      terminalsHint,
    );
    if (context.values.json) {
      printJson(context, body);
      return;
    }
    context.out(`Revoked ${body.id} "${body.name}" (gate ${body.gate}).\n`);
    if (body.pendingUploads > 0) {
      context.out(
        `It said it held ${body.pendingUploads} admissions not yet uploaded: they are lost.\n`,
      );
    }
  },
};

export const terminalCommands = [enrol, terminals, terminalRename, terminalRevoke];
