/**
 * Seed 001's availability check: what is left of a performance, seat by seat, and the
 * alternatives (another date, another category, the best seats together) when a request cannot
 * be met. Public for published events; the organizer's staff also see drafts and, with
 * `?detail=staff`, every seat's real status.
 */
import { forbidden, notFound } from '@tessera/service-kit/errors';
import { Type } from 'typebox';
import type { Ticketing } from '../context.ts';
import { visiblePerformanceEvent } from '../events/service.ts';
import type { App } from '../http.ts';
import { isStaffOf, optionalCaller } from '../organizers/staff.ts';
import { errors, Id, PerformanceParams } from '../schemas.ts';
import { alternativesFor, performanceAvailability } from './service.ts';

export const CategoryAvailability = Type.Object({
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

export const SeatRow = Type.Object({
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

export function availabilityRoutes(app: App, ticketing: Ticketing) {
  const db = ticketing.database.db;

  /** The performance and its event, if the caller may see them. */
  async function visiblePerformance(performanceId: string, authorization: string | undefined) {
    const performance = await db
      .selectFrom('performances')
      .select(['id', 'event_id'])
      .where('id', '=', performanceId)
      .executeTakeFirst();
    if (!performance) throw notFound('performance');
    const caller = await optionalCaller(ticketing, authorization);
    const event = await visiblePerformanceEvent(ticketing, caller, performance.event_id);
    return { performance, event, caller };
  }

  app.get(
    '/v1/performances/:performanceId/availability',
    {
      config: { access: 'public' },
      schema: {
        tags: ['availability'],
        summary: 'What is left per category, and every seat of the seated ones',
        description:
          "Held and sold seats both show as unavailable; the organizer's staff get each seat's status with ?detail=staff.",
        params: PerformanceParams,
        querystring: Type.Object(
          { detail: Type.Optional(Type.Union([Type.Literal('public'), Type.Literal('staff')])) },
          { additionalProperties: false },
        ),
        response: { 200: Availability, ...errors },
      },
    },
    async (request) => {
      const { performance, event, caller } = await visiblePerformance(
        request.params.performanceId,
        request.headers.authorization,
      );
      const detail = request.query.detail ?? 'public';
      if (detail === 'staff' && !(await isStaffOf(ticketing, caller, event.organizer_id))) {
        throw forbidden("seat statuses are for the organizer's staff");
      }
      return performanceAvailability(ticketing, performance, detail);
    },
  );

  app.get(
    '/v1/performances/:performanceId/alternatives',
    {
      config: { access: 'public' },
      schema: {
        tags: ['availability'],
        summary: 'Alternatives when a request cannot be met: other dates, categories, seats',
        description:
          'Other performances on sale with at least `quantity` left (in `categoryId` if given), other categories of this performance with that many left, and the best seats together.',
        params: PerformanceParams,
        querystring: Type.Object(
          {
            categoryId: Type.Optional(Id('cat')),
            quantity: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 1 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Alternatives, ...errors },
      },
    },
    async (request) => {
      const { performance } = await visiblePerformance(
        request.params.performanceId,
        request.headers.authorization,
      );
      const { categoryId, quantity = 1 } = request.query;
      if (categoryId) {
        const category = await db
          .selectFrom('categories')
          .select('id')
          .where('id', '=', categoryId)
          .where('event_id', '=', performance.event_id)
          .executeTakeFirst();
        if (!category) throw notFound('category');
      }
      return alternativesFor(ticketing, performance.id, {
        ...(categoryId ? { categoryId } : {}),
        quantity,
      });
    },
  );
}
