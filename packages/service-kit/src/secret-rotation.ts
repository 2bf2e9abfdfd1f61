/**
 * The body of each server's `npm run rotate-secrets`: opens the configured database, seals every
 * sealed column again under the current secret key (batch by batch; safe to stop and run again,
 * see secret-box/repository.ts), prints what it did as JSON, and exits 0, or 1 when a value
 * would not open (its key is not configured: the error names its version), or 2 on a bad
 * configuration.
 */
import { type Database, openDatabase } from '@tessera/db';
import { ConfigError } from './config.ts';
import { resealColumns, type SealedColumn } from './secret-box/repository.ts';
import type { SecretKeys } from './secret-box.ts';

export interface RotationConfig {
  readonly databaseUrl: string | undefined;
  readonly sqlitePath: string;
  /** The service's own PostgreSQL schema, if it has one. */
  readonly databaseSchema?: string;
  readonly secretKeys: SecretKeys;
}

export async function runSecretRotation(options: {
  loadConfig: () => RotationConfig;
  columns: readonly SealedColumn[];
}) {
  let database: Database<unknown> | undefined;
  try {
    const config = options.loadConfig();
    database = openDatabase<unknown>({
      databaseUrl: config.databaseUrl,
      sqlitePath: config.sqlitePath,
      ...(config.databaseUrl && config.databaseSchema
        ? { postgresSchema: config.databaseSchema }
        : {}),
    });
    const counts = await resealColumns(database, config.secretKeys, options.columns);
    console.log(
      JSON.stringify(
        { database: database.description, keyVersion: config.secretKeys.currentVersion, counts },
        null,
        2,
      ),
    );
    process.exitCode = 0;
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = error instanceof ConfigError ? 2 : 1;
  } finally {
    await database?.close();
  }
}
