/**
 * `npm run audit -w @tessera/exchange`: replays the journal of the configured database
 * (DATABASE_URL, or EXCHANGE_SQLITE_PATH) and exits non-zero on any mismatch. It reads no secret,
 * so it runs as is in production (NODE_ENV unset) beside the server.
 */
import { migrateToLatest, openDatabase } from '@tessera/db';
import { ConfigError, loadLedgerConfig } from '../config.ts';
import { exchangeMigrations } from '../db/migrations/index.ts';
import type { ExchangeDB } from '../db/schema.ts';
import { auditLedger } from '../ledger/audit.ts';

try {
  // The database and the assets only: the audit needs none of the server's secrets.
  const config = loadLedgerConfig();
  const database = openDatabase<ExchangeDB>({
    databaseUrl: config.databaseUrl,
    sqlitePath: config.sqlitePath,
  });
  try {
    await migrateToLatest(database, exchangeMigrations);
    const assets = new Set([config.fiat.code, ...config.cryptoAssets.map((asset) => asset.code)]);
    const report = await auditLedger(database, assets);
    console.log(JSON.stringify({ database: database.description, ...report }, null, 2));
    process.exitCode = report.ok ? 0 : 1;
  } finally {
    await database.close();
  }
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exitCode = 2;
}
