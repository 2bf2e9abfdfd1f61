import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { longestFirst } from './sequencer.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('the order test files start in', () => {
  it('names only files that exist (a renamed file would silently start late again)', () => {
    const missing = longestFirst.filter((path) => !existsSync(`${root}${path}`));
    expect(missing).toEqual([]);
    expect(new Set(longestFirst).size).toBe(longestFirst.length);
  });
});
