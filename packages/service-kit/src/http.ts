/**
 * The HTTP frame both servers share: Fastify with TypeBox schemas, one error shape
 * (`{error: {code, message, details?}}`), CORS for the apps' origins, opt-in rate limits, the
 * OpenAPI document and its viewer at /docs, health, readiness and Prometheus metrics, a graceful
 * close, and access control: every route must declare who may call it (a route that does not
 * fails the start), and `authorize` runs before the handler of every route that is not public.
 */
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { isDatabaseUnavailable, isStorageFull } from '@tessera/db';
import type { ErrorObject } from 'ajv';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { ConfigError, type Environment, environmentWarning, type LogLevel } from './config.ts';

export type { LogLevel };

import { Type } from 'typebox';
import { ApiError, waitText } from './errors.ts';
import { instrumentHttp, MetricsRegistry, metricsContentType } from './metrics.ts';
import {
  checkAnswers,
  declareFrameAnswers,
  type OpenApiOptions,
  swaggerOptions,
} from './openapi.ts';
import { type RateLimitStorage, rateLimitStorage } from './rate-limit.ts';
import { ErrorBody } from './schemas.ts';
import { databaseTextFailure, validationFailure, validatorCompiler } from './validation.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route; each service defines its own names. `public` needs no token. */
    access?: string;
  }
}

export function createFastify(options: {
  logLevel: LogLevel;
  bodyLimit?: number;
  /** Where the JSON log lines go; standard output by default (tests read them here). */
  logStream?: { write(line: string): void };
  /**
   * The proxies whose `X-Forwarded-For` is believed (addresses, CIDRs, or proxy-addr's names
   * `loopback`, `linklocal`, `uniquelocal`): `request.ip`, which rate limits key on, is then the
   * client the nearest trusted proxy reports. None by default: the socket's peer is the client,
   * and a forwarded header from anyone else is ignored (it could say anything).
   */
  trustedProxies?: readonly string[];
}) {
  const app = Fastify({
    logger:
      options.logLevel === 'silent'
        ? false
        : {
            level: options.logLevel,
            ...(options.logStream ? { stream: options.logStream } : {}),
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
    trustProxy:
      options.trustedProxies && options.trustedProxies.length > 0
        ? [...options.trustedProxies]
        : false,
  }).withTypeProvider<TypeBoxTypeProvider>();
  // Bodies are not coerced and every string is checked text (validation.ts).
  app.setValidatorCompiler(validatorCompiler());
  return app;
}

export interface ServiceAppOptions extends OpenApiOptions {
  /**
   * Refuse any answer its route does not declare (status, body, field): on in tests, so that the
   * OpenAPI document stays true (openapi.ts).
   */
  readonly checkAnswers?: boolean;
  readonly corsOrigins: readonly string[];
  /** Extra request headers the apps send (authorization and content-type are always allowed). */
  readonly corsHeaders?: readonly string[];
  /** Runs before every non-public route: authenticate the caller and check `access`. */
  authorize(request: FastifyRequest, access: string): Promise<void>;
  /** Throws when the service cannot serve (its database does not answer). */
  ready(): Promise<void>;
  /** Added to a ready answer's body: the state of a dependency that does not make it unready. */
  readyDetails?(): Record<string, unknown>;
  /**
   * Throws while the database cannot take a write for lack of space (`probeStorage` of
   * @tessera/db). /ready asks it only after a request was answered `storage_full`, and until it
   * passes: the service is then ready again.
   */
  storageWritable?(): Promise<void>;
  /**
   * Who may scrape GET /metrics: the service's operator access. A bearer token rather than a
   * loopback check, because behind a reverse proxy on the same machine every request comes from
   * loopback, and the figures (orders, holds, routes) are not for the public.
   */
  readonly metricsAccess: string;
  /**
   * Where rate-limit buckets are kept: the database, or Redis when its URL is set. Unset (the
   * frame's own tests): in this process only.
   */
  readonly rateLimit?: RateLimitStorage;
}

/**
 * How long in-flight requests get to finish once the server starts closing; connections still
 * busy after that (a request stuck on a dead peer) are cut so that shutdown always ends.
 */
export const shutdownGraceMs = 10_000;

// biome-ignore lint/suspicious/noExplicitAny: any Fastify instance, whatever its type provider.
type AnyFastify = FastifyInstance<any, any, any, any, any>;

export async function configureServiceApp(app: AnyFastify, options: ServiceAppOptions) {
  const metrics = new MetricsRegistry({
    onCollectorError: (collector, error) =>
      app.log.warn({ err: error, collector }, 'metrics collector failed'),
  });
  instrumentHttp(app, metrics);
  closeGracefully(app);
  protectAnswers(app);
  const storage = storageWatch(metrics);
  answerErrors(app, storage);
  await registerPlugins(app, options);
  requireAccess(app, options);
  declareFrameAnswers(app);
  if (options.checkAnswers) checkAnswers(app);
  operationsRoutes(app, options, metrics, storage);
  return { metrics };
}

/**
 * Every answer, errors included: `nosniff`, so a browser never runs a JSON answer (or an error
 * message that echoes input) as HTML or script; and `no-store` unless the route chose its own
 * caching, so tokens, balances and tickets stay out of shared and browser caches. The apps'
 * static files are served by their own servers (static-app.ts) with their own caching.
 */
function protectAnswers(app: AnyFastify) {
  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.header('x-content-type-options', 'nosniff');
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    done(null, payload);
  });
}

