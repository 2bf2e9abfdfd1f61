/**
 * Requests built from a server's OpenAPI document, for tests that try every input of every
 * route: a valid baseline value for each schema (fast-check's `stringMatching` fills patterns),
 * and "probes" that put one chosen value into one field (body, query or path) and leave the
 * rest valid, so that what the server answers is about that field.
 */
import fc from 'fast-check';

// biome-ignore lint/suspicious/noExplicitAny: JSON schemas from the OpenAPI document.
export type Schema = Record<string, any>;

export interface Operation {
  readonly method: string;
  readonly path: string;
  readonly pathParams: readonly { name: string; schema: Schema }[];
  readonly queryParams: readonly { name: string; schema: Schema; required: boolean }[];
  readonly bodies: readonly { contentType: string; schema: Schema }[];
  /** A signed delivery (Standard Webhooks): its signature is checked before its body. */
  readonly signed: boolean;
}

/** Every operation of the document (not the documentation's own routes). */
export function operationsOf(doc: { paths: Record<string, Record<string, Schema>> }) {
  const operations: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    if (path.startsWith('/docs')) continue;
    for (const [method, op] of Object.entries(methods)) {
      const parameters: Schema[] = op.parameters ?? [];
      operations.push({
        method: method.toUpperCase(),
        path,
        pathParams: parameters
          .filter((p) => p.in === 'path')
          .map((p) => ({ name: p.name, schema: p.schema })),
        queryParams: parameters
          .filter((p) => p.in === 'query')
          .map((p) => ({ name: p.name, schema: p.schema, required: p.required === true })),
        bodies: Object.entries<Schema>(op.requestBody?.content ?? {}).map(([type, content]) => ({
          contentType: type,
          schema: content.schema,
        })),
        signed: parameters.some((p) => p.in === 'header' && p.name === 'webhook-signature'),
      });
    }
  }
  return operations;
}

const patterned = new Map<string, string>();

function sampleString(schema: Schema): string {
  if (schema.enum) return schema.enum[0];
  if (schema.const !== undefined) return schema.const;
  if (schema.format === 'date-time') return '2030-01-02T03:04:05Z';
  const min = schema.minLength ?? 1;
  const max = schema.maxLength ?? 64;
  if (schema.pattern) {
    const cacheKey = `${schema.pattern} ${min} ${max}`;
    let value = patterned.get(cacheKey);
    if (value === undefined) {
      const candidates = fc.sample(fc.stringMatching(new RegExp(schema.pattern)), {
        numRuns: 200,
        seed: 18,
      });
      value = candidates.find((c) => c.length >= min && c.length <= max) ?? candidates[0] ?? '';
      patterned.set(cacheKey, value);
    }
    return value;
  }
  return 'a'.repeat(Math.min(Math.max(min, 3), max));
}

/** A valid value for the schema: the first branch of a union, every property of an object. */
export function sample(schema: Schema): unknown {
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches) return sample(branches.find((b: Schema) => b.type !== 'null') ?? branches[0]);
  if (schema.allOf) return sample(Object.assign({}, ...schema.allOf));
  if (schema.enum) return schema.enum[0];
  if (schema.const !== undefined) return schema.const;
  switch (schema.type) {
    case 'string':
      return sampleString(schema);
    case 'integer':
    case 'number':
      return schema.minimum ?? (schema.maximum !== undefined ? Math.min(1, schema.maximum) : 1);
    case 'boolean':
      return true;
    case 'array':
      return Array.from({ length: Math.max(1, schema.minItems ?? 1) }, () =>
        sample(schema.items ?? {}),
      );
    case 'object':
      return Object.fromEntries(
        Object.entries<Schema>(schema.properties ?? {}).map(([name, sub]) => [name, sample(sub)]),
      );
    default:
      return null;
  }
}

/** One field and how to build a whole value with something else in that field. */
export interface Probe {
  readonly field: string;
  readonly schema: Schema;
  readonly make: (value: unknown) => unknown;
}

/** A probe for every field the schema matches `pick` at (through unions, arrays and objects). */
export function probes(schema: Schema, pick: (schema: Schema) => boolean, field = ''): Probe[] {
  const branches: Schema[] | undefined = schema.anyOf ?? schema.oneOf;
  if (branches) return branches.flatMap((branch) => probes(branch, pick, field));
  if (pick(schema)) return [{ field, schema, make: (value) => value }];
  if (schema.type === 'array' && schema.items) {
    return probes(schema.items, pick, field ? `${field}.0` : '0').map((p) => ({
      ...p,
      make: (value) => [p.make(value)],
    }));
  }
  if (schema.type === 'object') {
    const base = sample(schema) as Record<string, unknown>;
    return Object.entries<Schema>(schema.properties ?? {}).flatMap(([name, sub]) =>
      probes(sub, pick, field ? `${field}.${name}` : name).map((p) => ({
        ...p,
        make: (value: unknown) => ({ ...base, [name]: p.make(value) }),
      })),
    );
  }
  return [];
}

export const isString = (schema: Schema) =>
  schema.type === 'string' || (Array.isArray(schema.type) && schema.type.includes('string'));

/** Percent-encodes for a URL; a lone surrogate (which encodeURIComponent refuses) as its bytes. */
export function encodeForUrl(value: string) {
  let out = '';
  for (const char of value) {
    const code = char.charCodeAt(0);
    if (char.length === 1 && code >= 0xd800 && code <= 0xdfff) {
      out += `%${(0xe0 | (code >> 12)).toString(16)}%${(0x80 | ((code >> 6) & 0x3f)).toString(16)}%${(0x80 | (code & 0x3f)).toString(16)}`;
    } else {
      out += encodeURIComponent(char);
    }
  }
  return out;
}

/** The URL of the operation with these path and query values. */
export function urlOf(
  operation: Operation,
  pathValues: Record<string, string>,
  query: Record<string, unknown>,
) {
  let url = operation.path.replace(/\{([^}]+)\}/g, (_, name: string) =>
    encodeForUrl(String(pathValues[name] ?? '')),
  );
  const pairs = Object.entries(query).filter(([, v]) => v !== undefined);
  if (pairs.length > 0) {
    url += `?${pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeForUrl(String(v))}`).join('&')}`;
  }
  return url;
}
