/** A door sale (unit 404) as the gate and the buyer's phone see it, and its parameters. */
import { Type } from 'typebox';
import { Id, Nullable } from '../schemas.ts';
import { VenueTimeZone } from '../venues/schemas.ts';

export const DoorSale = Type.Object({
  id: Type.String(),
  status: Type.String({
    description:
      'open (waiting for a buyer), claimed (a buyer is paying), admitted (paid, issued and admitted at this gate), expired (nobody claimed it in time), failed (the order ended unpaid or was refunded) or cancelled',
  }),
  performanceId: Type.String(),
  categoryId: Type.String(),
  category: Type.String(),
  quantity: Type.Integer(),
  price: Type.Union([
    Type.Object({ asset: Type.String(), amount: Type.String() }),
    Type.Object({ fiat: Type.String(), amount: Type.String() }),
  ]),
  event: Type.Object({ id: Type.String(), name: Type.String() }),
  venue: Type.String(),
  startsAt: Type.String(),
  timeZone: VenueTimeZone,
  claimUrl: Type.String({ description: "Show it as a QR; the buyer's phone opens it" }),
  expiresAt: Type.String(),
  orderId: Nullable(Type.String()),
  orderFailure: Nullable(Type.String()),
  tickets: Type.Array(
    Type.Object({
      id: Type.String(),
      number: Type.String(),
      seat: Nullable(
        Type.Object({ section: Type.String(), row: Type.String(), number: Type.String() }),
      ),
      category: Type.String(),
    }),
  ),
  admittedAt: Nullable(Type.String()),
});

/** What the buyer sees before claiming: no claim URL, no tickets. */
export const DoorOffer = Type.Omit(DoorSale, ['claimUrl', 'tickets', 'orderFailure']);

export const SaleParams = Type.Object({ doorSaleId: Id('ds') });

export const ClaimToken = Type.String({ pattern: '^[A-Za-z0-9_-]{16,64}$' });

/** What the gates may sell of a performance (issue 20 item 5), as the organizer sets it. */
export const DoorSaleSettingsBody = Type.Object(
  {
    enabled: Type.Boolean({ description: 'false: the gates sell nothing for this performance' }),
    categoryIds: Nullable(
      Type.Array(Id('cat'), {
        minItems: 1,
        maxItems: 100,
        uniqueItems: true,
        description: 'The categories the gates may sell; null: every category of the event',
      }),
    ),
    maxPerSale: Type.Integer({
      minimum: 1,
      maximum: 20,
      description: "Tickets one sale holds at most (never more than the event's per-order limit)",
    }),
  },
  { additionalProperties: false },
);

export const DoorSaleSettings = Type.Object({
  performanceId: Type.String(),
  enabled: Type.Boolean(),
  categoryIds: Nullable(Type.Array(Type.String())),
  maxPerSale: Type.Integer(),
  custom: Type.Boolean({
    description:
      "false: never set, so the gates sell every category up to the event's per-order limit",
  }),
  updatedAt: Nullable(Type.String()),
  perOrderLimit: Type.Integer({ description: "The event's per-order limit" }),
  categories: Type.Array(Type.Object({ id: Type.String(), name: Type.String() }), {
    description: "The event's categories, to choose from",
  }),
});

const Revenue = Type.Array(Type.Object({ asset: Type.String(), amount: Type.String() }));

export const DoorSaleList = Type.Object({
  doorSales: Type.Array(
    Type.Object({
      id: Type.String(),
      terminalId: Type.String(),
      terminalName: Type.String(),
      gate: Type.String(),
      categoryId: Type.String(),
      category: Type.String(),
      quantity: Type.Integer(),
      status: Type.String({
        description: 'open, claimed, admitted, expired, failed or cancelled (as the gate sees it)',
      }),
      amount: Nullable(Type.String({ description: "The order's amount, once a buyer claimed" })),
      asset: Nullable(Type.String()),
      createdAt: Type.String(),
      claimedAt: Nullable(Type.String()),
      admittedAt: Nullable(Type.String()),
      orderId: Nullable(Type.String()),
    }),
    { description: 'Newest first, at most 500' },
  ),
  totals: Type.Object({
    offers: Type.Integer({ description: 'Every sale offered' }),
    claimed: Type.Integer({ description: 'Sales a buyer claimed (placed an order)' }),
    admitted: Type.Integer({ description: 'Sales paid, issued and admitted' }),
    cancelled: Type.Integer(),
    tickets: Type.Integer({ description: 'Tickets of the admitted sales' }),
    revenue: Revenue,
  }),
});
