/**
 * tessera-organizer: the organizer's command line, an HTTP client of the ticketing API with no
 * dependency beyond Node (parseArgs, fetch). Sign in, list organizers, create venues, import
 * seat maps, apply event files, publish, read the sales report, export attendees, close a
 * performance after the event and read its gate reconciliation report.
 *
 *   npm run organizer -w @tessera/ticketing -- <command> [options]
 *
 * TESSERA_URL (default http://127.0.0.1:4200) and TESSERA_TOKEN (a staff member's session
 * token), or --url and --token. Exit codes: 0 done, 1 the API refused or could not be reached
 * (its error code and message are printed), 2 wrong usage. The token is never printed in an
 * error. See docs/cli.md.
 */
import { once } from 'node:events';
import { type FileHandle, open, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { Readable, type Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { ApiClient, ApiFailure, UsageError } from './client.ts';
import { type SalesReportView, salesText, table } from './format.ts';
import { type CloseView, closeText, type GateReportView, gateReportText } from './gate-format.ts';
import { bytes, Progress } from './progress.ts';

export const defaultUrl = 'http://127.0.0.1:4200';

type Options = NonNullable<ParseArgsConfig['options']>;
type Values = Record<string, string | boolean | undefined>;

export interface Io {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean; columns?: number };
  stdin: NodeJS.ReadableStream;
  env: Record<string, string | undefined>;
}

interface Context {
  values: Values;
  positionals: string[];
  io: Io;
  client(): ApiClient;
  out(text: string): void;
  err(text: string): void;
  usage: string;
}

interface Command {
  words: string[];
  args: string;
  summary: string;
  options: Options;
  positionals: string[];
  run(context: Context): Promise<void>;
}

const globalOptions: Options = {
  url: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

// ---------------------------------------------------------------------------------------------
// Checks on what the user typed (usage errors, exit 2)

const idPattern = (prefix: string) => new RegExp(`^${prefix}_[0-9a-z]{8,40}$`);

function id(context: Context, value: string | undefined, prefix: string, what: string): string {
  if (value === undefined || value === '') {
    throw new UsageError(`${what} is required`, context.usage);
  }
  if (!idPattern(prefix).test(value)) {
    throw new UsageError(`${what} "${value}" is not an id like ${prefix}_…`, context.usage);
  }
  return value;
}

function text(context: Context, name: string): string {
  const value = context.values[name];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new UsageError(`--${name} is required`, context.usage);
  }
  return value;
}

function number(context: Context, name: string, min: number, max: number, fallback?: number) {
  const value = context.values[name];
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'string' || !/^-?[0-9]+(\.[0-9]+)?$/.test(value)) {
    throw new UsageError(`--${name} must be a number`, context.usage);
  }
  const parsed = Number(value);
  if (parsed < min || parsed > max) {
    throw new UsageError(`--${name} must be between ${min} and ${max}`, context.usage);
  }
  return parsed;
}

async function readInput(context: Context, file: string): Promise<Buffer> {
  try {
    return await readFile(userPath(context, file));
  } catch (error) {
    throw new UsageError(
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      context.usage,
    );
  }
}

