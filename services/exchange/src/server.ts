/**
 * Starts the exchange: configuration, database and migrations, the HTTP API, the workers.
 * `tsx services/exchange/src/server.ts`, or through `npm start`.
 */
import { migrateToLatest, openDatabase } from '@tessera/db';
import { runService } from '@tessera/service-kit/http';
import { buildApp } from './app.ts';
import { systemClock } from './clock.ts';
import { type ExchangeConfig, loadConfig } from './config.ts';
import { createExchange, type Exchange } from './context.ts';
import { exchangeMigrations } from './db/migrations/index.ts';
import type { ExchangeDB } from './db/schema.ts';
import type { LogOptions } from './http.ts';
import { startInstanceBus } from './instance-bus.ts';
import { allRoutes } from './routes.ts';
import { smsSenderFor } from './sms.ts';
import { rateSourceFor } from './trading/rates.ts';
import { startWorkers } from './workers/index.ts';

export async function startExchange(config: ExchangeConfig, logOptions: LogOptions = {}) {
  const database = openDatabase<ExchangeDB>({
    databaseUrl: config.databaseUrl,
    sqlitePath: config.sqlitePath,
  });
  await migrateToLatest(database, exchangeMigrations);
  let log: (message: string) => void = () => {};
  const exchange: Exchange = createExchange({
    config,
    database,
    clock: systemClock,
    rates: rateSourceFor(config),
    sms: smsSenderFor(config, (message) => log(message)),
  });
  const app = await buildApp(exchange, allRoutes, logOptions);
  log = (message) => app.log.info(message);
  const workers = config.workers ? startWorkers(exchange, app.log) : undefined;
  // Several instances on one PostgreSQL database forget each other's stale cache entries.
  const bus = startInstanceBus(exchange, app.log);
  await app.listen({ host: config.host, port: config.port });
  return {
    app,
    exchange,
    async close() {
      await workers?.stop();
      await exchange.webhooks.close();
      await app.close();
      await bus?.stop();
      await database.close();
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runService({
    name: 'exchange',
    loadConfig,
    start: async (config) => {
      const running = await startExchange(config);
      return { ...running, description: running.exchange.database.description };
    },
  });
}
