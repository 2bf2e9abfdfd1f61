/**
 * Subscribers (S100, S110): open an account as a person or a merchant, verify the phone by SMS
 * code, sign in and out, merchant API keys, and the development SMS inbox.
 */
import { isUniqueViolation, writeTransaction } from '@tessera/db';
import { Type } from 'typebox';
import type { Exchange } from '../context.ts';
import { ApiError, conflict, notFound } from '../errors.ts';
import type { App } from '../http.ts';
import { subscriberOf } from '../http.ts';
import { ErrorBody, errors, Id, iso, Phone } from '../schemas.ts';
import { DevelopmentSms } from '../sms.ts';
import {
  consumeCode,
  createApiKey,
  createSession,
  forgetSession,
  sendCode,
  sha256,
} from './auth.ts';
import { openSubscriber } from './subscribers.ts';

const Kind = Type.Union([Type.Literal('person'), Type.Literal('merchant')]);
const Code = Type.String({ pattern: '^[0-9]{6}$' });

const Subscriber = Type.Object({
  id: Type.String(),
  kind: Kind,
  phone: Type.String(),
  displayName: Type.String(),
  createdAt: Type.String(),
});

const SessionBody = Type.Object({
  token: Type.String({ description: 'Bearer token; shown once' }),
  expiresAt: Type.String(),
  subscriber: Subscriber,
});

