/**
 * The SQL of rate-limit buckets (rate-limit.ts, phone-codes.ts), on any database with a
 * `rate_limits` table of this shape, so that every instance of a server counts in the same
 * bucket. Each operation is one statement (or a compare-and-set), atomic on SQLite and
 * PostgreSQL alike.
 */
import { type Kysely, sql } from 'kysely';

export interface RateLimitsTable {
  /** What is counted: `<route>|<client address>`, `codes:phone:+8210...`, ... */
  key: string;
  /** Hits in the current window. */
  count: number;
  /** When the current window ends (ms); a hit at or after it starts a new window. */
  reset_at: number;
  /** The earliest time of the next allowed hit (ms); 0 when there is no wait. */
  next_at: number;
}

/** Any database with a `rate_limits` table. */
export type RateLimitsDb = Kysely<{ rate_limits: RateLimitsTable }>;

/**
 * Counts one hit in the fixed window of `key`, starting a new window when the old one has ended,
 * in one upsert: of two instances hitting at once, each sees its own count.
 */
export async function countHit(db: RateLimitsDb, key: string, now: number, windowMs: number) {
  const row = await db
    .insertInto('rate_limits')
    .values({ key, count: 1, reset_at: now + windowMs, next_at: 0 })
    .onConflict((conflict) =>
      conflict.column('key').doUpdateSet({
        count: sql<number>`case when rate_limits.reset_at <= ${now} then 1 else rate_limits.count + 1 end`,
        reset_at: sql<number>`case when rate_limits.reset_at <= ${now} then ${now + windowMs} else rate_limits.reset_at end`,
      }),
    )
    .returning(['count', 'reset_at'])
    .executeTakeFirstOrThrow();
  return { count: Number(row.count), resetAt: Number(row.reset_at) };
}

/** The bucket as it is now, if there is one. */
export async function readBucket(
  db: RateLimitsDb,
  key: string,
): Promise<RateLimitsTable | undefined> {
  const row = await db
    .selectFrom('rate_limits')
    .selectAll()
    .where('key', '=', key)
    .executeTakeFirst();
  return row
    ? {
        key: row.key,
        count: Number(row.count),
        reset_at: Number(row.reset_at),
        next_at: Number(row.next_at),
      }
    : undefined;
}

/**
 * Replaces the bucket `seen` (read just before) with `next`, unless another request changed it
 * in between (compare-and-set on the whole row): whether this one won. With no bucket seen, the
 * insert wins only if no other request made one first.
 */
export async function replaceBucket(
  db: RateLimitsDb,
  seen: RateLimitsTable | undefined,
  next: RateLimitsTable,
): Promise<boolean> {
  if (!seen) {
    const inserted = await db
      .insertInto('rate_limits')
      .values(next)
      .onConflict((conflict) => conflict.column('key').doNothing())
      .executeTakeFirst();
    return Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1;
  }
  const updated = await db
    .updateTable('rate_limits')
    .set({ count: next.count, reset_at: next.reset_at, next_at: next.next_at })
    .where('key', '=', seen.key)
    .where('count', '=', seen.count)
    .where('reset_at', '=', seen.reset_at)
    .where('next_at', '=', seen.next_at)
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1;
}

/** Deletes one bucket (a limit that a success ends). */
export async function deleteBucket(db: RateLimitsDb, key: string): Promise<void> {
  await db.deleteFrom('rate_limits').where('key', '=', key).execute();
}

/** Deletes the buckets whose window and wait both ended before `before`; how many. */
export async function pruneBuckets(db: RateLimitsDb, before: number) {
  const deleted = await db
    .deleteFrom('rate_limits')
    .where('reset_at', '<', before)
    .where('next_at', '<', before)
    .executeTakeFirst();
  return Number(deleted.numDeletedRows);
}
