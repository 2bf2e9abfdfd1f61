/**
 * The OpenAPI 3.1 document each server serves at /docs/json, generated from its route schemas,
 * and the check that keeps it true:
 * - `declareFrameAnswers` adds to every route the answers the frame gives on its behalf (a
 *   refused input, a missing token, a body too large, a database that does not answer), so the
 *   document lists every status a route can answer and not only those its handler chooses;
 * - `swaggerOptions` names every operation (`operationId`), says who may call it (`x-access`,
 *   `security: []` for public ones), where the server is (`servers`) and what it sends out
 *   (`webhooks`);
 * - `checkAnswers`, on in tests, refuses an answer whose status the route does not declare or
 *   whose body does not match the declared schema (a field the schema does not name included),
 *   so the document cannot drift from what the servers really say.
 */
import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import { Ajv, type SchemaObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import fastUri from 'fast-uri';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { ErrorBody } from './schemas.ts';

// biome-ignore lint/suspicious/noExplicitAny: any Fastify instance, whatever its type provider.
type AnyFastify = FastifyInstance<any, any, any, any, any>;

export interface OpenApiOptions {
  readonly title: string;
  readonly description: string;
  /** Where clients reach the server: the document's `servers`. */
  readonly publicUrl: string;
  /** What the server sends to its subscribers' own URLs (OpenAPI 3.1 `webhooks`). */
  readonly webhooks?: Record<string, unknown>;
}

const error = (description: string) => ({ ...ErrorBody, description });

/**
 * The answers a route gets from the frame rather than its handler, by what the route takes:
 * - 400 `invalid_request`/`invalid_text`/`invalid_amount`/`invalid_json` for input its schema
 *   refuses (validation.ts);
 * - 401/403 from `authorize` unless it is public; 404 when a path parameter names nothing;
 * - 413/415 for a body too large or not JSON;
 * - 429 when it is rate limited;
 * - 503 `database_unavailable`/`storage_full` from every route that reads the database (all but
 *   the liveness check).
 * A route's own declaration of a status wins (its description says more).
 */
export function frameAnswers(route: Pick<RouteOptions, 'method' | 'url' | 'schema' | 'config'>) {
  const schema = route.schema ?? {};
  const methods = [route.method].flat().map((method) => method.toUpperCase());
  const takesBody = methods.some((method) => ['POST', 'PUT', 'PATCH'].includes(method));
  const answers: Record<number, unknown> = {};
  if (schema.body || schema.querystring || schema.params || schema.headers || takesBody) {
    answers[400] = error('The input is refused: `error.details.field` names the field');
  }
  const access = (route.config as { access?: string } | undefined)?.access;
  if (access && access !== 'public') {
    answers[401] = error('No token, or one that is unknown, expired or revoked');
    answers[403] = error('The token may not call this route');
  }
  if (route.url.includes(':')) answers[404] = error('A path parameter names nothing');
  if (takesBody) {
    answers[413] = error('The body is larger than the server accepts');
    answers[415] = error('The body is not `application/json`');
  }
  if ((route.config as { rateLimit?: unknown } | undefined)?.rateLimit) {
    answers[429] = error('Too many requests: wait `Retry-After` seconds');
  }
  if (route.url !== '/health') {
    answers[503] = error(
      '`database_unavailable` (retry in a moment) or `storage_full`; `Retry-After` says when',
    );
  }
  return answers;
}

/** Adds the frame's answers to every route's declared responses (the document's and the check's). */
export function declareFrameAnswers(app: AnyFastify) {
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/docs')) return;
    const response = (route.schema?.response ?? {}) as Record<string, unknown>;
    route.schema = { ...route.schema, response: { ...frameAnswers(route), ...response } };
  });
}

/**
 * `GET /v1/orders/:orderId/cancel` is `getOrderCancel`: the method, then each fixed segment
 * after the version, a collection named just before a parameter in the singular (the parameter
 * picks one of it). A route may set its own `operationId`; two alike fail the start.
 */
export function operationIdOf(method: string, url: string) {
  const segments = url.split('/').filter((segment) => segment !== '' && segment !== 'v1');
  const words = segments.flatMap((segment, index) => {
    if (segment.startsWith(':')) return [];
    const next = segments[index + 1];
    const word = next?.startsWith(':') ? singular(segment) : segment;
    return word.split(/[-_.]/).filter(Boolean);
  });
  return method.toLowerCase() + words.map(capitalized).join('');
}

