/**
 * Fiat out (patent S110): withdrawals to a bank account that an operator pays out.
 *
 * Journal legs (every asset sums to zero in each entry):
 * - withdrawal requested:      wallet −amount, house:payouts +amount     (kind 'withdrawal_hold')
 * - withdrawal approved:       house:payouts −amount, house:bank +amount (kind 'withdrawal_payout')
 * - withdrawal rejected:       house:payouts −amount, wallet +amount     (kind 'withdrawal_release')
 *
 * A decision is guarded in SQL (`where status = 'requested'`) and, on PostgreSQL, the row is
 * locked first, so two operators deciding at once cannot pay out or release twice.
 */
import type { SubscriberPrincipal } from '../accounts/auth.ts';
import type { Exchange, Work } from '../context.ts';
import type { WithdrawalsTable } from '../db/schema.ts';
import { badRequest, conflict, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import { houseAccounts } from '../ledger/house-accounts.ts';
import { postEntry } from '../ledger/service.ts';
import { parseAmount } from '../money.ts';
import { cursorOf } from './cursors.ts';
import {
  type Destination,
  decideWithdrawal,
  insertWithdrawal,
  lockWithdrawal,
  setWithdrawalSettleEntry,
  type WithdrawalRecord,
  walletAccountOf,
  withdrawalOfSubscriber,
  withdrawalsOfSubscriber,
  withdrawalsToPay,
} from './repository.ts';
import { withdrawalView } from './views.ts';

/** A withdrawal as asked for, checked before its unit of work starts. */
export interface WithdrawalInput {
  readonly amount: bigint;
  readonly destination: Destination;
}

/** The amount in the fiat's smallest units, which must be positive, and the destination. */
export function withdrawalInput(
  exchange: Exchange,
  request: { readonly amount: string; readonly destination: Destination },
): WithdrawalInput {
  const amount = parseAmount(request.amount, exchange.config.fiat);
  if (amount <= 0n) throw badRequest('invalid_amount', 'amount must be positive');
  const { bank, accountNumber, holder } = request.destination;
  return { amount, destination: { bank, accountNumber, holder } };
}

/** The subscriber asks for a payout: the amount is held at once (409 if it is not there). */
export async function requestWithdrawal(
  work: Work,
  exchange: Exchange,
  me: SubscriberPrincipal,
  input: WithdrawalInput,
): Promise<WithdrawalRecord> {
  const { trx, now } = work;
  const fiat = exchange.config.fiat;
  const { amount, destination } = input;
  const id = newId('wd');
  // Held in house:payouts now, so the same money cannot be spent or withdrawn again while
  // the payout waits for an operator.
  const hold = await postEntry(trx, exchange.database.dialect, now, {
    kind: 'withdrawal_hold',
    memo: `withdrawal to ${destination.bank}`,
    refType: 'withdrawal',
    refId: id,
    postings: [
      { account: me.accountId, asset: fiat.code, amount: -amount },
      { account: houseAccounts.payouts, asset: fiat.code, amount },
    ],
  });
  const withdrawal: WithdrawalRecord = {
    id,
    subscriberId: me.id,
    asset: fiat.code,
    amount,
    destination,
    status: 'requested',
    holdEntryId: hold.id,
    settleEntryId: null,
    decidedAt: null,
    createdAt: now,
  };
  await insertWithdrawal(trx, withdrawal);
  work.notify(me.id, 'withdrawal.requested', withdrawalView(exchange, withdrawal));
  return withdrawal;
}

/** The requested withdrawal, locked and decided, or 404/409. */
async function decide(
  work: Work,
  exchange: Exchange,
  id: string,
  status: 'approved' | 'rejected',
): Promise<WithdrawalRecord> {
  const row = await lockWithdrawal(work.trx, exchange.database.dialect, id);
  if (!row) throw notFound('withdrawal');
  if (row.status !== 'requested') {
    throw conflict('not_requested', `this withdrawal is already ${row.status}`);
  }
  if (!(await decideWithdrawal(work.trx, row.id, work.now, status))) {
    throw conflict('not_requested', 'this withdrawal has already been decided');
  }
  return row;
}

/** The operator records that the payout was sent: the held amount leaves the exchange. */
export async function approveWithdrawal(
  work: Work,
  exchange: Exchange,
  id: string,
): Promise<WithdrawalRecord> {
  const { trx, now } = work;
  const row = await decide(work, exchange, id, 'approved');
  const amount = row.amount;
  // house:bank mirrors the exchange's bank account with the opposite sign: a confirmed
  // transfer in posts it −amount (money arrived, owed to a wallet). Paying out sends money
  // from that bank account, so house:bank goes back up by +amount, and the hold in
  // house:payouts is cleared by −amount. Both legs are house accounts: the wallet was
  // already debited by the hold, and the entry sums to zero.
  const entry = await postEntry(trx, exchange.database.dialect, now, {
    kind: 'withdrawal_payout',
    memo: 'withdrawal paid out',
    refType: 'withdrawal',
    refId: row.id,
    postings: [
      { account: houseAccounts.payouts, asset: row.asset, amount: -amount },
      { account: houseAccounts.bank, asset: row.asset, amount },
    ],
  });
  await setWithdrawalSettleEntry(trx, row.id, entry.id);
  const updated: WithdrawalRecord = {
    ...row,
    status: 'approved',
    settleEntryId: entry.id,
    decidedAt: now,
  };
  work.notify(row.subscriberId, 'withdrawal.approved', withdrawalView(exchange, updated));
  return updated;
}

/** The operator rejects a withdrawal: the held amount goes back to the wallet. */
export async function rejectWithdrawal(
  work: Work,
  exchange: Exchange,
  id: string,
  reason: string | undefined,
): Promise<WithdrawalRecord> {
  const { trx, now } = work;
  const row = await decide(work, exchange, id, 'rejected');
  const amount = row.amount;
  const entry = await postEntry(trx, exchange.database.dialect, now, {
    kind: 'withdrawal_release',
    memo: reason ?? 'withdrawal rejected',
    refType: 'withdrawal',
    refId: row.id,
    postings: [
      { account: houseAccounts.payouts, asset: row.asset, amount: -amount },
      { account: await walletAccountOf(trx, row.subscriberId), asset: row.asset, amount },
    ],
  });
  await setWithdrawalSettleEntry(trx, row.id, entry.id);
  const updated: WithdrawalRecord = {
    ...row,
    status: 'rejected',
    settleEntryId: entry.id,
    decidedAt: now,
  };
  work.notify(row.subscriberId, 'withdrawal.rejected', {
    ...withdrawalView(exchange, updated),
    reason: reason ?? null,
  });
  return updated;
}

/** A page of the subscriber's withdrawals, newest first. */
export async function withdrawalsOf(
  exchange: Exchange,
  subscriberId: string,
  query: { readonly limit?: number; readonly before?: string },
) {
  const db = exchange.database.db;
  const limit = query.limit ?? 50;
  const cursor = await cursorOf(db, 'withdrawals', query.before, subscriberId);
  return withdrawalsOfSubscriber(db, subscriberId, limit, cursor);
}

/** One of the subscriber's withdrawals (404 for anyone else's). */
export async function withdrawalOf(exchange: Exchange, subscriberId: string, id: string) {
  const withdrawal = await withdrawalOfSubscriber(exchange.database.db, id, subscriberId);
  if (!withdrawal) throw notFound('withdrawal');
  return withdrawal;
}

/** A page of every withdrawal, oldest first, for the operator to pay out. */
export async function withdrawalsToPayOut(
  exchange: Exchange,
  query: {
    readonly limit?: number;
    readonly after?: string;
    readonly status?: WithdrawalsTable['status'];
  },
) {
  const db = exchange.database.db;
  const limit = query.limit ?? 50;
  const cursor = await cursorOf(db, 'withdrawals', query.after, null);
  return withdrawalsToPay(db, query.status, limit, cursor);
}
