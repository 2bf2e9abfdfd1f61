/**
 * The operations of a server's OpenAPI document (GET /docs/json), for tests that walk every
 * route: its method, path, who may call it (`x-access`, from the route's `config.access`) and a
 * concrete URL with every path parameter filled with a well-formed value that names nothing (an
 * id of the parameter's own prefix, so the request gets past validation to the 404 of an id
 * that does not exist), or with what `fill` gives for that parameter's name.
 */
import type { FastifyInstance } from 'fastify';

export interface Operation {
  method: string;
  path: string;
  access: string;
  summary: string | undefined;
  /** The path with its parameters filled (`{eventId}` becomes a made-up id). */
  url: string;
}

export async function listOperations(
  // biome-ignore lint/suspicious/noExplicitAny: either server's app, whatever its type provider.
  app: FastifyInstance<any, any, any, any, any>,
  fill: Record<string, string> = {},
): Promise<Operation[]> {
  const response = await app.inject({ method: 'GET', url: '/docs/json' });
  const document = response.json() as {
    paths: Record<string, Record<string, OpenApiOperation>>;
  };
  const list: Operation[] = [];
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      const patterns = new Map(
        (operation.parameters ?? [])
          .filter((parameter) => parameter.in === 'path')
          .map((parameter) => [parameter.name, parameter.schema?.pattern ?? '']),
      );
      list.push({
        method: method.toUpperCase(),
        path,
        access: operation['x-access'] ?? '',
        summary: operation.summary,
        url: path.replace(/\{(\w+)\}/g, (_, name: string) =>
          encodeURIComponent(fill[name] ?? nothingLike(patterns.get(name) ?? '')),
        ),
      });
    }
  }
  return list;
}

interface OpenApiOperation {
  'x-access'?: string;
  summary?: string;
  parameters?: { in: string; name: string; schema?: { pattern?: string } }[];
}

/** `^pr_[0-9a-z]{8,40}$` gives `pr_0000000000000000`; anything else a plain word. */
function nothingLike(pattern: string) {
  const prefix = /^\^([a-z]+)_\[/.exec(pattern)?.[1];
  return prefix ? `${prefix}_0000000000000000` : 'nothing';
}
