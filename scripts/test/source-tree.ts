/**
 * The source tree as the layout tests see it: every TypeScript file of the packages, services
 * and apps, parsed with the TypeScript compiler, and the module graph between them (relative
 * imports, and `@tessera/*` imports resolved through each package's `exports`).
 *
 * Written on the TypeScript compiler rather than a dependency-graph tool: resolving our
 * `.ts`-suffixed specifiers and package exports takes a few lines here, and the same parse
 * serves the SQL-placement and length checks, which no such tool does.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Where the product's code lives; tests, benchmarks and scripts are checked where noted. */
export const sourceRoots = ['packages', 'services', 'apps'] as const;

const skippedDirs = new Set(['node_modules', 'dist', '.vite', 'coverage']);

/** Every .ts and .tsx file under `dir`, repository-relative, in a stable order. */
export function listSources(dir: string): string[] {
  const out: string[] = [];
  const walk = (absolute: string) => {
    for (const name of readdirSync(absolute).sort()) {
      if (skippedDirs.has(name)) continue;
      const path = join(absolute, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) {
        out.push(relative(repoRoot, path));
      }
    }
  };
  const start = join(repoRoot, dir);
  if (existsSync(start)) walk(start);
  return out;
}

export const isTestFile = (path: string) => /(^|\/)test\//.test(path) || /\.test\.tsx?$/.test(path);

const parsed = new Map<string, ts.SourceFile>();

export function parse(path: string): ts.SourceFile {
  let file = parsed.get(path);
  if (!file) {
    const text = readFileSync(join(repoRoot, path), 'utf8');
    file = ts.createSourceFile(
      path,
      text,
      ts.ScriptTarget.Latest,
      true,
      path.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS,
    );
    parsed.set(path, file);
  }
  return file;
}

/** `@tessera/<name>` and its subpaths, from the workspace packages' `exports`. */
function workspaceExports(): Map<string, string> {
  const map = new Map<string, string>();
  for (const group of sourceRoots) {
    const groupDir = join(repoRoot, group);
    for (const name of readdirSync(groupDir)) {
      const manifestPath = join(groupDir, name, 'package.json');
      if (!existsSync(manifestPath)) continue;
      const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
        name: string;
        exports?: Record<string, string | Record<string, string>>;
      };
      for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
        const file = typeof target === 'string' ? target : (target.default ?? '');
        map.set(
          `${manifest.name}${subpath === '.' ? '' : subpath.slice(1)}`,
          relative(repoRoot, join(groupDir, name, file)),
        );
      }
    }
  }
  return map;
}

let exportsMap: Map<string, string> | undefined;

/** The repository file an import specifier names, or undefined for a third-party module. */
export function resolveImport(from: string, specifier: string): string | undefined {
  if (specifier.startsWith('.')) {
    const target = relative(repoRoot, resolve(repoRoot, dirname(from), specifier));
    return existsSync(join(repoRoot, target)) ? target : undefined;
  }
  if (!specifier.startsWith('@tessera/')) return undefined;
  exportsMap ??= workspaceExports();
  const exact = exportsMap.get(specifier);
  if (exact) return exact;
  // A wildcard export ("./*": "./src/*.ts").
  for (const [pattern, target] of exportsMap) {
    if (!pattern.endsWith('*')) continue;
    const prefix = pattern.slice(0, -1);
    if (specifier.startsWith(prefix)) return target.replace('*', specifier.slice(prefix.length));
  }
  return undefined;
}

export interface ImportEdge {
  readonly from: string;
  readonly to: string;
  readonly typeOnly: boolean;
}

/** Every import and re-export of `path` that names a file of this repository. */
export function importsOf(path: string): ImportEdge[] {
  const file = parse(path);
  const edges: ImportEdge[] = [];
  for (const statement of file.statements) {
    if (
      (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) &&
      statement.moduleSpecifier &&
      ts.isStringLiteral(statement.moduleSpecifier)
    ) {
      const to = resolveImport(path, statement.moduleSpecifier.text);
      if (!to) continue;
      const typeOnly = ts.isImportDeclaration(statement)
        ? (statement.importClause?.isTypeOnly ?? false)
        : statement.isTypeOnly;
      edges.push({ from: path, to, typeOnly });
    }
  }
  // import('...') expressions count too: a lazy import still ties two modules together.
  const visit = (node: ts.Node) => {
    if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      const to = resolveImport(path, node.arguments[0].text);
      if (to) edges.push({ from: path, to, typeOnly: false });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return edges;
}

/** The strongly connected components of more than one file (or a file importing itself). */
export function importCycles(files: readonly string[]): string[][] {
  const graph = new Map<string, string[]>();
  for (const file of files) graph.set(file, [...new Set(importsOf(file).map((e) => e.to))]);
  return cyclesOf(graph);
}

/** The cycles of a directed graph: components of more than one node, or a node on itself. */
export function cyclesOf(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  // Tarjan's algorithm, iterative so a deep tree cannot overflow the stack.
  let index = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  for (const start of graph.keys()) {
    if (indexOf.has(start)) continue;
    const work: { node: string; next: number }[] = [{ node: start, next: 0 }];
    indexOf.set(start, index);
    low.set(start, index++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1] as { node: string; next: number };
      const targets = graph.get(frame.node) ?? [];
      if (frame.next < targets.length) {
        const target = targets[frame.next++] as string;
        if (!graph.has(target)) continue;
        if (!indexOf.has(target)) {
          indexOf.set(target, index);
          low.set(target, index++);
          stack.push(target);
          onStack.add(target);
          work.push({ node: target, next: 0 });
        } else if (onStack.has(target)) {
          low.set(frame.node, Math.min(low.get(frame.node) ?? 0, indexOf.get(target) ?? 0));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) {
        low.set(parent.node, Math.min(low.get(parent.node) ?? 0, low.get(frame.node) ?? 0));
      }
      if (low.get(frame.node) === indexOf.get(frame.node)) {
        const component: string[] = [];
        let member: string | undefined;
        do {
          member = stack.pop() as string;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        const selfLoop = graph.get(frame.node)?.includes(frame.node) ?? false;
        if (component.length > 1 || selfLoop) cycles.push(component.sort());
      }
    }
  }
  return cycles;
}

/** 1-based line of a position in a file. */
export function lineOf(file: ts.SourceFile, position: number) {
  return file.getLineAndCharacterOfPosition(position).line + 1;
}

export { ts };
