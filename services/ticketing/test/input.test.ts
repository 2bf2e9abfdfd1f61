/**
 * Issue 18, items 6 and 7, on both servers and both databases, driven by their OpenAPI documents:
 * - every string field of every route (body, query string, path parameters, the CSV seat map)
 *   refuses NUL, control characters, bidirectional controls, lone surrogates and, where the text
 *   is single-line, line breaks, with 400 invalid_text naming the field; nothing is stored;
 * - every amount field refuses a JSON number with 400 invalid_amount (2^53 + 1 would otherwise
 *   arrive as ...992).
 */
import { type Database, sql } from '@tessera/db';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textProblem } from '../../../packages/service-kit/src/text.ts';
import {
  isString,
  type Operation,
  operationsOf,
  type Probe,
  probes,
  type Schema,
  sample,
  urlOf,
} from '../../../scripts/test/openapi-probes.ts';
import { setupEvent } from './fixtures.ts';
import { enrolTerminal } from './gate-kit.ts';
import { backends, key, startTestSystem, type TestSystem } from './harness.ts';

/** Refused in every string field. */
const everywhere: Record<string, string> = {
  nul: '\u0000',
  bell: '\u0007',
  escape: '\u001b',
  del: '\u007f',
  c1: '\u0085',
  'right-to-left override': '\u202e',
  'left-to-right isolate': '\u2066',
  'right-to-left mark': '\u200f',
  'lone surrogate': '\ud800',
  'byte order mark': '\ufeff',
  noncharacter: '\uffff',
};
/** Refused in single-line fields (all but descriptions and files). */
const singleLineOnly: Record<string, string> = { 'CR LF': '\r\n', LF: '\n', tab: '\t' };

// biome-ignore lint/suspicious/noExplicitAny: either server's app.
type AnyApp = FastifyInstance<any, any, any, any, any>;

interface Server {
  readonly name: string;
  readonly app: AnyApp;
  /** Tokens tried in turn until one passes the route's access check. */
  readonly tokens: readonly string[];
  // biome-ignore lint/suspicious/noExplicitAny: either server's database.
  readonly database: Database<any>;
}

interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: the error body.
  body: any;
}

/** Sends the request with the first token the route lets through (past 401 and 403). */
async function send(
  server: Server,
  operation: Operation,
  url: string,
  payload?: { type: string; text: string },
): Promise<Answer> {
  let answer: Answer = { status: 0, body: undefined };
  for (const token of server.tokens) {
    const response = await server.app.inject({
      method: operation.method as 'GET',
      url,
      headers: {
        authorization: `Bearer ${token}`,
        'idempotency-key': key(),
        ...(payload ? { 'content-type': payload.type } : {}),
      },
      ...(payload ? { payload: payload.text } : {}),
      // Answered as soon as the head is written: a live feed that accepts the value (U+FFFD
      // is text) never ends, so its body is not waited for; it is closed instead.
      payloadAsStream: true,
    });
    if (String(response.headers['content-type']).startsWith('text/event-stream')) {
      response.raw.res.destroy();
      answer = { status: response.statusCode, body: '(an event stream)' };
      if (answer.status !== 401 && answer.status !== 403) return answer;
      continue;
    }
    let text = '';
    for await (const chunk of response.stream()) text += String(chunk);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
    answer = { status: response.statusCode, body };
    if (answer.status !== 401 && answer.status !== 403) return answer;
  }
  return answer;
}

const pathValues = (operation: Operation) =>
  Object.fromEntries(operation.pathParams.map((p) => [p.name, String(sample(p.schema))]));

const requiredQuery = (operation: Operation) =>
  Object.fromEntries(
    operation.queryParams.filter((p) => p.required).map((p) => [p.name, sample(p.schema)]),
  );

const encodeBody = (contentType: string, value: unknown) =>
  contentType === 'application/json' ? JSON.stringify(value) : String(value);

