/**
 * The SQL of transfers and payment requests (S130, S140): the recipients a transfer may go to,
 * the payment requests with their lock, and the refunds. The journal entries themselves are
 * posted by ledger/service.ts.
 */
import { type Dialect, Statement } from '@tessera/db';
import type { Kysely } from 'kysely';
import type { ExchangeDB, PaymentRequestsTable, RefundsTable } from '../db/schema.ts';

type Executor = Kysely<ExchangeDB>;

/** A subscriber a transfer can go to, with its wallet account. */
export interface Recipient {
  id: string;
  account_id: string;
  status: string;
}

// Prepared once: these run with every transfer (the benchmarked hot path).
const recipientById = new Statement<Recipient>(
  'select id, account_id, status from subscribers where id = ?',
);
const recipientByPhone = new Statement<Recipient>(
  'select id, account_id, status from subscribers where phone = ? and kind = ?',
);

export function recipientWithId(
  executor: Executor,
  dialect: Dialect,
  id: string,
): Promise<Recipient | undefined> {
  return recipientById.first(executor, dialect, [id]);
}

export function recipientWithPhone(
  executor: Executor,
  dialect: Dialect,
  phone: string,
  kind: string,
): Promise<Recipient | undefined> {
  return recipientByPhone.first(executor, dialect, [phone, kind]);
}

/** A stored payment request, as the table holds it (amounts as decimal strings). */
export type PaymentRequestRecord = PaymentRequestsTable;

export async function insertPaymentRequest(trx: Executor, row: PaymentRequestRecord) {
  await trx.insertInto('payment_requests').values(row).execute();
}

/** A payment request with its merchant's display name. */
export function paymentRequestWithMerchant(
  db: Executor,
  id: string,
): Promise<(PaymentRequestRecord & { display_name: string }) | undefined> {
  return db
    .selectFrom('payment_requests as r')
    .innerJoin('subscribers as m', 'm.id', 'r.merchant_id')
    .selectAll('r')
    .select('m.display_name')
    .where('r.id', '=', id)
    .executeTakeFirst();
}

/**
 * A merchant's payment requests, newest first, at most `rows` of them; only those with
 * `reference`, and only those created before `before`, when given.
 */
export function merchantPaymentRequests(
  db: Executor,
  merchantId: string,
  filter: { reference?: string | undefined; before?: number | undefined; rows: number },
): Promise<PaymentRequestRecord[]> {
  let query = db
    .selectFrom('payment_requests')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(filter.rows);
  if (filter.reference) query = query.where('reference', '=', filter.reference);
  if (filter.before) query = query.where('created_at', '<', filter.before);
  return query.execute();
}

/** The request row, locked on PostgreSQL, so pay, cancel and refund of one request serialise. */
export function lockPaymentRequest(
  trx: Executor,
  dialect: Dialect,
  id: string,
): Promise<PaymentRequestRecord | undefined> {
  let query = trx.selectFrom('payment_requests').selectAll().where('id', '=', id);
  if (dialect === 'postgres') query = query.forUpdate();
  return query.executeTakeFirst();
}

/** The merchant a payment goes to: its wallet account and its name (it must exist). */
export function merchantToPay(
  trx: Executor,
  merchantId: string,
): Promise<{ account_id: string; display_name: string }> {
  return trx
    .selectFrom('subscribers')
    .select(['account_id', 'display_name'])
    .where('id', '=', merchantId)
    .executeTakeFirstOrThrow();
}

/** Marks an open request paid; answers how many rows changed (0 or 1). */
export async function markPaymentRequestPaid(
  trx: Executor,
  id: string,
  paid: { payerId: string; paidAt: number; entryId: string },
): Promise<number> {
  const updated = await trx
    .updateTable('payment_requests')
    .set({ status: 'paid', payer_id: paid.payerId, paid_at: paid.paidAt, entry_id: paid.entryId })
    .where('id', '=', id)
    .where('status', '=', 'open')
    .executeTakeFirst();
  return Number(updated.numUpdatedRows);
}

export async function markPaymentRequestCancelled(trx: Executor, id: string) {
  await trx
    .updateTable('payment_requests')
    .set({ status: 'cancelled' })
    .where('id', '=', id)
    .execute();
}

/** The wallet account of the subscriber who paid (it must exist). */
export async function payerAccount(trx: Executor, payerId: string): Promise<string> {
  const payer = await trx
    .selectFrom('subscribers')
    .select('account_id')
    .where('id', '=', payerId)
    .executeTakeFirstOrThrow();
  return payer.account_id;
}

export async function insertRefund(trx: Executor, row: RefundsTable) {
  await trx.insertInto('refunds').values(row).execute();
}

export async function setRefundedAmount(trx: Executor, id: string, refunded: bigint) {
  await trx
    .updateTable('payment_requests')
    .set({ refunded_amount: refunded.toString() })
    .where('id', '=', id)
    .execute();
}
