/** The quotes table: a quote written, read by its owner, locked to execute, marked executed. */
import type { Dialect } from '@tessera/db';
import type { Kysely } from 'kysely';
import type { ExchangeDB, QuotesTable } from '../db/schema.ts';

type Executor = Kysely<ExchangeDB>;

/** A stored quote, as the table holds it (amounts as decimal strings). */
export type QuoteRecord = QuotesTable;

export async function insertQuote(trx: Executor, row: QuoteRecord): Promise<void> {
  await trx.insertInto('quotes').values(row).execute();
}

/** The quote, locked on PostgreSQL (`for update`) so that one quote executes once. */
export async function lockQuote(
  trx: Executor,
  dialect: Dialect,
  id: string,
): Promise<QuoteRecord | undefined> {
  let query = trx.selectFrom('quotes').selectAll().where('id', '=', id);
  if (dialect === 'postgres') query = query.forUpdate();
  return query.executeTakeFirst();
}

/** Marks an open quote executed by `entryId`; answers how many rows changed (0 or 1). */
export async function markQuoteExecuted(
  trx: Executor,
  id: string,
  entryId: string,
): Promise<number> {
  const marked = await trx
    .updateTable('quotes')
    .set({ status: 'executed', entry_id: entryId })
    .where('id', '=', id)
    .where('status', '=', 'open')
    .executeTakeFirst();
  return Number(marked.numUpdatedRows);
}

/** The quote `id` if `subscriberId` owns it. */
export function quoteOfSubscriber(
  db: Executor,
  id: string,
  subscriberId: string,
): Promise<QuoteRecord | undefined> {
  return db
    .selectFrom('quotes')
    .selectAll()
    .where('id', '=', id)
    .where('subscriber_id', '=', subscriberId)
    .executeTakeFirst();
}