/** Every probe of a string input of the operation: where it is and how to send a value there. */
function textProbes(operation: Operation) {
  const out: {
    field: string;
    schema: Schema;
    url: (v: string) => string;
    body?: Probe & { contentType: string };
  }[] = [];
  for (const param of operation.pathParams) {
    if (!isString(param.schema)) continue;
    out.push({
      field: `params.${param.name}`,
      schema: param.schema,
      url: (v) =>
        urlOf(operation, { ...pathValues(operation), [param.name]: v }, requiredQuery(operation)),
    });
  }
  for (const param of operation.queryParams) {
    if (!isString(param.schema) && !param.schema.anyOf) continue;
    out.push({
      field: `querystring.${param.name}`,
      schema: param.schema.anyOf?.find(isString) ?? param.schema,
      url: (v) =>
        urlOf(operation, pathValues(operation), { ...requiredQuery(operation), [param.name]: v }),
    });
  }
  const url = urlOf(operation, pathValues(operation), requiredQuery(operation));
  for (const body of operation.bodies) {
    for (const probe of probes(body.schema, isString)) {
      out.push({
        field: probe.field ? `body.${probe.field}` : 'body',
        schema: probe.schema,
        url: () => url,
        body: { ...probe, contentType: body.contentType },
      });
    }
  }
  return out;
}

