/** Holds (S120): seats or places kept for a signed-in buyer for a bounded time. */
import { Type } from 'typebox';
import type { Ticketing } from '../context.ts';
import { type App, userOf } from '../http.ts';
import { errors, Id } from '../schemas.ts';
import { Hold } from './schemas.ts';
import { buyersHoldView, createHoldView, letHoldGo } from './service.ts';

export function holdRoutes(app: App, ticketing: Ticketing) {
  app.post(
    '/v1/holds',
    {
      config: { access: 'user' },
      schema: {
        tags: ['sales'],
        summary: 'Hold seats or general-admission places for a bounded time (S120)',
        description:
          'Give exact `seats`, or a `categoryId` and `quantity` (general admission, or the best seats together of a seated category). When they are gone the answer is 409 (seats_unavailable, sold_out or not_together) with `details.alternatives`: other performances, other categories and the best seats together (seed 001). 409 hold_limit: the buyer holds as many unpaid tickets of this performance as one buyer may (`details.limit`, `details.held`), or is cooling down after a hold ran out unpaid or holds were let go repeatedly (`details.retryAfterS` and `Retry-After`).',
        body: Type.Object(
          {
            performanceId: Id('perf'),
            seats: Type.Optional(Type.Array(Id('seat'), { minItems: 1, maxItems: 50 })),
            categoryId: Type.Optional(Id('cat')),
            quantity: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Hold, ...errors },
      },
    },
    async (request, reply) => {
      const me = userOf(request);
      const { seats, categoryId, quantity } = request.body;
      if (
        (seats === undefined) === (categoryId === undefined) ||
        (categoryId !== undefined && !quantity)
      ) {
        return reply.code(400).send({
          error: {
            code: 'invalid_request',
            message: 'give either seats, or categoryId with quantity',
          },
        });
      }
      // A cool-down (409 hold_limit) carries details.retryAfterS: the shared error handler sends
      // it as Retry-After, as for every error that says when to come back.
      return reply.code(201).send(await createHoldView(ticketing, me.id, request.body));
    },
  );

  app.get(
    '/v1/holds/:holdId',
    {
      config: { access: 'user' },
      schema: {
        tags: ['sales'],
        summary: 'One of my holds',
        params: Type.Object({ holdId: Id('hld') }),
        response: { 200: Hold, ...errors },
      },
    },
    async (request) => buyersHoldView(ticketing, userOf(request).id, request.params.holdId),
  );

  app.delete(
    '/v1/holds/:holdId',
    {
      config: { access: 'user' },
      schema: {
        tags: ['sales'],
        summary: 'Let a hold go at once (one with an order is cancelled through the order)',
        params: Type.Object({ holdId: Id('hld') }),
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      await letHoldGo(ticketing, userOf(request).id, request.params.holdId);
      return reply.code(204).send(null);
    },
  );
}
