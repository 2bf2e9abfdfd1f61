/** The readiness probe's query: the database answers and holds the exchange's schema. */
import type { Kysely } from 'kysely';
import type { ExchangeDB } from './schema.ts';

export async function databaseAnswers(db: Kysely<ExchangeDB>): Promise<void> {
  await db.selectFrom('accounts').select('id').limit(1).execute();
}
