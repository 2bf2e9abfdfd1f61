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
import type { EntryKind, ExchangeDB } from '../db/schema.ts';
import { ApiError } from '../errors.ts';
import { newSortableId } from '../ids.ts';
import type { FinalWrite } from '../notifications/service.ts';
import { appendEntry, insertZeroBalances, lockBalances, type PostingLine } from './repository.ts';

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

class InsufficientFunds extends ApiError {
  constructor(
    readonly account: string,
    readonly asset: string,
    readonly shortBy: bigint,
  ) {
    super(409, 'insufficient_funds', `the wallet does not hold enough ${asset}`, { asset });
  }
}

export interface PostOptions {
  /**
   * PostgreSQL only: hand the entry's writes to the transaction's final statement (see
   * `Work.finally`) instead of running them now, one round trip fewer. Only for a unit of work
   * that posts one entry and reads no balance or journal row after it.
   */
  readonly defer?: (write: FinalWrite) => void;
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
  options: PostOptions = {},
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

  // Lock every touched balance row in that order (see `lockBalances`).
  const current = new Map(
    (await lockBalances(trx, dialect, now, keys)).map((row) => [
      balanceKey(row.account, row.asset),
      row.amount,
    ]),
  );

  const lines: PostingLine[] = [];
  const balances = new Map<string, bigint>();
  for (const k of keys) {
    const key = balanceKey(k.account, k.asset);
    const after = (current.get(key) ?? 0n) + k.amount;
    if (after < 0n && !isHouseAccount(k.account)) {
      throw new InsufficientFunds(k.account, k.asset, -after);
    }
    balances.set(key, after);
    lines.push({ account: k.account, asset: k.asset, amount: k.amount, balanceAfter: after });
  }

  const id = newSortableId('je');
  const entry = {
    id,
    kind: input.kind,
    memo: input.memo ?? null,
    refType: input.refType ?? null,
    refId: input.refId ?? null,
  };
  await appendEntry(trx, dialect, now, entry, lines, options.defer);
  return { id, balances };
}

/**
 * Creates the zero balance rows of accounts for every asset, so postings find rows to lock in
 * order (a row that does not exist cannot be locked). Idempotent.
 */
export async function openBalances(
  trx: Kysely<ExchangeDB>,
  dialect: Dialect,
  now: number,
  accounts: readonly string[],
  assets: readonly string[],
) {
  await insertZeroBalances(trx, dialect, now, accounts, assets);
}

/** Balances of one account, every asset it has touched. */
export { balancesOf } from './repository.ts';
