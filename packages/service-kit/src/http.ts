/**
 * The HTTP frame both servers share: Fastify with TypeBox schemas, one error shape
 * (`{error: {code, message, details?}}`), CORS for the apps' origins, opt-in rate limits, the
 * OpenAPI document and its viewer at /docs, health and readiness, and access control: every
 * route must declare who may call it (a route that does not fails the start), and `authorize`
 * runs before the handler of every route that is not public.
 */
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { ConfigError } from './config.ts';
import { ApiError } from './errors.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route; each service defines its own names. `public` needs no token. */
    access?: string;
  }
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'silent';

export function createFastify(options: { logLevel: LogLevel; bodyLimit?: number }) {
  return Fastify({
    logger:
      options.logLevel === 'silent'
        ? false
        : {
            level: options.logLevel,
            // Never log secrets: no headers, and no query strings (stream tickets ride there).
            serializers: {
              req: (request: FastifyRequest) => ({
                method: request.method,
                url: request.url.split('?')[0] ?? '',
                remoteAddress: request.ip,
              }),
            },
          },
    bodyLimit: options.bodyLimit ?? 64 * 1024,
    trustProxy: false,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();
}

export interface ServiceAppOptions {
  readonly title: string;
  readonly description: string;
  readonly corsOrigins: readonly string[];
  /** Extra request headers the apps send (authorization and content-type are always allowed). */
  readonly corsHeaders?: readonly string[];
  /** Runs before every non-public route: authenticate the caller and check `access`. */
  authorize(request: FastifyRequest, access: string): Promise<void>;
  /** Throws when the service cannot serve (its database does not answer). */
  ready(): Promise<void>;
}

// biome-ignore lint/suspicious/noExplicitAny: any Fastify instance, whatever its type provider.
type AnyFastify = FastifyInstance<any, any, any, any, any>;

export async function configureServiceApp(app: AnyFastify, options: ServiceAppOptions) {
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
    origin: options.corsOrigins.length > 0 ? [...options.corsOrigins] : false,
    allowedHeaders: ['authorization', 'content-type', ...(options.corsHeaders ?? [])],
    exposedHeaders: ['idempotent-replayed'],
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
  });
  // Only routes that opt in are limited (sign-in codes, API keys, manual codes): guessable things.
  await app.register(rateLimit, { global: false });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: options.title, version: '0.1.0', description: options.description },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
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
    await options.authorize(request, access);
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
        await options.ready();
        return { status: 'ready' };
      } catch {
        return reply
          .code(503)
          .send({ error: { code: 'not_ready', message: 'the database does not answer' } });
      }
    },
  );
}

/**
 * Runs a server from the command line: reads the configuration (a bad one prints every problem
 * and exits 2), starts it, and on SIGINT or SIGTERM finishes in-flight requests before exiting.
 */
export async function runService<Config extends { readonly publicUrl: string }>(options: {
  name: string;
  loadConfig: () => Config;
  start: (config: Config) => Promise<{
    app: { log: { info(message: string): void } };
    description: string;
    close(): Promise<void>;
  }>;
}) {
  let config: Config;
  try {
    config = options.loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const running = await options.start(config);
  running.app.log.info(`${options.name} on ${config.publicUrl} using ${running.description}`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      running.app.log.info(`${signal}: finishing in-flight requests`);
      running.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
}
