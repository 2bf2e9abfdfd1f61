/**
 * The ledger's SQL (patent units 208 and 210): the journal's statements that `postEntry` runs
 * (the hottest path of the exchange), the balance rows, a wallet's history, and what the audit
 * reads. The rules (netting, the lock order, no wallet below zero) are in service.ts.
 */

import { type Dialect, Statement } from '@tessera/db';
import type { Kysely } from 'kysely';
import type { AccountsTable, EntryKind, ExchangeDB } from '../db/schema.ts';
import type { FinalWrite } from '../notifications/service.ts';

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

/** One (account, asset) balance. */
export interface BalanceOf {
  readonly account: string;
  readonly asset: string;
}

/** A balance row as locked: its amount before the entry. */
export interface LockedBalance extends BalanceOf {
  readonly amount: bigint;
}

/**
 * Locks the balance rows of `keys`, which the caller gives in the lock order (account, then
 * asset). Every account gets a row per asset when it is opened (`openBalances`), so rows are
 * there; a missing one (an asset added to the configuration later) is created and all are
 * locked again. That late lock may come out of order, so PostgreSQL may find a deadlock there
 * once; it aborts one side, which is retried.
 */
export async function lockBalances(
  trx: Kysely<ExchangeDB>,
  dialect: Dialect,
  now: number,
  keys: readonly BalanceOf[],
): Promise<LockedBalance[]> {
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
  return rows.map((row) => ({
    account: row.account_id,
    asset: row.asset,
    amount: BigInt(row.amount),
  }));
}

/** A journal entry to append, with an id already drawn. */
export interface NewEntry {
  readonly id: string;
  readonly kind: EntryKind;
  readonly memo: string | null;
  readonly refType: string | null;
  readonly refId: string | null;
}

/** One posting of an entry and the balance it leaves. */
export interface PostingLine extends BalanceOf {
  readonly amount: bigint;
  readonly balanceAfter: bigint;
}

/**
 * Appends the entry and its postings and writes the new balances, in the order of `lines`.
 * `defer` (PostgreSQL only) hands the writes to the transaction's final statement instead.
 */
export async function appendEntry(
  trx: Kysely<ExchangeDB>,
  dialect: Dialect,
  now: number,
  input: NewEntry,
  lines: readonly PostingLine[],
  defer?: (write: FinalWrite) => void,
): Promise<void> {
  const id = input.id;
  const entry = [id, input.kind, input.memo, input.refType, input.refId, now];
  const postings = lines.flatMap((k) => [id, k.account, k.asset, k.amount.toString()]);
  const updates = lines.flatMap((k) => [k.account, k.asset, k.balanceAfter.toString()]);
  if (dialect === 'postgres' && defer) {
    defer({ text: entryText, parameters: entry });
    defer({ text: postingsText(lines.length), parameters: postings });
    defer({ text: balancesText(lines.length), parameters: [now, ...updates] });
  } else if (dialect === 'postgres') {
    // One round trip for the entry, its postings and the new balances.
    await appendStatement(lines.length).run(trx, dialect, [...entry, ...postings, now, ...updates]);
  } else {
    // SQLite statements are in-process calls: cheap one by one.
    await insertEntry.run(trx, dialect, entry);
    await insertPostings(lines.length).run(trx, dialect, postings);
    for (let i = 0; i < lines.length; i++) {
      await updateBalance.run(trx, dialect, [
        updates[i * 3 + 2],
        now,
        updates[i * 3],
        updates[i * 3 + 1],
      ]);
    }
  }
}

