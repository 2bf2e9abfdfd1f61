/**
 * Starts the ticketing server: configuration, database and migrations, the HTTP API, the
 * workers. `tsx services/ticketing/src/server.ts`, or through `npm start`.
 */
import { migrateToLatest, openDatabase } from '@tessera/db';
import { systemClock } from '@tessera/service-kit/clock';
import { runService } from '@tessera/service-kit/http';
import { smsSenderFor } from '@tessera/service-kit/sms';
import { buildApp } from './app.ts';
import { loadConfig, type TicketingConfig } from './config.ts';
import { createTicketing, type Ticketing } from './context.ts';
import { ticketingMigrations } from './db/migrations/index.ts';
import type { TicketingDB } from './db/schema.ts';
import { ExchangeClient } from './exchange-client.ts';
import type { LogOptions } from './http.ts';
import { startInstanceBus } from './instance-bus.ts';
import { allRoutes } from './routes.ts';
import { startWorkers } from './workers/index.ts';

export async function startTicketing(config: TicketingConfig, logOptions: LogOptions = {}) {
  const database = openDatabase<TicketingDB>({
    databaseUrl: config.databaseUrl,
    sqlitePath: config.sqlitePath,
    ...(config.databaseUrl ? { postgresSchema: config.databaseSchema } : {}),
  });
  await migrateToLatest(database, ticketingMigrations);
  let log: (message: string) => void = () => {};
  const ticketing: Ticketing = createTicketing({
    config,
    database,
    clock: systemClock,
    sms: smsSenderFor(config, (message) => log(message)),
    exchange: new ExchangeClient(config.exchangeUrl, config.exchangePublicUrl, {
      timeoutMs: config.exchangeCalls.timeoutMs,
      breaker: {
        failureThreshold: config.exchangeCalls.failureThreshold,
        openMs: config.exchangeCalls.openMs,
      },
    }),
  });
  const app = await buildApp(ticketing, allRoutes, logOptions);
  log = (message) => app.log.info(message);
  const workers = config.workers ? startWorkers(ticketing, app.log) : undefined;
  // Several instances on one PostgreSQL database hear each other's admissions and revocations.
  const bus = startInstanceBus(ticketing, app.log);
  await app.listen({ host: config.host, port: config.port });
  return {
    app,
    ticketing,
    async close() {
      await workers?.stop();
      await app.close();
      await bus?.stop();
      await database.close();
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runService({
    name: 'ticketing',
    loadConfig,
    start: async (config) => {
      const running = await startTicketing(config);
      return { ...running, description: running.ticketing.database.description };
    },
  });
}
