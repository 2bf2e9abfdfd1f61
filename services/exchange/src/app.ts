/**
 * The exchange's HTTP API (patent unit 200): Fastify with TypeBox schemas on every route, the
 * OpenAPI document generated from them at /docs, one error shape, authentication on every route
 * unless a route says it is public.
 */
import { probeStorage, writeTransaction } from '@tessera/db';
import { configureServiceApp } from '@tessera/service-kit/http';
import type { RateLimitsDb } from '@tessera/service-kit/rate-limit';
import { authenticate, requireOperator, requireSubscriber } from './accounts/auth.ts';
import type { Exchange } from './context.ts';
import { databaseAnswers } from './db/health.ts';
import { type Access, createFastify, type LogOptions, type RoutePlugin } from './http.ts';
import { houseAccounts } from './ledger/house-accounts.ts';
import { openBalances } from './ledger/service.ts';
import { registerExchangeMetrics } from './metrics.ts';
import { outgoingWebhooks } from './webhook-events.ts';

export async function buildApp(
  exchange: Exchange,
  register: readonly RoutePlugin[],
  logOptions: LogOptions = {},
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
  const app = createFastify(exchange, logOptions);

  const { metrics } = await configureServiceApp(app, {
    title: 'Tessera exchange API',
    description:
      'Custodial wallets, fiat deposits, crypto at quoted rates, transfers, payment requests and notifications. Amounts are decimal strings in whole units of their asset.',
    publicUrl: exchange.config.publicUrl,
    checkAnswers: exchange.config.environment === 'test',
    webhooks: outgoingWebhooks(),
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
      await databaseAnswers(exchange.database.health);
    },
    storageWritable: () => probeStorage(exchange.database),
    metricsAccess: 'operator' satisfies Access,
    rateLimit: {
      db: exchange.database.db as unknown as RateLimitsDb,
      clock: exchange.clock,
      redisUrl: exchange.config.redisUrl,
      redisPrefix: exchange.config.redisPrefix,
    },
  });
  registerExchangeMetrics(metrics, exchange);

  for (const plugin of register) await plugin(app, exchange);
  return app;
}
