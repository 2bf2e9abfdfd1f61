/** Holds and orders (S120 to S140), for signed-in buyers. */
import { conflict, notFound } from '@tessera/service-kit/errors';
import { Type } from 'typebox';
import { type App, inTransaction, userOf } from '../app.ts';
import { requireStaff } from '../auth.ts';
import type { Ticketing } from '../context.ts';
import type { HoldsTable } from '../db/schema.ts';
import { createHold, releaseHold } from '../holds.ts';
import { closeUnpaidOrder, orderView, placeOrder } from '../orders.ts';
import { AssetCode, ErrorBody, errors, Id, iso, Phone } from './schemas.ts';

const Hold = Type.Object({
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

const Seat = Type.Object({
  id: Type.String(),
  section: Type.String(),
  row: Type.String(),
  number: Type.String(),
});

export const Order = Type.Object({
  id: Type.String(),
  status: Type.String({
    description: 'creating, awaiting_payment, issued, expired, cancelled or refunded',
  }),
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

export function salesRoutes(app: App, ticketing: Ticketing) {
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

  app.post(
    '/v1/orders',
    {
      config: { access: 'user' },
      schema: {
        tags: ['sales'],
        summary: 'Order a hold: creates the payment request at the exchange (S120)',
        description:
          "One order per hold: posting the same hold again answers the same order (200), so the call is safe to retry. Tickets bind to `deviceId`, or wait for `deliverTo` (another phone number) to sign in. Fiat-priced categories are converted into `asset` by an exchange quote. Pay at `payment.payUrl` with the buyer's exchange session; a buyer short of crypto goes to `payment.buyPageUrl` and comes back to the order. 503 exchange_unavailable: retry the same call.",
        body: Type.Object(
          {
            holdId: Id('hld'),
            asset: Type.Optional(AssetCode),
            deviceId: Type.Optional(Id('dev')),
            deliverTo: Type.Optional(Phone),
          },
          { additionalProperties: false },
        ),
        response: { 201: Order, 200: Order, ...errors, 503: ErrorBody },
      },
    },
    async (request, reply) => {
      const me = userOf(request);
      const { order, created, preload } = await placeOrder(ticketing, me, request.body);
      return reply
        .code(created ? 201 : 200)
        .send(await orderView(ticketing, order, { ...preload, forBuyer: true }));
    },
  );

  app.get(
    '/v1/orders/:orderId',
    {
      config: { access: 'any' },
      schema: {
        tags: ['sales'],
        summary: 'An order: its buyer, or staff of its organizer who may view sales',
        description:
          'With `waitS`, an order still being paid is answered when it changes (issued, expired, cancelled, refunded) or after that many seconds, whichever comes first: the app waits for its tickets without polling.',
        params: Type.Object({ orderId: Id('ord') }),
        querystring: Type.Object({
          waitS: Type.Optional(Type.Integer({ minimum: 1, maximum: 25 })),
        }),
        response: { 200: Order, ...errors },
      },
    },
    async (request) => {
      let order = await db
        .selectFrom('orders')
        .selectAll()
        .where('id', '=', request.params.orderId)
        .executeTakeFirst();
      const caller = request.caller;
      if (!order) throw notFound('order');
      if (caller?.type !== 'user' || caller.id !== order.user_id) {
        await requireStaff(ticketing, caller, order.organizer_id, 'view_sales').catch(() => {
          throw notFound('order');
        });
      }
      const pending = (status: string) => status === 'creating' || status === 'awaiting_payment';
      if (request.query.waitS && pending(order.status)) {
        const deadline = Date.now() + request.query.waitS * 1000;
        // Woken at once by a change in this process; re-read every second for other instances.
        while (pending(order.status) && Date.now() < deadline) {
          await ticketing.orders.wait(order.id, Math.min(1_000, deadline - Date.now()));
          order =
            (await db
              .selectFrom('orders')
              .selectAll()
              .where('id', '=', order.id)
              .executeTakeFirst()) ?? order;
        }
      }
      return orderView(ticketing, order, {
        forBuyer: caller?.type === 'user' && caller.id === order.user_id,
      });
    },
  );

  app.get(
    '/v1/me/orders',
    {
      config: { access: 'user' },
      schema: {
        tags: ['sales'],
        summary: 'My orders, newest first',
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
        }),
        response: { 200: Type.Object({ orders: Type.Array(Order) }), ...errors },
      },
    },
    async (request) => {
      const rows = await db
        .selectFrom('orders')
        .selectAll()
        .where('user_id', '=', userOf(request).id)
        .orderBy('created_at', 'desc')
        .limit(request.query.limit ?? 20)
        .execute();
      return {
        orders: await Promise.all(rows.map((row) => orderView(ticketing, row, { forBuyer: true }))),
      };
    },
  );

  app.post(
    '/v1/orders/:orderId/cancel',
    {
      config: { access: 'user' },
      schema: {
        tags: ['sales'],
        summary: 'Cancel an unpaid order: the exchange request is cancelled and the seats freed',
        description:
          'If the payment landed first, the order is settled instead and its tickets issued.',
        params: Type.Object({ orderId: Id('ord') }),
        response: { 200: Order, ...errors, 503: ErrorBody },
      },
    },
    async (request) => {
      const me = userOf(request);
      const order = await db
        .selectFrom('orders')
        .selectAll()
        .where('id', '=', request.params.orderId)
        .where('user_id', '=', me.id)
        .executeTakeFirst();
      if (!order) throw notFound('order');
      if (order.status !== 'awaiting_payment') {
        throw conflict('not_cancellable', `this order is ${order.status}`);
      }
      await closeUnpaidOrder(ticketing, order, 'cancelled');
      return orderView(
        ticketing,
        await db
          .selectFrom('orders')
          .selectAll()
          .where('id', '=', order.id)
          .executeTakeFirstOrThrow(),
        { forBuyer: true },
      );
    },
  );
}
