/** Whether the ticketing database answers: the readiness check's one query. */
import type { Trx } from '../context.ts';

/** Resolves when the database answers a read of the organizers table; throws otherwise. */
export async function databaseAnswers(db: Trx): Promise<void> {
  await db.selectFrom('organizers').select('id').limit(1).execute();
}
