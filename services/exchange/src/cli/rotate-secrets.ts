/**
 * `npm run rotate-secrets -w @tessera/exchange`: seals every secret kept at rest in the configured
 * database (DATABASE_URL, or EXCHANGE_SQLITE_PATH) again under the current
 * EXCHANGE_SECRET_KEY, reading older values with the keys in EXCHANGE_SECRET_KEY_PREVIOUS.
 * Batch by batch, each committed; safe to run while the servers serve, to stop, and to run again
 * (docs/operations.md, "Rotating the secret key").
 */
import { runSecretRotation } from '@tessera/service-kit/secret-rotation';
import { loadConfig } from '../config.ts';
import { exchangeSealedColumns } from '../db/sealed-columns.ts';

await runSecretRotation({ loadConfig, columns: exchangeSealedColumns });