function parseJsonFile(context: Context, file: string, content: Buffer): unknown {
  try {
    return JSON.parse(content.toString('utf8').replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new UsageError(`${file} is not valid JSON: ${(error as Error).message}`, context.usage);
  }
}

/**
 * A path the user typed, from where they typed it: `npm run -w` runs in the workspace folder
 * and says where it was started in INIT_CWD.
 */
const userPath = (context: Context, path: string) =>
  resolve(context.io.env.INIT_CWD ?? process.cwd(), path);

const when = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

function printJson(context: Context, value: unknown) {
  context.out(`${JSON.stringify(value, null, 2)}\n`);
}

// ---------------------------------------------------------------------------------------------
// Commands

const login: Command = {
  words: ['login'],
  args: '--phone <+E.164> [--code <6 digits>] [--first-name <name>]',
  summary: 'Sign in with a phone number and the SMS code; prints the token to export',
  options: {
    phone: { type: 'string' },
    code: { type: 'string' },
    'first-name': { type: 'string' },
  },
  positionals: [],
  async run(context) {
    const phone = text(context, 'phone');
    if (!/^\+[1-9][0-9]{6,14}$/.test(phone)) {
      throw new UsageError(`--phone "${phone}" is not an E.164 number such as +821012345678`);
    }
    const client = context.client();
    await client.json('POST', '/v1/auth/codes', { anonymous: true, body: { phone } });
    let code = context.values.code as string | undefined;
    if (code === undefined) {
      context.err(`A code was sent to ${phone}.\n`);
      code = await ask(context.io, 'Code: ');
    }
    code = code.trim();
    if (!/^[0-9]{6}$/.test(code)) throw new UsageError('the code has 6 digits');
    const firstName = context.values['first-name'] as string | undefined;
    const { body } = await client.json<{
      token: string;
      expiresAt: string;
      user: { id: string; phone: string };
    }>('POST', '/v1/auth/sessions', {
      anonymous: true,
      body: { phone, code, ...(firstName ? { firstName } : {}) },
    });
    if (context.values.json) {
      printJson(context, body);
      return;
    }
    context.err(
      `Signed in as ${body.user.phone} (${body.user.id}) until ${when(body.expiresAt)}.\nExport the token for the next commands (eval "$(... login ...)" does it):\n`,
    );
    context.out(`export TESSERA_TOKEN='${body.token}'\n`);
  },
};

/** One line from stdin (a terminal shows the prompt; a pipe just gives the line). */
async function ask(io: Io, prompt: string): Promise<string> {
  const lines = createInterface({ input: io.stdin, output: io.stderr, terminal: false });
  try {
    io.stderr.write(prompt);
    for await (const line of lines) return line;
  } finally {
    lines.close();
  }
  throw new UsageError('no code was given (stdin ended); pass --code');
}

const organizers: Command = {
  words: ['organizers'],
  args: '',
  summary: 'The organizers you work for, and your role at each',
  options: {},
  positionals: [],
  async run(context) {
    const { body } = await context.client().json<{
      user: { id: string; phone: string };
      organizers: { id: string; name: string; role: string }[];
    }>('GET', '/v1/me');
    if (context.values.json) {
      printJson(context, body);
      return;
    }
    context.out(`Signed in as ${body.user.phone} (${body.user.id})\n`);
    if (body.organizers.length === 0) {
      context.out('You work for no organizer yet.\n');
      return;
    }
    context.out(
      `${table(
        ['Organizer', 'Name', 'Role'],
        body.organizers.map((o) => [o.id, o.name, o.role]),
      )}\n`,
    );
  },
};

const venueCreate: Command = {
  words: ['venue', 'create'],
  args: '--organizer <org_…> --name <name> --address <address> --lat <deg> --lng <deg> [--radius <m>]',
  summary: 'Create a venue (gate terminals must be within --radius metres, default 300)',
  options: {
    organizer: { type: 'string' },
    name: { type: 'string' },
    address: { type: 'string' },
    lat: { type: 'string' },
    lng: { type: 'string' },
    radius: { type: 'string' },
  },
  positionals: [],
  async run(context) {
    const organizerId = id(context, context.values.organizer as string, 'org', '--organizer');
    const body = {
      name: text(context, 'name'),
      address: text(context, 'address'),
      latitude: number(context, 'lat', -90, 90),
      longitude: number(context, 'lng', -180, 180),
      radiusM: Math.round(number(context, 'radius', 10, 100_000, 300)),
    };
    const { body: venue } = await context
      .client()
      .json<{ id: string; name: string }>('POST', `/v1/organizers/${organizerId}/venues`, { body });
    if (context.values.json) {
      printJson(context, venue);
      return;
    }
    context.out(`Created venue ${venue.id} "${venue.name}".\n`);
    context.out(`Next: seatmap import --venue ${venue.id} <seats.csv|seats.json>\n`);
  },
};

const seatmapImport: Command = {
  words: ['seatmap', 'import'],
  args: '--venue <ven_…> <file.csv|file.json>',
  summary: "Import or replace a venue's seat map from CSV or JSON",
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
    const progress = new Progress('uploading', content.length, bytes, context.io.stderr);
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
    type Summary = {
      venueId: string;
      sections: number;
      rows: number;
      seats: number;
      areas: number;
    };
    let result: Summary;
    try {
      ({ body: result } = await client.json<Summary>('PUT', `/v1/venues/${venueId}/seat-map`, {
        raw: {
          contentType: extension === '.csv' ? 'text/csv' : 'application/json',
          body,
        },
      }));
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

interface EventView {
  id: string;
  slug: string;
  name: string;
  status: string;
  venue: { id: string; name: string };
  categories: {
    id: string;
    name: string;
    price: string;
    priceAsset: string;
    pricing: string;
    seating: string;
    area: string | null;
    capacity: number;
  }[];
  performances: { id: string; code: string; startsAt: string; onSale: boolean; status: string }[];
}

function eventText(event: EventView) {
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

const eventApply: Command = {
  words: ['event', 'apply'],
  args: '--organizer <org_…> [--venue <ven_…>] <event.json>',
  summary: 'Create or update an event from a file, matched by its slug',
  options: { organizer: { type: 'string' }, venue: { type: 'string' } },
  positionals: ['file'],
  async run(context) {
    const organizerId = id(context, context.values.organizer as string, 'org', '--organizer');
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
    const { status, body } = await context
      .client()
      .json<EventView>('PUT', `/v1/organizers/${organizerId}/events/by-slug/${slug}`, {
        body: event,
      });
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

const eventPublish: Command = {
  words: ['event', 'publish'],
  args: '<ev_…>',
  summary: 'Put an event on sale',
  options: {},
  positionals: ['eventId'],
  async run(context) {
    const eventId = id(context, context.positionals[0], 'ev', 'the event id');
    const { body } = await context
      .client()
      .json<EventView>('POST', `/v1/events/${eventId}/publish`);
    if (context.values.json) {
      printJson(context, body);
      return;
    }
    context.out(`Published ${body.id} "${body.name}": ${body.status}\n`);
    context.out(eventText(body));
  },
};

const events: Command = {
  words: ['events'],
  args: '--organizer <org_…>',
  summary: "An organizer's events in every status, newest first",
  options: { organizer: { type: 'string' } },
  positionals: [],
  async run(context) {
    const organizerId = id(context, context.values.organizer as string, 'org', '--organizer');
    const all: {
      id: string;
      slug: string;
      name: string;
      status: string;
      performances: number;
    }[] = [];
    let after: string | null = null;
    do {
      const query: string = `limit=100${after ? `&after=${encodeURIComponent(after)}` : ''}`;
      const page: { body: { events: typeof all; next: string | null } } = await context
        .client()
        .json('GET', `/v1/organizers/${organizerId}/events?${query}`);
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

const sales: Command = {
  words: ['sales'],
  args: '<ev_…> [--json]',
  summary: 'The sales report: per performance and category, revenue, orders and refunds',
  options: {},
  positionals: ['eventId'],
  async run(context) {
    const eventId = id(context, context.positionals[0], 'ev', 'the event id');
    const { body } = await context
      .client()
      .json<SalesReportView>('GET', `/v1/events/${eventId}/sales`);
    if (context.values.json) printJson(context, body);
    else context.out(salesText(body));
  },
};

/** Counts CSV records as the bytes go by (a quoted field may hold a line break). */
class RecordCounter {
  records = 0;
  private quoted = false;
  feed(chunk: Uint8Array) {
    for (const byte of chunk) {
      if (byte === 0x22) this.quoted = !this.quoted;
      else if (byte === 0x0a && !this.quoted) this.records += 1;
    }
  }
}

const attendees: Command = {
  words: ['attendees'],
  args: '<ev_…> [--performance <perf_…>] [--out <file.csv>]',
  summary: 'Export the attendee list as CSV (to --out, or to stdout)',
  options: { performance: { type: 'string' }, out: { type: 'string' } },
  positionals: ['eventId'],
  async run(context) {
    const eventId = id(context, context.positionals[0], 'ev', 'the event id');
    const query = new URLSearchParams({ format: 'csv' });
    if (context.values.performance !== undefined) {
      query.set(
        'performanceId',
        id(context, context.values.performance as string, 'perf', '--performance'),
      );
    }
    const out = context.values.out as string | undefined;
    if (out === '') throw new UsageError('--out needs a file name', context.usage);
    // Into a side file first, renamed at the end: a broken download never looks complete.
    const target = out ? userPath(context, out) : undefined;
    const partial = target ? `${target}.part` : undefined;
    let file: FileHandle | undefined;
    if (partial) {
      try {
        file = await open(partial, 'w');
      } catch (error) {
        throw new UsageError(
          `cannot write ${out}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
          context.usage,
        );
      }
    }
    const counter = new RecordCounter();
    let progress: Progress | undefined;
    try {
      const response = await context
        .client()
        .fetch('GET', `/v1/events/${eventId}/attendees?${query}`);
      const total = Number(response.headers.get('x-total-count') ?? 0);
      progress = new Progress('attendees', total, String, context.io.stderr);
      if (!response.body) throw new ApiFailure(response.status, 'empty_response', 'no body');
      const stdout = context.io.stdout;
      for await (const chunk of Readable.fromWeb(
        response.body as import('node:stream/web').ReadableStream<Uint8Array>,
      )) {
        counter.feed(chunk as Uint8Array);
        progress.update(Math.max(0, counter.records - 1));
        if (file) await file.write(chunk as Uint8Array);
        else if (!stdout.write(chunk)) await once(stdout, 'drain');
      }
      if (file && partial && target) {
        await file.close();
        file = undefined;
        await rename(partial, target);
      }
    } catch (error) {
      if (partial) {
        await file?.close().catch(() => {});
        await unlink(partial).catch(() => {});
      }
      throw error;
    } finally {
      progress?.finish();
    }
    const written = Math.max(0, counter.records - 1);
    const summary = `Wrote ${written} attendee${written === 1 ? '' : 's'}${out ? ` to ${out}` : ''}.\n`;
    if (out) context.out(summary);
    else context.err(summary);
  },
};

const close: Command = {
  words: ['close'],
  args: '<perf_…> [--force]',
  summary: 'Close a performance after the event: terminals still to upload, and the gate report',
  options: { force: { type: 'boolean' } },
  positionals: ['performanceId'],
  async run(context) {
    const performanceId = id(context, context.positionals[0], 'perf', 'the performance id');
    const { body } = await context
      .client()
      .json<CloseView>('POST', `/v1/performances/${performanceId}/close`, {
        body: { force: context.values.force === true },
      });
    if (context.values.json) printJson(context, body);
    else context.out(closeText(body));
  },
};

/** The tables of the gate report's CSV export (GET …/gate-report?format=csv&table=). */
const gateReportTables = ['summary', 'gates', 'duplicates', 'outside'];

const gateReport: Command = {
  words: ['gate-report'],
  args: '<perf_…> [--csv <summary|gates|duplicates|outside>] [--out <file.csv>]',
  summary: 'The gate reconciliation report: admitted, no-shows, duplicates, per gate, revenue',
  options: { csv: { type: 'string' }, out: { type: 'string' } },
  positionals: ['performanceId'],
  async run(context) {
    const performanceId = id(context, context.positionals[0], 'perf', 'the performance id');
    const csv = context.values.csv as string | undefined;
    const out = context.values.out as string | undefined;
    if (csv !== undefined && !gateReportTables.includes(csv)) {
      throw new UsageError(`--csv takes one of ${gateReportTables.join(', ')}`, context.usage);
    }
    if (out !== undefined && csv === undefined) {
      throw new UsageError('--out is for a CSV table: add --csv <table>', context.usage);
    }
    if (out === '') throw new UsageError('--out needs a file name', context.usage);
    const path = `/v1/performances/${performanceId}/gate-report`;
    if (csv === undefined) {
      const { body } = await context.client().json<GateReportView>('GET', path);
      if (context.values.json) printJson(context, body);
      else context.out(gateReportText(body));
      return;
    }
    const response = await context
      .client()
      .fetch('GET', `${path}?${new URLSearchParams({ format: 'csv', table: csv })}`);
    const text = await response.text();
    const lines = Math.max(0, text.split('\r\n').length - 2);
    if (!out) {
      context.out(text);
      return;
    }
    // Into a side file first, renamed at the end: a broken write never looks complete.
    const target = userPath(context, out);
    try {
      await writeFile(`${target}.part`, text);
      await rename(`${target}.part`, target);
    } catch (error) {
      await unlink(`${target}.part`).catch(() => {});
      throw new UsageError(
        `cannot write ${out}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        context.usage,
      );
    }
    context.out(`Wrote ${lines} ${csv} line${lines === 1 ? '' : 's'} to ${out}.\n`);
  },
};

export const commands: Command[] = [
  login,
  organizers,
  venueCreate,
  seatmapImport,
  eventApply,
  eventPublish,
  events,
  sales,
  attendees,
  close,
  gateReport,
];

const usageOf = (command: Command) =>
  `tessera-organizer ${command.words.join(' ')}${command.args ? ` ${command.args}` : ''}`;

export function helpText() {
  const width = Math.max(...commands.map((command) => command.words.join(' ').length));
  return [
    'tessera-organizer: the Tessera organizer command line',
    '',
    'usage: npm run organizer -w @tessera/ticketing -- <command> [options]',
    '',
    'commands:',
    ...commands.map((command) => `  ${command.words.join(' ').padEnd(width)}  ${command.summary}`),
    '',
    'every command: --url <api> (TESSERA_URL, default http://127.0.0.1:4200),',
    '               --token <token> (TESSERA_TOKEN), --json (machine-readable), --help',
    'exit codes: 0 done, 1 the API refused or is unreachable, 2 wrong usage',
    '',
    ...commands.map((command) => `  ${usageOf(command)}`),
    '',
  ].join('\n');
}

/** Which command the words name, and the rest of the arguments. */
function findCommand(argv: readonly string[]) {
  for (const command of commands) {
    if (command.words.every((word, index) => argv[index] === word)) {
      return { command, rest: argv.slice(command.words.length) };
    }
  }
  return undefined;
}

/**
 * `--lat -33.8` reads to parseArgs like a flag; a negative number right after an option that
 * takes one is joined to it (`--lat=-33.8`).
 */
function joinNegativeNumbers(args: readonly string[], options: Options) {
  const out: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] as string;
    const next = args[index + 1];
    const name = arg.startsWith('--') ? arg.slice(2) : undefined;
    if (name && options[name]?.type === 'string' && next && /^-[0-9]/.test(next)) {
      out.push(`${arg}=${next}`);
      index += 1;
    } else out.push(arg);
  }
  return out;
}

/** Runs the command line; resolves to the exit code. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const out = (text: string) => io.stdout.write(text);
  const err = (text: string) => io.stderr.write(text);
  let token: string | undefined;
  // Whatever goes wrong, the token does not reach the screen.
  const redact = (text: string) => (token ? text.split(token).join('***') : text);
  try {
    if (argv.length === 0) throw new UsageError('which command?', 'tessera-organizer --help');
    if (argv[0] === 'help' || argv[0] === '--help' || argv[0] === '-h') {
      out(helpText());
      return 0;
    }
    const found = findCommand(argv);
    if (!found) {
      throw new UsageError(
        `unknown command "${argv.slice(0, 2).join(' ')}"`,
        'tessera-organizer --help',
      );
    }
    const { command, rest } = found;
    const usage = usageOf(command);
    const options = { ...globalOptions, ...command.options };
    let parsed: { values: Values; positionals: string[] };
    try {
      parsed = parseArgs({
        args: joinNegativeNumbers(rest, options),
        options,
        allowPositionals: true,
        strict: true,
      }) as { values: Values; positionals: string[] };
    } catch (error) {
      throw new UsageError((error as Error).message.split(/\n|\. To specify/)[0] as string, usage);
    }
    token = (parsed.values.token as string | undefined) ?? io.env.TESSERA_TOKEN ?? undefined;
    if (token === '') token = undefined;
    if (parsed.values.help) {
      out(`usage: ${usage}\n${command.summary}\n`);
      return 0;
    }
    if (parsed.positionals.length !== command.positionals.length) {
      throw new UsageError(
        command.positionals.length === 0
          ? `unexpected argument "${parsed.positionals[0]}"`
          : `expected ${command.positionals.map((name) => `<${name}>`).join(' ')}`,
        usage,
      );
    }
    const url = (parsed.values.url as string | undefined) ?? io.env.TESSERA_URL ?? defaultUrl;
    let client: ApiClient | undefined;
    await command.run({
      values: parsed.values,
      positionals: parsed.positionals,
      io,
      usage,
      out,
      err,
      client: () => {
        client ??= new ApiClient(url, token);
        return client;
      },
    });
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      err(redact(`error: ${error.message}\n${error.usage ? `usage: ${error.usage}\n` : ''}`));
      return 2;
    }
    if (error instanceof ApiFailure) {
      const status = error.status ? ` (HTTP ${error.status})` : '';
      err(redact(`error: ${error.code}: ${error.message}${status}\n`));
      return 1;
    }
    err(redact(`error: ${(error as Error).message ?? String(error)}\n`));
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
  });
}
