/**
 * The events the exchange tells its subscribers, as one closed list: what `notify` may send, and
 * what the OpenAPI document's `webhooks` section describes to merchants (signed POSTs under
 * Standard Webhooks, docs: services/exchange/docs/notifications.md). The same event reaches the
 * history and the live feed.
 */
import { ErrorBody } from '@tessera/service-kit/schemas';
import { type TSchema, Type } from 'typebox';
import { Deposit, Withdrawal } from './fiat/schemas.ts';

const Amount = Type.String({ description: 'Decimal, in whole units of `asset`' });
const Time = Type.String({ format: 'date-time' });

const Transfer = Type.Object({
  id: Type.String(),
  from: Type.String(),
  to: Type.String(),
  asset: Type.String(),
  amount: Amount,
  memo: Type.Union([Type.String(), Type.Null()]),
  createdAt: Time,
});

const Payment = Type.Object({
  paymentRequestId: Type.String(),
  paymentId: Type.String(),
  merchantId: Type.String(),
  payerId: Type.String(),
  reference: Type.String({ description: "The merchant's reference (its order id)" }),
  asset: Type.String(),
  amount: Amount,
  paidAt: Time,
});

const Refund = Type.Object({
  id: Type.String({ description: 'The refund' }),
  paymentRequestId: Type.String(),
  amount: Amount,
  asset: Type.String(),
  refundedAmount: Type.String({ description: 'All refunded of the payment so far' }),
  createdAt: Time,
  reference: Type.String(),
  merchantId: Type.String(),
  payerId: Type.String(),
  reason: Type.Union([Type.String(), Type.Null()]),
});

const Trade = Type.Object({
  quoteId: Type.String(),
  tradeId: Type.String(),
  side: Type.Union([Type.Literal('buy'), Type.Literal('sell')]),
  asset: Type.String(),
  fiat: Type.String(),
  cryptoAmount: Amount,
  fiatAmount: Amount,
  fee: Amount,
  total: Amount,
  rate: Amount,
  executedAt: Time,
});

/** Every event type, what its `data` holds, and to whom it goes. */
export const eventTypes = {
  'transfer.sent': { data: Transfer, to: 'the sender' },
  'transfer.received': { data: Transfer, to: 'the recipient' },
  'payment.sent': { data: Payment, to: 'the payer' },
  'payment_request.paid': { data: Payment, to: 'the merchant' },
  'payment_request.refunded': { data: Refund, to: 'the merchant' },
  'refund.received': { data: Refund, to: 'the payer' },
  'deposit.pending': { data: Deposit, to: 'the depositor' },
  'deposit.succeeded': { data: Deposit, to: 'the depositor' },
  'deposit.refused': { data: Deposit, to: 'the depositor' },
  'deposit.cancelled': { data: Deposit, to: 'the depositor' },
  'withdrawal.requested': { data: Withdrawal, to: 'the subscriber' },
  'withdrawal.approved': { data: Withdrawal, to: 'the subscriber' },
  'withdrawal.rejected': {
    data: Type.Intersect([
      Withdrawal,
      Type.Object({ reason: Type.Union([Type.String(), Type.Null()]) }),
    ]),
    to: 'the subscriber',
  },
  'trade.executed': { data: Trade, to: 'the trader' },
} satisfies Record<string, { data: TSchema; to: string }>;

export type EventType = keyof typeof eventTypes;

/** The signed headers of a Standard Webhooks delivery (https://www.standardwebhooks.com). */
const signatureHeaders = [
  ['webhook-id', 'The event id (`evt_…`): the same on every retry, deduplicate by it'],
  ['webhook-timestamp', 'Seconds since the epoch when this attempt was signed'],
  [
    'webhook-signature',
    '`v1,<base64 HMAC-SHA256>` of `id.timestamp.body` under the secret (`whsec_<base64>`); several, space-separated, while a secret rotates',
  ],
].map(([name, description]) => ({
  name,
  in: 'header',
  required: true,
  description,
  schema: { type: 'string' },
}));

/**
 * The OpenAPI 3.1 `webhooks` section: one signed POST per event type, to the merchant's
 * webhook URL. Answering any 2xx acknowledges it; anything else is retried.
 */
export function outgoingWebhooks() {
  return Object.fromEntries(
    Object.entries(eventTypes).map(([type, { data, to }]) => [
      type,
      {
        post: {
          operationId: `webhook${type
            .split(/[._]/)
            .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
            .join('')}`,
          summary: `${type}, to ${to}`,
          tags: ['notifications'],
          parameters: signatureHeaders,
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: Type.Object({
                  id: Type.String({ description: 'The event id, as in `webhook-id`' }),
                  type: Type.Literal(type),
                  createdAt: Time,
                  data,
                }),
              },
            },
          },
          responses: {
            '200': { description: 'Received (any 2xx will do)' },
            '400': {
              description: 'Refused (a bad signature): retried, then failed',
              content: { 'application/json': { schema: ErrorBody } },
            },
          },
        },
      },
    ]),
  );
}
