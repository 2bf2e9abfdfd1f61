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
