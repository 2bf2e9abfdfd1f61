/**
 * Fiat in (patent S110): card and bank-transfer deposits through the payment-provider port
 * (service.ts), a subscriber's own deposits, and the operator's review of bank transfers.
 *
 * Journal legs (every asset sums to zero in each entry):
 * - card deposit succeeds:     house:card −amount, wallet +amount        (kind 'deposit')
 * - bank transfer confirmed:   house:bank −amount, wallet +amount        (kind 'deposit')
 *
 * A deposit is made in two steps: the provider is asked first, outside any transaction (a live
 * processor is a network call), then its answer is recorded in the caller's idempotent unit of
 * work. A refused card deposit is recorded (status 'refused') and answered with 402 from inside
 * that unit of work, so a retry with the same key replays the same refusal instead of charging
 * again. State changes are guarded in SQL (`where status = ...`) and, on PostgreSQL, the row is
 * locked first, so two operators confirming at once cannot credit twice.
 */
import type { SubscriberPrincipal } from '../accounts/auth.ts';
import type { Exchange, Work } from '../context.ts';
import type { DepositsTable } from '../db/schema.ts';
import { ApiError, badRequest, conflict, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import { houseAccounts } from '../ledger/house-accounts.ts';
import { postEntry } from '../ledger/service.ts';
import { formatAmount, parseAmount } from '../money.ts';
import { cursorOf } from './cursors.ts';
import {
  type DepositOutcome,
  type DepositRecord,
  depositOfSubscriber,
  depositsOfSubscriber,
  depositsToReview,
  insertDeposit,
  leavePending,
  lockDeposit,
  referenceTaken,
  setDepositEntry,
  walletAccountOf,
} from './repository.ts';
import {
  type CardDetails,
  type Collection,
  type DeclineCode,
  type DepositMethod,
  type FiatProviders,
  transferReferencePattern,
} from './service.ts';
import { depositView } from './views.ts';

/**
 * The most one deposit may bring in, in whole units of the fiat: 10,000,000 of the default KRW
 * is about USD 7,000, above any ticket purchase and low enough that a mistyped extra digit or a
 * stolen card cannot pour a fortune in at once. Larger sums take several deposits.
 */
const maxDepositWhole = 10_000_000n;

/** A deposit as the subscriber asks for it; the card lives only for the request. */
export type DepositInput =
  | { readonly method: 'card'; readonly amount: string; readonly card: CardDetails }
  | { readonly method: 'bank_transfer'; readonly amount: string };

/** What the provider answered for a new deposit, to be recorded. */
export interface CollectedDeposit {
  readonly depositId: string;
  readonly method: DepositMethod;
  readonly amount: bigint;
  readonly collection: Collection;
}

function methodUnavailable(method: string) {
  return badRequest(
    'method_unavailable',
    `${method} deposits are not offered by this exchange; no provider is configured`,
  );
}

/**
 * Checks the amount and asks the provider to collect it: before the transaction opens, since a
 * live processor is a network call. `idempotencyKey` gives the request's key (it throws when
 * the request has none); the provider gets it with the subscriber's id, so that a replay is
 * asked again with the same key, which a live processor dedupes (the sandbox is stateless), and
 * the replay is then answered with the stored outcome, not this one.
 */
export async function collectDeposit(
  exchange: Exchange,
  providers: FiatProviders,
  subscriberId: string,
  input: DepositInput,
  idempotencyKey: () => string,
): Promise<CollectedDeposit> {
  const fiat = exchange.config.fiat;
  const maxDeposit = maxDepositWhole * 10n ** BigInt(fiat.scale);
  const amount = parseAmount(input.amount, fiat);
  if (amount <= 0n) throw badRequest('invalid_amount', 'amount must be positive');
  if (amount > maxDeposit) {
    throw badRequest('amount_too_large', 'amount is above the limit for one deposit', {
      max: formatAmount(maxDeposit, fiat.scale),
    });
  }
  const depositId = newId('dep');
  const collect = {
    depositId,
    asset: fiat,
    amount,
    idempotencyKey: `${subscriberId}:${idempotencyKey()}`,
  };
  let collection: Collection;
  if (input.method === 'card') {
    if (!providers.card) throw methodUnavailable('card');
    collection = await providers.card.collect({ ...collect, source: input.card });
  } else {
    if (!providers.bankTransfer) throw methodUnavailable('bank_transfer');
    collection = await providers.bankTransfer.collect({ ...collect, source: undefined });
  }
  return { depositId, method: input.method, amount, collection };
}

/** A recorded deposit and, when the card was refused, why. */
export interface RecordedDeposit {
  readonly deposit: DepositRecord;
  readonly refusal: { readonly code: DeclineCode; readonly message: string } | null;
}

/**
 * Records the provider's answer: a refusal as a refused deposit, a card charge as a succeeded
 * deposit credited to the wallet, a bank transfer as a pending deposit with its reference.
 */
export async function recordDeposit(
  work: Work,
  exchange: Exchange,
  providers: FiatProviders,
  me: SubscriberPrincipal,
  collected: CollectedDeposit,
): Promise<RecordedDeposit> {
  const { trx, now, notify } = work;
  const fiat = exchange.config.fiat;
  const { depositId, amount, collection } = collected;
  const row: DepositRecord = {
    id: depositId,
    subscriberId: me.id,
    method: collected.method,
    status: 'pending',
    asset: fiat.code,
    amount,
    cardLast4: null,
    failureCode: null,
    failureMessage: null,
    reference: null,
    entryId: null,
    createdAt: now,
    updatedAt: now,
  };
  if (collection.status === 'refused') {
    const refused: DepositRecord = {
      ...row,
      status: 'refused',
      cardLast4: collection.cardLast4,
      failureCode: collection.code,
      failureMessage: collection.message,
    };
    await insertDeposit(trx, refused);
    notify(me.id, 'deposit.refused', depositView(exchange, providers, refused));
    // Returned, not thrown: the refusal is a fact to keep (the row and the key's outcome),
    // and a throw would roll both back.
    return { deposit: refused, refusal: { code: collection.code, message: collection.message } };
  }
  if (collection.status === 'succeeded') {
    const entry = await postEntry(trx, exchange.database.dialect, now, {
      kind: 'deposit',
      memo: `card deposit ending ${collection.cardLast4 ?? '????'}`,
      refType: 'deposit',
      refId: depositId,
      postings: [
        { account: houseAccounts.card, asset: fiat.code, amount: -amount },
        { account: me.accountId, asset: fiat.code, amount },
      ],
    });
    const succeeded: DepositRecord = {
      ...row,
      status: 'succeeded',
      cardLast4: collection.cardLast4,
      entryId: entry.id,
    };
    await insertDeposit(trx, succeeded);
    notify(me.id, 'deposit.succeeded', depositView(exchange, providers, succeeded));
    return { deposit: succeeded, refusal: null };
  }
  // A reference must name one deposit; 2^40 of them makes a clash all but impossible, and
  // if one happens the client's retry (same key, rolled back) draws a new one.
  if (await referenceTaken(trx, collection.reference)) {
    throw new ApiError(503, 'try_again', 'could not issue a reference; retry the request');
  }
  const pending: DepositRecord = { ...row, reference: collection.reference };
  await insertDeposit(trx, pending);
  notify(me.id, 'deposit.pending', depositView(exchange, providers, pending));
  return { deposit: pending, refusal: null };
}

/** Moves a pending deposit on, or answers 409 when another request moved it first. */
async function leavePendingOnce(work: Work, deposit: DepositRecord, next: DepositOutcome) {
  if (!(await leavePending(work.trx, deposit.id, work.now, next))) {
    throw conflict('not_pending', 'this deposit is no longer pending');
  }
}

/** The subscriber cancels a pending bank-transfer deposit (the transfer must not be sent). */
export async function cancelDeposit(
  work: Work,
  exchange: Exchange,
  providers: FiatProviders,
  subscriberId: string,
  id: string,
): Promise<DepositRecord> {
  const row = await lockDeposit(work.trx, exchange.database.dialect, id);
  if (row?.subscriberId !== subscriberId) throw notFound('deposit');
  if (row.status !== 'pending') {
    throw conflict(
      'not_pending',
      `this deposit is ${row.status}; only a pending one can be cancelled`,
    );
  }
  await leavePendingOnce(work, row, { status: 'cancelled' });
  const cancelled: DepositRecord = { ...row, status: 'cancelled', updatedAt: work.now };
  work.notify(subscriberId, 'deposit.cancelled', depositView(exchange, providers, cancelled));
  return cancelled;
}

/** The operator confirms a pending bank transfer arrived: the wallet is credited once. */
export async function confirmDeposit(
  work: Work,
  exchange: Exchange,
  providers: FiatProviders,
  id: string,
): Promise<DepositRecord> {
  const { trx, now } = work;
  const dialect = exchange.database.dialect;
  const row = await lockDeposit(trx, dialect, id);
  if (!row) throw notFound('deposit');
  if (row.status !== 'pending' || row.method !== 'bank_transfer') {
    throw conflict('not_pending', `this deposit is ${row.status}, not a pending transfer`);
  }
  await leavePendingOnce(work, row, { status: 'succeeded' });
  const amount = row.amount;
  const entry = await postEntry(trx, dialect, now, {
    kind: 'deposit',
    memo: `bank transfer ${row.reference ?? ''}`.trim(),
    refType: 'deposit',
    refId: row.id,
    postings: [
      { account: houseAccounts.bank, asset: row.asset, amount: -amount },
      { account: await walletAccountOf(trx, row.subscriberId), asset: row.asset, amount },
    ],
  });
  await setDepositEntry(trx, row.id, entry.id);
  const succeeded: DepositRecord = {
    ...row,
    status: 'succeeded',
    entryId: entry.id,
    updatedAt: now,
  };
  work.notify(row.subscriberId, 'deposit.succeeded', depositView(exchange, providers, succeeded));
  return succeeded;
}

/** The operator rejects a pending bank transfer (it never arrived, or did not match). */
export async function rejectDeposit(
  work: Work,
  exchange: Exchange,
  providers: FiatProviders,
  id: string,
  reason: string | undefined,
): Promise<DepositRecord> {
  const row = await lockDeposit(work.trx, exchange.database.dialect, id);
  if (!row) throw notFound('deposit');
  if (row.status !== 'pending') {
    throw conflict('not_pending', `this deposit is ${row.status}, not pending`);
  }
  const next = {
    status: 'refused' as const,
    failureCode: 'rejected',
    failureMessage: reason ?? 'the transfer was not received',
  };
  await leavePendingOnce(work, row, next);
  const refused: DepositRecord = { ...row, ...next, updatedAt: work.now };
  work.notify(row.subscriberId, 'deposit.refused', depositView(exchange, providers, refused));
  return refused;
}

/** A page of the subscriber's deposits, newest first. */
export async function depositsOf(
  exchange: Exchange,
  subscriberId: string,
  query: { readonly limit?: number; readonly before?: string },
) {
  const db = exchange.database.db;
  const limit = query.limit ?? 50;
  const cursor = await cursorOf(db, 'deposits', query.before, subscriberId);
  return depositsOfSubscriber(db, subscriberId, limit, cursor);
}

/** One of the subscriber's deposits (404 for anyone else's). */
export async function depositOf(exchange: Exchange, subscriberId: string, id: string) {
  const deposit = await depositOfSubscriber(exchange.database.db, id, subscriberId);
  if (!deposit) throw notFound('deposit');
  return deposit;
}

/** A page of every deposit, oldest first, for the operator to review. */
export async function depositsForReview(
  exchange: Exchange,
  query: {
    readonly limit?: number;
    readonly after?: string;
    readonly status?: DepositsTable['status'];
    readonly reference?: string;
  },
) {
  const db = exchange.database.db;
  const limit = query.limit ?? 50;
  const cursor = await cursorOf(db, 'deposits', query.after, null);
  let reference: string | undefined;
  if (query.reference !== undefined) {
    // Operators copy references off bank statements, where case and spacing vary.
    reference = query.reference.trim().toUpperCase();
    if (!new RegExp(transferReferencePattern).test(reference)) {
      throw badRequest('invalid_reference', 'a reference looks like TSR-XXXX-XXXX');
    }
  }
  return depositsToReview(db, { status: query.status, reference }, limit, cursor);
}
