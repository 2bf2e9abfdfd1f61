/**
 * tessera-organizer: the organizer's command line, an HTTP client of the ticketing API with no
 * dependency beyond Node (parseArgs, fetch). Sign in; the organizer, its wallet link, signing
 * keys and staff; venues and seat maps; events from files, performances added and cancelled;
 * sales, attendees and refunds; gate terminals and their enrolment codes; closing a performance
 * after the event (or previewing it) and its gate reconciliation report.
 *
 *   npm run organizer -w @tessera/ticketing -- <command> [options]
 *
 * TESSERA_URL (default http://127.0.0.1:4200) and TESSERA_TOKEN (a staff member's session
 * token), or --url and --token. Exit codes: 0 done, 1 the API refused or could not be reached
 * (its error code and message are printed), 2 wrong usage. The token is never printed in an
 * error. See docs/cli.md.
 *
 * This file reads the arguments and runs the command they name; the commands are in the
 * *-commands.ts files beside it, what they share in command.ts.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { accountCommands } from './account-commands.ts';
import { eventApply, eventPublish, events, seatmapImport } from './catalogue-commands.ts';
import { ApiClient, ApiFailure, UsageError } from './client.ts';
import { type Command, eventsHint, groups, type Io, type Options, type Values } from './command.ts';
import { eventCommands, performanceCommands } from './performance-commands.ts';
import { refundCommands } from './refund-commands.ts';
import { attendees, close, gateReport, sales } from './report-commands.ts';
import { staffCommands } from './staff-commands.ts';
import { terminalCommands } from './terminal-commands.ts';
import { venueCommands } from './venue-commands.ts';

export type { Io };

const defaultUrl = 'http://127.0.0.1:4200';

const globalOptions: Options = {
  url: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
  progress: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

const commands: Command[] = [
  ...accountCommands,
  ...staffCommands,
  ...venueCommands,
  seatmapImport,
  events,
  eventApply,
  eventPublish,
  ...eventCommands,
  ...performanceCommands,
  sales,
  attendees,
  ...refundCommands,
  ...terminalCommands,
  close,
  gateReport,
];

const usageOf = (command: Command) =>
  `tessera-organizer ${command.words.join(' ')}${command.args ? ` ${command.args}` : ''}`;

const everyCommand = [
  'every command: --url <api> (TESSERA_URL, default http://127.0.0.1:4200),',
  '               --token <token> (TESSERA_TOKEN), --json (the API answer as JSON on stdout),',
  '               --progress (progress on stderr when it is not a terminal), --help',
  'exit codes: 0 done, 1 the API refused or is unreachable, 2 wrong usage',
];

function helpText() {
  const width = Math.max(...commands.map((command) => command.words.join(' ').length));
  const grouped = groups.flatMap((group) => [
    '',
    `${group}:`,
    ...commands
      .filter((command) => command.group === group)
      .map((command) => `  ${command.words.join(' ').padEnd(width)}  ${command.summary}`),
  ]);
  return [
    'tessera-organizer: the Tessera organizer command line',
    '',
    'usage: npm run -s organizer -w @tessera/ticketing -- <command> [options]',
    '       tessera-organizer <command> --help   (its options and an example)',
    ...grouped,
    '',
    ...everyCommand,
    'docs: services/ticketing/docs/cli.md',
    '',
  ].join('\n');
}

function commandHelp(command: Command) {
  // An option the help text does not describe is still named (one added later, say).
  const undescribed = Object.keys(command.options).filter(
    (name) => !command.help.includes(`--${name}`),
  );
  return [
    `usage: ${usageOf(command)}`,
    '',
    command.summary,
    '',
    command.help.trimEnd(),
    ...(undescribed.length > 0
      ? [`also: ${undescribed.map((name) => `--${name}`).join(', ')}`]
      : []),
    '',
    ...everyCommand,
    '',
  ].join('\n');
}

/** Where to find the right id when the API answers that something does not exist. */
const notFoundHints: [RegExp, string][] = [
  [/^organizer/, '`organizers` lists the organizers you work for'],
  [/^event/, eventsHint],
  [/^performance/, "`event show <ev_…>` lists an event's performances"],
  [/^venue/, "`venues` lists your organizer's venues"],
  [/^ticket/, '`attendees <ev_…>` lists the tickets that admit someone, with their orders'],
  [/^order/, '`attendees <ev_…>` lists the orders of the tickets that admit someone'],
  [/^terminal/, "`terminals` lists your organizer's terminals"],
  [/^staff|^user/, "`staff` lists your organizer's staff"],
];

function hintOf(error: ApiFailure) {
  if (error.hint) return error.hint;
  if (error.status !== 404) return undefined;
  return notFoundHints.find(([pattern]) => pattern.test(error.message))?.[1];
}

/** Longest first: `staff add …` is the command staff add, not staff with an argument. */
const byLength = [...commands].sort((a, b) => b.words.length - a.words.length);

/** Which command the words name, and the rest of the arguments. */
function findCommand(argv: readonly string[]) {
  for (const command of byLength) {
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

/** An unknown command, with the commands its first word suggests (`venue list`: venues, …). */
function unknownCommand(argv: readonly string[]) {
  const first = (argv[0] ?? '').replace(/s$/, '');
  const near = first
    ? commands.filter((command) => command.words[0]?.replace(/s$/, '') === first)
    : [];
  return new UsageError(
    `unknown command "${argv.slice(0, 2).join(' ')}"${
      near.length > 0
        ? `; did you mean ${near.map((command) => command.words.join(' ')).join(', ')}?`
        : ''
    }`,
    'tessera-organizer --help',
  );
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
      // `help <command>` is `<command> --help`.
      const named = argv.length > 1 ? findCommand(argv.slice(1)) : undefined;
      if (argv.length > 1 && !named) throw unknownCommand(argv.slice(1));
      out(named ? commandHelp(named.command) : helpText());
      return 0;
    }
    const found = findCommand(argv);
    if (!found) throw unknownCommand(argv);
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
      out(commandHelp(command));
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
      const hint = hintOf(error);
      err(redact(`error: ${error.code}: ${error.message}${status}\n${hint ? `${hint}\n` : ''}`));
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
