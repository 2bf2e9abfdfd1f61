/**
 * Seed 001's availability check: what is left of a performance, seat by seat, and the
 * alternatives (another date, another category, the best seats together) when a request cannot
 * be met. Public for published events; the organizer's staff also see drafts and, with
 * `?detail=staff`, every seat's real status.
 */
import { Type } from 'typebox';
import type { Ticketing } from '../context.ts';
import type { App } from '../http.ts';
import { errors, Id, PerformanceParams } from '../schemas.ts';
import { Alternatives, Availability } from './schemas.ts';
import { alternativesForCaller, availabilityFor } from './service.ts';

export function availabilityRoutes(app: App, ticketing: Ticketing) {
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
    async (request) =>
      availabilityFor(
        ticketing,
        request.params.performanceId,
        request.headers.authorization,
        request.query.detail ?? 'public',
      ),
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
      const { categoryId, quantity = 1 } = request.query;
      return alternativesForCaller(
        ticketing,
        request.params.performanceId,
        request.headers.authorization,
        { ...(categoryId ? { categoryId } : {}), quantity },
      );
    },
  );
}
