/**
 * A full disk on demand for the storage tests, without a mount: SQLite's `max_page_count` caps
 * the file at the pages it has now (on the server's own connection, where the pragma lives), and
 * a filler table takes the free pages, so the next write that needs a page fails with
 * SQLITE_FULL exactly as on a full disk. `roomAgain` lifts the cap: space has returned.
 */
import { type Kysely, sql } from '@tessera/db';

// biome-ignore lint/suspicious/noExplicitAny: either server's database.
type AnyDb = Kysely<any>;

export async function fillUp(db: AnyDb) {
  await sql`create table if not exists test_filler (b blob)`.execute(db);
  const { rows } = await sql<{ page_count: number }>`pragma page_count`.execute(db);
  await sql.raw(`pragma max_page_count = ${rows[0]?.page_count ?? 1}`).execute(db);
  // Take the free pages; the first insert that needs a new one fails: the store is full.
  for (let i = 0; i < 100_000; i++) {
    try {
      await sql`insert into test_filler (b) values (zeroblob(1024))`.execute(db);
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_FULL') return;
      throw error;
    }
  }
  throw new Error('the database never filled up');
}

export async function roomAgain(db: AnyDb) {
  await sql.raw('pragma max_page_count = 1073741823').execute(db);
}

/** One sample of a Prometheus exposition text, 0 when absent. */
export function sample(text: string, name: string) {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `));
  return line ? Number(line.slice(name.length + 1)) : 0;
}
