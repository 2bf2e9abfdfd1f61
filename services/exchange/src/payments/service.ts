/**
 * Payment requests (the invoice of S130 and S140): a merchant asks, a payer pays from the
 * wallet, the merchant may refund in full or in part. A request is paid at most once and never
 * after it expires; the check and the payment are one transaction, and pay, cancel and refund
 * of one request serialise on its row lock.
 */
import type { SubscriberPrincipal } from '../accounts/auth.ts';
import { assetOf, type Exchange, type Work } from '../context.ts';
import { ApiError, badRequest, conflict, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import { postEntry } from '../ledger/service.ts';
import { type Asset, formatAmount, parseAmount } from '../money.ts';
import { iso } from '../schemas.ts';
import {
  insertPaymentRequest,
  insertRefund,
  lockPaymentRequest,
  markPaymentRequestCancelled,
  markPaymentRequestPaid,
  merchantPaymentRequests,
  merchantToPay,
  type PaymentRequestRecord,
  payerAccount,
  paymentRequestWithMerchant,
  setRefundedAmount,
} from './repository.ts';

/** An amount of an asset from a request: the asset must exist and the amount be positive. */
export function positiveAmount(
  exchange: Exchange,
  given: { asset: string; amount: string },
): { asset: Asset; units: bigint } {
  const asset = assetOf(exchange, given.asset);
  const units = parseAmount(given.amount, asset);
  if (units <= 0n) throw badRequest('invalid_amount', 'amount must be positive');
  return { asset, units };
}

export interface PaymentRequestView {
  id: string;
  merchant: { id: string; displayName: string };
  asset: string;
  amount: string;
  reference: string;
  description: string | null;
  status: PaymentRequestRecord['status'] | 'expired';
  expiresAt: string;
  createdAt: string;
  paidAt: string | null;
  payerId: string | null;
  paymentId: string | null;
  refundedAmount: string;
}

/**
 * A request as `viewer` sees it at `now`: an open request past its expiry reads as expired, and
 * only its merchant and its payer see who paid and the payment's id.
 */
function requestView(
  exchange: Exchange,
  row: PaymentRequestRecord,
  merchantName: string,
  viewer: string,
  now: number,
): PaymentRequestView {
  const asset = assetOf(exchange, row.asset);
  const status: PaymentRequestView['status'] =
    row.status === 'open' && now >= row.expires_at ? 'expired' : row.status;
  const party = viewer === row.merchant_id || viewer === row.payer_id;
  return {
    id: row.id,
    merchant: { id: row.merchant_id, displayName: merchantName },
    asset: row.asset,
    amount: formatAmount(BigInt(row.amount), asset.scale),
    reference: row.reference,
    description: row.description,
    status,
    expiresAt: iso(row.expires_at) as string,
    createdAt: iso(row.created_at) as string,
    paidAt: iso(row.paid_at),
    payerId: party ? row.payer_id : null,
    paymentId: party ? row.entry_id : null,
    refundedAmount: formatAmount(BigInt(row.refunded_amount), asset.scale),
  };
}

export async function createPaymentRequest(
  exchange: Exchange,
  { trx, now }: Work,
  me: SubscriberPrincipal,
  input: {
    asset: Asset;
    units: bigint;
    reference: string;
    description: string | undefined;
    expiresInS: number;
  },
): Promise<PaymentRequestView> {
  const row: PaymentRequestRecord = {
    // 128 random bits: before it is paid, the id is the capability to read and pay it.
    id: newId('pr', 16),
    merchant_id: me.id,
    asset: input.asset.code,
    amount: input.units.toString(),
    reference: input.reference,
    description: input.description ?? null,
    status: 'open',
    expires_at: now + input.expiresInS * 1000,
    payer_id: null,
    paid_at: null,
    entry_id: null,
    refunded_amount: '0',
    created_at: now,
  };
  await insertPaymentRequest(trx, row);
  return requestView(exchange, row, me.displayName, me.id, now);
}

/**
 * Who may see a request. Its merchant, always. Once paid, only its merchant and its payer.
 * Before that, anyone signed in who has its id: the payer is not known until it pays, and the
 * buyer reaches the request by its id (the ticketing server hands it over, the buy page and the
 * app read it to show what is being paid). The id is a capability: 128 random bits from the
 * system's CSPRNG, never listed to anyone but the merchant, and an unpaid request shows only
 * what the payer needs (merchant, amount, reference, expiry), never who else looked.
 * Anyone else gets the same 404 as for an id that does not exist.
 */
function mayRead(row: PaymentRequestRecord, viewer: string) {
  return row.merchant_id === viewer || row.payer_id === viewer || row.payer_id === null;
}

/** A payment request, for those `mayRead` lets see it. */
export async function readPaymentRequest(
  exchange: Exchange,
  me: SubscriberPrincipal,
  id: string,
): Promise<PaymentRequestView> {
  const row = await paymentRequestWithMerchant(exchange.database.db, id);
  if (!row || !mayRead(row, me.id)) throw notFound('payment request');
  return requestView(exchange, row, row.display_name, me.id, exchange.clock.now());
}

/** A page of the merchant's requests, newest first, and the cursor of the next page. */
export async function listPaymentRequests(
  exchange: Exchange,
  me: SubscriberPrincipal,
  query: {
    reference?: string | undefined;
    before?: number | undefined;
    limit?: number | undefined;
  },
): Promise<{ requests: PaymentRequestView[]; nextBefore: number | null }> {
  const limit = query.limit ?? 50;
  const rows = await merchantPaymentRequests(exchange.database.db, me.id, {
    reference: query.reference,
    before: query.before,
    rows: limit + 1,
  });
  const now = exchange.clock.now();
  const page = rows.slice(0, limit);
  return {
    requests: page.map((row) => requestView(exchange, row, me.displayName, me.id, now)),
    nextBefore: rows.length > limit ? (page.at(-1)?.created_at ?? null) : null,
  };
}

async function lockRequest(exchange: Exchange, trx: Work['trx'], id: string) {
  const row = await lockPaymentRequest(trx, exchange.database.dialect, id);
  if (!row) throw notFound('payment request');
  return row;
}

/** Pays a request from the caller's wallet (S130): only while it is open and unexpired. */
export async function payPaymentRequest(
  exchange: Exchange,
  { trx, now, notify }: Work,
  me: SubscriberPrincipal,
  id: string,
): Promise<PaymentRequestView> {
  const row = await lockRequest(exchange, trx, id);
  if (row.merchant_id === me.id)
    throw badRequest('own_request', 'a merchant cannot pay its own request');
  if (row.status === 'paid') {
    // Whoever lost a race to pay it (the same buyer on two devices, say) learns that it is
    // paid, which the id they hold already let them see; only its parties learn when and who.
    throw conflict(
      'already_paid',
      'this payment request has already been paid',
      mayRead(row, me.id) ? { paidAt: iso(row.paid_at) } : undefined,
    );
  }
  if (row.status === 'cancelled')
    throw conflict('request_cancelled', 'this payment request was cancelled');
  if (now >= row.expires_at) {
    throw conflict('request_expired', 'this payment request has expired', {
      expiresAt: iso(row.expires_at),
    });
  }
  const merchant = await merchantToPay(trx, row.merchant_id);
  const amount = BigInt(row.amount);
  const entry = await postEntry(trx, exchange.database.dialect, now, {
    kind: 'payment',
    memo: row.reference,
    refType: 'payment_request',
    refId: row.id,
    postings: [
      { account: me.accountId, asset: row.asset, amount: -amount },
      { account: merchant.account_id, asset: row.asset, amount },
    ],
  });
  const paid = await markPaymentRequestPaid(trx, row.id, {
    payerId: me.id,
    paidAt: now,
    entryId: entry.id,
  });
  // The lock (PostgreSQL) or the write lock (SQLite) makes this impossible; if it ever
  // happened, throwing rolls the payment back rather than paying twice.
  if (paid !== 1) throw new Error('payment request changed under its lock');
  const updated = {
    ...row,
    status: 'paid' as const,
    payer_id: me.id,
    paid_at: now,
    entry_id: entry.id,
  };
  const data = {
    paymentRequestId: row.id,
    paymentId: entry.id,
    merchantId: row.merchant_id,
    payerId: me.id,
    reference: row.reference,
    asset: row.asset,
    amount: formatAmount(amount, assetOf(exchange, row.asset).scale),
    paidAt: iso(now),
  };
  notify(me.id, 'payment.sent', data);
  notify(row.merchant_id, 'payment_request.paid', data);
  return requestView(exchange, updated, merchant.display_name, me.id, now);
}

/** Cancels the merchant's open request so that it can no longer be paid. */
export async function cancelPaymentRequest(
  exchange: Exchange,
  { trx, now }: Work,
  me: SubscriberPrincipal,
  id: string,
): Promise<PaymentRequestView> {
  const row = await lockRequest(exchange, trx, id);
  if (row.merchant_id !== me.id) throw notFound('payment request');
  if (row.status !== 'open') throw conflict('not_open', `this payment request is ${row.status}`);
  await markPaymentRequestCancelled(trx, row.id);
  return requestView(exchange, { ...row, status: 'cancelled' }, me.displayName, me.id, now);
}

export interface RefundView {
  id: string;
  paymentRequestId: string;
  amount: string;
  asset: string;
  refundedAmount: string;
  createdAt: string;
}

/**
 * Refunds a paid request back to its payer (S140): the rest of it when no amount is given, and
 * never more in all than was paid.
 */
export async function refundPaymentRequest(
  exchange: Exchange,
  { trx, now, notify }: Work,
  me: SubscriberPrincipal,
  id: string,
  input: { amount?: string | undefined; reason?: string | undefined },
): Promise<RefundView> {
  const row = await lockRequest(exchange, trx, id);
  if (row.merchant_id !== me.id) throw notFound('payment request');
  if (row.status !== 'paid' || !row.payer_id)
    throw conflict('not_paid', 'only a paid request can be refunded');
  const asset = assetOf(exchange, row.asset);
  const paid = BigInt(row.amount);
  const refunded = BigInt(row.refunded_amount);
  const amount = input.amount === undefined ? paid - refunded : parseAmount(input.amount, asset);
  if (amount <= 0n) {
    throw refunded === paid
      ? conflict('fully_refunded', 'this payment request is already fully refunded')
      : badRequest('invalid_amount', 'amount must be positive');
  }
  if (refunded + amount > paid) {
    throw new ApiError(409, 'refund_exceeds_payment', 'refunds cannot exceed what was paid', {
      refundable: formatAmount(paid - refunded, asset.scale),
    });
  }
  const payerAccountId = await payerAccount(trx, row.payer_id);
  const refundId = newId('rf');
  const entry = await postEntry(trx, exchange.database.dialect, now, {
    kind: 'refund',
    memo: input.reason ?? null,
    refType: 'payment_request',
    refId: row.id,
    postings: [
      { account: me.accountId, asset: row.asset, amount: -amount },
      { account: payerAccountId, asset: row.asset, amount },
    ],
  });
  await insertRefund(trx, {
    id: refundId,
    payment_request_id: row.id,
    amount: amount.toString(),
    reason: input.reason ?? null,
    entry_id: entry.id,
    created_at: now,
  });
  await setRefundedAmount(trx, row.id, refunded + amount);
  const body = {
    id: refundId,
    paymentRequestId: row.id,
    amount: formatAmount(amount, asset.scale),
    asset: row.asset,
    refundedAmount: formatAmount(refunded + amount, asset.scale),
    createdAt: iso(now) as string,
  };
  const data = {
    ...body,
    reference: row.reference,
    merchantId: me.id,
    payerId: row.payer_id,
    reason: input.reason ?? null,
  };
  notify(me.id, 'payment_request.refunded', data);
  notify(row.payer_id, 'refund.received', data);
  return body;
}
