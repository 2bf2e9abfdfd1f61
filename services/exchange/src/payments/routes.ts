/**
 * Wallet-to-wallet transfers and payment requests (the invoice of S130 and S140): a merchant
 * asks, a payer pays from the wallet, the merchant may refund in full or in part. A request is
 * paid at most once and never after it expires; the check and the payment are one transaction.
 */
import { Statement } from '@tessera/db';
import { Type } from 'typebox';
import { assetOf, type Exchange, type Work } from '../context.ts';
import type { PaymentRequestsTable } from '../db/schema.ts';
import { ApiError, badRequest, conflict, notFound } from '../errors.ts';
import type { App } from '../http.ts';
import { mutate, subscriberOf } from '../http.ts';
import { newId } from '../ids.ts';
import { postEntry } from '../ledger/service.ts';
import { formatAmount, parseAmount } from '../money.ts';
import { AmountString, AssetCode, errors, Id, IdempotencyHeaders, iso, Phone } from '../schemas.ts';

const PaymentRequest = Type.Object({
  id: Type.String(),
  merchant: Type.Object({ id: Type.String(), displayName: Type.String() }),
  asset: Type.String(),
  amount: Type.String(),
  reference: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  status: Type.Union([
    Type.Literal('open'),
    Type.Literal('paid'),
    Type.Literal('cancelled'),
    Type.Literal('expired'),
  ]),
  expiresAt: Type.String(),
  createdAt: Type.String(),
  paidAt: Type.Union([Type.String(), Type.Null()]),
  payerId: Type.Union([Type.String(), Type.Null()]),
  paymentId: Type.Union([Type.String(), Type.Null()]),
  refundedAmount: Type.String(),
});

const Transfer = Type.Object({
  id: Type.String(),
  from: Type.String(),
  to: Type.String(),
  asset: Type.String(),
  amount: Type.String(),
  memo: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
});

type Recipient = { id: string; account_id: string; status: string };
const recipientById = new Statement<Recipient>(
  'select id, account_id, status from subscribers where id = ?',
);
const recipientByPhone = new Statement<Recipient>(
  'select id, account_id, status from subscribers where phone = ? and kind = ?',
);

