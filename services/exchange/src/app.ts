/**
 * The exchange's HTTP API (patent unit 200): Fastify with TypeBox schemas on every route, the
 * OpenAPI document generated from them at /docs, one error shape, authentication on every route
 * unless a route says it is public.
 */
import { writeTransaction } from '@tessera/db';
import {
  configureServiceApp,
  createFastify as createServiceFastify,
} from '@tessera/service-kit/http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { authenticate, type Principal, requireOperator, requireSubscriber } from './auth.ts';
import type { Exchange, Work } from './context.ts';
import { houseAccounts } from './db/migrations.ts';
import { idempotent, type Outcome } from './idempotency.ts';
import { openBalances } from './ledger.ts';
import { registerExchangeMetrics } from './metrics.ts';

/** Who may call a route. Every route must say; `public` is the only one without a token. */
export type Access = 'public' | 'subscriber' | 'person' | 'merchant' | 'operator' | 'any';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

export function createFastify(exchange: Exchange) {
  return createServiceFastify({ logLevel: exchange.config.logLevel });
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

  const { metrics } = await configureServiceApp(app, {
    title: 'Tessera exchange API',
    description:
      'Custodial wallets, fiat deposits, crypto at quoted rates, transfers, payment requests and notifications. Amounts are decimal strings in whole units of their asset.',
    corsOrigins: exchange.config.corsOrigins,
    corsHeaders: ['idempotency-key'],
    async authorize(request, access) {
      const principal = await authenticate(exchange, request.headers.authorization);
      request.principal = principal;
      if (access === 'operator') requireOperator(principal);
      else if (access === 'subscriber') requireSubscriber(principal);
      else if (access === 'person' || access === 'merchant') requireSubscriber(principal, access);
    },
    async ready() {
      await exchange.database.db.selectFrom('accounts').select('id').limit(1).execute();
    },
    metricsAccess: 'operator' satisfies Access,
  });
  registerExchangeMetrics(metrics, exchange);

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
