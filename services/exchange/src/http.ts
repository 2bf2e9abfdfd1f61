/**
 * What every routes file uses: the Fastify instance type routes register on, who may call a
 * route, the subscriber a handler acts for, and `mutate`, which runs a mutating route's effect
 * under its idempotency key. app.ts builds the app from these.
 */
import { createFastify as createServiceFastify } from '@tessera/service-kit/http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Principal, requireSubscriber } from './accounts/auth.ts';
import type { Exchange, Work } from './context.ts';
import { idempotent, type Outcome } from './idempotency.ts';

/** Who may call a route. Every route must say; `public` is the only one without a token. */
export type Access = 'public' | 'subscriber' | 'person' | 'merchant' | 'operator' | 'any';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/**
 * Where a server writes its JSON log lines: standard output unless the caller gives a stream
 * (`npm start` writes them to a file under data/ and keeps its console for the banner).
 */
export interface LogOptions {
  readonly logStream?: { write(line: string): void };
}

export function createFastify(exchange: Exchange, options: LogOptions = {}) {
  return createServiceFastify({
    logLevel: exchange.config.logLevel,
    ...(options.logStream ? { logStream: options.logStream } : {}),
    trustedProxies: exchange.config.trustedProxies,
  });
}

export type App = ReturnType<typeof createFastify>;
export type RoutePlugin = (app: App, exchange: Exchange) => void | Promise<void>;

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
