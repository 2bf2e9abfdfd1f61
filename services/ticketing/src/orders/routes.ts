/**
 * Orders (S120 to S150) for signed-in buyers: placing one for a hold, reading it (waiting for its
 * tickets), listing and cancelling; and the exchange's signed webhook that reports payments.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ApiError } from '@tessera/service-kit/errors';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Ticketing } from '../context.ts';
import { type App, userOf } from '../http.ts';
import { AssetCode, ErrorBody, errors, Id, Phone } from '../schemas.ts';
import { Order } from './schemas.ts';
import { buyersOrders, cancelOrder, orderForCaller, placeOrderView } from './service.ts';
import { receiveExchangeEvent } from './webhook.ts';

export function orderRoutes(app: App, ticketing: Ticketing) {
  postOrder(app, ticketing);
  getOrder(app, ticketing);
  myOrders(app, ticketing);
  postCancel(app, ticketing);
}

function postOrder(app: App, ticketing: Ticketing) {
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
      const { created, view } = await placeOrderView(ticketing, me, request.body);
      return reply.code(created ? 201 : 200).send(view);
    },
  );
}

function getOrder(app: App, ticketing: Ticketing) {
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
    async (request) =>
      orderForCaller(ticketing, request.caller, request.params.orderId, request.query.waitS),
  );
}

function myOrders(app: App, ticketing: Ticketing) {
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
    async (request) => ({
      orders: await buyersOrders(ticketing, userOf(request).id, request.query.limit ?? 20),
    }),
  );
}

function postCancel(app: App, ticketing: Ticketing) {
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
    async (request) => cancelOrder(ticketing, userOf(request).id, request.params.orderId),
  );
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
        // The body and headers are checked after the signature (below): a delivery that does
        // not verify is refused 401 whatever it holds, and nothing in it is read before.
        attachValidation: true,
        schema: {
          tags: ['exchange'],
          summary: "The exchange's signed notifications for an organizer's wallet",
          description:
            "Verified with the organizer's webhook secret (Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature; 5 minutes tolerance); each event id (webhook-id) is handled once. payment_request.paid issues the order's tickets.",
          params: Type.Object({ organizerId: Id('org') }),
          headers: Type.Object({
            'webhook-id': Type.String({ description: 'The event id; each is handled once' }),
            'webhook-timestamp': Type.String({ description: 'Seconds since the epoch' }),
            'webhook-signature': Type.String({ description: '`v1,<base64>`, space-separated' }),
          }),
          body: Type.Object(
            {
              id: Type.String(),
              type: Type.String({ description: 'payment_request.paid settles; others are noted' }),
              createdAt: Type.Optional(Type.String({ format: 'date-time' })),
              data: Type.Record(Type.String(), Type.Unknown()),
            },
            { description: "The exchange's event (its document's `webhooks` section)" },
          ),
          response: {
            200: Type.Object({ received: Type.Boolean(), outcome: Type.String() }),
            400: ErrorBody,
            401: ErrorBody,
          },
        },
      },
      async (request) => {
        const invalid = request.validationError;
        if (invalid?.validationContext === 'params') throw invalid;
        const outcome = await receiveExchangeEvent(ticketing, request.params.organizerId, {
          raw: rawBodies.get(request) ?? '',
          headers: request.headers,
          body: request.body,
          invalid,
        });
        return { received: true, outcome };
      },
    );
  });
}
