/** The availability answers' schemas (seed 001): what is left, seat by seat, and the alternatives. */
import { Type } from 'typebox';

const CategoryAvailability = Type.Object({
  id: Type.String(),
  name: Type.String(),
  pricing: Type.String(),
  price: Type.String({ description: 'Whole units of `asset`' }),
  asset: Type.String(),
  seating: Type.String(),
  total: Type.Integer(),
  available: Type.Integer(),
  held: Type.Integer(),
  sold: Type.Integer(),
  blocked: Type.Integer(),
});

const SeatRow = Type.Object({
  section: Type.String(),
  row: Type.String(),
  ids: Type.Array(Type.String()),
  numbers: Type.Array(Type.String()),
  x: Type.Array(Type.Union([Type.Number(), Type.Null()])),
  y: Type.Array(Type.Union([Type.Number(), Type.Null()])),
  categories: Type.Array(Type.Integer(), { description: 'Index into categoryIds, per seat' }),
  accessible: Type.Array(Type.Integer(), { description: 'Positions of accessible seats' }),
  status: Type.String({
    description:
      'One letter per seat: a available, u unavailable (public); staff: a, h held, s sold, b blocked',
  }),
});

export const Availability = Type.Object({
  performanceId: Type.String(),
  eventId: Type.String(),
  categories: Type.Array(CategoryAvailability),
  seats: Type.Union([
    Type.Object({ categoryIds: Type.Array(Type.String()), rows: Type.Array(SeatRow) }),
    Type.Null(),
  ]),
});

export const Alternatives = Type.Object({
  performances: Type.Array(
    Type.Object({ id: Type.String(), startsAt: Type.String(), available: Type.Integer() }),
  ),
  categories: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      price: Type.String(),
      asset: Type.String(),
      available: Type.Integer(),
    }),
  ),
  bestAvailable: Type.Union([
    Type.Object({
      categoryId: Type.String(),
      seatIds: Type.Array(Type.String()),
      labels: Type.Array(Type.String({ description: 'Section/Row/Number' })),
    }),
    Type.Null(),
  ]),
});
