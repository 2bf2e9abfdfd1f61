/**
 * Every column of the exchange database that holds a value sealed at rest
 * (@tessera/service-kit/secret-box), with the context each value is bound to. The rotation
 * command (`npm run rotate-secrets`) seals them all again under the current secret key; a new
 * sealed column must be listed here.
 */
import type { SealedColumn } from '@tessera/service-kit/secret-box/repository';

export const exchangeSealedColumns: readonly SealedColumn[] = [
  {
    table: 'subscribers',
    id: 'id',
    column: 'webhook_secret',
    context: (row) => `webhook-secret:${row.id}`,
  },
];
