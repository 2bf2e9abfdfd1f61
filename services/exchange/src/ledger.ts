/**
 * The double-entry journal (patent unit 208) and balances (unit 210).
 *
 * Every movement of money is one journal entry with two or more postings whose amounts sum to
 * zero per asset. Entries are only ever appended; a correction is another entry. Balances are a
 * cache of the postings, updated in the same transaction and checked against them by the audit.
 * A wallet never goes below zero; only house accounts (ids `house:...`) may.
 */

import type { Dialect } from '@tessera/db';
import type { Kysely } from 'kysely';
import type { EntryKind, ExchangeDB } from './db/schema.ts';
import { ApiError } from './errors.ts';
import { newId } from './ids.ts';

export interface Posting {
  readonly account: string;
  readonly asset: string;
  /** Positive credits the account, negative debits it. */
  readonly amount: bigint;
}

export interface EntryInput {
  readonly kind: EntryKind;
  readonly memo?: string | null;
  readonly refType?: string;
  readonly refId?: string;
  readonly postings: readonly Posting[];
}

export interface PostedEntry {
  readonly id: string;
  /** Each touched (account, asset) balance after the entry. */
  readonly balances: ReadonlyMap<string, bigint>;
}

export const isHouseAccount = (account: string) => account.startsWith('house:');

export const balanceKey = (account: string, asset: string) => `${account}\u0000${asset}`;

export class InsufficientFunds extends ApiError {
  constructor(
    readonly account: string,
    readonly asset: string,
    readonly shortBy: bigint,
  ) {
    super(409, 'insufficient_funds', `the wallet does not hold enough ${asset}`, { asset });
  }
}

/**
 * Appends an entry and applies it to the balances, all inside the caller's write transaction.
 * Throws InsufficientFunds (and writes nothing that survives, since the caller rolls back) if a
 * wallet would go negative.
 */
export async function postEntry(
  trx: Kysely<ExchangeDB>,
  dialect: Dialect,
  now: number,
  input: EntryInput,
): Promise<PostedEntry> {
  const net = new Map<string, { account: string; asset: string; amount: bigint }>();
  const perAsset = new Map<string, bigint>();
  for (const posting of input.postings) {
    if (posting.amount === 0n) continue;
    const key = balanceKey(posting.account, posting.asset);
    const current = net.get(key);
    if (current) current.amount += posting.amount;
    else net.set(key, { ...posting });
    perAsset.set(posting.asset, (perAsset.get(posting.asset) ?? 0n) + posting.amount);
  }
  for (const [asset, sum] of perAsset) {
    if (sum !== 0n) throw new Error(`unbalanced entry: ${asset} postings sum to ${sum}`);
  }
  // A fixed lock order (account, then asset) means two entries touching the same balances
  // never wait for each other in a cycle on PostgreSQL.
  const keys = [...net.values()]
    .filter((posting) => posting.amount !== 0n)
    .sort((a, b) =>
      a.account === b.account ? (a.asset < b.asset ? -1 : 1) : a.account < b.account ? -1 : 1,
    );
  if (keys.length < 2) throw new Error('an entry needs at least two non-zero postings');

  // Create missing balance rows first, then lock them all: a row that does not exist yet
  // cannot be locked.
  await trx
    .insertInto('balances')
    .values(
      keys.map((k) => ({ account_id: k.account, asset: k.asset, amount: '0', updated_at: now })),
    )
    .onConflict((conflict) => conflict.columns(['account_id', 'asset']).doNothing())
    .execute();
  let query = trx
    .selectFrom('balances')
    .select(['account_id', 'asset', 'amount'])
    .where((eb) =>
      eb.or(keys.map((k) => eb.and([eb('account_id', '=', k.account), eb('asset', '=', k.asset)]))),
    )
    .orderBy('account_id')
    .orderBy('asset');
  if (dialect === 'postgres') query = query.forUpdate();
  const rows = await query.execute();
  const current = new Map(
    rows.map((row) => [balanceKey(row.account_id, row.asset), BigInt(row.amount)]),
  );

  const balances = new Map<string, bigint>();
  for (const k of keys) {
    const key = balanceKey(k.account, k.asset);
    const after = (current.get(key) ?? 0n) + k.amount;
    if (after < 0n && !isHouseAccount(k.account)) {
      throw new InsufficientFunds(k.account, k.asset, -after);
    }
    balances.set(key, after);
  }

  const id = newId('je');
  await trx
    .insertInto('journal_entries')
    .values({
      id,
      kind: input.kind,
      memo: input.memo ?? null,
      ref_type: input.refType ?? null,
      ref_id: input.refId ?? null,
      created_at: now,
    })
    .execute();
  await trx
    .insertInto('postings')
    .values(
      keys.map((k) => ({
        entry_id: id,
        account_id: k.account,
        asset: k.asset,
        amount: k.amount.toString(),
      })),
    )
    .execute();
  for (const k of keys) {
    await trx
      .updateTable('balances')
      .set({
        amount: (balances.get(balanceKey(k.account, k.asset)) as bigint).toString(),
        updated_at: now,
      })
      .where('account_id', '=', k.account)
      .where('asset', '=', k.asset)
      .execute();
  }
  return { id, balances };
}

/** Balances of one account, every asset it has touched. */
export async function balancesOf(db: Kysely<ExchangeDB>, account: string) {
  const rows = await db
    .selectFrom('balances')
    .select(['asset', 'amount'])
    .where('account_id', '=', account)
    .execute();
  return new Map(rows.map((row) => [row.asset, BigInt(row.amount)]));
}
