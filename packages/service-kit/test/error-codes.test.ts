/**
 * The closed list of error codes (src/error-codes.ts) cannot fall behind the servers: every code
 * the servers' source answers with is in it. ApiError and its helpers only take listed codes
 * (typecheck); this covers the answers written without them (`reply.send({error: {code}})`) and
 * reads the source the way a person would grep it.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorCodes, isErrorCode } from '../src/error-codes.ts';

const root = join(import.meta.dirname, '../../..');
const sourceDirs = [
  'packages/service-kit/src',
  'packages/db/src',
  'services/ticketing/src',
  'services/exchange/src',
];

/** The ways a code is written where an answer is made. */
const patterns = [
  // new ApiError(409, 'code', ...), new ExchangeUnavailable → super(503, 'code', ...)
  /\b(?:new\s+\w*Error|super)\(\s*\d{3}\s*,\s*'([^']+)'/g,
  // badRequest('code', ...), conflict('code', ...)
  /\b(?:badRequest|conflict)\(\s*'([^']+)'/g,
  // reply.send({ error: { code: 'code', ... } })
  /\berror:\s*\{\s*code:\s*'([^']+)'/g,
  // a code chosen between literals: conflict(done ? 'a' : 'b', ...)
  /\b(?:badRequest|conflict)\(\s*[^,'()]+\?\s*'([^']+)'\s*:\s*'([^']+)'/g,
];

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(join(root, dir), { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .filter((entry) => !entry.name.endsWith('.test.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

function codesIn(text: string): string[] {
  const found: string[] = [];
  for (const pattern of patterns) {
    for (const match of text.matchAll(pattern)) found.push(...match.slice(1).filter(Boolean));
  }
  return found;
}

describe('error codes', () => {
  it('finds codes however an answer is written', () => {
    expect(
      codesIn(`
        throw new ApiError(
          409,
          'sold_out',
          'none left');
        super(503, 'exchange_unavailable', 'x');
        throw badRequest('invalid_text', 'y');
        throw conflict(settled ? 'door_sale_paid' : 'door_sale_paying', 'z');
        reply.code(400).send({ error: { code: 'invalid_request', message: 'm' } });
      `).sort(),
    ).toEqual([
      'door_sale_paid',
      'door_sale_paying',
      'exchange_unavailable',
      'invalid_request',
      'invalid_text',
      'sold_out',
    ]);
  });

  it("lists every code the servers' source answers with, once", async () => {
    const missing: string[] = [];
    let seen = 0;
    for (const dir of sourceDirs) {
      for (const file of await sourceFiles(dir)) {
        for (const code of codesIn(await readFile(file, 'utf8'))) {
          seen++;
          if (!isErrorCode(code)) missing.push(`${code} (${relative(root, file)})`);
        }
      }
    }
    // The scan reads real answers, not nothing.
    expect(seen).toBeGreaterThan(100);
    expect(missing, 'add these to packages/service-kit/src/error-codes.ts').toEqual([]);
    expect(new Set(errorCodes).size).toBe(errorCodes.length);
  });
});
