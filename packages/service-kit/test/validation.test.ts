/**
 * Request validation as both servers get it (validation.ts, text.ts; issue 18 items 6 and 7):
 * clean text in every string with NFC, multi-line only where marked, bodies not coerced, amounts
 * refused as JSON numbers, query strings still coerced, and PostgreSQL's refusal of a NUL answered
 * 400 rather than 500.
 */
import { openDatabase, sql } from '@tessera/db';
import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { testPostgresUrl } from '../../../scripts/test/postgres.ts';
import { AmountString, MultiLineText } from '../src/schemas.ts';
import { textProblem } from '../src/text.ts';
import { frameApp } from './frame-app.ts';

async function frame(handler: (body: unknown) => Promise<unknown> = async (body) => body) {
  const app = await frameApp();
  app.post(
    '/things/:thingId',
    {
      config: { access: 'public' },
      schema: {
        params: Type.Object({ thingId: Type.String({ pattern: '^th_[a-z0-9]{4}$' }) }),
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10 })),
          q: Type.Optional(Type.String({ maxLength: 50 })),
        }),
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 100 }),
            about: Type.Optional(MultiLineText({ maxLength: 1000 })),
            kind: Type.Optional(Type.Union([Type.Literal('a'), Type.Literal('b')])),
            tags: Type.Optional(Type.Array(Type.String({ maxLength: 20 }))),
            amount: Type.Optional(AmountString),
            count: Type.Optional(Type.Integer()),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => ({ body: await handler(request.body), query: request.query }),
  );
  await app.ready();
  return app;
}

async function post(
  app: Awaited<ReturnType<typeof frame>>,
  body: unknown,
  url = '/things/th_abcd',
) {
  const response = await app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json' },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.statusCode, body: response.json() };
}

describe('request validation', () => {
  it('refuses NUL, controls, bidi controls and lone surrogates anywhere, line breaks in single-line text, with invalid_text naming the field', async () => {
    const app = await frame();
    const cases: [unknown, string][] = [
      [{ name: 'a\u0000b' }, 'body.name'],
      [{ name: 'a\nb' }, 'body.name'],
      [{ name: '\u202eevil' }, 'body.name'],
      [{ name: 'x', about: 'line\u0000' }, 'body.about'],
      [{ name: 'x', about: 'a\rb' }, 'body.about'],
      [{ name: 'x', tags: ['ok', 'b\u2067'] }, 'body.tags.1'],
      [{ name: 'x', kind: 'a\u0000' }, 'body.kind'],
      [{ name: 'x', amount: '1\u0000' }, 'body.amount'],
      [{ name: 'a\ufeffb' }, 'body.name'],
      [{ name: ' \u200b\u3164 ' }, 'body.name'],
    ];
    for (const [body, field] of cases) {
      const answer = await post(app, body);
      expect(answer, JSON.stringify(body)).toMatchObject({
        status: 400,
        body: { error: { code: 'invalid_text', details: { field } } },
      });
      expect(answer.body.error.message).toContain(field);
    }
    const surrogate = await post(app, '{"name":"a\\ud800"}');
    expect(surrogate.body.error).toMatchObject({ code: 'invalid_text' });
    const param = await post(app, { name: 'x' }, '/things/th_ab%00d');
    expect(param.body.error).toMatchObject({
      code: 'invalid_text',
      details: { field: 'params.thingId' },
    });
    const query = await post(app, { name: 'x' }, '/things/th_abcd?q=a%1Bb');
    expect(query.body.error).toMatchObject({
      code: 'invalid_text',
      details: { field: 'querystring.q' },
    });
    await app.close();
  });

  it('accepts multi-line text where marked and stores every string in NFC', async () => {
    const app = await frame();
    const answer = await post(app, {
      name: 'Cafe\u0301 \u{1F468}\u200d\u{1F469}',
      about: 'two\nlines\r\nand\ttab',
      tags: ['e\u0301'],
    });
    expect(answer.status).toBe(200);
    expect(answer.body.body).toEqual({
      name: 'Caf\u00e9 \u{1F468}\u200d\u{1F469}',
      about: 'two\nlines\r\nand\ttab',
      tags: ['\u00e9'],
    });
    await app.close();
  });

  it('refuses a JSON number as an amount with invalid_amount, coerces no body field, and still coerces the query string', async () => {
    const app = await frame();
    const big = await post(app, '{"name":"x","amount":9007199254740993}');
    expect(big).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_amount', details: { field: 'body.amount' } } },
    });
    const exponent = await post(app, { name: 'x', amount: '1e3' });
    expect(exponent.body.error.code).toBe('invalid_amount');
    const numberAsName = await post(app, '{"name":12}');
    expect(numberAsName.body.error.code).toBe('invalid_request');
    const stringAsCount = await post(app, { name: 'x', count: '5' });
    expect(stringAsCount.body.error.code).toBe('invalid_request');
    const nullAsName = await post(app, { name: null });
    expect(nullAsName.body.error.code).toBe('invalid_request');
    const ok = await post(
      app,
      { name: 'x', amount: '90071992547409.93' },
      '/things/th_abcd?limit=3',
    );
    expect(ok.status).toBe(200);
    expect(ok.body.body.amount).toBe('90071992547409.93');
    expect(ok.body.query).toEqual({ limit: 3 });
    await app.close();
  });

  it('answers 400 invalid_text, not 500, when PostgreSQL refuses a NUL that no schema stopped', async () => {
    const database = openDatabase({ databaseUrl: testPostgresUrl, sqlitePath: '' });
    try {
      const app = await frame(async (body) => {
        // As a route that forgot its schema would: the raw text straight into a query.
        const raw = (body as { name: string }).name.replace('NUL', '\u0000');
        await sql`select ${raw}::text as t`.execute(database.db);
        return body;
      });
      const answer = await post(app, { name: 'aNULb' });
      expect(answer).toMatchObject({ status: 400, body: { error: { code: 'invalid_text' } } });
      await app.close();
    } finally {
      await database.close();
    }
  });

  it('textProblem: what each kind of text refuses', () => {
    for (const bad of ['\u0000', '\u0008', '\u001f', '\u007f', '\u0085', '\u009f', '\u061c']) {
      expect(textProblem(`a${bad}`, 'multi-line')).toBeDefined();
    }
    for (const bad of [
      '\u200e',
      '\u200f',
      '\u202a',
      '\u202e',
      '\u2066',
      '\u2069',
      '\ud800',
      '\udc00',
    ]) {
      expect(textProblem(`a${bad}b`, 'multi-line')).toBeDefined();
    }
    for (const bad of ['\n', '\r\n', '\t', '\u2028', '\u2029']) {
      expect(textProblem(`a${bad}b`, 'single-line')).toBeDefined();
      expect(textProblem(`a${bad}b`, 'multi-line')).toBeUndefined();
    }
    // Joiners (emoji, Persian), accents, CJK and astral characters are ordinary text.
    for (const good of [
      '\u{1F468}\u200d\u{1F469}',
      'می\u200cخواهم',
      '서울 예술의전당',
      'é',
      '\u{20000}',
    ]) {
      expect(textProblem(good, 'single-line')).toBeUndefined();
    }
  });
});
