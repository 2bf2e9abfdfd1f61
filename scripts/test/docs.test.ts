/**
 * The documentation points at code that exists: every relative link in the Markdown files, every
 * repository path quoted in backticks, and every `src/...` path a service's own docs quote. Code
 * moves (a folder per feature, a file split in two); a doc that still names the old place fails
 * here.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './source-tree.ts';

/** What `npm run bench` writes and .gitignore keeps out: named by the docs, absent in a clone. */
const generated = new Set(['bench/results.json', 'bench/report.md']);

function markdownFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.') || name === 'dist') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...markdownFiles(path));
    else if (name.endsWith('.md')) out.push(path);
  }
  return out;
}

/** The service a doc speaks for, whose `src/` its bare `src/...` paths name. */
function serviceRootOf(doc: string): string | undefined {
  const rel = relative(repoRoot, doc);
  const own = /^(services|apps|packages)\/([^/]+)\//.exec(rel);
  if (own) return join(repoRoot, own[1] as string, own[2] as string);
  const named = /^docs\/(ticketing|exchange)\.md$/.exec(rel);
  return named ? join(repoRoot, 'services', named[1] as string) : undefined;
}

function brokenReferences(doc: string): string[] {
  const text = readFileSync(doc, 'utf8');
  const broken: string[] = [];
  for (const match of text.matchAll(/\]\(([^)\s#]+)(#[^)]*)?\)/g)) {
    const target = match[1] as string;
    if (/^[a-z]+:/.test(target)) continue;
    if (!existsSync(resolve(dirname(doc), target))) broken.push(`link ${target}`);
  }
  for (const match of text.matchAll(
    /`((?:services|packages|apps|scripts|bench)\/[A-Za-z0-9_./-]+\.(?:ts|tsx|json|md))`/g,
  )) {
    const path = match[1] as string;
    if (!generated.has(path) && !existsSync(join(repoRoot, path))) broken.push(`path ${path}`);
  }
  const root = serviceRootOf(doc);
  if (root) {
    for (const match of text.matchAll(/`(src\/[A-Za-z0-9_./-]+\.tsx?)`/g)) {
      if (!existsSync(join(root, match[1] as string))) broken.push(`path ${match[1]}`);
    }
  }
  return broken;
}

describe('the documentation', () => {
  it('links and quotes only files that exist', () => {
    const broken = markdownFiles(repoRoot).flatMap((doc) =>
      brokenReferences(doc).map((reference) => `${relative(repoRoot, doc)}: ${reference}`),
    );
    expect(broken).toEqual([]);
  });
});
