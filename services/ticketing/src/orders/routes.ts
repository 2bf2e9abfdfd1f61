/** Holds and orders (S120 to S140), for signed-in buyers. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ApiError, conflict, notFound } from '@tessera/service-kit/errors';
import {
  eventIdHeader,
  signatureHeader,
  verifyWebhookSignature,
} from '@tessera/service-kit/webhook-signature';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Ticketing } from '../context.ts';
import { type App, userOf } from '../http.ts';
import { requireStaff } from '../organizers/staff.ts';
import { walletOf } from '../organizers/wallet.ts';
import { AssetCode, ErrorBody, errors, Id, Phone } from '../schemas.ts';
import { Order } from './schemas.ts';
import {
  closeUnpaidOrder,
  orderView,
  placeOrder,
  type Settlement,
  settle,
  unitsOf,
} from './service.ts';

export function orderRoutes(app: App, ticketing: Ticketing) {
  const db = ticketing.database.db;

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

interface ExchangeEvent {
  id: string;
  type: string;
  data: Record<string, unknown>;
}

const rawBodies = new WeakMap<FastifyRequest, string>();

export function webhookRoutes(app: App, ticketing: Ticketing) {
  // A scope of its own, so that only this route keeps the raw body (the signature covers it).
  app.register(async (plain) => {
    const scope = plain.withTypeProvider<TypeBoxTypeProvider>();
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
      rawBodies.set(request, body as string);
      try {
        done(null, JSON.parse(body as string));
      } catch {
        done(new ApiError(400, 'invalid_json', 'the body is not JSON'), undefined);
      }
    });

    scope.post(
      '/v1/exchange/webhooks/:organizerId',
      {
        config: { access: 'public' },
        schema: {
          tags: ['exchange'],
          summary: "The exchange's signed notifications for an organizer's wallet",
          description:
            "Verified with the organizer's webhook secret (Tessera-Signature, 5 minutes tolerance); each event id is handled once. payment_request.paid issues the order's tickets.",
          params: Type.Object({ organizerId: Id('org') }),
          response: {
            200: Type.Object({ received: Type.Boolean(), outcome: Type.String() }),
            400: ErrorBody,
            401: ErrorBody,
          },
        },
      },
      async (request) => {
        const raw = rawBodies.get(request) ?? '';
        const { organizerId } = request.params;
        const wallet = await walletOf(ticketing, organizerId).catch(() => null);
        const header = request.headers[signatureHeader.toLowerCase()];
        const nowS = Math.floor(ticketing.clock.now() / 1000);
        if (
          !wallet ||
          typeof header !== 'string' ||
          !verifyWebhookSignature(wallet.webhookSecret, header, raw, nowS)
        ) {
          throw new ApiError(401, 'invalid_signature', 'the webhook signature does not verify');
        }
        const event = request.body as ExchangeEvent;
        if (
          typeof event?.id !== 'string' ||
          typeof event.type !== 'string' ||
          typeof event.data !== 'object'
        ) {
          throw new ApiError(400, 'invalid_event', 'the body is not an exchange event');
        }
        const headerId = request.headers[eventIdHeader.toLowerCase()];
        if (typeof headerId === 'string' && headerId !== event.id) {
          throw new ApiError(400, 'invalid_event', 'the event id header and body disagree');
        }
        const outcome = await handleEvent(ticketing, organizerId, event);
        return { received: true, outcome };
      },
    );
  });
}

async function handleEvent(
  ticketing: Ticketing,
  organizerId: string,
  event: ExchangeEvent,
): Promise<string> {
  const db = ticketing.database.db;
  if (event.type !== 'payment_request.paid') {
    // Refunds and others are our own doing and recorded when we make them; acknowledge.
    await db
      .insertInto('webhook_events')
      .values({ event_id: event.id, type: event.type, received_at: ticketing.clock.now() })
      .onConflict((c) => c.column('event_id').doNothing())
      .execute();
    return 'ignored';
  }
  const data = event.data as {
    paymentRequestId?: string;
    reference?: string;
    asset?: string;
    amount?: string;
    paidAt?: string;
    payerId?: string;
  };
  if (!data.paymentRequestId || !data.reference || !data.asset || !data.amount) {
    throw new ApiError(400, 'invalid_event', 'payment_request.paid lacks its fields');
  }
  const amount = await unitsOf(ticketing, data.asset, data.amount);
  // The order is the request's reference; settle checks it belongs to this organizer.
  const settlement: Settlement = await settle(
    ticketing,
    data.reference,
    {
      id: data.paymentRequestId,
      status: 'paid',
      asset: data.asset,
      amount,
      reference: data.reference,
      expiresAt: 0,
      paidAt: data.paidAt ? Date.parse(data.paidAt) : null,
      payerId: data.payerId ?? null,
      refundedAmount: 0n,
    },
    // Recorded in the settlement's own transaction: handled once, never half.
    async ({ trx, now }) => {
      const inserted = await trx
        .insertInto('webhook_events')
        .values({ event_id: event.id, type: event.type, received_at: now })
        .onConflict((c) => c.column('event_id').doNothing())
        .executeTakeFirst();
      return Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1;
    },
    organizerId,
  );
  return settlement.outcome;
}