/** Seconds a client is asked to wait after `storage_full`: freeing disk space takes a person. */
export const storageFullRetryAfterS = 30;

/**
 * Whether the database was last seen full: set by a request that failed for lack of space,
 * cleared by /ready once a probe write succeeds. Counted and shown in the metrics.
 */
function storageWatch(metrics: MetricsRegistry) {
  const refused = metrics.counter(
    'tessera_storage_full_total',
    'Requests answered 503 storage_full: the database refused a write for lack of space (SQLITE_FULL, SQLITE_IOERR, PostgreSQL disk_full)',
  );
  const full = metrics.gauge(
    'tessera_storage_full',
    '1 from a write refused for lack of space until /ready sees a write succeed again, else 0',
  );
  full.set({}, 0);
  return {
    full: false,
    refused() {
      this.full = true;
      refused.inc({});
      full.set({}, 1);
    },
    recovered() {
      this.full = false;
      full.set({}, 0);
    },
    /**
     * The probe write in flight, shared by every /ready call that comes meanwhile: /ready is
     * public, and a flood of it must not become a flood of 64 KiB writes on a full disk.
     */
    probing: undefined as Promise<void> | undefined,
    probe(write: () => Promise<void>) {
      this.probing ??= write().finally(() => {
        this.probing = undefined;
      });
      return this.probing;
    },
  };
}

type StorageWatch = ReturnType<typeof storageWatch>;

