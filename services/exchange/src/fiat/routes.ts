/**
 * Fiat in and out (patent unit 206): card and bank-transfer deposits through the payment-provider
 * port (`../fiat.ts`), and withdrawals to a bank account that an operator pays out.
 *
 * Journal legs (every asset sums to zero in each entry):
 * - card deposit succeeds:     house:card −amount, wallet +amount        (kind 'deposit')
 * - bank transfer confirmed:   house:bank −amount, wallet +amount        (kind 'deposit')
 * - withdrawal requested:      wallet −amount, house:payouts +amount     (kind 'withdrawal_hold')
 * - withdrawal approved:       house:payouts −amount, house:bank +amount (kind 'withdrawal_payout')
 * - withdrawal rejected:       house:payouts −amount, wallet +amount     (kind 'withdrawal_release')
 *
 * A refused card deposit is recorded (status 'refused') and answered with 402 from inside the
 * idempotent unit of work, so a retry with the same key replays the same refusal instead of
 * charging again. State changes are guarded in SQL (`where status = ...`) and, on PostgreSQL,
 * the row is locked first, so two operators confirming at once cannot credit twice.
 */
import type { ExpressionBuilder, Kysely } from 'kysely';
import { Type } from 'typebox';
import { assetOf, type Exchange } from '../context.ts';
import type { DepositsTable, ExchangeDB, WithdrawalsTable } from '../db/schema.ts';
import { ApiError, badRequest, conflict, notFound } from '../errors.ts';
import type { App } from '../http.ts';
import { mutate, subscriberOf } from '../http.ts';
import { idempotencyKeyOf } from '../idempotency.ts';
import { newId } from '../ids.ts';
import { houseAccounts } from '../ledger/house-accounts.ts';
import { postEntry } from '../ledger/service.ts';
import { formatAmount, parseAmount } from '../money.ts';
import { AmountString, ErrorBody, errors, Id, IdempotencyHeaders, iso } from '../schemas.ts';
import {
  type Collection,
  type FiatProviders,
  fiatProviders,
  transferReferencePattern,
} from './service.ts';

/**
 * The most one deposit may bring in, in whole units of the fiat: 10,000,000 of the default KRW
 * is about USD 7,000, above any ticket purchase and low enough that a mistyped extra digit or a
 * stolen card cannot pour a fortune in at once. Larger sums take several deposits.
 */
export const maxDepositWhole = 10_000_000n;

const DepositStatus = Type.Union([
  Type.Literal('pending'),
  Type.Literal('succeeded'),
  Type.Literal('refused'),
  Type.Literal('cancelled'),
]);

const WithdrawalStatus = Type.Union([
  Type.Literal('requested'),
  Type.Literal('approved'),
  Type.Literal('rejected'),
]);

const Instructions = Type.Object({
  bankName: Type.String(),
  accountNumber: Type.String(),
  accountHolder: Type.String(),
  reference: Type.String(),
  amount: Type.String(),
  asset: Type.String(),
  note: Type.String(),
});