const singular = (word: string) =>
  word.endsWith('ies')
    ? `${word.slice(0, -3)}y`
    : word.endsWith('s') && !word.endsWith('ss')
      ? word.slice(0, -1)
      : word;

const capitalized = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

export function swaggerOptions(options: OpenApiOptions): FastifyDynamicSwaggerOptions {
  const operationIds = new Map<string, string>();
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: options.title,
        version: '0.1.0',
        description: options.description,
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      },
      servers: [{ url: options.publicUrl }],
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'A session token, API key or terminal token, by what the route is for',
          },
        },
      },
      security: [{ bearer: [] }],
      ...(options.webhooks ? { webhooks: options.webhooks } : {}),
    } as NonNullable<FastifyDynamicSwaggerOptions['openapi']>,
    transformObject: (made) =>
      'openapiObject' in made ? withSharedErrorBody(made.openapiObject) : made.swaggerObject,
    // Each operation says who may call it (`x-access`, the route's `config.access`), and public
    // ones need no token: the authorization-matrix tests read both from the document.
    transform: ({ schema, url, route }) => {
      const access = route.config?.access ?? (url.startsWith('/docs') ? 'public' : undefined);
      const method = [route.method].flat()[0] ?? 'GET';
      const given = (schema as { operationId?: string } | undefined)?.operationId;
      const operationId = given ?? operationIdOf(method, url);
      const key = `${method} ${url}`;
      const holder = operationIds.get(operationId);
      // The document is made more than once (/docs/json and /docs/yaml): the same route again
      // is not a clash.
      if (holder && holder !== key) {
        throw new Error(`${key} and ${holder} would both be operation ${operationId}`);
      }
      operationIds.set(operationId, key);
      return {
        schema: {
          ...schema,
          operationId,
          ...(access ? { 'x-access': access } : {}),
          ...(access === 'public' ? { security: [] } : {}),
        } as typeof schema,
        url,
      };
    },
  };
}

/**
 * The document with the error body named once, as `components.schemas.Error`, and referred to
 * from every error answer: inline, its closed list of codes would be repeated in each of some
 * 350 answers (4.9 MB instead of 1.4), and a generated client would not know them as one type.
 */
function withSharedErrorBody<Document extends object>(original: Document): Document {
  const document = structuredClone(original) as Document & {
    components?: { schemas?: Record<string, unknown> };
  };
  const errorSchema = JSON.parse(JSON.stringify(ErrorBody)) as Record<string, unknown>;
  const { description, ...shape } = errorSchema;
  const canonical = sortedJson(shape);
  const ref = { $ref: '#/components/schemas/Error' };
  let used = false;
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    for (const value of Object.values(node)) visit(value);
    const content = (node as { content?: Record<string, { schema?: object }> }).content;
    for (const media of Object.values(content ?? {})) {
      if (!media.schema || typeof media.schema !== 'object' || '$ref' in media.schema) continue;
      const { description: _, ...candidate } = media.schema as Record<string, unknown>;
      if (sortedJson(candidate) === canonical) {
        media.schema = ref;
        used = true;
      }
    }
  };
  visit((document as { paths?: object }).paths);
  visit((document as { webhooks?: object }).webhooks);
  if (used) {
    document.components = {
      ...document.components,
      schemas: { ...document.components?.schemas, Error: { ...shape, description } },
    };
  }
  return document;
}

/**
 * JSON with every object's keys in order, and a record's `patternProperties: {"^.*$": x}` as the
 * `additionalProperties: x` the document writes for it: the same schema however it was written.
 */
function sortedJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (!inner || typeof inner !== 'object' || Array.isArray(inner)) return inner;
    const { patternProperties, ...rest } = inner as Record<string, unknown>;
    const record = (patternProperties as Record<string, unknown> | undefined)?.['^.*$'];
    const object = record === undefined ? inner : { ...rest, additionalProperties: record };
    return Object.fromEntries(Object.entries(object).sort(([a], [b]) => a.localeCompare(b)));
  });
}

/** Where test runs collect the answers that broke their route's declaration. */
const violationsKey = Symbol.for('tessera.undeclaredAnswers');

export function undeclaredAnswers(): string[] {
  const holder = globalThis as { [violationsKey]?: string[] };
  holder[violationsKey] ??= [];
  return holder[violationsKey];
}

/**
 * Checks every answer against its route's declaration (tests only: it costs a validation per
 * answer). A status the route does not declare, a body its schema refuses, or a field the schema
 * does not name is recorded in `undeclaredAnswers()` (the test setup fails the test that saw it)
 * and turned into a 500 `undeclared_answer`, so the test that made it fails on its status too.
 */
