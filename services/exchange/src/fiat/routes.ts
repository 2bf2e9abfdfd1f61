/**
 * Fiat in and out (patent S110): `/v1/deposits*` and `/v1/withdrawals*` for subscribers,
 * `/v1/operator/deposits*` and `/v1/operator/withdrawals*` for the operator who matches bank
 * transfers and pays out. The rules and the journal legs are in deposits.ts and withdrawals.ts;
 * the payment-provider port and its sandboxes in service.ts.
 */
import { Type } from 'typebox';
import type { Exchange } from '../context.ts';
import type { App } from '../http.ts';
import { mutate, subscriberOf } from '../http.ts';
import { idempotencyKeyOf } from '../idempotency.ts';
import { ErrorBody, errors, Id, IdempotencyHeaders } from '../schemas.ts';
import {
  cancelDeposit,
  collectDeposit,
  confirmDeposit,
  depositOf,
  depositsForReview,
  depositsOf,
  type RecordedDeposit,
  recordDeposit,
  rejectDeposit,
} from './deposits.ts';
import type { DepositRecord, WithdrawalRecord } from './repository.ts';
import {
  Deposit,
  DepositRequest,
  DepositStatus,
  ListQuery,
  OperatorListQuery,
  OperatorWithdrawal,
  Reason,
  Withdrawal,
  WithdrawalRequest,
  WithdrawalStatus,
} from './schemas.ts';
import { type FiatProviders, fiatProviders } from './service.ts';
import { depositView, operatorWithdrawalView, withdrawalView } from './views.ts';
import {
  approveWithdrawal,
  rejectWithdrawal,
  requestWithdrawal,
  withdrawalInput,
  withdrawalOf,
  withdrawalsOf,
  withdrawalsToPayOut,
} from './withdrawals.ts';

export function fiatRoutes(
  app: App,
  exchange: Exchange,
  providers: FiatProviders = fiatProviders(exchange.config, exchange.clock),
) {
  // In the order of the API document.
  depositRoutes(app, exchange, providers);
  operatorDepositRoutes(app, exchange, providers);
  withdrawalRoutes(app, exchange);
  operatorWithdrawalRoutes(app, exchange);
}

/** A refused card: 402, stored under the key like any outcome, so a retry replays it. */
function refusedOutcome(depositId: string, refusal: NonNullable<RecordedDeposit['refusal']>) {
  return {
    status: 402,
    body: {
      error: {
        code: 'payment_method_refused',
        message: `${refusal.message}; try another card or a bank transfer`,
        details: { reason: refusal.code, depositId, retry: true },
      },
    },
  };
}

function depositRoutes(app: App, exchange: Exchange, providers: FiatProviders) {
  const view = (deposit: DepositRecord) => depositView(exchange, providers, deposit);

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
        body: DepositRequest,
        response: { 201: Deposit, 402: ErrorBody, ...errors },
      },
    },
    async (request, reply) => {
      const me = subscriberOf(request);
      const collected = await collectDeposit(exchange, providers, me.id, request.body, () =>
        idempotencyKeyOf(request),
      );
      return mutate(exchange, request, reply, async (work) => {
        const recorded = await recordDeposit(work, exchange, providers, me, collected);
        if (recorded.refusal) return refusedOutcome(recorded.deposit.id, recorded.refusal);
        return { status: 201, body: view(recorded.deposit) };
      });
    },
  );

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
      const { page, next } = await depositsOf(exchange, subscriberOf(request).id, request.query);
      return { deposits: page.map(view), nextBefore: next };
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
    async (request) => view(await depositOf(exchange, subscriberOf(request).id, request.params.id)),
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
      return mutate(exchange, request, reply, async (work) => ({
        status: 200,
        body: view(await cancelDeposit(work, exchange, providers, me.id, request.params.id)),
      }));
    },
  );
}

function operatorDepositRoutes(app: App, exchange: Exchange, providers: FiatProviders) {
  const view = (deposit: DepositRecord) => depositView(exchange, providers, deposit);

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
      const { page, next } = await depositsForReview(exchange, request.query);
      return { deposits: page.map(view), nextAfter: next };
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
      mutate(exchange, request, reply, async (work) => ({
        status: 200,
        body: view(await confirmDeposit(work, exchange, providers, request.params.id)),
      })),
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
      mutate(exchange, request, reply, async (work) => {
        const { id } = request.params;
        const deposit = await rejectDeposit(work, exchange, providers, id, request.body.reason);
        return { status: 200, body: view(deposit) };
      }),
  );
}

function withdrawalRoutes(app: App, exchange: Exchange) {
  const view = (withdrawal: WithdrawalRecord) => withdrawalView(exchange, withdrawal);

  app.post(
    '/v1/withdrawals',
    {
      config: { access: 'subscriber' },
      schema: {
        tags: ['fiat'],
        summary:
          'Withdraw fiat to a bank account: the amount is held at once (409 insufficient_funds if not there) and paid out when an operator approves',
        headers: IdempotencyHeaders,
        body: WithdrawalRequest,
        response: { 201: Withdrawal, ...errors },
      },
    },
    (request, reply) => {
      const me = subscriberOf(request);
      const input = withdrawalInput(exchange, request.body);
      return mutate(exchange, request, reply, async (work) => ({
        status: 201,
        body: view(await requestWithdrawal(work, exchange, me, input)),
      }));
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
      const { page, next } = await withdrawalsOf(exchange, subscriberOf(request).id, request.query);
      return { withdrawals: page.map(view), nextBefore: next };
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
    async (request) =>
      view(await withdrawalOf(exchange, subscriberOf(request).id, request.params.id)),
  );
}

function operatorWithdrawalRoutes(app: App, exchange: Exchange) {
  const view = (withdrawal: WithdrawalRecord) => operatorWithdrawalView(exchange, withdrawal);

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
      const { page, next } = await withdrawalsToPayOut(exchange, request.query);
      return { withdrawals: page.map(view), nextAfter: next };
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
      mutate(exchange, request, reply, async (work) => ({
        status: 200,
        body: view(await approveWithdrawal(work, exchange, request.params.id)),
      })),
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
      mutate(exchange, request, reply, async (work) => ({
        status: 200,
        body: view(await rejectWithdrawal(work, exchange, request.params.id, request.body.reason)),
      })),
  );
}