const Deposit = Type.Object({
  id: Type.String(),
  subscriberId: Type.String(),
  method: Type.Union([Type.Literal('card'), Type.Literal('bank_transfer')]),
  status: DepositStatus,
  asset: Type.String(),
  amount: Type.String(),
  cardLast4: Type.Union([Type.String(), Type.Null()]),
  reference: Type.Union([Type.String(), Type.Null()]),
  instructions: Type.Union([Instructions, Type.Null()]),
  failure: Type.Union([Type.Object({ code: Type.String(), message: Type.String() }), Type.Null()]),
  entryId: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

const DestinationInput = Type.Object(
  {
    bank: Type.String({ minLength: 1, maxLength: 100 }),
    accountNumber: Type.String({
      pattern: '^[0-9][0-9 -]{4,38}[0-9]$',
      description: 'Digits, optionally grouped with spaces or dashes',
    }),
    holder: Type.String({ minLength: 1, maxLength: 100 }),
  },
  { additionalProperties: false },
);

const Withdrawal = Type.Object({
  id: Type.String(),
  subscriberId: Type.String(),
  asset: Type.String(),
  amount: Type.String(),
  destination: Type.Object({
    bank: Type.String(),
    accountNumber: Type.String({ description: 'Masked: only the last four digits show' }),
    holder: Type.String(),
  }),
  status: WithdrawalStatus,
  holdEntryId: Type.String(),
  settleEntryId: Type.Union([Type.String(), Type.Null()]),
  decidedAt: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
});

/** What the operator sees: the full account number too, since the operator makes the payout. */
const OperatorWithdrawal = Type.Object({
  ...Withdrawal.properties,
  payoutAccountNumber: Type.String(),
});

const Reason = Type.Object(
  { reason: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) },
  { additionalProperties: false },
);

const ListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
  before: Type.Optional(
    Type.String({ maxLength: 50, description: 'The last id of the previous page' }),
  ),
});

const OperatorListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
  after: Type.Optional(
    Type.String({ maxLength: 50, description: 'The last id of the previous page' }),
  ),
});

interface Destination {
  readonly bank: string;
  readonly accountNumber: string;
  readonly holder: string;
}

/** `110-123-456789` -> `***-***-**6789`: every digit but the last four hidden, grouping kept. */
export function maskAccountNumber(accountNumber: string): string {
  return accountNumber.replace(/[0-9](?=(?:[^0-9]*[0-9]){4})/g, '*');
}

type Trx = Kysely<ExchangeDB>;

