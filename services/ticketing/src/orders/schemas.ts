/** The order as its buyer (or the organizer's staff) sees it (S120 to S150). */
import { Type } from 'typebox';
import { Seat } from '../holds/schemas.ts';

export const Order = Type.Object({
  id: Type.String(),
  status: Type.Enum(['creating', 'awaiting_payment', 'issued', 'expired', 'cancelled', 'refunded']),
  performanceId: Type.String(),
  eventId: Type.String(),
  asset: Type.String(),
  amount: Type.String(),
  fiatAmount: Type.Union([Type.String(), Type.Null()]),
  quoteId: Type.Union([Type.String(), Type.Null()]),
  deliverTo: Type.String(),
  deviceId: Type.Union([Type.String(), Type.Null()]),
  holdExpiresAt: Type.Union([Type.String(), Type.Null()]),
  failure: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  paidAt: Type.Union([Type.String(), Type.Null()]),
  lines: Type.Array(
    Type.Object({
      lineNo: Type.Integer(),
      categoryId: Type.String(),
      category: Type.String(),
      seat: Type.Union([Seat, Type.Null()]),
      amount: Type.String(),
    }),
  ),
  payment: Type.Union([
    Type.Object({
      requestId: Type.String(),
      expiresAt: Type.String(),
      exchangeUrl: Type.String(),
      payUrl: Type.String({
        description: "POST here with the buyer's exchange session to pay (S130)",
      }),
      buyPageUrl: Type.String({
        description:
          "The exchange's hosted page that buys what the wallet lacks and returns to this order (claim 6)",
      }),
    }),
    Type.Null(),
  ]),
  tickets: Type.Array(
    Type.Object({
      id: Type.String(),
      number: Type.String(),
      status: Type.String(),
      credential: Type.Union([Type.String(), Type.Null()], {
        description: "The signed credential, for the buyer's own device once issued",
      }),
    }),
  ),
});
