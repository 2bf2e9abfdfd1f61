/**
 * What every command of the organizer command line is made of: the command's shape, the context
 * it runs in (its parsed options, the terminal, the API client), and the checks on what the user
 * typed (a failed check is a usage error, exit 2).
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Writable } from 'node:stream';
import type { ParseArgsConfig } from 'node:util';
import { type ApiClient, UsageError } from './client.ts';

export type Options = NonNullable<ParseArgsConfig['options']>;
export type Values = Record<string, string | boolean | undefined>;

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

export interface Command {
  words: string[];
  args: string;
  summary: string;
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