export function checkAnswers(app: AnyFastify) {
  const validators = new WeakMap<object, ValidateFunction>();
  const ajv = new Ajv({
    strict: false,
    allErrors: true,
    uriResolver: fastUri,
    addUsedSchema: false,
  });
  addFormats.default(ajv);
  ajv.addKeyword({ keyword: 'x-text', schemaType: 'string' });
  ajv.addKeyword({ keyword: 'x-amount', schemaType: 'boolean' });
  const validatorOf = (schema: object) => {
    let validate = validators.get(schema);
    if (!validate) {
      validate = ajv.compile(closed(schema) as SchemaObject);
      validators.set(schema, validate);
    }
    return validate;
  };
  const refused = new WeakSet<object>();
  const refuse = (reply: object, what: string) => {
    refused.add(reply);
    undeclaredAnswers().push(what);
    return { error: { code: 'undeclared_answer', message: what } };
  };

  app.addHook('preSerialization', (request, reply, payload, done) => {
    if (request.routeOptions.url === undefined || request.url.startsWith('/docs')) {
      return done(null, payload);
    }
    const route = `${request.method} ${request.routeOptions.url}`;
    const declared = declaredSchema(request.routeOptions.schema?.response, reply.statusCode);
    if (!declared) {
      const what = `${route} answered ${reply.statusCode}, which it does not declare`;
      reply.code(500);
      return done(null, refuse(reply, what));
    }
    const schema = bodySchema(declared, String(reply.getHeader('content-type') ?? ''));
    if (schema) {
      // What goes on the wire: dates become strings as JSON.stringify makes them.
      const body = JSON.parse(JSON.stringify(payload) ?? 'null');
      const validate = validatorOf(schema);
      if (!validate(body)) {
        const status = reply.statusCode;
        reply.code(500);
        return done(
          null,
          refuse(
            reply,
            `${route} answered ${status} with a body its schema refuses: ${ajv.errorsText(validate.errors)}`,
          ),
        );
      }
    }
    done(null, payload);
  });
  // Answers already text (errors, metrics, pages, replayed idempotent answers) skip
  // preSerialization: their status is checked here.
  app.addHook('onSend', (request, reply, payload, done) => {
    if (
      typeof payload === 'string' &&
      !refused.has(reply) &&
      request.routeOptions.url !== undefined &&
      !request.url.startsWith('/docs') &&
      !declaredSchema(request.routeOptions.schema?.response, reply.statusCode)
    ) {
      const what = `${request.method} ${request.routeOptions.url} answered ${reply.statusCode}, which it does not declare`;
      reply.code(500).type('application/json');
      return done(null, JSON.stringify(refuse(reply, what)));
    }
    done(null, payload);
  });
}

function declaredSchema(response: unknown, status: number): object | undefined {
  if (!response || typeof response !== 'object') return undefined;
  const declared = response as Record<string, object | undefined>;
  return (
    declared[String(status)] ??
    declared[`${Math.floor(status / 100)}xx`] ??
    declared[`${Math.floor(status / 100)}XX`] ??
    declared.default
  );
}

/** The schema of a JSON body, or undefined for an answer that is not JSON (text, a page). */
function bodySchema(declared: object, contentType: string): object | undefined {
  const content = (declared as { content?: Record<string, { schema?: object }> }).content;
  if (content) {
    const type = contentType.split(';')[0]?.trim() ?? '';
    return type.endsWith('json') ? content[type]?.schema : undefined;
  }
  if (contentType !== '' && !contentType.includes('json')) return undefined;
  return declared;
}

/**
 * A copy of a schema in which every object lists all it may hold: a field the schema does not
 * name fails the check (serialization would silently drop it, and the document would not say it).
 * Objects that chose otherwise (`additionalProperties`, `patternProperties`) keep their choice.
 */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (!schema || typeof schema !== 'object') return schema;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    copy[key] =
      key === 'properties'
        ? mapValues(value as object, closed)
        : valueKeywords.has(key)
          ? value
          : closed(value);
  }
  if (
    copy.properties &&
    copy.additionalProperties === undefined &&
    copy.patternProperties === undefined &&
    copy.allOf === undefined
  ) {
    copy.additionalProperties = false;
  }
  return copy;
}

/** Keywords whose value is data, not a schema. */
const valueKeywords = new Set(['examples', 'default', 'const', 'enum']);

const mapValues = (object: object, map: (value: unknown) => unknown) =>
  Object.fromEntries(Object.entries(object).map(([key, value]) => [key, map(value)]));
