/**
 * What every command of the organizer command line is made of: the command's shape, the context
 * it runs in (its parsed options, the terminal, the API client), and the checks on what the user
 * typed (a failed check is a usage error, exit 2).
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { Writable } from 'node:stream';
import type { ParseArgsConfig } from 'node:util';
import { type ApiClient, ApiFailure, UsageError } from './client.ts';
import { Progress, type ProgressStream } from './progress.ts';

export type Options = NonNullable<ParseArgsConfig['options']>;
export type Values = Record<string, string | boolean | string[] | undefined>;

export interface Io {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean; columns?: number };
  stdin: NodeJS.ReadableStream;
  env: Record<string, string | undefined>;
}

export interface Context {
  values: Values;
  positionals: string[];
  io: Io;
  client(): ApiClient;
  out(text: string): void;
  err(text: string): void;
  usage: string;
}

/** The groups of the top-level help, in the order it lists them. */
export const groups = [
  'Signing in and your organizer',
  'Staff',
  'Venues and seat maps',
  'Events and performances',
  'Sales and refunds',
  'Gates and terminals',
  'After the show',
] as const;

export interface Command {
  words: string[];
  args: string;
  summary: string;
  group: (typeof groups)[number];
  /** What `<command> --help` prints after the usage and summary: options, notes, an example. */
  help: string;
  options: Options;
  positionals: string[];
  run(context: Context): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Checks on what the user typed (usage errors, exit 2)

const idPattern = (prefix: string) => new RegExp(`^${prefix}_[0-9a-z]{8,40}$`);

export function id(
  context: Context,
  value: string | undefined,
  prefix: string,
  what: string,
): string {
  if (value === undefined || value === '') {
    throw new UsageError(`${what} is required`, context.usage);
  }
  if (!idPattern(prefix).test(value)) {
    throw new UsageError(`${what} "${value}" is not an id like ${prefix}_…`, context.usage);
  }
  return value;
}

export function text(context: Context, name: string): string {
  const value = context.values[name];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new UsageError(`--${name} is required`, context.usage);
  }
  return value;
}

export function number(
  context: Context,
  name: string,
  min: number,
  max: number,
  fallback?: number,
) {
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

export async function readInput(context: Context, file: string): Promise<Buffer> {
  try {
    return await readFile(userPath(context, file));
  } catch (error) {
    throw new UsageError(
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      context.usage,
    );
  }
}

export function parseJsonFile(context: Context, file: string, content: Buffer): unknown {
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
export const userPath = (context: Context, path: string) =>
  resolve(context.io.env.INIT_CWD ?? process.cwd(), path);

export const when = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

export function printJson(context: Context, value: unknown) {
  context.out(`${JSON.stringify(value, null, 2)}\n`);
}

/** Options more than one command takes, with the words their help gives them. */
export const organizerOption = {
  organizer: { type: 'string' },
} as const satisfies Options;

export const organizerHelp =
  '  --organizer <org_…>  the organizer (default: TESSERA_ORGANIZER, or the only one you work for)';

/**
 * The organizer a command works on: --organizer, else TESSERA_ORGANIZER, else the only organizer
 * the signed-in user works for (several: a usage error that lists them).
 */
export async function organizerOf(context: Context): Promise<string> {
  const given = context.values.organizer ?? context.io.env.TESSERA_ORGANIZER;
  if (given !== undefined && given !== '') {
    const option = context.values.organizer !== undefined ? '--organizer' : 'TESSERA_ORGANIZER';
    return id(context, given as string, 'org', option);
  }
  const client = context.client();
  const { body } = await client.answer(client.api.GET('/v1/me'));
  const [only, ...others] = body.organizers;
  if (only && others.length === 0) return only.id;
  if (!only) {
    throw new UsageError(
      `${body.user.phone} works for no organizer: an owner adds you with \`staff add ${body.user.phone} --role <role>\``,
    );
  }
  throw new UsageError(
    `you work for ${body.organizers.length} organizers; say which with --organizer (or TESSERA_ORGANIZER):\n${body.organizers
      .map((o) => `  ${o.id}  ${o.name} (${o.role})`)
      .join('\n')}`,
    context.usage,
  );
}

/** Progress on stderr when it is a terminal or with --progress; otherwise none at all. */
export function progressOf(
  context: Context,
  label: string,
  total: number,
  unit: (amount: number) => string = String,
) {
  const shown = context.io.stderr.isTTY === true || context.values.progress === true;
  const silent: ProgressStream = { write: () => true };
  return new Progress(label, total, unit, shown ? context.io.stderr : silent);
}

/**
 * Asks before something that cannot be undone: --yes answers for scripts; on a terminal the
 * user types `expected`; otherwise (a pipe, no --yes) a usage error.
 */
export async function confirm(context: Context, question: string, expected: string) {
  if (context.values.yes === true) return;
  if ((context.io.stdin as { isTTY?: boolean }).isTTY !== true) {
    throw new UsageError(
      `confirmation needed and stdin is not a terminal: add --yes to go ahead\n  ${question}`,
      context.usage,
    );
  }
  const lines = createInterface({ input: context.io.stdin, output: context.io.stderr });
  try {
    const answer = await lines.question(`${question}\nType ${expected} to go ahead: `);
    if (answer.trim() !== expected) throw new UsageError('not confirmed; nothing was done');
  } finally {
    lines.close();
  }
}

/** Values of an option given several times (`--performance a --performance b`). */
export function list(context: Context, name: string): string[] {
  const value = context.values[name];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [String(value)];
}

/** The hint after an event that was not found: where the right ids are. */
export const eventsHint = "`events` lists your organizer's events";

/**
 * Runs an API call and, when the API answers 404, says where the right id can be found: the
 * hint names the command that lists them.
 */
export async function orHint<T>(call: Promise<T>, hint: string): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof ApiFailure && error.status === 404 && !error.hint) error.hint = hint;
    throw error;
  }
}

export const plural = (n: number, word: string, words = `${word}s`) =>
  `${n} ${n === 1 ? word : words}`;
