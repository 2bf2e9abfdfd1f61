/**
 * Every column of the ticketing database that holds a value sealed at rest
 * (@tessera/service-kit/secret-box), with the context each value is bound to. The rotation
 * command (`npm run rotate-secrets`) seals them all again under the current secret key; a new
 * sealed column must be listed here (the rotation test checks every listed one).
 */
import type { SealedColumn } from '@tessera/service-kit/secret-box/repository';

export const ticketingSealedColumns: readonly SealedColumn[] = [
  {
    table: 'organizers',
    id: 'id',
    column: 'phone_tag_secret',
    context: (row) => `phone-tag-secret:${row.id}`,
  },
  {
    table: 'organizer_keys',
    id: 'id',
    column: 'seed',
    with: ['organizer_id'],
    context: (row) => `signing-seed:${row.organizer_id}`,
  },
  {
    table: 'wallet_links',
    id: 'organizer_id',
    column: 'api_key',
    context: (row) => `exchange-api-key:${row.organizer_id}`,
  },
  {
    table: 'wallet_links',
    id: 'organizer_id',
    column: 'webhook_secret',
    context: (row) => `exchange-webhook-secret:${row.organizer_id}`,
  },
  { table: 'tickets', id: 'id', column: 'pin', context: (row) => `pin:${row.id}` },
];
