/**
 * How both servers validate requests (Ajv, the validator Fastify itself uses, with our rules):
 * - Bodies are not coerced: a JSON number where the schema wants a string is refused, never turned
 *   into a string (9007199254740993 would arrive as "9007199254740992"). Query strings, path
 *   parameters and headers are text on the wire, so they keep Fastify's coercion (to numbers,
 *   booleans and one-element arrays).
 * - Every string of every request part is clean text (`text.ts`): each string schema without an
 *   `x-text` mark gets `x-text: single-line` when its route is compiled; `MultiLineText` marks the
 *   few that may hold line breaks. Accepted strings are rewritten to NFC in place.
 * - `validationFailure` turns Ajv's errors into our codes: `invalid_text` when a refused string
 *   holds a character no field accepts (whichever keyword stopped it first: an identifier's
 *   pattern, an enum), `invalid_amount` for any failure of an amount (`x-amount`) field, such as a
 *   JSON number.
 */
import {
  Ajv,
  type ErrorObject,
  type Options,
  type SchemaObject,
  type SchemaValidateFunction,
} from 'ajv';
import addFormats from 'ajv-formats';
import fastUri from 'fast-uri';
import { type ApiError, badRequest } from './errors.ts';
import { isBlank, normalizeText, type TextKind, textProblem } from './text.ts';

const baseOptions: Options = {
  useDefaults: true,
  removeAdditional: false,
  uriResolver: fastUri,
  addUsedSchema: false,
  // One error at a time: with allErrors, a crafted body can make the validator do much more work.
  allErrors: false,
  // Errors carry the value and the schema that refused it, so that `validationFailure` can tell
  // a text or an amount failure from another.
  verbose: true,
};

function createAjv(coerceTypes: boolean | 'array') {
  const ajv = new Ajv({ ...baseOptions, coerceTypes });
  addFormats.default(ajv);
  const text: SchemaValidateFunction = (kind: TextKind, data: string, schema, context) => {
    const required = ((schema as SchemaObject | undefined)?.minLength ?? 0) > 0;
    const problem =
      textProblem(data, kind) ?? (required && isBlank(data) ? 'nothing visible' : undefined);
    if (problem) {
      text.errors = [{ keyword: 'x-text', message: `contains ${problem}`, params: { kind } }];
      return false;
    }
    const normal = normalizeText(data);
    if (normal !== data && context?.parentData !== undefined) {
      (context.parentData as Record<string | number, unknown>)[context.parentDataProperty] = normal;
    }
    return true;
  };
  ajv.addKeyword({
    keyword: 'x-text',
    type: 'string',
    schemaType: 'string',
    modifying: true,
    errors: true,
    validate: text,
  });
  ajv.addKeyword({ keyword: 'x-amount', schemaType: 'boolean' });
  return ajv;
}

/** A copy of the schema where every string without an `x-text` mark is single-line text. */
export function markText(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(markText);
  if (schema === null || typeof schema !== 'object') return schema;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    // Values, not schemas: leave them as they are.
    copy[key] =
      key === 'enum' || key === 'const' || key === 'default' || key === 'examples'
        ? value
        : key === 'properties' || key === 'patternProperties' || key === '$defs'
          ? Object.fromEntries(
              Object.entries(value as Record<string, unknown>).map(([name, sub]) => [
                name,
                markText(sub),
              ]),
            )
          : markText(value);
  }
  const type = copy.type;
  const isString = type === 'string' || (Array.isArray(type) && type.includes('string'));
  if (isString && copy['x-text'] === undefined) copy['x-text'] = 'single-line';
  return copy;
}

export type HttpPart = 'body' | 'querystring' | 'params' | 'headers';

/** Fastify's validator compiler for both servers (`app.setValidatorCompiler`). */
export function validatorCompiler() {
  const body = createAjv(false);
  const text = createAjv('array');
  const marked = new WeakMap<object, SchemaObject>();
  return ({ schema, httpPart }: { schema: unknown; httpPart?: string }) => {
    const source = schema as SchemaObject;
    let copy = marked.get(source);
    if (!copy) {
      copy = markText(source) as SchemaObject;
      marked.set(source, copy);
    }
    return (httpPart === 'body' ? body : text).compile(copy);
  };
}

const fieldName = (context: string | undefined, error: ErrorObject) => {
  const path = error.instancePath.split('/').slice(1).join('.');
  return [context, path].filter(Boolean).join('.') || context || 'input';
};

/**
 * Our answer to a schema failure: `invalid_text` or `invalid_amount` naming the field, or
 * undefined for any other failure (the caller answers `invalid_request`).
 */
export function validationFailure(
  errors: readonly ErrorObject[],
  context: string | undefined,
): ApiError | undefined {
  for (const error of errors) {
    if (error.keyword === 'x-text') {
      const field = fieldName(context, error);
      return badRequest('invalid_text', `${field} ${error.message}`, { field });
    }
    if (typeof error.data !== 'string') continue;
    const kind: TextKind =
      (error.parentSchema as SchemaObject | undefined)?.['x-text'] === 'multi-line'
        ? 'multi-line'
        : 'single-line';
    const problem = textProblem(error.data, kind);
    if (problem) {
      const field = fieldName(context, error);
      return badRequest('invalid_text', `${field} contains ${problem}`, { field });
    }
  }
  for (const error of errors) {
    if ((error.parentSchema as SchemaObject | undefined)?.['x-amount'] === true) {
      const field = fieldName(context, error);
      return badRequest(
        'invalid_amount',
        `${field} must be a decimal string such as "12.5" (not a JSON number)`,
        { field },
      );
    }
  }
  return undefined;
}

/** PostgreSQL's codes for text it cannot store (NUL in text, `\u0000` in jsonb). */
const unstorableTextCodes = new Set(['22021', '22P05']);

/**
 * A last line behind the schemas: text that PostgreSQL refuses (a NUL that reached a query by a
 * path no schema covers) answers 400 invalid_text rather than 500.
 */
export function databaseTextFailure(error: unknown): ApiError | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !unstorableTextCodes.has(code)) return undefined;
  return badRequest('invalid_text', 'the request holds text that cannot be stored', {
    field: 'unknown',
  });
}
