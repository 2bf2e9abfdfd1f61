/**
 * What the buy page reads and writes: the merchant a link names, with its allowlisted return URLs,
 * and the handoff codes that carry the app's wallet session to the page (handoff.ts).
 */
import type { Kysely } from 'kysely';
import type { BuyHandoffsTable, ExchangeDB, SubscriberKind } from '../db/schema.ts';

/** A subscriber a buy link names, with the return URL prefixes it allows. */
export interface BuyPageMerchant {
  readonly id: string;
  readonly kind: SubscriberKind;
  readonly status: string;
  readonly displayName: string;
  readonly returnUrls: string[];
}

/** The `return_urls` column: a JSON array of strings; anything else allows nothing. */
function parseReturnUrls(json: string): string[] {
  try {
    const value = JSON.parse(json) as unknown;
    return Array.isArray(value) ? value.filter((item) => typeof item === 'string') : [];
  } catch {
    return [];
  }
}

export async function buyPageMerchant(
  db: Kysely<ExchangeDB>,
  id: string,
): Promise<BuyPageMerchant | undefined> {
  const row = await db
    .selectFrom('subscribers')
    .select(['id', 'kind', 'status', 'display_name', 'return_urls'])
    .where('id', '=', id)
    .executeTakeFirst();
  return (
    row && {
      id: row.id,
      kind: row.kind,
      status: row.status,
      displayName: row.display_name,
      returnUrls: parseReturnUrls(row.return_urls),
    }
  );
}

// ---- Handoff codes (handoff.ts) ----

export type BuyHandoffRow = BuyHandoffsTable;

export async function insertBuyHandoff(db: Kysely<ExchangeDB>, row: BuyHandoffsTable) {
  await db.insertInto('buy_handoffs').values(row).execute();
}

/** How many unused, unexpired handoffs a subscriber holds now. */
export async function liveBuyHandoffCount(
  db: Kysely<ExchangeDB>,
  subscriberId: string,
  now: number,
): Promise<number> {
  const row = await db
    .selectFrom('buy_handoffs')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where('subscriber_id', '=', subscriberId)
    .where('expires_at', '>', now)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Forgets handoffs that ended before `before`: used or not, they can do nothing any more. */
export async function pruneBuyHandoffs(db: Kysely<ExchangeDB>, before: number) {
  await db.deleteFrom('buy_handoffs').where('expires_at', '<', before).execute();
}

export async function buyHandoffByHash(
  db: Kysely<ExchangeDB>,
  codeHash: string,
): Promise<BuyHandoffsTable | undefined> {
  return db
    .selectFrom('buy_handoffs')
    .selectAll()
    .where('code_hash', '=', codeHash)
    .executeTakeFirst();
}

/** Marks a handoff used; false when it was used already (a second redemption lost the race). */
export async function useBuyHandoff(
  db: Kysely<ExchangeDB>,
  codeHash: string,
  now: number,
): Promise<boolean> {
  const result = await db
    .updateTable('buy_handoffs')
    .set({ used_at: now })
    .where('code_hash', '=', codeHash)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
