/**
 * `/v1/transfers` and `/v1/payment-requests*`: wallet-to-wallet transfers (transfers.ts) and
 * payment requests with their pay, cancel and refunds (S130, S140; service.ts). Every mutating
 * route runs its effect under its idempotency key with `mutate`.
 */
import { Type } from 'typebox';
import type { Exchange } from '../context.ts';
import type { App } from '../http.ts';
import { mutate, subscriberOf } from '../http.ts';
import {
  AmountString,
  AssetCode,
  errors,
  Id,
  IdempotencyHeaders,
  MultiLineText,
  Phone,
} from '../schemas.ts';
import {
  cancelPaymentRequest,
  createPaymentRequest,
  listPaymentRequests,
  payPaymentRequest,
  positiveAmount,
  readPaymentRequest,
  refundPaymentRequest,
} from './service.ts';
import { sendTransfer } from './transfers.ts';

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

export function paymentRoutes(app: App, exchange: Exchange) {
  transferRoute(app, exchange);
  paymentRequestRoutes(app, exchange);
  paymentRequestActionRoutes(app, exchange);
}

function transferRoute(app: App, exchange: Exchange) {
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
      const { asset, units } = positiveAmount(exchange, request.body);
      return mutate(exchange, request, reply, async (work) => ({
        status: 201,
        body: await sendTransfer(exchange, work, me, { to, asset, units, memo }),
      }));
    },
  );
}

function paymentRequestRoutes(app: App, exchange: Exchange) {
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
            description: Type.Optional(MultiLineText({ maxLength: 300 })),
            expiresInS: Type.Integer({ minimum: 10, maximum: 7 * 86_400 }),
          },
          { additionalProperties: false },
        ),
        response: { 201: PaymentRequest, ...errors },
      },
    },
    (request, reply) => {
      const me = subscriberOf(request);
      const { asset, units } = positiveAmount(exchange, request.body);
      const { reference, description, expiresInS } = request.body;
      return mutate(exchange, request, reply, async (work) => ({
        status: 201,
        body: await createPaymentRequest(exchange, work, me, {
          asset,
          units,
          reference,
          description,
          expiresInS,
        }),
      }));
    },
  );

  app.get(
    '/v1/payment-requests/:id',
    {
      config: { access: 'subscriber' },
      schema: {
        tags: ['payment requests'],
        summary:
          'A payment request: its merchant and, once paid, its payer; before payment anyone signed in who has its id (a 128-bit capability), to pay it',
        params: Type.Object({ id: Id('pr') }),
        response: { 200: PaymentRequest, ...errors },
      },
    },
    (request) => readPaymentRequest(exchange, subscriberOf(request), request.params.id),
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
    (request) => listPaymentRequests(exchange, subscriberOf(request), request.query),
  );
}

function paymentRequestActionRoutes(app: App, exchange: Exchange) {
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
      return mutate(exchange, request, reply, async (work) => ({
        status: 200,
        body: await payPaymentRequest(exchange, work, me, request.params.id),
      }));
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
      return mutate(exchange, request, reply, async (work) => ({
        status: 200,
        body: await cancelPaymentRequest(exchange, work, me, request.params.id),
      }));
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
      return mutate(exchange, request, reply, async (work) => ({
        status: 201,
        body: await refundPaymentRequest(exchange, work, me, request.params.id, request.body),
      }));
    },
  );
}