/** Creates the zero balance rows that are missing, 50 rows a statement. Idempotent. */
export async function insertZeroBalances(
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

// ---- a wallet's history ----

/** An entry that touched a wallet, and its last posting there (the page cursor). */
export interface EntryOfWallet {
  readonly entryId: string;
  readonly cursor: number;
}

/**
 * The entries that touched `account`, newest first, `limit` of them, before the cursor. Paged
 * by entry, not by posting: a trade posts fiat and crypto to the same wallet, and both must land
 * on the same page. The cursor is the entry's last posting of this wallet.
 */
export async function entriesOfWallet(
  db: Kysely<ExchangeDB>,
  account: string,
  limit: number,
  before: number | undefined,
): Promise<EntryOfWallet[]> {
  let query = db
    .selectFrom('postings')
    .select(['entry_id', (eb) => eb.fn.max('seq').as('cursor')])
    .where('account_id', '=', account)
    .groupBy('entry_id')
    .orderBy('cursor', 'desc')
    .limit(limit);
  if (before !== undefined) query = query.where('seq', '<', before);
  const rows = await query.execute();
  return rows.map((row) => ({ entryId: row.entry_id, cursor: Number(row.cursor) }));
}

/** A posting to a wallet with its entry. */
export interface WalletPosting {
  readonly entryId: string;
  readonly kind: EntryKind;
  readonly memo: string | null;
  readonly refType: string | null;
  readonly refId: string | null;
  readonly createdAt: number;
  readonly asset: string;
  readonly amount: bigint;
}

/** The postings of `entryIds` to `account`, newest first. */
export async function postingsOfWallet(
  db: Kysely<ExchangeDB>,
  account: string,
  entryIds: readonly string[],
): Promise<WalletPosting[]> {
  const rows = await db
    .selectFrom('postings as p')
    .innerJoin('journal_entries as e', 'e.id', 'p.entry_id')
    .select([
      'p.seq',
      'p.asset',
      'p.amount',
      'e.id',
      'e.kind',
      'e.memo',
      'e.ref_type',
      'e.ref_id',
      'e.created_at',
    ])
    .where('p.account_id', '=', account)
    .where('p.entry_id', 'in', entryIds)
    .orderBy('p.seq', 'desc')
    .execute();
  return rows.map((row) => ({
    entryId: row.id,
    kind: row.kind,
    memo: row.memo,
    refType: row.ref_type,
    refId: row.ref_id,
    createdAt: row.created_at,
    asset: row.asset,
    amount: BigInt(row.amount),
  }));
}

// ---- what the audit reads (it only reads, so it can run beside a live server) ----

export interface AccountKind {
  readonly id: string;
  readonly kind: AccountsTable['kind'];
}

export const accountKinds = (db: Kysely<ExchangeDB>): Promise<AccountKind[]> =>
  db.selectFrom('accounts').select(['id', 'kind']).execute();

export interface JournalPosting {
  readonly seq: number;
  readonly entryId: string;
  readonly account: string;
  readonly asset: string;
  readonly amount: bigint;
}

/** Up to `limit` postings after `after`, in journal order. */
export async function postingsAfter(
  db: Kysely<ExchangeDB>,
  after: number,
  limit: number,
): Promise<JournalPosting[]> {
  const rows = await db
    .selectFrom('postings')
    .select(['seq', 'entry_id', 'account_id', 'asset', 'amount'])
    .where('seq', '>', after)
    .orderBy('seq')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    seq: row.seq,
    entryId: row.entry_id,
    account: row.account_id,
    asset: row.asset,
    amount: BigInt(row.amount),
  }));
}

export interface EntryHead {
  readonly id: string;
  readonly kind: EntryKind;
  readonly refId: string | null;
}

export async function journalEntries(db: Kysely<ExchangeDB>): Promise<EntryHead[]> {
  const rows = await db.selectFrom('journal_entries').select(['id', 'kind', 'ref_id']).execute();
  return rows.map((row) => ({ id: row.id, kind: row.kind, refId: row.ref_id }));
}

export async function allBalances(db: Kysely<ExchangeDB>): Promise<LockedBalance[]> {
  const rows = await db.selectFrom('balances').select(['account_id', 'asset', 'amount']).execute();
  return rows.map((row) => ({
    account: row.account_id,
    asset: row.asset,
    amount: BigInt(row.amount),
  }));
}

export interface PaymentRequestTotals {
  readonly id: string;
  readonly status: 'open' | 'paid' | 'cancelled';
  readonly amount: bigint;
  readonly entryId: string | null;
  readonly refundedAmount: bigint;
}

export async function paymentRequestTotals(
  db: Kysely<ExchangeDB>,
): Promise<PaymentRequestTotals[]> {
  const rows = await db
    .selectFrom('payment_requests')
    .select(['id', 'status', 'amount', 'asset', 'entry_id', 'refunded_amount'])
    .execute();
  return rows.map((row) => ({
    id: row.id,
    status: row.status,
    amount: BigInt(row.amount),
    entryId: row.entry_id,
    refundedAmount: BigInt(row.refunded_amount),
  }));
}

export interface RefundTotal {
  readonly paymentRequestId: string;
  readonly amount: bigint;
  readonly entryId: string;
}

export async function refundTotals(db: Kysely<ExchangeDB>): Promise<RefundTotal[]> {
  const rows = await db
    .selectFrom('refunds')
    .select(['payment_request_id', 'amount', 'entry_id'])
    .execute();
  return rows.map((row) => ({
    paymentRequestId: row.payment_request_id,
    amount: BigInt(row.amount),
    entryId: row.entry_id,
  }));
}

/** A quote or a deposit: its status and the entry that should agree with it. */
export interface RecordEntry<Status extends string> {
  readonly id: string;
  readonly status: Status;
  readonly entryId: string | null;
}

export async function quoteEntries(db: Kysely<ExchangeDB>) {
  const rows = await db.selectFrom('quotes').select(['id', 'status', 'entry_id']).execute();
  return rows.map(
    (row): RecordEntry<typeof row.status> => ({
      id: row.id,
      status: row.status,
      entryId: row.entry_id,
    }),
  );
}

export async function depositEntries(db: Kysely<ExchangeDB>) {
  const rows = await db.selectFrom('deposits').select(['id', 'status', 'entry_id']).execute();
  return rows.map(
    (row): RecordEntry<typeof row.status> => ({
      id: row.id,
      status: row.status,
      entryId: row.entry_id,
    }),
  );
}