export function paymentRoutes(app: App, exchange: Exchange) {
  const db = exchange.database.db;
  const dialect = exchange.database.dialect;

  /**
   * Recipients by id or phone, remembered for five seconds: a subscriber's wallet account never
   * changes, so a busy payee does not cost a lookup per transfer. Only active ones are kept.
   * Read in the paying transaction.
   */
  const recipients = exchange.caches.cache<Recipient, Work['trx']>(
    'payment-recipients',
    { ttlMs: 5_000, max: 10_000 },
    async (key, trx) => {
      const [by, value, kind] = key.split('\u0000') as [string, string, string | undefined];
      const executor = trx ?? db;
      const row =
        by === 'id'
          ? await recipientById.first(executor, dialect, [value])
          : await recipientByPhone.first(executor, dialect, [value, kind ?? 'person']);
      return row?.status === 'active' ? row : undefined;
    },
  );

  function requestBody(
    row: PaymentRequestsTable,
    merchantName: string,
    viewer: string,
    now: number,
  ) {
    const asset = assetOf(exchange, row.asset);
    const status: PaymentRequestsTable['status'] | 'expired' =
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

  app.post(
    '/v1/transfers',
    {
      config: { access: 'subscriber' },
      schema: {
        tags: ['payments'],
        summary: 'Send an asset from this wallet to another subscriber, with a memo',
        headers: IdempotencyHeaders,
        body: Type.Object(
          {
            to: Type.Union([
              Type.Object(
                { subscriberId: Type.String({ maxLength: 50 }) },
                { additionalProperties: false },
              ),
              Type.Object(
                {
                  phone: Phone,
                  kind: Type.Optional(
                    Type.Union([Type.Literal('person'), Type.Literal('merchant')]),
                  ),
                },
                { additionalProperties: false },
              ),
            ]),
            asset: AssetCode,
            amount: AmountString,
            memo: Type.Optional(Type.String({ maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Transfer, ...errors },
      },
    },
    (request, reply) => {
      const me = subscriberOf(request);
      const { to, memo } = request.body;
      const asset = assetOf(exchange, request.body.asset);
      const units = parseAmount(request.body.amount, asset);
      if (units <= 0n) throw badRequest('invalid_amount', 'amount must be positive');
      return mutate(exchange, request, reply, async ({ trx, now, notify, finally: last }) => {
        const recipient =
          'subscriberId' in to
            ? await recipients.get(`id\u0000${to.subscriberId}`, trx)
            : await recipients.get(`phone\u0000${to.phone}\u0000${to.kind ?? 'person'}`, trx);
        if (recipient?.status !== 'active') throw notFound('recipient');
        if (recipient.id === me.id)
          throw badRequest('same_wallet', 'cannot transfer to your own wallet');
        const entry = await postEntry(
          trx,
          dialect,
          now,
          {
            kind: 'transfer',
            memo: memo ?? null,
            postings: [
              { account: me.accountId, asset: asset.code, amount: -units },
              { account: recipient.account_id, asset: asset.code, amount: units },
            ],
          },
          // Nothing below reads the journal or a balance: the entry's writes can go last.
          { defer: last },
        );
        const body = {
          id: entry.id,
          from: me.id,
          to: recipient.id,
          asset: asset.code,
          amount: formatAmount(units, asset.scale),
          memo: memo ?? null,
          createdAt: iso(now) as string,
        };
        notify(me.id, 'transfer.sent', body);
        notify(recipient.id, 'transfer.received', body);
        return { status: 201, body };
      });
    },
  );

  app.post(
    '/v1/payment-requests',
    {
      config: { access: 'merchant' },
      schema: {
        tags: ['payment requests'],
        summary: 'Create a payment request (an invoice a payer pays from the wallet)',
        headers: IdempotencyHeaders,
        body: Type.Object(
          {
            asset: AssetCode,
            amount: AmountString,
            reference: Type.String({ minLength: 1, maxLength: 100 }),
            description: Type.Optional(Type.String({ maxLength: 300 })),
            expiresInS: Type.Integer({ minimum: 10, maximum: 7 * 86_400 }),
          },
          { additionalProperties: false },
        ),
        response: { 201: PaymentRequest, ...errors },
      },
    },
    (request, reply) => {
      const me = subscriberOf(request);
      const asset = assetOf(exchange, request.body.asset);
      const units = parseAmount(request.body.amount, asset);
      if (units <= 0n) throw badRequest('invalid_amount', 'amount must be positive');
      return mutate(exchange, request, reply, async ({ trx, now }) => {
        const row: PaymentRequestsTable = {
          id: newId('pr'),
          merchant_id: me.id,
          asset: asset.code,
          amount: units.toString(),
          reference: request.body.reference,
          description: request.body.description ?? null,
          status: 'open',
          expires_at: now + request.body.expiresInS * 1000,
          payer_id: null,
          paid_at: null,
          entry_id: null,
          refunded_amount: '0',
          created_at: now,
        };
        await trx.insertInto('payment_requests').values(row).execute();
        return { status: 201, body: requestBody(row, me.displayName, me.id, now) };
      });
    },
  );

  app.get(
    '/v1/payment-requests/:id',
    {
      config: { access: 'subscriber' },
      schema: {
        tags: ['payment requests'],
        summary: 'A payment request: anyone signed in who has its id may see it to pay it',
        params: Type.Object({ id: Id('pr') }),
        response: { 200: PaymentRequest, ...errors },
      },
    },
    async (request) => {
      const me = subscriberOf(request);
      const row = await db
        .selectFrom('payment_requests as r')
        .innerJoin('subscribers as m', 'm.id', 'r.merchant_id')
        .selectAll('r')
        .select('m.display_name')
        .where('r.id', '=', request.params.id)
        .executeTakeFirst();
      if (!row) throw notFound('payment request');
      return requestBody(row, row.display_name, me.id, exchange.clock.now());
    },
  );

  app.get(
    '/v1/payment-requests',
    {
      config: { access: 'merchant' },
      schema: {
        tags: ['payment requests'],
        summary: "The merchant's payment requests, newest first",
        querystring: Type.Object({
          reference: Type.Optional(Type.String({ maxLength: 100 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
          before: Type.Optional(Type.Integer({ minimum: 1, description: 'createdAt (ms) cursor' })),
        }),
        response: {
          200: Type.Object({
            requests: Type.Array(PaymentRequest),
            nextBefore: Type.Union([Type.Integer(), Type.Null()]),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const me = subscriberOf(request);
      const limit = request.query.limit ?? 50;
      let query = db
        .selectFrom('payment_requests')
        .selectAll()
        .where('merchant_id', '=', me.id)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit + 1);
      if (request.query.reference) query = query.where('reference', '=', request.query.reference);
      if (request.query.before) query = query.where('created_at', '<', request.query.before);
      const rows = await query.execute();
      const now = exchange.clock.now();
      const page = rows.slice(0, limit);
      return {
        requests: page.map((row) => requestBody(row, me.displayName, me.id, now)),
        nextBefore: rows.length > limit ? (page.at(-1)?.created_at ?? null) : null,
      };
    },
  );

  /** The request row, locked on PostgreSQL, so pay, cancel and refund of one request serialise. */
  async function lockRequest(trx: typeof db, id: string) {
    let query = trx.selectFrom('payment_requests').selectAll().where('id', '=', id);
    if (dialect === 'postgres') query = query.forUpdate();
    const row = await query.executeTakeFirst();
    if (!row) throw notFound('payment request');
    return row;
  }

  app.post(
    '/v1/payment-requests/:id/pay',
    {
      config: { access: 'subscriber' },
      schema: {
        tags: ['payment requests'],
        summary: 'Pay a payment request from this wallet (S130): only while open and unexpired',
        headers: IdempotencyHeaders,
        params: Type.Object({ id: Id('pr') }),
        response: { 200: PaymentRequest, ...errors },
      },
    },
    (request, reply) => {
      const me = subscriberOf(request);
      return mutate(exchange, request, reply, async ({ trx, now, notify }) => {
        const row = await lockRequest(trx, request.params.id);
        if (row.merchant_id === me.id)
          throw badRequest('own_request', 'a merchant cannot pay its own request');
        if (row.status === 'paid') {
          throw conflict('already_paid', 'this payment request has already been paid', {
            paidAt: iso(row.paid_at),
          });
        }
        if (row.status === 'cancelled')
          throw conflict('request_cancelled', 'this payment request was cancelled');
        if (now >= row.expires_at) {
          throw conflict('request_expired', 'this payment request has expired', {
            expiresAt: iso(row.expires_at),
          });
        }
        const merchant = await trx
          .selectFrom('subscribers')
          .select(['account_id', 'display_name'])
          .where('id', '=', row.merchant_id)
          .executeTakeFirstOrThrow();
        const amount = BigInt(row.amount);
        const entry = await postEntry(trx, dialect, now, {
          kind: 'payment',
          memo: row.reference,
          refType: 'payment_request',
          refId: row.id,
          postings: [
            { account: me.accountId, asset: row.asset, amount: -amount },
            { account: merchant.account_id, asset: row.asset, amount },
          ],
        });
        const paid = await trx
          .updateTable('payment_requests')
          .set({ status: 'paid', payer_id: me.id, paid_at: now, entry_id: entry.id })
          .where('id', '=', row.id)
          .where('status', '=', 'open')
          .executeTakeFirst();
        // The lock (PostgreSQL) or the write lock (SQLite) makes this impossible; if it ever
        // happened, throwing rolls the payment back rather than paying twice.
        if (Number(paid.numUpdatedRows) !== 1)
          throw new Error('payment request changed under its lock');
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
        return { status: 200, body: requestBody(updated, merchant.display_name, me.id, now) };
      });
    },
  );

  app.post(
    '/v1/payment-requests/:id/cancel',
    {
      config: { access: 'merchant' },
      schema: {
        tags: ['payment requests'],
        summary: 'Cancel an open payment request so it can no longer be paid',
        headers: IdempotencyHeaders,
        params: Type.Object({ id: Id('pr') }),
        response: { 200: PaymentRequest, ...errors },
      },
    },
    (request, reply) => {
      const me = subscriberOf(request);
      return mutate(exchange, request, reply, async ({ trx, now }) => {
        const row = await lockRequest(trx, request.params.id);
        if (row.merchant_id !== me.id) throw notFound('payment request');
        if (row.status !== 'open')
          throw conflict('not_open', `this payment request is ${row.status}`);
        await trx
          .updateTable('payment_requests')
          .set({ status: 'cancelled' })
          .where('id', '=', row.id)
          .execute();
        return {
          status: 200,
          body: requestBody({ ...row, status: 'cancelled' }, me.displayName, me.id, now),
        };
      });
    },
  );

  app.post(
    '/v1/payment-requests/:id/refunds',
    {
      config: { access: 'merchant' },
      schema: {
        tags: ['payment requests'],
        summary: 'Refund a paid request in full (no amount) or in part, back to the payer',
        headers: IdempotencyHeaders,
        params: Type.Object({ id: Id('pr') }),
        body: Type.Object(
          {
            amount: Type.Optional(AmountString),
            reason: Type.Optional(Type.String({ maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            id: Type.String(),
            paymentRequestId: Type.String(),
            amount: Type.String(),
            asset: Type.String(),
            refundedAmount: Type.String(),
            createdAt: Type.String(),
          }),
          ...errors,
        },
      },
    },
    (request, reply) => {
      const me = subscriberOf(request);
      return mutate(exchange, request, reply, async ({ trx, now, notify }) => {
        const row = await lockRequest(trx, request.params.id);
        if (row.merchant_id !== me.id) throw notFound('payment request');
        if (row.status !== 'paid' || !row.payer_id)
          throw conflict('not_paid', 'only a paid request can be refunded');
        const asset = assetOf(exchange, row.asset);
        const paid = BigInt(row.amount);
        const refunded = BigInt(row.refunded_amount);
        const amount =
          request.body.amount === undefined
            ? paid - refunded
            : parseAmount(request.body.amount, asset);
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
        const payer = await trx
          .selectFrom('subscribers')
          .select('account_id')
          .where('id', '=', row.payer_id)
          .executeTakeFirstOrThrow();
        const refundId = newId('rf');
        const entry = await postEntry(trx, dialect, now, {
          kind: 'refund',
          memo: request.body.reason ?? null,
          refType: 'payment_request',
          refId: row.id,
          postings: [
            { account: me.accountId, asset: row.asset, amount: -amount },
            { account: payer.account_id, asset: row.asset, amount },
          ],
        });
        await trx
          .insertInto('refunds')
          .values({
            id: refundId,
            payment_request_id: row.id,
            amount: amount.toString(),
            reason: request.body.reason ?? null,
            entry_id: entry.id,
            created_at: now,
          })
          .execute();
        await trx
          .updateTable('payment_requests')
          .set({ refunded_amount: (refunded + amount).toString() })
          .where('id', '=', row.id)
          .execute();
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
          reason: request.body.reason ?? null,
        };
        notify(me.id, 'payment_request.refunded', data);
        notify(row.payer_id, 'refund.received', data);
        return { status: 201, body };
      });
    },
  );
}
