/**
 * The SQL of key rotation (secret-box.ts): every sealed value of a column that is not under the
 * current key is opened and sealed again under it, batch by batch.
 *
 * Safe to stop and run again: each batch commits on its own, a value already under the current
 * key is skipped, and each row is written only if it still holds the value read (compare and
 * set), so a value a server changed meanwhile (an organizer linking its wallet again) is not
 * overwritten with the old secret. Rows are walked by their id, so the walk ends however many
 * rows are re-sealed.
 */
import { type Database, writeTransaction } from '@tessera/db';
import { openSecret, type SecretKeys, sealSecret } from '../secret-box.ts';

/** A column of sealed values, and what each value's seal is bound to. */
export interface SealedColumn {
  readonly table: string;
  /** The column rows are walked by: unique, and never changed. */
  readonly id: string;
  readonly column: string;
  /** Columns `context` needs beyond the id. */
  readonly with?: readonly string[];
  /** The associated data the value was sealed with, from the row. */
  context(row: Readonly<Record<string, string>>): string;
}

export interface RotationCount {
  readonly table: string;
  readonly column: string;
  /** Sealed values looked at. */
  readonly scanned: number;
  /** Values sealed again under the current key. */
  readonly resealed: number;
}

/** Seals every value of `column` that is not under the current key again under it. */
export async function resealColumn(
  // biome-ignore lint/suspicious/noExplicitAny: any service's database.
  database: Database<any>,
  keys: SecretKeys,
  column: SealedColumn,
  batchSize = 500,
): Promise<RotationCount> {
  const { db } = database;
  let after: string | undefined;
  let scanned = 0;
  let resealed = 0;
  for (;;) {
    let query = db
      .selectFrom(column.table)
      .select([column.id, column.column, ...(column.with ?? [])])
      .where(column.column, 'is not', null)
      .orderBy(column.id)
      .limit(batchSize);
    if (after !== undefined) query = query.where(column.id, '>', after);
    const rows = (await query.execute()) as Record<string, string>[];
    if (rows.length === 0) break;
    scanned += rows.length;
    after = rows[rows.length - 1]?.[column.id];
    const stale = rows.filter((row) => !keys.isCurrent(row[column.column] as string));
    if (stale.length === 0) continue;
    resealed += await writeTransaction(database, async (trx) => {
      let written = 0;
      for (const row of stale) {
        const old = row[column.column] as string;
        const context = column.context(row);
        const fresh = sealSecret(keys, openSecret(keys, old, context), context);
        const result = await trx
          .updateTable(column.table)
          .set({ [column.column]: fresh })
          .where(column.id, '=', row[column.id])
          .where(column.column, '=', old)
          .executeTakeFirst();
        written += Number(result.numUpdatedRows);
      }
      return written;
    });
  }
  return { table: column.table, column: column.column, scanned, resealed };
}

/** Every column in turn. */
export async function resealColumns(
  // biome-ignore lint/suspicious/noExplicitAny: any service's database.
  database: Database<any>,
  keys: SecretKeys,
  columns: readonly SealedColumn[],
  batchSize?: number,
): Promise<RotationCount[]> {
  const counts: RotationCount[] = [];
  for (const column of columns) counts.push(await resealColumn(database, keys, column, batchSize));
  return counts;
}
