/** What the buy page reads: the merchant a link names, with its allowlisted return URLs. */
import type { Kysely } from 'kysely';
import type { ExchangeDB, SubscriberKind } from '../db/schema.ts';

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
