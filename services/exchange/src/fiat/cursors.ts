/** Keyset pages of deposits and withdrawals: the cursor an id names, for the caller's list. */
import type { Kysely } from 'kysely';
import type { ExchangeDB } from '../db/schema.ts';
import { badRequest } from '../errors.ts';
import { type Cursor, cursorRow } from './repository.ts';

/**
 * The cursor `id` names, or none for the first page. The row must be one the caller could list
 * (its own, for a subscriber; any, for the operator when `subscriberId` is null).
 */
export async function cursorOf(
  db: Kysely<ExchangeDB>,
  table: 'deposits' | 'withdrawals',
  id: string | undefined,
  subscriberId: string | null,
): Promise<Cursor | undefined> {
  if (id === undefined) return undefined;
  const row = await cursorRow(db, table, id, subscriberId);
  if (!row) throw badRequest('invalid_cursor', 'the cursor is not an item of this list');
  return row;
}
