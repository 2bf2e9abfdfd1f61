/**
 * The exchange's HTTP API (patent unit 200): Fastify with TypeBox schemas on every route, the
 * OpenAPI document generated from them at /docs, one error shape, authentication on every route
 * unless a route says it is public.
 */
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { writeTransaction } from '@tessera/db';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { authenticate, type Principal, requireOperator, requireSubscriber } from './auth.ts';
import type { Exchange, Work } from './context.ts';
import { houseAccounts } from './db/migrations.ts';
import { ApiError } from './errors.ts';
import { idempotent, type Outcome } from './idempotency.ts';
import { openBalances } from './ledger.ts';

/** Who may call a route. Every route must say; `public` is the only one without a token. */
export type Access = 'public' | 'subscriber' | 'person' | 'merchant' | 'operator' | 'any';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    principal?: Principal;
  }
}

export function createFastify(exchange: Exchange) {
  return Fastify({
    logger:
      exchange.config.logLevel === 'silent'
        ? false
        : {
            level: exchange.config.logLevel,
            // Never log secrets: no headers, and no query strings (a stream ticket rides there).
            serializers: {
              req: (request: FastifyRequest) => ({
                method: request.method,
                url: request.url.split('?')[0] ?? '',
                remoteAddress: request.ip,
              }),
            },
          },
    bodyLimit: 64 * 1024,
    trustProxy: false,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();
}

export type App = ReturnType<typeof createFastify>;

export async function buildApp(
  exchange: Exchange,
  register: ReadonlyArray<(app: App, exchange: Exchange) => void | Promise<void>>,
) {
  // House accounts get their balance row for every configured asset (new assets included).
  await writeTransaction(exchange.database, (trx) =>
    openBalances(
      trx,
      exchange.database.dialect,
      exchange.clock.now(),
      Object.values(houseAccounts),
      [...exchange.assets.keys()],
    ),
  );
  const app = createFastify(exchange);

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof ApiError) {
      return reply.code(error.status).send({
        error: {
          code: error.code,
          message: error.message,
          ...(error.details ? { details: error.details } : {}),
        },
      });
    }
    const fastifyError = error as {
      validation?: unknown;
      statusCode?: number;
      code?: string;
      message: string;
    };
    if (fastifyError.validation) {
      return reply
        .code(400)
        .send({ error: { code: 'invalid_request', message: fastifyError.message } });
    }
    if (fastifyError.statusCode === 429) {
      return reply
        .code(429)
        .send({ error: { code: 'rate_limited', message: 'too many requests; slow down' } });
    }
    if (
      fastifyError.statusCode &&
      fastifyError.statusCode >= 400 &&
      fastifyError.statusCode < 500
    ) {
      return reply
        .code(fastifyError.statusCode)
        .send({ error: { code: 'bad_request', message: fastifyError.message } });
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.code(500).send({ error: { code: 'internal_error', message: 'internal error' } });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      error: {
        code: 'not_found',
        message: `no route ${request.method} ${request.url.split('?')[0]}`,
      },
    }),
  );

  await app.register(cors, {
    origin: exchange.config.corsOrigins.length > 0 ? [...exchange.config.corsOrigins] : false,
    allowedHeaders: ['authorization', 'content-type', 'idempotency-key'],
    exposedHeaders: ['idempotent-replayed'],
    methods: ['GET', 'POST', 'PUT', 'DELETE'],
  });
  // Only routes that opt in are limited (sign-in codes, API keys): guessable things.
  await app.register(rateLimit, { global: false });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Tessera exchange API',
        version: '0.1.0',
        description:
          'Custodial wallets, fiat deposits, crypto at quoted rates, transfers, payment requests and notifications. Amounts are decimal strings in whole units of their asset.',
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.addHook('onRoute', (route) => {
    const access = route.config?.access;
    if (route.url.startsWith('/docs')) {
      route.config = { ...route.config, access: 'public' };
    } else if (!access) {
      throw new Error(`route ${route.method} ${route.url} does not declare who may call it`);
    }
  });
  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access;
    if (!access || access === 'public') return;
    const principal = await authenticate(exchange, request.headers.authorization);
    request.principal = principal;
    if (access === 'operator') requireOperator(principal);
    else if (access === 'subscriber') requireSubscriber(principal);
    else if (access === 'person' || access === 'merchant') requireSubscriber(principal, access);
  });

  app.get(
    '/health',
    {
      config: { access: 'public' },
      schema: { tags: ['operations'], summary: 'Liveness: the process answers' },
    },
    async () => ({ status: 'ok' }),
  );
  app.get(
    '/ready',
    {
      config: { access: 'public' },
      schema: { tags: ['operations'], summary: 'Readiness: the database answers' },
    },
    async (_request, reply) => {
      try {
        await exchange.database.db.selectFrom('accounts').select('id').limit(1).execute();
        return { status: 'ready' };
      } catch {
        return reply
          .code(503)
          .send({ error: { code: 'not_ready', message: 'the database does not answer' } });
      }
    },
  );

  for (const plugin of register) await plugin(app, exchange);
  return app;
}

/** Runs a mutating route's effect under its idempotency key and sends the outcome. */
export async function mutate(
  exchange: Exchange,
  request: FastifyRequest,
  reply: FastifyReply,
  effect: (work: Work) => Promise<Outcome>,
) {
  const principal = request.principal;
  const owner = !principal ? 'public' : principal.type === 'operator' ? 'operator' : principal.id;
  const outcome = await idempotent(
    exchange,
    { method: request.method, url: request.url, body: request.body, headers: request.headers },
    owner,
    effect,
  );
  if (outcome.replayed) reply.header('idempotent-replayed', 'true');
  return reply.code(outcome.status).send(outcome.body);
}

export function subscriberOf(request: FastifyRequest) {
  return requireSubscriber(request.principal);
}
