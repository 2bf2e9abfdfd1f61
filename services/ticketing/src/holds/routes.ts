/** Holds (S120): seats or places kept for a signed-in buyer for a bounded time. */
import { conflict, notFound } from '@tessera/service-kit/errors';
import { Type } from 'typebox';
import type { Ticketing } from '../context.ts';
import { inTransaction } from '../context.ts';
import type { HoldsTable } from '../db/schema.ts';
import { type App, userOf } from '../http.ts';
import { errors, Id, iso } from '../schemas.ts';
import { Hold } from './schemas.ts';
import { createHold, releaseHold } from './service.ts';

export function holdRoutes(app: App, ticketing: Ticketing) {
  const db = ticketing.database.db;

  async function holdBody(holdId: string, known?: HoldsTable) {
    const hold =
      known ??
      (await db.selectFrom('holds').selectAll().where('id', '=', holdId).executeTakeFirstOrThrow());
    const items = await db
      .selectFrom('hold_items as h')
      .leftJoin('seats as s', 's.id', 'h.seat_id')
      .select(['h.line_no', 'h.category_id', 'h.seat_id', 's.section', 's.row_label', 's.number'])
      .where('h.hold_id', '=', holdId)
      .orderBy('h.line_no')
      .execute();
    return {
      id: hold.id,
      performanceId: hold.performance_id,
      status: hold.status,
      expiresAt: iso(hold.expires_at) as string,
      items: items.map((item) => ({
        lineNo: item.line_no,
        categoryId: item.category_id,
        seat: item.seat_id
          ? {
              id: item.seat_id,
              section: item.section ?? '',
              row: item.row_label ?? '',
              number: item.number ?? '',
            }
          : null,
      })),
    };
  }

  app.post(
    '/v1/holds',
    {
      config: { access: 'user' },
      schema: {
        tags: ['sales'],
        summary: 'Hold seats or general-admission places for a bounded time (S120)',
        description:
          'Give exact `seats`, or a `categoryId` and `quantity` (general admission, or the best seats together of a seated category). When they are gone the answer is 409 (seats_unavailable, sold_out or not_together) with `details.alternatives`: other performances, other categories and the best seats together (seed 001).',
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
      const { hold } = await createHold(ticketing, me.id, request.body);
      return reply.code(201).send(await holdBody(hold.id, hold));
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
    async (request) => {
      const hold = await db
        .selectFrom('holds')
        .select('id')
        .where('id', '=', request.params.holdId)
        .where('user_id', '=', userOf(request).id)
        .executeTakeFirst();
      if (!hold) throw notFound('hold');
      return holdBody(hold.id);
    },
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
      const me = userOf(request);
      const hold = await db
        .selectFrom('holds')
        .select(['id', 'status'])
        .where('id', '=', request.params.holdId)
        .where('user_id', '=', me.id)
        .executeTakeFirst();
      if (!hold) throw notFound('hold');
      if (hold.status === 'ordered') throw conflict('hold_ordered', 'cancel the order instead');
      await inTransaction(ticketing, ({ trx, now }) => releaseHold(trx, hold.id, 'active', now));
      return reply.code(204).send(null);
    },
  );
}
