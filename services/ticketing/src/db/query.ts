import type { Insertable } from 'kysely';
import type { Ticketing, Trx } from '../context.ts';
import type { TicketingDB } from './schema.ts';

/** Rows per INSERT: 500 rows of at most 10 columns stay far below PostgreSQL's 65,535 parameters. */
export const insertBatchRows = 500;

// ---------------------------------------------------------------------------------------------
// Helpers

export async function insertBatched<T extends keyof TicketingDB & string>(
  trx: Trx,
  table: T,
  rows: readonly Insertable<TicketingDB[T]>[],
) {
  for (let start = 0; start < rows.length; start += insertBatchRows) {
    await trx
      .insertInto(table)
      .values(rows.slice(start, start + insertBatchRows) as never)
      .execute();
  }
}

export function forUpdateOn<Q extends { forUpdate(): Q }>(ticketing: Ticketing, query: Q): Q {
  // SQLite has no row locks: its write transaction already holds the whole database.
  return ticketing.database.dialect === 'postgres' ? query.forUpdate() : query;
}
