/** The hold as its buyer sees it (S120), and the seat labels orders reuse. */
import { Type } from 'typebox';

export const Hold = Type.Object({
  id: Type.String(),
  performanceId: Type.String(),
  status: Type.String(),
  expiresAt: Type.String(),
  items: Type.Array(
    Type.Object({
      lineNo: Type.Integer(),
      categoryId: Type.String(),
      seat: Type.Union([
        Type.Object({
          id: Type.String(),
          section: Type.String(),
          row: Type.String(),
          number: Type.String(),
        }),
        Type.Null(),
      ]),
    }),
  ),
});

export const Seat = Type.Object({
  id: Type.String(),
  section: Type.String(),
  row: Type.String(),
  number: Type.String(),
});
