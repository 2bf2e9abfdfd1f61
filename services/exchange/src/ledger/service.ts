/**
 * The double-entry journal (patent unit 208) and balances (unit 210).
 *
 * Every movement of money is one journal entry with two or more postings whose amounts sum to
 * zero per asset. Entries are only ever appended; a correction is another entry. Balances are a
 * cache of the postings, updated in the same transaction and checked against them by the audit.
 * A wallet never goes below zero; only house accounts (ids `house:...`) may.
 */

import { type Dialect, Statement } from '@tessera/db';
import type { Kysely } from 'kysely';
import type { EntryKind, ExchangeDB } from '../db/schema.ts';
import { ApiError } from '../errors.ts';
import { newSortableId } from '../ids.ts';
import type { FinalWrite } from '../notifications/service.ts';

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

/*
 * The ledger's statements, written once in SQL: this is the hottest path of the exchange, and
 * building each query anew cost more than running it. One statement per number of balances.
 */
const perCount = <T>(make: (count: number) => T) => {
  const made = new Map<number, T>();
  return (count: number) => {
    let statement = made.get(count);
    if (!statement) {
      statement = make(count);
      made.set(count, statement);
    }
    return statement;
  };
};
const repeat = (count: number, text: string, separator: string) =>
  Array.from({ length: count }, () => text).join(separator);

const lockStatement = perCount((count) => {
  const text = `select account_id, asset, amount from balances where ${repeat(count, '(account_id = ? and asset = ?)', ' or ')} order by account_id, asset`;
  return new Statement<{ account_id: string; asset: string; amount: string }>({
    sqlite: text,
    postgres: `${text} for update`,
  });
});

const ensureStatement = perCount((count) => {
  const text = `insert into balances (account_id, asset, amount, updated_at) values ${repeat(count, '(?, ?, ?, ?)', ', ')} on conflict (account_id, asset) do nothing`;
  return new Statement({
    sqlite: text,
    postgres: text.replaceAll('(?, ?, ?, ?)', '(?, ?, ?::numeric, ?)'),
  });
});

const insertEntry = new Statement(
  'insert into journal_entries (id, kind, memo, ref_type, ref_id, created_at) values (?, ?, ?, ?, ?, ?)',
);

const insertPostings = perCount(
  (count) =>
    new Statement(
      `insert into postings (entry_id, account_id, asset, amount) values ${repeat(count, '(?, ?, ?, ?)', ', ')}`,
    ),
);

const updateBalance = new Statement(
  'update balances set amount = ?, updated_at = ? where account_id = ? and asset = ?',
);

/** PostgreSQL: the entry, its postings and the balance updates, each a data-modifying CTE. */
const entryText =
  'insert into journal_entries (id, kind, memo, ref_type, ref_id, created_at) values (?, ?, ?, ?, ?, ?)';
const postingsText = perCount(
  (count) =>
    `insert into postings (entry_id, account_id, asset, amount) values ${repeat(count, '(?, ?, ?, ?::numeric)', ', ')}`,
);
const balancesText = perCount(
  (count) => `update balances as b set amount = v.amount::numeric, updated_at = ?
    from (values ${repeat(count, '(?, ?, ?)', ', ')}) as v(account_id, asset, amount)
    where b.account_id = v.account_id and b.asset = v.asset`,
);
const appendStatement = perCount(
  (count) =>
    new Statement(
      `with entry as (${entryText}), posted as (${postingsText(count)}), updated as (${balancesText(count)}) select 1`,
    ),
);

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

  // Lock every touched balance row in that order. Every account gets a row per asset when it is
  // opened (`openBalances`), so rows are there; a missing one (an asset added to the
  // configuration later) is created and all are locked again. That late lock may come out of
  // order, so PostgreSQL may find a deadlock there once; it aborts one side, which is retried.
  const flat = keys.flatMap((k) => [k.account, k.asset]);
  const lock = lockStatement(keys.length);
  let rows = await lock.run(trx, dialect, flat);
  if (rows.length < keys.length) {
    await ensureStatement(keys.length).run(
      trx,
      dialect,
      keys.flatMap((k) => [k.account, k.asset, '0', now]),
    );
    rows = await lock.run(trx, dialect, flat);
  }
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

  const id = newSortableId('je');
  const entry = [
    id,
    input.kind,
    input.memo ?? null,
    input.refType ?? null,
    input.refId ?? null,
    now,
  ];
  const postings = keys.flatMap((k) => [id, k.account, k.asset, k.amount.toString()]);
  const updates = keys.flatMap((k) => [
    k.account,
    k.asset,
    (balances.get(balanceKey(k.account, k.asset)) as bigint).toString(),
  ]);
  if (dialect === 'postgres' && options.defer) {
    options.defer({ text: entryText, parameters: entry });
    options.defer({ text: postingsText(keys.length), parameters: postings });
    options.defer({ text: balancesText(keys.length), parameters: [now, ...updates] });
  } else if (dialect === 'postgres') {
    // One round trip for the entry, its postings and the new balances.
    await appendStatement(keys.length).run(trx, dialect, [...entry, ...postings, now, ...updates]);
  } else {
    // SQLite statements are in-process calls: cheap one by one.
    await insertEntry.run(trx, dialect, entry);
    await insertPostings(keys.length).run(trx, dialect, postings);
    for (let i = 0; i < keys.length; i++) {
      await updateBalance.run(trx, dialect, [
        updates[i * 3 + 2],
        now,
        updates[i * 3],
        updates[i * 3 + 1],
      ]);
    }
  }
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
  const pairs = accounts.flatMap((account) => assets.map((asset) => [account, asset, '0', now]));
  for (let start = 0; start < pairs.length; start += 50) {
    const chunk = pairs.slice(start, start + 50);
    await ensureStatement(chunk.length).run(trx, dialect, chunk.flat());
  }
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