export function accountRoutes(app: App, exchange: Exchange) {
  /** Guessable things (codes, sign-ins, key creation): limited per client address. */
  const guessLimit = {
    rateLimit: { max: exchange.config.authRateLimitPerMinute, timeWindow: '1 minute' },
  };
  const db = exchange.database.db;

  const subscriberBody = (row: {
    id: string;
    kind: 'person' | 'merchant';
    phone: string;
    display_name: string;
    created_at: number;
  }) => ({
    id: row.id,
    kind: row.kind,
    phone: row.phone,
    displayName: row.display_name,
    createdAt: iso(row.created_at) as string,
  });

  app.post(
    '/v1/auth/codes',
    {
      config: { access: 'public', ...guessLimit },
      schema: {
        tags: ['accounts'],
        summary: 'Send a sign-in code by SMS',
        description: 'Not idempotent by key: it only sends a code. Five codes per phone per hour.',
        body: Type.Object({ phone: Phone }, { additionalProperties: false }),
        response: {
          202: Type.Object({ expiresAt: Type.String() }),
          400: ErrorBody,
          429: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const { expiresAt } = await sendCode(exchange, request.body.phone);
      return reply.code(202).send({ expiresAt: iso(expiresAt) as string });
    },
  );

  app.post(
    '/v1/subscribers',
    {
      config: { access: 'public', ...guessLimit },
      schema: {
        tags: ['accounts'],
        summary: 'Open an account (person or merchant) with a verified phone',
        description:
          'The code proves the phone. Returns a session token. Not keyed by Idempotency-Key: a second call answers 409 account_exists.',
        body: Type.Object(
          {
            phone: Phone,
            code: Code,
            kind: Kind,
            displayName: Type.String({ minLength: 1, maxLength: 80 }),
          },
          { additionalProperties: false },
        ),
        response: { 201: SessionBody, ...errors, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      const { phone, code, kind, displayName } = request.body;
      const existing = await db
        .selectFrom('subscribers')
        .select('id')
        .where('phone', '=', phone)
        .where('kind', '=', kind)
        .executeTakeFirst();
      if (existing)
        throw conflict('account_exists', `a ${kind} account with this phone exists; sign in`);
      await consumeCode(exchange, phone, code);
      const now = exchange.clock.now();
      let id: string;
      try {
        ({ id } = await writeTransaction(exchange.database, (trx) =>
          openSubscriber(exchange, trx, now, { kind, phone, displayName }),
        ));
      } catch (error) {
        // Two sign-ups with one phone at the same moment: the unique (phone, kind) decides.
        if (!isUniqueViolation(error)) throw error;
        throw conflict('account_exists', `a ${kind} account with this phone exists; sign in`);
      }
      const session = await createSession(exchange, id);
      return reply.code(201).send({
        token: session.token,
        expiresAt: iso(session.expiresAt) as string,
        subscriber: subscriberBody({ id, kind, phone, display_name: displayName, created_at: now }),
      });
    },
  );

  app.post(
    '/v1/auth/sessions',
    {
      config: { access: 'public', ...guessLimit },
      schema: {
        tags: ['accounts'],
        summary: 'Sign in with the phone and its code',
        body: Type.Object(
          { phone: Phone, code: Code, kind: Kind },
          { additionalProperties: false },
        ),
        response: { 201: SessionBody, ...errors, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      const { phone, code, kind } = request.body;
      const row = await db
        .selectFrom('subscribers')
        .selectAll()
        .where('phone', '=', phone)
        .where('kind', '=', kind)
        .executeTakeFirst();
      await consumeCode(exchange, phone, code);
      if (!row) throw notFound(`${kind} account for this phone`);
      if (row.status !== 'active')
        throw new ApiError(403, 'account_suspended', 'this account is suspended');
      const session = await createSession(exchange, row.id);
      return reply.code(201).send({
        token: session.token,
        expiresAt: iso(session.expiresAt) as string,
        subscriber: subscriberBody(row),
      });
    },
  );

  app.delete(
    '/v1/auth/session',
    {
      config: { access: 'subscriber' },
      schema: {
        tags: ['accounts'],
        summary: 'Sign out (revoke this session token)',
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      const token = request.headers.authorization?.slice('Bearer '.length) ?? '';
      await db
        .updateTable('sessions')
        .set({ revoked_at: exchange.clock.now() })
        .where('token_hash', '=', sha256(token))
        .execute();
      // After the write: a lookup racing the sign-out cannot put the session back.
      await forgetSession(exchange, token);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/v1/me',
    {
      config: { access: 'subscriber' },
      schema: { tags: ['accounts'], summary: 'Who am I', response: { 200: Subscriber, ...errors } },
    },
    async (request) => {
      const me = subscriberOf(request);
      const row = await db
        .selectFrom('subscribers')
        .selectAll()
        .where('id', '=', me.id)
        .executeTakeFirstOrThrow();
      return subscriberBody(row);
    },
  );

  const ApiKey = Type.Object({
    id: Type.String(),
    label: Type.String(),
    prefix: Type.String(),
    createdAt: Type.String(),
    lastUsedAt: Type.Union([Type.String(), Type.Null()]),
    revokedAt: Type.Union([Type.String(), Type.Null()]),
  });

  app.post(
    '/v1/merchant/api-keys',
    {
      config: { access: 'merchant', ...guessLimit },
      schema: {
        tags: ['merchants'],
        summary: 'Create an API key (shown once, stored hashed)',
        description: 'Only a signed-in session may create keys, not another key.',
        body: Type.Object(
          { label: Type.String({ minLength: 1, maxLength: 80 }) },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ id: Type.String(), key: Type.String() }), ...errors },
      },
    },
    async (request, reply) => {
      const me = subscriberOf(request);
      if (me.via !== 'session') throw new ApiError(403, 'forbidden', 'sign in to create API keys');
      return reply.code(201).send(await createApiKey(exchange, me.id, request.body.label));
    },
  );

  app.get(
    '/v1/merchant/api-keys',
    {
      config: { access: 'merchant' },
      schema: {
        tags: ['merchants'],
        summary: 'List API keys',
        response: { 200: Type.Object({ keys: Type.Array(ApiKey) }), ...errors },
      },
    },
    async (request) => {
      const me = subscriberOf(request);
      const rows = await db
        .selectFrom('api_keys')
        .selectAll()
        .where('subscriber_id', '=', me.id)
        .orderBy('created_at', 'desc')
        .execute();
      return {
        keys: rows.map((row) => ({
          id: row.id,
          label: row.label,
          prefix: row.prefix,
          createdAt: iso(row.created_at) as string,
          lastUsedAt: iso(row.last_used_at),
          revokedAt: iso(row.revoked_at),
        })),
      };
    },
  );

  app.delete(
    '/v1/merchant/api-keys/:id',
    {
      config: { access: 'merchant' },
      schema: {
        tags: ['merchants'],
        summary: 'Revoke an API key; it stops working at once',
        params: Type.Object({ id: Id('key') }),
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      const me = subscriberOf(request);
      const result = await db
        .updateTable('api_keys')
        .set({ revoked_at: exchange.clock.now() })
        .where('id', '=', request.params.id)
        .where('subscriber_id', '=', me.id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) throw notFound('active API key');
      return reply.code(204).send(null);
    },
  );

  app.put(
    '/v1/merchant/return-urls',
    {
      config: { access: 'merchant' },
      schema: {
        tags: ['merchants'],
        summary: 'Set the return URL prefixes the hosted buy page may send buyers back to',
        body: Type.Object(
          {
            urls: Type.Array(Type.String({ pattern: '^https?://[^\\s]+$', maxLength: 300 }), {
              maxItems: 20,
            }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ urls: Type.Array(Type.String()) }), ...errors },
      },
    },
    async (request) => {
      const me = subscriberOf(request);
      const urls = request.body.urls.map((url) => new URL(url).href);
      await db
        .updateTable('subscribers')
        .set({ return_urls: JSON.stringify(urls) })
        .where('id', '=', me.id)
        .execute();
      return { urls };
    },
  );

  if (exchange.config.devEndpoints && exchange.sms instanceof DevelopmentSms) {
    const sms = exchange.sms;
    app.get(
      '/dev/sms',
      {
        config: { access: 'public' },
        schema: {
          tags: ['development'],
          summary: 'Development only: the messages sent to a phone (off in production)',
          querystring: Type.Object({ phone: Phone }),
          response: {
            200: Type.Object({
              messages: Type.Array(Type.Object({ text: Type.String(), at: Type.String() })),
              lastCode: Type.Union([Type.String(), Type.Null()]),
            }),
          },
        },
      },
      async (request) => ({
        messages: sms
          .messages(request.query.phone)
          .map((m) => ({ text: m.text, at: iso(m.at) as string })),
        lastCode: sms.lastCode(request.query.phone) ?? null,
      }),
    );
  }
}
