/**
 * Fiat's SQL (patent S110): deposits and withdrawals, their rows locked (on PostgreSQL) and
 * their state changes guarded by their current status, and their lists in keyset pages. Amounts
 * are bigint here as everywhere outside the database; a withdrawal's destination is stored as
 * JSON and checked as it is read.
 */
import type { Dialect } from '@tessera/db';
import type { ExpressionBuilder, Kysely } from 'kysely';
import type { DepositsTable, ExchangeDB, WithdrawalsTable } from '../db/schema.ts';

type Db = Kysely<ExchangeDB>;

export interface DepositRecord {
  readonly id: string;
  readonly subscriberId: string;
  readonly method: DepositsTable['method'];
  readonly status: DepositsTable['status'];
  readonly asset: string;
  /** Smallest units of `asset`, positive. */
  readonly amount: bigint;
  readonly cardLast4: string | null;
  readonly failureCode: string | null;
  readonly failureMessage: string | null;
  /** The bank transfer's reference, `TSR-XXXX-XXXX`. */
  readonly reference: string | null;
  readonly entryId: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** The bank account a withdrawal is paid out to. */
export interface Destination {
  readonly bank: string;
  readonly accountNumber: string;
  readonly holder: string;
}

export interface WithdrawalRecord {
  readonly id: string;
  readonly subscriberId: string;
  readonly asset: string;
  /** Smallest units of `asset`, positive. */
  readonly amount: bigint;
  readonly destination: Destination;
  readonly status: WithdrawalsTable['status'];
  readonly holdEntryId: string;
  readonly settleEntryId: string | null;
  readonly decidedAt: number | null;
  readonly createdAt: number;
}

const depositOfRow = (row: DepositsTable): DepositRecord => ({
  id: row.id,
  subscriberId: row.subscriber_id,
  method: row.method,
  status: row.status,
  asset: row.asset,
  amount: BigInt(row.amount),
  cardLast4: row.card_last4,
  failureCode: row.failure_code,
  failureMessage: row.failure_message,
  reference: row.reference,
  entryId: row.entry_id,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** The stored destination: an object of three strings, or the row is not one this code wrote. */
function destinationOf(withdrawalId: string, text: string): Destination {
  const value: unknown = JSON.parse(text);
  if (typeof value === 'object' && value !== null) {
    const { bank, accountNumber, holder } = value as Record<string, unknown>;
    if (typeof bank === 'string' && typeof accountNumber === 'string' && typeof holder === 'string')
      return { bank, accountNumber, holder };
  }
  throw new Error(`withdrawal ${withdrawalId} has a malformed destination`);
}

const withdrawalOfRow = (row: WithdrawalsTable): WithdrawalRecord => ({
  id: row.id,
  subscriberId: row.subscriber_id,
  asset: row.asset,
  amount: BigInt(row.amount),
  destination: destinationOf(row.id, row.destination),
  status: row.status,
  holdEntryId: row.hold_entry_id,
  settleEntryId: row.settle_entry_id,
  decidedAt: row.decided_at,
  createdAt: row.created_at,
});

/** The wallet account of a subscriber. */
export async function walletAccountOf(trx: Db, subscriberId: string) {
  const row = await trx
    .selectFrom('subscribers')
    .select('account_id')
    .where('id', '=', subscriberId)
    .executeTakeFirstOrThrow();
  return row.account_id;
}

// ---- deposits ----

export async function insertDeposit(trx: Db, deposit: DepositRecord) {
  await trx
    .insertInto('deposits')
    .values({
      id: deposit.id,
      subscriber_id: deposit.subscriberId,
      method: deposit.method,
      status: deposit.status,
      asset: deposit.asset,
      amount: deposit.amount.toString(),
      card_last4: deposit.cardLast4,
      failure_code: deposit.failureCode,
      failure_message: deposit.failureMessage,
      reference: deposit.reference,
      entry_id: deposit.entryId,
      created_at: deposit.createdAt,
      updated_at: deposit.updatedAt,
    })
    .execute();
}

/** Whether a deposit already has this transfer reference. */
export async function referenceTaken(trx: Db, reference: string) {
  const taken = await trx
    .selectFrom('deposits')
    .select('id')
    .where('reference', '=', reference)
    .executeTakeFirst();
  return taken !== undefined;
}

/** The deposit, its row locked on PostgreSQL so confirm, reject and cancel of it serialise. */
export async function lockDeposit(
  trx: Db,
  dialect: Dialect,
  id: string,
): Promise<DepositRecord | undefined> {
  let query = trx.selectFrom('deposits').selectAll().where('id', '=', id);
  if (dialect === 'postgres') query = query.forUpdate();
  const row = await query.executeTakeFirst();
  return row && depositOfRow(row);
}

/** Where a deposit goes when it leaves `pending`. */
export interface DepositOutcome {
  readonly status: Exclude<DepositsTable['status'], 'pending'>;
  readonly failureCode?: string;
  readonly failureMessage?: string;
}

/**
 * Moves a pending deposit to `next`; false when it was no longer pending. The
 * `where status = 'pending'` guard is what makes a transition happen once even without the row
 * lock; the lock makes the loser wait and then see the new state instead of racing.
 */
export async function leavePending(trx: Db, id: string, now: number, next: DepositOutcome) {
  const moved = await trx
    .updateTable('deposits')
    .set({
      status: next.status,
      ...(next.failureCode !== undefined && { failure_code: next.failureCode }),
      ...(next.failureMessage !== undefined && { failure_message: next.failureMessage }),
      updated_at: now,
    })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(moved.numUpdatedRows) === 1;
}

export async function setDepositEntry(trx: Db, id: string, entryId: string) {
  await trx.updateTable('deposits').set({ entry_id: entryId }).where('id', '=', id).execute();
}

/** One of a subscriber's deposits. */
export async function depositOfSubscriber(db: Db, id: string, subscriberId: string) {
  const row = await db
    .selectFrom('deposits')
    .selectAll()
    .where('id', '=', id)
    .where('subscriber_id', '=', subscriberId)
    .executeTakeFirst();
  return row && depositOfRow(row);
}

// ---- keyset pages ----

/** Where a page starts: the last item of the previous page. */
export interface Cursor {
  readonly id: string;
  readonly created_at: number;
}

/** A page of rows and the id the next page starts after, if there is one. */
export interface Page<Item> {
  readonly page: Item[];
  readonly next: string | null;
}

/** The cursor an id names, among the rows of `subscriberId` (or all rows when null). */
export async function cursorRow(
  db: Db,
  table: 'deposits' | 'withdrawals',
  id: string,
  subscriberId: string | null,
): Promise<Cursor | undefined> {
  let query = db.selectFrom(table).select(['id', 'created_at']).where('id', '=', id);
  if (subscriberId !== null) query = query.where('subscriber_id', '=', subscriberId);
  return query.executeTakeFirst();
}

/** Keyset condition: rows past `cursor` in (created_at, id) order, `<` newest first. */
function beyond(
  eb: ExpressionBuilder<ExchangeDB, 'deposits'> | ExpressionBuilder<ExchangeDB, 'withdrawals'>,
  cursor: Cursor,
  op: '<' | '>',
) {
  const builder = eb as ExpressionBuilder<ExchangeDB, 'deposits'>;
  return builder.or([
    builder('created_at', op, cursor.created_at),
    builder.and([builder('created_at', '=', cursor.created_at), builder('id', op, cursor.id)]),
  ]);
}

/** One page of `limit` rows (the query asked for one more) and the cursor to the next. */
function pageOf<Row extends { id: string }, Item>(
  rows: Row[],
  limit: number,
  map: (row: Row) => Item,
): Page<Item> {
  const page = rows.slice(0, limit);
  return { page: page.map(map), next: rows.length > limit ? (page.at(-1)?.id ?? null) : null };
}

/** A subscriber's deposits, newest first. */
export async function depositsOfSubscriber(
  db: Db,
  subscriberId: string,
  limit: number,
  cursor: Cursor | undefined,
): Promise<Page<DepositRecord>> {
  let query = db
    .selectFrom('deposits')
    .selectAll()
    .where('subscriber_id', '=', subscriberId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1);
  if (cursor) query = query.where((eb) => beyond(eb, cursor, '<'));
  return pageOf(await query.execute(), limit, depositOfRow);
}

/** All deposits, oldest first, of one status and one reference when given. */
export async function depositsToReview(
  db: Db,
  filter: { status: DepositsTable['status'] | undefined; reference: string | undefined },
  limit: number,
  cursor: Cursor | undefined,
): Promise<Page<DepositRecord>> {
  let query = db
    .selectFrom('deposits')
    .selectAll()
    .orderBy('created_at', 'asc')
    .orderBy('id', 'asc')
    .limit(limit + 1);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.reference !== undefined) query = query.where('reference', '=', filter.reference);
  if (cursor) query = query.where((eb) => beyond(eb, cursor, '>'));
  return pageOf(await query.execute(), limit, depositOfRow);
}

// ---- withdrawals ----

export async function insertWithdrawal(trx: Db, withdrawal: WithdrawalRecord) {
  const { bank, accountNumber, holder } = withdrawal.destination;
  await trx
    .insertInto('withdrawals')
    .values({
      id: withdrawal.id,
      subscriber_id: withdrawal.subscriberId,
      asset: withdrawal.asset,
      amount: withdrawal.amount.toString(),
      destination: JSON.stringify({ bank, accountNumber, holder }),
      status: withdrawal.status,
      hold_entry_id: withdrawal.holdEntryId,
      settle_entry_id: withdrawal.settleEntryId,
      decided_at: withdrawal.decidedAt,
      created_at: withdrawal.createdAt,
    })
    .execute();
}

/** The withdrawal, its row locked on PostgreSQL so approve and reject of it serialise. */
export async function lockWithdrawal(
  trx: Db,
  dialect: Dialect,
  id: string,
): Promise<WithdrawalRecord | undefined> {
  let query = trx.selectFrom('withdrawals').selectAll().where('id', '=', id);
  if (dialect === 'postgres') query = query.forUpdate();
  const row = await query.executeTakeFirst();
  return row && withdrawalOfRow(row);
}

/** Decides a requested withdrawal; false when it had already been decided. */
export async function decideWithdrawal(
  trx: Db,
  id: string,
  now: number,
  status: 'approved' | 'rejected',
) {
  const moved = await trx
    .updateTable('withdrawals')
    .set({ status, decided_at: now })
    .where('id', '=', id)
    .where('status', '=', 'requested')
    .executeTakeFirst();
  return Number(moved.numUpdatedRows) === 1;
}

export async function setWithdrawalSettleEntry(trx: Db, id: string, entryId: string) {
  await trx
    .updateTable('withdrawals')
    .set({ settle_entry_id: entryId })
    .where('id', '=', id)
    .execute();
}

/** One of a subscriber's withdrawals. */
export async function withdrawalOfSubscriber(db: Db, id: string, subscriberId: string) {
  const row = await db
    .selectFrom('withdrawals')
    .selectAll()
    .where('id', '=', id)
    .where('subscriber_id', '=', subscriberId)
    .executeTakeFirst();
  return row && withdrawalOfRow(row);
}

/** A subscriber's withdrawals, newest first. */
export async function withdrawalsOfSubscriber(
  db: Db,
  subscriberId: string,
  limit: number,
  cursor: Cursor | undefined,
): Promise<Page<WithdrawalRecord>> {
  let query = db
    .selectFrom('withdrawals')
    .selectAll()
    .where('subscriber_id', '=', subscriberId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1);
  if (cursor) query = query.where((eb) => beyond(eb, cursor, '<'));
  return pageOf(await query.execute(), limit, withdrawalOfRow);
}

/** All withdrawals, oldest first, of one status when given. */
export async function withdrawalsToPay(
  db: Db,
  status: WithdrawalsTable['status'] | undefined,
  limit: number,
  cursor: Cursor | undefined,
): Promise<Page<WithdrawalRecord>> {
  let query = db
    .selectFrom('withdrawals')
    .selectAll()
    .orderBy('created_at', 'asc')
    .orderBy('id', 'asc')
    .limit(limit + 1);
  if (status) query = query.where('status', '=', status);
  if (cursor) query = query.where((eb) => beyond(eb, cursor, '>'));
  return pageOf(await query.execute(), limit, withdrawalOfRow);
}
