/**
 * The fiat API's TypeBox schemas (they also make the OpenAPI document): deposits, withdrawals,
 * their requests and the lists' queries.
 */
import { Type } from 'typebox';
import { AmountString } from '../schemas.ts';

export const DepositStatus = Type.Union([
  Type.Literal('pending'),
  Type.Literal('succeeded'),
  Type.Literal('refused'),
  Type.Literal('cancelled'),
]);

export const WithdrawalStatus = Type.Union([
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

export const Deposit = Type.Object({
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

export const Withdrawal = Type.Object({
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
export const OperatorWithdrawal = Type.Object({
  ...Withdrawal.properties,
  payoutAccountNumber: Type.String(),
});

export const Reason = Type.Object(
  { reason: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) },
  { additionalProperties: false },
);

export const ListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
  before: Type.Optional(
    Type.String({ maxLength: 50, description: 'The last id of the previous page' }),
  ),
});

export const OperatorListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
  after: Type.Optional(
    Type.String({ maxLength: 50, description: 'The last id of the previous page' }),
  ),
});

/** A deposit by card (the card lives only for the request) or by bank transfer. */
export const DepositRequest = Type.Union([
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
]);

export const WithdrawalRequest = Type.Object(
  { amount: AmountString, destination: DestinationInput },
  { additionalProperties: false },
);