/** Strings in any table of the database that no field should have let in. */
async function badTextStored(database: Server['database']) {
  const tables =
    database.dialect === 'postgres'
      ? await sql<{
          name: string;
        }>`select table_name as name from information_schema.tables where table_schema = current_schema()`.execute(
          database.db,
        )
      : await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(
          database.db,
        );
  const found: string[] = [];
  for (const { name } of tables.rows) {
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(name)}`.execute(
      database.db,
    );
    for (const row of rows.rows) {
      for (const [column, value] of Object.entries(row)) {
        if (typeof value === 'string' && textProblem(value, 'multi-line')) {
          found.push(`${name}.${column}: ${JSON.stringify(value)}`);
        }
      }
    }
  }
  return found;
}

describe.each(backends)('every input is clean text, amounts are strings (%s)', (backend) => {
  let s: TestSystem;
  let servers: Server[];

  beforeAll(async () => {
    s = await startTestSystem(backend);
    const setup = await setupEvent(s);
    const terminal = await enrolTerminal(s, setup);
    const person = await s.x.signUp('person');
    const merchant = await s.x.signUp('merchant');
    servers = [
      {
        name: 'exchange',
        app: s.x.app,
        tokens: [person.token, merchant.token, s.x.exchange.config.operatorToken],
        database: s.x.database,
      },
      {
        name: 'ticketing',
        app: s.app,
        tokens: [setup.organizer.owner.token, s.ticketing.config.operatorToken, terminal.token],
        database: s.database,
      },
    ];
  }, 120_000);

  afterAll(async () => {
    await s?.close();
  });

  it('refuses NUL, controls, line breaks, bidi controls and lone surrogates in every string field with 400 invalid_text, and stores none', async () => {
    const failures: string[] = [];
    let checked = 0;
    for (const server of servers) {
      expect(await badTextStored(server.database)).toEqual([]);
      for (const operation of operationsOf(server.app.swagger() as never)) {
        for (const probe of textProbes(operation)) {
          const multiLine = probe.schema['x-text'] === 'multi-line';
          const classes = { ...everywhere, ...(multiLine ? {} : singleLineOnly) };
          const prefix = String(sample(probe.schema));
          for (const [what, bad] of Object.entries(classes)) {
            const value = `${prefix}${bad}`;
            const answer = probe.body
              ? await send(server, operation, probe.url(''), {
                  type: probe.body.contentType,
                  text: encodeBody(probe.body.contentType, probe.body.make(value)),
                })
              : await send(server, operation, probe.url(value));
            checked += 1;
            const where = `${server.name} ${operation.method} ${operation.path} ${probe.field} (${what})`;
            // A lone surrogate cannot be sent in a URL or a text body: its bytes are not UTF-8,
            // and they arrive as U+FFFD (or the router refuses the URL); never a 500.
            const unsendable =
              what === 'lone surrogate' && probe.body?.contentType !== 'application/json';
            // A signed delivery is checked for its signature before anything in its body is
            // read: an unsigned one is refused 401 whatever it holds.
            const signedBody = probe.body !== undefined && operation.signed;
            const refused = unsendable
              ? answer.status < 500
              : signedBody
                ? answer.status === 401 && answer.body?.error?.code === 'invalid_signature'
                : typeof answer.body === 'string'
                  ? answer.status === 400 // an HTML page (the buy page) answers with its own page
                  : answer.status === 400 &&
                    answer.body?.error?.code === 'invalid_text' &&
                    answer.body.error.details?.field === probe.field;
            if (!refused)
              failures.push(
                `${where}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`,
              );
          }
        }
      }
      expect(await badTextStored(server.database)).toEqual([]);
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(1000);
  }, 300_000);

  it('validates every path parameter (a route without a params schema would pass NUL to its handler)', () => {
    const unchecked: string[] = [];
    for (const server of servers) {
      for (const operation of operationsOf(server.app.swagger() as never)) {
        for (const [, name] of operation.path.matchAll(/\{([^}]+)\}/g)) {
          const param = operation.pathParams.find((p) => p.name === name);
          if (!param?.schema?.pattern && !param?.schema?.enum && !param?.schema?.maxLength) {
            unchecked.push(`${server.name} ${operation.method} ${operation.path} ${name}`);
          }
        }
      }
    }
    expect(unchecked).toEqual([]);
  });

  it('stores names in NFC: "Cafe" + combining acute and "Café" are one spelling', async () => {
    const owner = await s.signIn();
    const created = await s.request('POST', '/v1/organizers', {
      token: owner.token,
      body: { name: 'Cafe\u0301 \uc11c\uc6b8' },
    });
    expect(created.status).toBe(201);
    expect(created.body.name).toBe('Caf\u00e9 \uc11c\uc6b8');
    const row = await s.database.db
      .selectFrom('organizers')
      .select('name')
      .where('id', '=', created.body.id)
      .executeTakeFirstOrThrow();
    expect(row.name).toBe('Caf\u00e9 \uc11c\uc6b8');
  });

  it('refuses 9007199254740993 as a JSON number for a payment request amount instead of storing ...992', async () => {
    const merchant = await s.x.signUp('merchant');
    const text = `{"asset":"USDT","amount":9007199254740993,"reference":"r-1","expiresInS":600}`;
    const answer = await s.x.app.inject({
      method: 'POST',
      url: '/v1/payment-requests',
      headers: {
        authorization: `Bearer ${merchant.token}`,
        'idempotency-key': key(),
        'content-type': 'application/json',
      },
      payload: text,
    });
    expect(answer.statusCode).toBe(400);
    expect(answer.json().error).toMatchObject({
      code: 'invalid_amount',
      details: { field: 'body.amount' },
    });
    const stored = await s.x.database.db
      .selectFrom('payment_requests')
      .select('reference')
      .where('reference', '=', 'r-1')
      .execute();
    expect(stored).toEqual([]);
  });

  it('refuses a JSON number in every amount field with 400 invalid_amount (2^53 + 1 is not rounded into an amount)', async () => {
    const failures: string[] = [];
    const amountFields: string[] = [];
    for (const server of servers) {
      for (const operation of operationsOf(server.app.swagger() as never)) {
        const url = urlOf(operation, pathValues(operation), requiredQuery(operation));
        for (const body of operation.bodies.filter((b) => b.contentType === 'application/json')) {
          for (const probe of probes(body.schema, (schema) => schema['x-amount'] === true)) {
            amountFields.push(
              `${server.name} ${operation.method} ${operation.path} ${probe.field}`,
            );
            const marker = '"__amount_as_a_number__"';
            const text = JSON.stringify(probe.make(JSON.parse(marker))).replace(
              marker,
              '9007199254740993',
            );
            const answer = await send(server, operation, url, { type: 'application/json', text });
            if (
              answer.status !== 400 ||
              answer.body?.error?.code !== 'invalid_amount' ||
              answer.body.error.details?.field !== `body.${probe.field}`
            ) {
              failures.push(
                `${server.name} ${operation.method} ${operation.path} ${probe.field}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`,
              );
            }
          }
          // Any field named like money must be an amount field.
          for (const probe of probes(
            body.schema,
            (schema) =>
              schema.type !== undefined && schema.type !== 'object' && schema.type !== 'array',
          )) {
            const name = probe.field.split('.').pop() ?? '';
            if (
              /(amount|price|storedvalue|fee|total|debit)$/i.test(name) &&
              probe.schema['x-amount'] !== true
            ) {
              failures.push(
                `${server.name} ${operation.method} ${operation.path} ${probe.field} is not an amount field`,
              );
            }
          }
        }
      }
    }
    expect(failures).toEqual([]);
    expect(amountFields.length).toBeGreaterThanOrEqual(9);
  }, 120_000);
});