/** One error shape for every error: `{error: {code, message, details?}}`, and 404 for no route. */
function answerErrors(app: AnyFastify, storage: StorageWatch) {
  app.setErrorHandler((error, request, reply) => {
    if (error instanceof ApiError) {
      const retryAfterS =
        error.retryAfterS ??
        (typeof error.details?.retryAfterS === 'number' ? error.details.retryAfterS : undefined);
      if (retryAfterS !== undefined) reply.header('retry-after', String(retryAfterS));
      return reply.code(error.status).send({
        error: {
          code: error.code,
          message: error.message,
          ...(error.details ? { details: error.details } : {}),
        },
      });
    }
    const fastifyError = error as {
      validation?: ErrorObject[];
      validationContext?: string;
      statusCode?: number;
      code?: string;
      message: string;
    };
    if (isDatabaseUnavailable(error)) {
      // The database dropped the connection or does not answer (a restart, a failover, a
      // terminated backend): the pool reconnects, and the client retries shortly (with the same
      // Idempotency-Key, so work whose commit was cut off is never done twice).
      request.log.warn({ err: error }, 'database unavailable');
      return reply
        .code(503)
        .header('retry-after', '1')
        .send({
          error: {
            code: 'database_unavailable',
            message: 'the database is unavailable; try again in a moment',
          },
        });
    }
    if (fastifyError.validation) {
      const failure = validationFailure(fastifyError.validation, fastifyError.validationContext);
      if (failure) {
        return reply.code(failure.status).send({
          error: { code: failure.code, message: failure.message, details: failure.details },
        });
      }
      return reply
        .code(400)
        .send({ error: { code: 'invalid_request', message: fastifyError.message } });
    }
    if (fastifyError.statusCode === 429) {
      // The rate-limit plugin has set Retry-After (whole seconds) on the reply.
      const retryAfterS = Number(reply.getHeader('retry-after') ?? 60);
      return reply.code(429).send({
        error: {
          code: 'rate_limited',
          message: `too many requests; try again in ${waitText(retryAfterS)}`,
          details: { retryAfterS },
        },
      });
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
    const unstorable = databaseTextFailure(error);
    if (unstorable) {
      request.log.warn({ err: error }, 'text no schema refused reached the database');
      return reply.code(400).send({
        error: { code: unstorable.code, message: unstorable.message, details: unstorable.details },
      });
    }
    if (isStorageFull(error)) {
      storage.refused();
      request.log.error({ err: error }, 'the database refused a write for lack of space');
      return reply
        .code(503)
        .header('retry-after', String(storageFullRetryAfterS))
        .send({ error: { code: 'storage_full', message: 'storage is full; retry later' } });
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
}

/** CORS for the apps' origins, opt-in rate limits, the OpenAPI document and its viewer at /docs. */
async function registerPlugins(app: AnyFastify, options: ServiceAppOptions) {
  await app.register(cors, {
    origin: options.corsOrigins.length > 0 ? [...options.corsOrigins] : false,
    allowedHeaders: ['authorization', 'content-type', ...(options.corsHeaders ?? [])],
    // `date`: the apps set their barcode and gate clocks by the servers' (@tessera/web-kit/server-clock);
    // `retry-after`: how long a 429 asks to wait.
    exposedHeaders: ['idempotent-replayed', 'date', 'retry-after'],
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
  });
  // Only routes that opt in are limited (sign-in codes, API keys, manual codes): guessable things.
  // The buckets live in the database (or Redis) so that every instance counts in the same ones.
  const storage = options.rateLimit ? rateLimitStorage(options.rateLimit) : undefined;
  if (storage) app.addHook('onClose', () => storage.close());
  await app.register(rateLimit, { global: false, ...storage?.options });
  await app.register(swagger, swaggerOptions(options));
  await app.register(swaggerUi, { routePrefix: '/docs' });
}

/**
 * Every route declares who may call it (a route that does not fails the start), and `authorize`
 * runs before the handler of every route that is not public.
 */
function requireAccess(app: AnyFastify, options: ServiceAppOptions) {
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
}

/** Health, readiness and Prometheus metrics. */
function operationsRoutes(
  app: AnyFastify,
  options: ServiceAppOptions,
  metrics: MetricsRegistry,
  storage: StorageWatch,
) {
  app.get(
    '/health',
    {
      config: { access: 'public' },
      schema: {
        tags: ['operations'],
        summary: 'Liveness: the process answers',
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' }),
  );
  app.get(
    '/ready',
    {
      config: { access: 'public' },
      schema: {
        tags: ['operations'],
        summary: 'Readiness: the database answers',
        description:
          '503 `not_ready` while the database does not answer, `storage_full` until a write succeeds again. A ready answer may report the state of a dependency that does not make it unready.',
        response: {
          200: Type.Object(
            { status: Type.Literal('ready') },
            { additionalProperties: Type.Union([Type.String(), Type.Number()]) },
          ),
          503: ErrorBody,
        },
      },
    },
    async (_request, reply) => {
      if (storage.full) {
        try {
          const write = options.storageWritable;
          if (write) await storage.probe(() => write.call(options));
          storage.recovered();
        } catch (error) {
          // Another failure (the database does not answer) is for the check below to report.
          if (isStorageFull(error))
            return reply
              .code(503)
              .header('retry-after', String(storageFullRetryAfterS))
              .send({
                error: {
                  code: 'storage_full',
                  message: 'the database cannot write: storage is full',
                },
              });
        }
      }
      try {
        await options.ready();
        return { status: 'ready', ...options.readyDetails?.() };
      } catch {
        return reply
          .code(503)
          .send({ error: { code: 'not_ready', message: 'the database does not answer' } });
      }
    },
  );
  app.get(
    '/metrics',
    {
      config: { access: options.metricsAccess },
      schema: {
        tags: ['operations'],
        summary: 'Prometheus metrics (text format 0.0.4); for the operator token',
        description:
          'Requests and latencies by route pattern, and service figures read from the database when scraped (reused for 5 s).',
        response: {
          200: {
            description: 'The Prometheus text exposition format, version 0.0.4',
            content: { 'text/plain': { schema: { type: 'string' } } },
          },
        },
      },
    },
    async (_request, reply) => reply.type(metricsContentType).send(await metrics.render()),
  );
}

/**
 * Makes `app.close()` finish what is in flight and then end, whatever the clients do:
 * - live event streams (hijacked replies, which Fastify does not track) are ended at once, since
 *   they never finish by themselves and their clients reconnect to another instance;
 * - answers sent while closing close their connection (no keep-alive);
 * - requests still running after `shutdownGraceMs` have their connections cut.
 * Fastify itself stops accepting, answers 503 to new requests on kept-alive connections and
 * closes idle ones.
 */
function closeGracefully(app: AnyFastify) {
  const open = new Set<FastifyReply>();
  let closing = false;
  // Callback hooks, not async ones: they run on every request, and a promise each costs more.
  app.addHook('onRequest', (_request, reply, done) => {
    open.add(reply);
    reply.raw.once('close', () => open.delete(reply));
    done();
  });
  // An answer sent while closing closes its connection: a kept-alive socket would otherwise hold
  // the close until the grace period cuts it.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
  app.addHook('preClose', async () => {
    closing = true;
    for (const reply of open) {
      // `sent` while the raw response is still open: a hijacked reply streaming by itself.
      if (reply.sent && !reply.raw.writableEnded) {
        const socket = reply.raw.socket;
        reply.raw.end(() => socket?.destroy());
      }
    }
    const cut = setTimeout(() => app.server.closeAllConnections(), shutdownGraceMs);
    cut.unref();
    app.server.once('close', () => clearTimeout(cut));
  });
}

/** A close that has not ended by then is given up on: the process exits with code 1. */
export const shutdownDeadlineMs = shutdownGraceMs + 5_000;

/**
 * Runs a server from the command line: reads the configuration (a bad one prints every problem
 * and exits 2), starts it, and on SIGINT or SIGTERM stops its workers, finishes in-flight
 * requests and closes the database before exiting (a second signal exits at once).
 */
export async function runService<
  Config extends {
    readonly publicUrl: string;
    readonly environment: Environment;
    readonly host: string;
  },
>(options: {
  name: string;
  loadConfig: () => Config;
  start: (config: Config) => Promise<{
    app: { log: FastifyBaseLogger };
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
  const warning = environmentWarning(config);
  if (warning) running.app.log.warn(warning);
  let closing = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (closing) {
        running.app.log.warn(`${signal} again: exiting now`);
        process.exit(1);
      }
      closing = true;
      running.app.log.info(`${signal}: stopping workers, finishing in-flight requests`);
      setTimeout(() => {
        running.app.log.error(`not closed after ${shutdownDeadlineMs} ms; exiting`);
        process.exit(1);
      }, shutdownDeadlineMs).unref();
      running.close().then(
        () => {
          running.app.log.info('closed');
          process.exit(0);
        },
        (error: unknown) => {
          running.app.log.error({ err: error }, 'close failed');
          process.exit(1);
        },
      );
    });
  }
}
