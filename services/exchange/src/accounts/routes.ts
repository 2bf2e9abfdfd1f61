/**
 * Subscribers (S100, S110): open an account as a person or a merchant, verify the phone by SMS
 * code, sign in and out, merchant API keys, and the development SMS inbox.
 */
import { Type } from 'typebox';
import type { Exchange } from '../context.ts';
import type { App } from '../http.ts';
import { subscriberOf } from '../http.ts';
import { ErrorBody, errors, Id, iso, Phone } from '../schemas.ts';
import { DevelopmentSms } from '../sms.ts';
import {
  createMerchantApiKey,
  listApiKeys,
  revokeApiKey,
  sendCode,
  signIn,
  signOut,
} from './auth.ts';
import { type SubscriberRecord, setReturnUrls, signUp, subscriberRecord } from './subscribers.ts';

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

const ApiKey = Type.Object({
  id: Type.String(),
  label: Type.String(),
  prefix: Type.String(),
  createdAt: Type.String(),
  lastUsedAt: Type.Union([Type.String(), Type.Null()]),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
});

const subscriberBody = (subscriber: SubscriberRecord) => ({
  id: subscriber.id,
  kind: subscriber.kind,
  phone: subscriber.phone,
  displayName: subscriber.displayName,
  createdAt: iso(subscriber.createdAt) as string,
});

const sessionBody = (signedIn: {
  session: { token: string; expiresAt: number };
  subscriber: SubscriberRecord;
}) => ({
  token: signedIn.session.token,
  expiresAt: iso(signedIn.session.expiresAt) as string,
  subscriber: subscriberBody(signedIn.subscriber),
});

/** Guessable things (codes, sign-ins, key creation): limited per client address. */
const guessLimitOf = (exchange: Exchange) => ({
  rateLimit: { max: exchange.config.authRateLimitPerMinute, timeWindow: '1 minute' },
});

export function accountRoutes(app: App, exchange: Exchange) {
  // In the order of the API document.
  codeRoute(app, exchange);
  signUpRoute(app, exchange);
  sessionRoutes(app, exchange);
  meRoute(app, exchange);
  apiKeyRoutes(app, exchange);
  returnUrlRoutes(app, exchange);
  // Development only: the configuration refuses it in production, and it is checked here again.
  const { devEndpoints, environment } = exchange.config;
  if (devEndpoints && environment !== 'production' && exchange.sms instanceof DevelopmentSms) {
    devSmsRoute(app, exchange.sms);
  }
}

function codeRoute(app: App, exchange: Exchange) {
  app.post(
    '/v1/auth/codes',
    {
      config: { access: 'public', ...guessLimitOf(exchange) },
      schema: {
        tags: ['accounts'],
        summary: 'Send a sign-in code by SMS',
        description:
          'Not idempotent by key: it only sends a code. Two codes to a number at once, then a doubling wait (30 s, 1 min, 2 min...), at most 10 a day; also limited per client address and per number prefix. 429 rate_limited carries Retry-After.',
        body: Type.Object({ phone: Phone }, { additionalProperties: false }),
        response: {
          202: Type.Object({ expiresAt: Type.String() }),
          400: ErrorBody,
          429: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const { expiresAt } = await sendCode(exchange, request.body.phone, request.ip);
      return reply.code(202).send({ expiresAt: iso(expiresAt) as string });
    },
  );
}

function sessionRoutes(app: App, exchange: Exchange) {
  app.post(
    '/v1/auth/sessions',
    {
      config: { access: 'public', ...guessLimitOf(exchange) },
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
    async (request, reply) =>
      reply.code(201).send(sessionBody(await signIn(exchange, request.body))),
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
      await signOut(exchange, request.headers.authorization?.slice('Bearer '.length) ?? '');
      return reply.code(204).send(null);
    },
  );
}

function signUpRoute(app: App, exchange: Exchange) {
  app.post(
    '/v1/subscribers',
    {
      config: { access: 'public', ...guessLimitOf(exchange) },
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
    async (request, reply) =>
      reply.code(201).send(sessionBody(await signUp(exchange, request.body))),
  );
}

function meRoute(app: App, exchange: Exchange) {
  app.get(
    '/v1/me',
    {
      config: { access: 'subscriber' },
      schema: { tags: ['accounts'], summary: 'Who am I', response: { 200: Subscriber, ...errors } },
    },
    async (request) => subscriberBody(await subscriberRecord(exchange, subscriberOf(request).id)),
  );
}

function apiKeyRoutes(app: App, exchange: Exchange) {
  app.post(
    '/v1/merchant/api-keys',
    {
      config: { access: 'merchant', ...guessLimitOf(exchange) },
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
      return reply.code(201).send(await createMerchantApiKey(exchange, me, request.body.label));
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
      const keys = await listApiKeys(exchange, subscriberOf(request).id);
      return {
        keys: keys.map((key) => ({
          id: key.id,
          label: key.label,
          prefix: key.prefix,
          createdAt: iso(key.createdAt) as string,
          lastUsedAt: iso(key.lastUsedAt),
          revokedAt: iso(key.revokedAt),
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
      await revokeApiKey(exchange, subscriberOf(request).id, request.params.id);
      return reply.code(204).send(null);
    },
  );
}

function returnUrlRoutes(app: App, exchange: Exchange) {
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
    async (request) => ({
      urls: await setReturnUrls(exchange, subscriberOf(request).id, request.body.urls),
    }),
  );
}

function devSmsRoute(app: App, sms: DevelopmentSms) {
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
