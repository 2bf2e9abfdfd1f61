/**
 * The layout rules of docs/architecture.md ("Layout"), checked on the whole tree: no import
 * cycles, SQL only in repositories and the database layer, short functions and files, apps that
 * do not reach into each other, feature code that does not reach into the composition root.
 */
import { describe, expect, it } from 'vitest';
import {
  cyclesOf,
  importCycles,
  importsOf,
  isTestFile,
  lineOf,
  listSources,
  parse,
  sourceRoots,
  ts,
} from './source-tree.ts';

const allFiles = sourceRoots.flatMap((root) => listSources(root));
const productFiles = allFiles.filter((path) => !isTestFile(path));

describe('the source tree', () => {
  it('has no import cycle in packages, services or apps (type imports included)', () => {
    expect(importCycles(allFiles)).toEqual([]);
  });

  it('keeps the feature folders of each service free of cycles (routes files aside)', () => {
    expect(featureCycles(productFiles)).toEqual([]);
  });

  it('speaks SQL only in repository files and the database layer', () => {
    const offenders = productFiles
      .filter((path) => !isSqlHome(path))
      .flatMap((path) => sqlUses(path).map((use) => `${path}:${use}`));
    expect(offenders).toEqual([]);
  });

  it('keeps functions under 100 lines and files under 600, unless a comment says why', () => {
    const long: string[] = [];
    for (const path of productFiles) {
      const file = parse(path);
      const lines = file.getLineStarts().length;
      if (lines > fileLinesMax && !explainsLength(headerComment(file))) {
        long.push(`${path}: ${lines} lines`);
      }
      for (const fn of functionsOf(file)) {
        const span = lineOf(file, fn.getEnd()) - lineOf(file, fn.getStart(file)) + 1;
        if (span > functionLinesMax && !explainsLength(leadingComments(file, fn))) {
          long.push(`${path}:${lineOf(file, fn.getStart(file))} ${nameOf(fn)}: ${span} lines`);
        }
      }
    }
    expect(long).toEqual([]);
  });

  it('keeps each app to itself: no app imports another app’s files', () => {
    const crossing = allFiles
      .filter((path) => path.startsWith('apps/'))
      .flatMap(importsOf)
      .filter((edge) => edge.to.startsWith('apps/') && appOf(edge.to) !== appOf(edge.from))
      .map((edge) => `${edge.from} -> ${edge.to}`);
    expect(crossing).toEqual([]);
  });

  it('keeps feature code out of the composition root: only server.ts imports app.ts', () => {
    const reaching = productFiles
      .flatMap(importsOf)
      .filter((edge) => /^services\/[^/]+\/src\/(app|server)\.ts$/.test(edge.to))
      .filter((edge) => !mayImportRoot(edge.from, edge.to))
      .map((edge) => `${edge.from} -> ${edge.to}`);
    expect(reaching).toEqual([]);
  });
});

const fileLinesMax = 600;
const functionLinesMax = 100;

/** Repositories, the services' `db/` folders (schema, migrations) and the SQL package. */
function isSqlHome(path: string) {
  return (
    /\/repository\.ts$/.test(path) ||
    /^services\/[^/]+\/src\/db\//.test(path) ||
    path.startsWith('packages/db/')
  );
}

/** Query-builder entry points and raw SQL: what a file outside the SQL homes must not use. */
const queryMethods = new Set([
  'selectFrom',
  'insertInto',
  'updateTable',
  'deleteFrom',
  'replaceInto',
  'mergeInto',
  'selectNoFrom',
  'executeQuery',
]);
const sqlValues = new Set(['sql', 'Statement', 'CompiledQuery']);

