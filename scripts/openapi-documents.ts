/**
 * The two servers' OpenAPI documents, exactly as they serve them at GET /docs/json: each server
 * is built with its routes on an in-memory SQLite database (nothing listens, nothing is called).
 * The API client package is generated from these (scripts/generate-api-client.ts), and the
 * linter test reads them.
 */
import { type Database, type MigrationSet, migrateToLatest, openDatabase } from '@tessera/db';
import { ManualClock } from '@tessera/service-kit/clock';
import { DevelopmentSms } from '@tessera/service-kit/sms';
import { buildApp as buildExchangeApp } from '../services/exchange/src/app.ts';
import { loadConfig as loadExchangeConfig } from '../services/exchange/src/config.ts';
import { createExchange } from '../services/exchange/src/context.ts';
import { exchangeMigrations } from '../services/exchange/src/db/migrations/index.ts';
import type { ExchangeDB } from '../services/exchange/src/db/schema.ts';
import { allRoutes as exchangeRoutes } from '../services/exchange/src/routes.ts';
import { rateSourceFor } from '../services/exchange/src/trading/rates.ts';
import { buildApp as buildTicketingApp } from '../services/ticketing/src/app.ts';
import { loadConfig as loadTicketingConfig } from '../services/ticketing/src/config.ts';
import { createTicketing } from '../services/ticketing/src/context.ts';
import { ticketingMigrations } from '../services/ticketing/src/db/migrations/index.ts';
import type { TicketingDB } from '../services/ticketing/src/db/schema.ts';
import { ExchangeClient } from '../services/ticketing/src/exchange-client.ts';
import { allRoutes as ticketingRoutes } from '../services/ticketing/src/routes.ts';

export type OpenApiDocument = Record<string, unknown>;

/** Where the documents are made: development's defaults (its servers' URLs), no logs. */
const environment = { NODE_ENV: 'development', LOG_LEVEL: 'silent' };

export async function exchangeDocument(): Promise<OpenApiDocument> {
  const config = loadExchangeConfig({ ...environment, EXCHANGE_WORKERS: 'false' });
  const database = openDatabase<ExchangeDB>({ sqlitePath: ':memory:' });
  return documentOf(database, exchangeMigrations, () =>
    buildExchangeApp(
      createExchange({
        config,
        database,
        clock: new ManualClock(),
        rates: rateSourceFor(config),
        sms: new DevelopmentSms(),
      }),
      exchangeRoutes,
    ),
  );
}

export async function ticketingDocument(): Promise<OpenApiDocument> {
  const config = loadTicketingConfig({ ...environment, TICKETING_WORKERS: 'false' });
  const database = openDatabase<TicketingDB>({ sqlitePath: ':memory:' });
  return documentOf(database, ticketingMigrations, () =>
    buildTicketingApp(
      createTicketing({
        config,
        database,
        clock: new ManualClock(),
        sms: new DevelopmentSms(),
        exchange: new ExchangeClient(config.exchangeUrl, config.exchangePublicUrl),
      }),
      ticketingRoutes,
    ),
  );
}

/** Migrates the empty database, builds the app on it, and reads its document. */
async function documentOf<DB>(
  database: Database<DB>,
  migrations: MigrationSet,
  build: () => Promise<{
    ready(): PromiseLike<unknown>;
    swagger(): unknown;
    close(): PromiseLike<unknown>;
  }>,
): Promise<OpenApiDocument> {
  try {
    await migrateToLatest(database, migrations);
    const app = await build();
    await app.ready();
    const document = app.swagger() as OpenApiDocument;
    await app.close();
    return document;
  } finally {
    await database.close();
  }
}