export function fiatRoutes(
  app: App,
  exchange: Exchange,
  providers: FiatProviders = fiatProviders(exchange.config, exchange.clock),
) {
  const db = exchange.database.db;
  const dialect = exchange.database.dialect;
  const fiat = exchange.config.fiat;
  const maxDeposit = maxDepositWhole * 10n ** BigInt(fiat.scale);

  function depositBody(row: DepositsTable) {
    const asset = assetOf(exchange, row.asset);
    const amount = BigInt(row.amount);
    const pendingTransfer =
      row.status === 'pending' && row.method === 'bank_transfer' && row.reference !== null;
    return {
      id: row.id,
      subscriberId: row.subscriber_id,
      method: row.method,
      status: row.status,
      asset: row.asset,
      amount: formatAmount(amount, asset.scale),
      cardLast4: row.card_last4,
      reference: row.reference,
      // Instructions only matter while the transfer is still awaited.
      instructions:
        pendingTransfer && providers.bankTransfer && row.reference
          ? providers.bankTransfer.instructionsFor(row.reference, amount, asset)
          : null,
      failure:
        row.failure_code !== null
          ? { code: row.failure_code, message: row.failure_message ?? row.failure_code }
          : null,
      entryId: row.entry_id,
      createdAt: iso(row.created_at) as string,
      updatedAt: iso(row.updated_at) as string,
    };
  }

  function withdrawalBody(row: WithdrawalsTable) {
    const asset = assetOf(exchange, row.asset);
    const destination = JSON.parse(row.destination) as Destination;
    return {
      id: row.id,
      subscriberId: row.subscriber_id,
      asset: row.asset,
      amount: formatAmount(BigInt(row.amount), asset.scale),
      destination: {
        bank: destination.bank,
        accountNumber: maskAccountNumber(destination.accountNumber),
        holder: destination.holder,
      },
      status: row.status,
      holdEntryId: row.hold_entry_id,
      settleEntryId: row.settle_entry_id,
      decidedAt: iso(row.decided_at),
      createdAt: iso(row.created_at) as string,
    };
  }

  function operatorWithdrawalBody(row: WithdrawalsTable) {
    const destination = JSON.parse(row.destination) as Destination;
    return { ...withdrawalBody(row), payoutAccountNumber: destination.accountNumber };
  }

  /** The deposit row, locked on PostgreSQL so confirm, reject and cancel of it serialise. */
  async function lockDeposit(trx: Trx, id: string) {
    let query = trx.selectFrom('deposits').selectAll().where('id', '=', id);
    if (dialect === 'postgres') query = query.forUpdate();
    return query.executeTakeFirst();
  }

  async function lockWithdrawal(trx: Trx, id: string) {
    let query = trx.selectFrom('withdrawals').selectAll().where('id', '=', id);
    if (dialect === 'postgres') query = query.forUpdate();
    return query.executeTakeFirst();
  }

  /**
   * Moves a pending deposit to its next state. The `where status = 'pending'` guard is what makes
   * a transition happen once even without the row lock; the lock makes the loser wait and then
   * see the new state instead of racing.
   */
  async function leavePending(
    trx: Trx,
    row: DepositsTable,
    now: number,
    next: Partial<Pick<DepositsTable, 'status' | 'failure_code' | 'failure_message'>>,
  ) {
    const moved = await trx
      .updateTable('deposits')
      .set({ ...next, updated_at: now })
      .where('id', '=', row.id)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    if (Number(moved.numUpdatedRows) !== 1) {
      throw conflict('not_pending', 'this deposit is no longer pending');
    }
  }

  async function decideWithdrawal(
    trx: Trx,
    row: WithdrawalsTable,
    now: number,
    status: 'approved' | 'rejected',
  ) {
    const moved = await trx
      .updateTable('withdrawals')
      .set({ status, decided_at: now })
      .where('id', '=', row.id)
      .where('status', '=', 'requested')
      .executeTakeFirst();
    if (Number(moved.numUpdatedRows) !== 1) {
      throw conflict('not_requested', 'this withdrawal has already been decided');
    }
  }

  async function walletOf(trx: Trx, subscriberId: string) {
    const row = await trx
      .selectFrom('subscribers')
      .select('account_id')
      .where('id', '=', subscriberId)
      .executeTakeFirstOrThrow();
    return row.account_id;
  }

  /** Keyset condition: rows past `cursor` in (created_at, id) order, `<` newest first. */
  function beyond(
    eb: ExpressionBuilder<ExchangeDB, 'deposits'> | ExpressionBuilder<ExchangeDB, 'withdrawals'>,
    cursor: { created_at: number; id: string },
    op: '<' | '>',
  ) {
    const builder = eb as ExpressionBuilder<ExchangeDB, 'deposits'>;
    return builder.or([
      builder('created_at', op, cursor.created_at),
      builder.and([builder('created_at', '=', cursor.created_at), builder('id', op, cursor.id)]),
    ]);
  }

  /** One page of `limit` rows (the query asked for one more) and the cursor to the next. */
  function pageOf<Row extends { id: string }>(rows: Row[], limit: number) {
    const page = rows.slice(0, limit);
    return { page, next: rows.length > limit ? (page.at(-1)?.id ?? null) : null };
  }

  /** A keyset cursor from an id: the row must be one the caller could list. */
  async function cursorOf(
    table: 'deposits' | 'withdrawals',
    id: string | undefined,
    subscriberId: string | null,
  ) {
    if (id === undefined) return null;
    let query = db.selectFrom(table).select(['id', 'created_at']).where('id', '=', id);
    if (subscriberId !== null) query = query.where('subscriber_id', '=', subscriberId);
    const row = await query.executeTakeFirst();
    if (!row) throw badRequest('invalid_cursor', 'the cursor is not an item of this list');
    return row;
  }

  // ---- deposits ----

  app.post(
    '/v1/deposits',
    {
      config: { access: 'subscriber' },
      schema: {
        tags: ['fiat'],
        summary:
          'Deposit fiat by card (credited at once, or 402 if refused) or by bank transfer (pending until confirmed)',
        description:
          'Card deposits in development go to the card sandbox: 4242424242424242 succeeds; 4000000000000002 card_declined; 4000000000009995 insufficient_funds; 4000000000000069 expired_card; 4000000000000127 incorrect_cvc; any other valid number card_not_supported. A refusal is recorded and answered with 402 payment_method_refused; retry with another card (a new Idempotency-Key) or a bank transfer.',
        headers: IdempotencyHeaders,
        body: Type.Union([
          Type.Object(
            {
              method: Type.Literal('card'),
              amount: AmountString,
              card: Type.Object(
                {
                  number: Type.String({ minLength: 1, maxLength: 32 }),
                  expMonth: Type.Integer({ description: '1 to 12' }),
                  expYear: Type.Integer({ description: 'Four digits, such as 2030' }),
                  cvc: Type.String({ maxLength: 8, description: '3 or 4 digits' }),
                },
                { additionalProperties: false },
              ),
            },
            { additionalProperties: false },
          ),
          Type.Object(
            { method: Type.Literal('bank_transfer'), amount: AmountString },
            { additionalProperties: false },
          ),
        ]),
        response: { 201: Deposit, 402: ErrorBody, ...errors },
      },
    },
    async (request, reply) => {
      const me = subscriberOf(request);
      const body = request.body;
      const amount = parseAmount(body.amount, fiat);
      if (amount <= 0n) throw badRequest('invalid_amount', 'amount must be positive');
      if (amount > maxDeposit) {
        throw badRequest('amount_too_large', 'amount is above the limit for one deposit', {
          max: formatAmount(maxDeposit, fiat.scale),
        });
      }
      const depositId = newId('dep');
      // The provider is asked before the transaction opens: a live processor is a network call.
      // On a replay it is asked again with the same key, which a live processor dedupes (the
      // sandbox is stateless), and `mutate` then returns the stored outcome, not this one.
      const collect = {
        depositId,
        asset: fiat,
        amount,
        idempotencyKey: `${me.id}:${idempotencyKeyOf(request)}`,
      };
      let collection: Collection;
      if (body.method === 'card') {
        if (!providers.card) throw methodUnavailable('card');
        collection = await providers.card.collect({ ...collect, source: body.card });
      } else {
        if (!providers.bankTransfer) throw methodUnavailable('bank_transfer');
        collection = await providers.bankTransfer.collect({ ...collect, source: undefined });
      }

      return mutate(exchange, request, reply, async ({ trx, now, notify }) => {
        const row: DepositsTable = {
          id: depositId,
          subscriber_id: me.id,
          method: body.method,
          status: 'pending',
          asset: fiat.code,
          amount: amount.toString(),
          card_last4: null,
          failure_code: null,
          failure_message: null,
          reference: null,
          entry_id: null,
          created_at: now,
          updated_at: now,
        };
        if (collection.status === 'refused') {
          const refused: DepositsTable = {
            ...row,
            status: 'refused',
            card_last4: collection.cardLast4,
            failure_code: collection.code,
            failure_message: collection.message,
          };
          await trx.insertInto('deposits').values(refused).execute();
          notify(me.id, 'deposit.refused', depositBody(refused));
          // Returned, not thrown: the refusal is a fact to keep (the row and the key's outcome),
          // and a throw would roll both back.
          return {
            status: 402,
            body: {
              error: {
                code: 'payment_method_refused',
                message: `${collection.message}; try another card or a bank transfer`,
                details: { reason: collection.code, depositId, retry: true },
              },
            },
          };
        }
        if (collection.status === 'succeeded') {
          const entry = await postEntry(trx, dialect, now, {
            kind: 'deposit',
            memo: `card deposit ending ${collection.cardLast4 ?? '????'}`,
            refType: 'deposit',
            refId: depositId,
            postings: [
              { account: houseAccounts.card, asset: fiat.code, amount: -amount },
              { account: me.accountId, asset: fiat.code, amount },
            ],
          });
          const succeeded: DepositsTable = {
            ...row,
            status: 'succeeded',
            card_last4: collection.cardLast4,
            entry_id: entry.id,
          };
          await trx.insertInto('deposits').values(succeeded).execute();
          const view = depositBody(succeeded);
          notify(me.id, 'deposit.succeeded', view);
          return { status: 201, body: view };
        }
        // A reference must name one deposit; 2^40 of them makes a clash all but impossible, and
        // if one happens the client's retry (same key, rolled back) draws a new one.
        const taken = await trx
          .selectFrom('deposits')
          .select('id')
          .where('reference', '=', collection.reference)
          .executeTakeFirst();
        if (taken) {
          throw new ApiError(503, 'try_again', 'could not issue a reference; retry the request');
        }
        const pending: DepositsTable = { ...row, reference: collection.reference };
        await trx.insertInto('deposits').values(pending).execute();
        const view = depositBody(pending);
        notify(me.id, 'deposit.pending', view);
        return { status: 201, body: view };
      });
    },
  );

  function methodUnavailable(method: string) {
    return badRequest(
      'method_unavailable',
      `${method} deposits are not offered by this exchange; no provider is configured`,
    );
  }

  app.get(
    '/v1/deposits',
    {
      config: { access: 'subscriber' },
      schema: {
        tags: ['fiat'],
        summary: "The caller's deposits, newest first",
        querystring: ListQuery,
        response: {
          200: Type.Object({
            deposits: Type.Array(Deposit),
            nextBefore: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const me = subscriberOf(request);
      const limit = request.query.limit ?? 50;
      const cursor = await cursorOf('deposits', request.query.before, me.id);
      let query = db
        .selectFrom('deposits')
        .selectAll()
        .where('subscriber_id', '=', me.id)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit + 1);
      if (cursor) query = query.where((eb) => beyond(eb, cursor, '<'));
      const { page, next } = pageOf(await query.execute(), limit);
      return { deposits: page.map(depositBody), nextBefore: next };
    },
  );

  app.get(
    '/v1/deposits/:id',
    {
      config: { access: 'subscriber' },
      schema: {
        tags: ['fiat'],
        summary: 'One of the caller’s deposits (404 for anyone else’s)',
        params: Type.Object({ id: Id('dep') }),
        response: { 200: Deposit, ...errors },
      },
    },
    async (request) => {
      const me = subscriberOf(request);
      const row = await db
        .selectFrom('deposits')
        .selectAll()
        .where('id', '=', request.params.id)
        .where('subscriber_id', '=', me.id)
        .executeTakeFirst();
      if (!row) throw notFound('deposit');
      return depositBody(row);
    },
  );

  app.post(
    '/v1/deposits/:id/cancel',
    {
      config: { access: 'subscriber' },
      schema: {
        tags: ['fiat'],
        summary: 'Cancel a pending bank-transfer deposit (do not send the transfer after this)',
        headers: IdempotencyHeaders,
        params: Type.Object({ id: Id('dep') }),
        response: { 200: Deposit, ...errors },
      },
    },
    (request, reply) => {
      const me = subscriberOf(request);
      return mutate(exchange, request, reply, async ({ trx, now, notify }) => {
        const row = await lockDeposit(trx, request.params.id);
        if (row?.subscriber_id !== me.id) throw notFound('deposit');
        if (row.status !== 'pending') {
          throw conflict(
            'not_pending',
            `this deposit is ${row.status}; only a pending one can be cancelled`,
          );
        }
        await leavePending(trx, row, now, { status: 'cancelled' });
        const view = depositBody({ ...row, status: 'cancelled', updated_at: now });
        notify(me.id, 'deposit.cancelled', view);
        return { status: 200, body: view };
      });
    },
  );

  // ---- deposits: operator ----

  app.get(
    '/v1/operator/deposits',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['operator'],
        summary: 'Deposits to review, oldest first; filter by status and transfer reference',
        querystring: Type.Object({
          ...OperatorListQuery.properties,
          status: Type.Optional(DepositStatus),
          reference: Type.Optional(
            Type.String({ maxLength: 20, description: 'TSR-XXXX-XXXX, any case' }),
          ),
        }),
        response: {
          200: Type.Object({
            deposits: Type.Array(Deposit),
            nextAfter: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const cursor = await cursorOf('deposits', request.query.after, null);
      let query = db
        .selectFrom('deposits')
        .selectAll()
        .orderBy('created_at', 'asc')
        .orderBy('id', 'asc')
        .limit(limit + 1);
      if (request.query.status) query = query.where('status', '=', request.query.status);
      if (request.query.reference !== undefined) {
        // Operators copy references off bank statements, where case and spacing vary.
        const reference = request.query.reference.trim().toUpperCase();
        if (!new RegExp(transferReferencePattern).test(reference)) {
          throw badRequest('invalid_reference', 'a reference looks like TSR-XXXX-XXXX');
        }
        query = query.where('reference', '=', reference);
      }
      if (cursor) query = query.where((eb) => beyond(eb, cursor, '>'));
      const { page, next } = pageOf(await query.execute(), limit);
      return { deposits: page.map(depositBody), nextAfter: next };
    },
  );

  app.post(
    '/v1/operator/deposits/:id/confirm',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['operator'],
        summary:
          'Confirm a pending bank transfer arrived: credits the wallet once (409 not_pending after)',
        headers: IdempotencyHeaders,
        params: Type.Object({ id: Id('dep') }),
        response: { 200: Deposit, ...errors },
      },
    },
    (request, reply) =>
      mutate(exchange, request, reply, async ({ trx, now, notify }) => {
        const row = await lockDeposit(trx, request.params.id);
        if (!row) throw notFound('deposit');
        if (row.status !== 'pending' || row.method !== 'bank_transfer') {
          throw conflict('not_pending', `this deposit is ${row.status}, not a pending transfer`);
        }
        await leavePending(trx, row, now, { status: 'succeeded' });
        const amount = BigInt(row.amount);
        const entry = await postEntry(trx, dialect, now, {
          kind: 'deposit',
          memo: `bank transfer ${row.reference ?? ''}`.trim(),
          refType: 'deposit',
          refId: row.id,
          postings: [
            { account: houseAccounts.bank, asset: row.asset, amount: -amount },
            { account: await walletOf(trx, row.subscriber_id), asset: row.asset, amount },
          ],
        });
        await trx
          .updateTable('deposits')
          .set({ entry_id: entry.id })
          .where('id', '=', row.id)
          .execute();
        const view = depositBody({
          ...row,
          status: 'succeeded',
          entry_id: entry.id,
          updated_at: now,
        });
        notify(row.subscriber_id, 'deposit.succeeded', view);
        return { status: 200, body: view };
      }),
  );

  app.post(
    '/v1/operator/deposits/:id/reject',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['operator'],
        summary: 'Reject a pending bank transfer (it never arrived, or did not match)',
        headers: IdempotencyHeaders,
        params: Type.Object({ id: Id('dep') }),
        body: Reason,
        response: { 200: Deposit, ...errors },
      },
    },
    (request, reply) =>
      mutate(exchange, request, reply, async ({ trx, now, notify }) => {
        const row = await lockDeposit(trx, request.params.id);
        if (!row) throw notFound('deposit');
        if (row.status !== 'pending') {
          throw conflict('not_pending', `this deposit is ${row.status}, not pending`);
        }
        const next = {
          status: 'refused' as const,
          failure_code: 'rejected',
          failure_message: request.body.reason ?? 'the transfer was not received',
        };
        await leavePending(trx, row, now, next);
        const view = depositBody({ ...row, ...next, updated_at: now });
        notify(row.subscriber_id, 'deposit.refused', view);
        return { status: 200, body: view };
      }),
  );

  // ---- withdrawals ----

  app.post(
    '/v1/withdrawals',
    {
      config: { access: 'subscriber' },
      schema: {
        tags: ['fiat'],
        summary:
          'Withdraw fiat to a bank account: the amount is held at once (409 insufficient_funds if not there) and paid out when an operator approves',
        headers: IdempotencyHeaders,
        body: Type.Object(
          { amount: AmountString, destination: DestinationInput },
          { additionalProperties: false },
        ),
        response: { 201: Withdrawal, ...errors },
      },
    },
    (request, reply) => {
      const me = subscriberOf(request);
      const amount = parseAmount(request.body.amount, fiat);
      if (amount <= 0n) throw badRequest('invalid_amount', 'amount must be positive');
      const { bank, accountNumber, holder } = request.body.destination;
      return mutate(exchange, request, reply, async ({ trx, now, notify }) => {
        const id = newId('wd');
        // Held in house:payouts now, so the same money cannot be spent or withdrawn again while
        // the payout waits for an operator.
        const hold = await postEntry(trx, dialect, now, {
          kind: 'withdrawal_hold',
          memo: `withdrawal to ${bank}`,
          refType: 'withdrawal',
          refId: id,
          postings: [
            { account: me.accountId, asset: fiat.code, amount: -amount },
            { account: houseAccounts.payouts, asset: fiat.code, amount },
          ],
        });
        const row: WithdrawalsTable = {
          id,
          subscriber_id: me.id,
          asset: fiat.code,
          amount: amount.toString(),
          destination: JSON.stringify({ bank, accountNumber, holder }),
          status: 'requested',
          hold_entry_id: hold.id,
          settle_entry_id: null,
          decided_at: null,
          created_at: now,
        };
        await trx.insertInto('withdrawals').values(row).execute();
        const view = withdrawalBody(row);
        notify(me.id, 'withdrawal.requested', view);
        return { status: 201, body: view };
      });
    },
  );

  app.get(
    '/v1/withdrawals',
    {
      config: { access: 'subscriber' },
      schema: {
        tags: ['fiat'],
        summary: "The caller's withdrawals, newest first",
        querystring: ListQuery,
        response: {
          200: Type.Object({
            withdrawals: Type.Array(Withdrawal),
            nextBefore: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const me = subscriberOf(request);
      const limit = request.query.limit ?? 50;
      const cursor = await cursorOf('withdrawals', request.query.before, me.id);
      let query = db
        .selectFrom('withdrawals')
        .selectAll()
        .where('subscriber_id', '=', me.id)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit + 1);
      if (cursor) query = query.where((eb) => beyond(eb, cursor, '<'));
      const { page, next } = pageOf(await query.execute(), limit);
      return { withdrawals: page.map(withdrawalBody), nextBefore: next };
    },
  );

  app.get(
    '/v1/withdrawals/:id',
    {
      config: { access: 'subscriber' },
      schema: {
        tags: ['fiat'],
        summary: 'One of the caller’s withdrawals (404 for anyone else’s)',
        params: Type.Object({ id: Id('wd') }),
        response: { 200: Withdrawal, ...errors },
      },
    },
    async (request) => {
      const me = subscriberOf(request);
      const row = await db
        .selectFrom('withdrawals')
        .selectAll()
        .where('id', '=', request.params.id)
        .where('subscriber_id', '=', me.id)
        .executeTakeFirst();
      if (!row) throw notFound('withdrawal');
      return withdrawalBody(row);
    },
  );

  // ---- withdrawals: operator ----

  app.get(
    '/v1/operator/withdrawals',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['operator'],
        summary: 'Withdrawals to pay out, oldest first, with the full account number to pay to',
        querystring: Type.Object({
          ...OperatorListQuery.properties,
          status: Type.Optional(WithdrawalStatus),
        }),
        response: {
          200: Type.Object({
            withdrawals: Type.Array(OperatorWithdrawal),
            nextAfter: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const cursor = await cursorOf('withdrawals', request.query.after, null);
      let query = db
        .selectFrom('withdrawals')
        .selectAll()
        .orderBy('created_at', 'asc')
        .orderBy('id', 'asc')
        .limit(limit + 1);
      if (request.query.status) query = query.where('status', '=', request.query.status);
      if (cursor) query = query.where((eb) => beyond(eb, cursor, '>'));
      const { page, next } = pageOf(await query.execute(), limit);
      return { withdrawals: page.map(operatorWithdrawalBody), nextAfter: next };
    },
  );

  app.post(
    '/v1/operator/withdrawals/:id/approve',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['operator'],
        summary: 'Record that the payout was sent: the held amount leaves the exchange',
        headers: IdempotencyHeaders,
        params: Type.Object({ id: Id('wd') }),
        response: { 200: OperatorWithdrawal, ...errors },
      },
    },
    (request, reply) =>
      mutate(exchange, request, reply, async ({ trx, now, notify }) => {
        const row = await lockWithdrawal(trx, request.params.id);
        if (!row) throw notFound('withdrawal');
        if (row.status !== 'requested') {
          throw conflict('not_requested', `this withdrawal is already ${row.status}`);
        }
        await decideWithdrawal(trx, row, now, 'approved');
        const amount = BigInt(row.amount);
        // house:bank mirrors the exchange's bank account with the opposite sign: a confirmed
        // transfer in posts it −amount (money arrived, owed to a wallet). Paying out sends money
        // from that bank account, so house:bank goes back up by +amount, and the hold in
        // house:payouts is cleared by −amount. Both legs are house accounts: the wallet was
        // already debited by the hold, and the entry sums to zero.
        const entry = await postEntry(trx, dialect, now, {
          kind: 'withdrawal_payout',
          memo: 'withdrawal paid out',
          refType: 'withdrawal',
          refId: row.id,
          postings: [
            { account: houseAccounts.payouts, asset: row.asset, amount: -amount },
            { account: houseAccounts.bank, asset: row.asset, amount },
          ],
        });
        await trx
          .updateTable('withdrawals')
          .set({ settle_entry_id: entry.id })
          .where('id', '=', row.id)
          .execute();
        const updated: WithdrawalsTable = {
          ...row,
          status: 'approved',
          settle_entry_id: entry.id,
          decided_at: now,
        };
        notify(row.subscriber_id, 'withdrawal.approved', withdrawalBody(updated));
        return { status: 200, body: operatorWithdrawalBody(updated) };
      }),
  );

  app.post(
    '/v1/operator/withdrawals/:id/reject',
    {
      config: { access: 'operator' },
      schema: {
        tags: ['operator'],
        summary: 'Reject a withdrawal: the held amount goes back to the wallet',
        headers: IdempotencyHeaders,
        params: Type.Object({ id: Id('wd') }),
        body: Reason,
        response: { 200: OperatorWithdrawal, ...errors },
      },
    },
    (request, reply) =>
      mutate(exchange, request, reply, async ({ trx, now, notify }) => {
        const row = await lockWithdrawal(trx, request.params.id);
        if (!row) throw notFound('withdrawal');
        if (row.status !== 'requested') {
          throw conflict('not_requested', `this withdrawal is already ${row.status}`);
        }
        await decideWithdrawal(trx, row, now, 'rejected');
        const amount = BigInt(row.amount);
        const reason = request.body.reason ?? null;
        const entry = await postEntry(trx, dialect, now, {
          kind: 'withdrawal_release',
          memo: reason ?? 'withdrawal rejected',
          refType: 'withdrawal',
          refId: row.id,
          postings: [
            { account: houseAccounts.payouts, asset: row.asset, amount: -amount },
            { account: await walletOf(trx, row.subscriber_id), asset: row.asset, amount },
          ],
        });
        await trx
          .updateTable('withdrawals')
          .set({ settle_entry_id: entry.id })
          .where('id', '=', row.id)
          .execute();
        const updated: WithdrawalsTable = {
          ...row,
          status: 'rejected',
          settle_entry_id: entry.id,
          decided_at: now,
        };
        notify(row.subscriber_id, 'withdrawal.rejected', { ...withdrawalBody(updated), reason });
        return { status: 200, body: operatorWithdrawalBody(updated) };
      }),
  );
}
