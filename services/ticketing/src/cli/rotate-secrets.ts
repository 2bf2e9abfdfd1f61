/**
 * `npm run rotate-secrets -w @tessera/ticketing`: seals every secret kept at rest in the configured
 * database (DATABASE_URL, or TICKETING_SQLITE_PATH) again under the current
 * TICKETING_SECRET_KEY, reading older values with the keys in TICKETING_SECRET_KEY_PREVIOUS.
 * Batch by batch, each committed; safe to run while the servers serve, to stop, and to run again
 * (docs/operations.md, "Rotating the secret key").
 */
import { runSecretRotation } from '@tessera/service-kit/secret-rotation';
import { loadConfig } from '../config.ts';
import { ticketingSealedColumns } from '../db/sealed-columns.ts';

await runSecretRotation({ loadConfig, columns: ticketingSealedColumns });
