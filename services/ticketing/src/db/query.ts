/**
 * Query helpers for the repositories: inserts cut into batches PostgreSQL accepts, and row locks
 * where the dialect has them.
 */
import type { Dialect } from '@tessera/db';
import type { Insertable } from 'kysely';
import type { Trx } from '../context.ts';
import type { TicketingDB } from './schema.ts';

/** Rows per INSERT: 500 rows of at most 10 columns stay far below PostgreSQL's 65,535 parameters. */
const insertBatchRows = 500;

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

/** The query with FOR UPDATE on PostgreSQL. */
export function forUpdateOn<Q extends { forUpdate(): Q }>(dialect: Dialect, query: Q): Q {
  // SQLite has no row locks: its write transaction already holds the whole database.
  return dialect === 'postgres' ? query.forUpdate() : query;
}
