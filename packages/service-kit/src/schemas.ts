/** Schemas both servers' routes share; they validate input and generate the OpenAPI documents. */
import { Type } from 'typebox';
import { errorCodes } from './error-codes.ts';

export const AmountString = Type.String({
  pattern: '^(0|[1-9][0-9]{0,77})(\\.[0-9]{1,18})?$',
  maxLength: 100,
  description:
    'A decimal amount in whole units of the asset, e.g. "0.015"; always a string, a JSON number is refused (400 invalid_amount)',
  examples: ['0.015'],
  // Any failure of this field (a JSON number, "1e3") answers invalid_amount (validation.ts).
  'x-amount': true,
});

/**
 * Text that may span lines (descriptions, files). Every other string of a request is single-line
 * text: validation.ts marks them so; text.ts says which characters each kind refuses.
 */
export const MultiLineText = (
  options: { minLength?: number; maxLength?: number; description?: string } = {},
) => Type.String({ ...options, 'x-text': 'multi-line' });

export const AssetCode = Type.String({
  pattern: '^[A-Z][A-Z0-9]{1,9}$',
  description: 'e.g. KRW, BTC',
});

export const Phone = Type.String({
  pattern: '^\\+[1-9][0-9]{6,14}$',
  description: 'E.164 phone number, e.g. +821012345678',
});

export const Id = (prefix: string) =>
  Type.String({ pattern: `^${prefix}_[0-9a-z]{8,40}$`, maxLength: 50 });

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.Enum(errorCodes),
      message: Type.String(),
      details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    }),
  },
  { description: 'What went wrong: a stable code to branch on and a message for people' },
);

export const errors = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  409: ErrorBody,
};

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.String({
    minLength: 8,
    maxLength: 128,
    pattern: '^[A-Za-z0-9_\\-:.]+$',
    description: 'A client-generated key; retrying with the same key and body has no second effect',
  }),
});

export const Page = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  after: Type.Optional(Type.Integer({ minimum: 0, description: 'Return items after this cursor' })),
});

export const Timestamp = Type.String({ format: 'date-time' });

export const iso = (ms: number | null | undefined) =>
  ms == null ? null : new Date(ms).toISOString();
