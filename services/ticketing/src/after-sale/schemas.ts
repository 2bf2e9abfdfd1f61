/**
 * The after-sale API's bodies: a transfer as the sender and the recipient see it, a refund, a
 * performance's cancellation summary and a page of the revocation feed.
 */
import { Type } from 'typebox';
import { Id } from '../schemas.ts';
import { Ticket } from '../tickets/routes.ts';
import { VenueTimeZone } from '../venues/schemas.ts';

export const Transfer = Type.Object({
  id: Type.String(),
  ticketId: Type.String(),
  toPhone: Type.String(),
  status: Type.Union(
    [
      Type.Literal('pending'),
      Type.Literal('accepted'),
      Type.Literal('cancelled'),
      Type.Literal('declined'),
    ],
    {
      description:
        'cancelled: by the sender (or the ticket was refunded); declined: by the recipient',
    },
  ),
  createdAt: Type.String(),
  decidedAt: Type.Union([Type.String(), Type.Null()]),
  fromName: Type.Union([Type.String(), Type.Null()], {
    description: "The sender's first name, if they gave one",
  }),
  fromPhone: Type.String({
    description:
      "The sender's phone number masked (010-****-5678), so the recipient knows who sends it without learning the whole number",
  }),
  ticket: Type.Object({
    event: Type.String(),
    startsAt: Type.String(),
    timeZone: VenueTimeZone,
    category: Type.String(),
    seat: Type.Union([
      Type.Object({ section: Type.String(), row: Type.String(), number: Type.String() }),
      Type.Null(),
    ]),
  }),
});

const Refund = Type.Object({
  id: Type.String(),
  status: Type.String({
    description: 'pending (queued for the exchange), done (the buyer has it back) or failed',
  }),
  asset: Type.String(),
  amount: Type.String({ description: 'Whole units of asset' }),
  reason: Type.String(),
  createdAt: Type.String(),
  doneAt: Type.Union([Type.String(), Type.Null()]),
});

/** The exchange keeps a refund's reason up to 200 characters: no longer here, so it is sent whole. */
export const refundReasonCharsMax = 200;

export const RefundBody = Type.Optional(
  Type.Object(
    {
      reason: Type.Optional(
        Type.String({
          minLength: 1,
          maxLength: refundReasonCharsMax,
          description: 'Why staff refunded it, kept with the refund (e.g. "the buyer cannot come")',
        }),
      ),
    },
    { additionalProperties: false },
  ),
);

export const Refunded = Type.Object({ ticket: Ticket, refund: Type.Union([Refund, Type.Null()]) });

export const Cancellation = Type.Object({
  performanceId: Type.String(),
  status: Type.String(),
  ticketsCancelled: Type.Integer({ description: 'Tickets cancelled by this call' }),
  refundsQueued: Type.Integer({ description: 'Refund rows queued by this call' }),
  ordersClosed: Type.Integer({ description: 'Unpaid orders closed (or settled) by this call' }),
  holdsReleased: Type.Integer(),
  ordersPending: Type.Integer({
    description: 'Unpaid orders the exchange could not close yet: call again to finish',
  }),
});

export const Revocations = Type.Object({
  performanceId: Type.String(),
  performanceCode: Type.String({ description: 'The event ID in the credentials' }),
  entries: Type.Array(
    Type.Object({
      seq: Type.Integer(),
      ticketId: Type.String({ description: "The credential's ticket ID" }),
      throughRevision: Type.Integer({ description: 'Every revision up to this one is void' }),
      reason: Type.String({ description: 'transferred, reissued, refunded or cancelled' }),
      at: Type.String(),
    }),
  ),
  next: Type.Union([Type.Integer(), Type.Null()], {
    description: 'Pass as `after` for the next page; null when there is nothing more now',
  }),
});

export const TicketParams = Type.Object({ ticketId: Id('tkt') });
export const TransferParams = Type.Object({ transferId: Id('trf') });