function sqlUses(path: string): string[] {
  const file = parse(path);
  const uses: string[] = [];
  const at = (node: ts.Node, what: string) =>
    uses.push(`${lineOf(file, node.getStart(file))} ${what}`);
  const visit = (node: ts.Node) => {
    if (
      ts.isImportDeclaration(node) &&
      ts.isStringLiteral(node.moduleSpecifier) &&
      /^(kysely|@tessera\/db)$/.test(node.moduleSpecifier.text) &&
      !node.importClause?.isTypeOnly
    ) {
      const named = node.importClause?.namedBindings;
      if (named && ts.isNamedImports(named)) {
        for (const element of named.elements) {
          if (!element.isTypeOnly && sqlValues.has(element.name.text)) {
            at(element, `imports ${element.name.text}`);
          }
        }
      }
    }
    if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      queryMethods.has(node.expression.name.text)
    ) {
      at(node, `.${node.expression.name.text}()`);
    }
    if (ts.isPropertyAccessExpression(node) && node.name.text === 'schema' && isKyselyish(node)) {
      at(node, '.schema');
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return uses;
}

/** `db.schema` / `trx.schema`: the schema builder. */
function isKyselyish(node: ts.PropertyAccessExpression) {
  const target = node.expression.getText();
  return /(^|\.)(db|trx|executor)$/.test(target);
}

type FunctionLike =
  | ts.FunctionDeclaration
  | ts.MethodDeclaration
  | ts.ArrowFunction
  | ts.FunctionExpression
  | ts.ConstructorDeclaration
  | ts.GetAccessorDeclaration
  | ts.SetAccessorDeclaration;

function functionsOf(file: ts.SourceFile): FunctionLike[] {
  const out: FunctionLike[] = [];
  const visit = (node: ts.Node) => {
    if (
      ts.isFunctionDeclaration(node) ||
      ts.isMethodDeclaration(node) ||
      ts.isArrowFunction(node) ||
      ts.isFunctionExpression(node) ||
      ts.isConstructorDeclaration(node) ||
      ts.isGetAccessorDeclaration(node) ||
      ts.isSetAccessorDeclaration(node)
    ) {
      out.push(node);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return out;
}

function nameOf(fn: FunctionLike): string {
  if ('name' in fn && fn.name) return fn.name.getText();
  const parent = fn.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) {
    return parent.name.getText();
  }
  if (ts.isCallExpression(parent)) return `(argument of ${parent.expression.getText()})`;
  return '(anonymous)';
}

/** The comments before a function, or before the statement that declares it. */
function leadingComments(file: ts.SourceFile, fn: FunctionLike): string {
  const text = file.getFullText();
  const nodes: ts.Node[] = [fn];
  let node: ts.Node = fn.parent;
  // `const f = () => ...`, `export const f = ...`: the comment sits on the statement.
  while (
    ts.isVariableDeclaration(node) ||
    ts.isVariableDeclarationList(node) ||
    ts.isVariableStatement(node) ||
    ts.isPropertyAssignment(node) ||
    ts.isExportAssignment(node)
  ) {
    nodes.push(node);
    node = node.parent;
  }
  return nodes
    .flatMap((each) => ts.getLeadingCommentRanges(text, each.getFullStart()) ?? [])
    .map((range) => text.slice(range.pos, range.end))
    .join('\n');
}

/** The comments at the top of a file, before its first statement. */
function headerComment(file: ts.SourceFile): string {
  const text = file.getFullText();
  const first = file.statements[0];
  return (ts.getLeadingCommentRanges(text, first ? first.getFullStart() : 0) ?? [])
    .map((range) => text.slice(range.pos, range.end))
    .join('\n');
}

/** The convention: a comment saying "This function is long because ..." (or file). */
function explainsLength(comment: string) {
  return /this (function|file) is long because/i.test(
    comment.replace(/\s*\n\s*(\*|\/\/)?\s*/g, ' '),
  );
}

function appOf(path: string) {
  return path.split('/')[1];
}

/**
 * app.ts builds the HTTP app and server.ts starts the service: the composition root. Feature
 * code gets what it needs from the context (transactions, caches) and http.ts (the route
 * helpers), so only server.ts imports app.ts, and nothing imports server.ts.
 */
function mayImportRoot(from: string, to: string) {
  const src = `services/${to.split('/')[1]}/src/`;
  return to.endsWith('/app.ts') && from === `${src}server.ts`;
}

/**
 * A feature folder of a service (`services/x/src/<feature>/...`), or undefined for the
 * composition around them (root files, `db/`, `workers/`, `cli/`) and for routes files, which sit
 * on top and may call any feature.
 */
function featureOf(path: string): string | undefined {
  const match = /^services\/([^/]+)\/src\/([^/]+)\/(.+)$/.exec(path);
  if (!match) return undefined;
  const [, service, folder, rest] = match as unknown as [string, string, string, string];
  if (['db', 'workers', 'cli'].includes(folder) || /(^|\/)routes\.ts$/.test(rest)) return undefined;
  return `${service}/${folder}`;
}

function featureCycles(files: readonly string[]): string[][] {
  const graph = new Map<string, Set<string>>();
  for (const file of files) {
    const from = featureOf(file);
    if (!from) continue;
    const targets = graph.get(from) ?? new Set<string>();
    graph.set(from, targets);
    for (const edge of importsOf(file)) {
      const to = featureOf(edge.to);
      if (to && to !== from) targets.add(to);
    }
  }
  return cyclesOf(new Map([...graph].map(([node, targets]) => [node, [...targets]])));
}
