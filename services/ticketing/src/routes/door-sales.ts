/**
 * Door sales (unit 404): the terminal offers, the buyer's app claims and pays, issuance admits.
 * The rules are in ../door-sales.ts.
 */
import { Type } from 'typebox';
import { type App, terminalOf, userOf } from '../app.ts';
import type { Ticketing } from '../context.ts';
import {
  cancelDoorSale,
  claimableDoorSale,
  claimDoorSale,
  createDoorSale,
  doorSaleView,
  terminalDoorSale,
} from '../door-sales.ts';
import { orderView } from '../orders.ts';
import { Order } from './sales.ts';
import { AssetCode, ErrorBody, errors, Id } from './schemas.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

const DoorSale = Type.Object({
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
const DoorOffer = Type.Omit(DoorSale, ['claimUrl', 'tickets', 'orderFailure']);

const SaleParams = Type.Object({ doorSaleId: Id('ds') });
const ClaimToken = Type.String({ pattern: '^[A-Za-z0-9_-]{16,64}$' });

export function doorSaleRoutes(app: App, ticketing: Ticketing) {
  app.post(
    '/v1/terminal/door-sales',
    {
      config: { access: 'terminal' },
      schema: {
        tags: ['gates'],
        summary: 'Offer tickets at the gate (unit 404): a claim URL to show as a QR',
        description:
          "The buyer's phone opens the claim URL, claims the sale (which holds the tickets) and pays from its wallet; the server then issues the tickets to that phone and admits them at this terminal. Poll GET /v1/terminal/door-sales/{doorSaleId} for the outcome. Door sales go on after the on-sale window has ended, until the performance ends or is closed.",
        body: Type.Object(
          {
            performanceId: Id('perf'),
            categoryId: Id('cat'),
            quantity: Type.Optional(Type.Integer({ minimum: 1, maximum: 10, default: 1 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: DoorSale, ...errors },
      },
    },
    async (request, reply) => {
      const sale = await createDoorSale(ticketing, terminalOf(request), {
        performanceId: request.body.performanceId,
        categoryId: request.body.categoryId,
        quantity: request.body.quantity ?? 1,
      });
      return reply.code(201).send(sale);
    },
  );

  app.get(
    '/v1/terminal/door-sales/:doorSaleId',
    {
      config: { access: 'terminal' },
      schema: {
        tags: ['gates'],
        summary: "A door sale's state, for the terminal that offered it",
        params: SaleParams,
        response: { 200: DoorSale, ...errors },
      },
    },
    async (request) => {
      const sale = await terminalDoorSale(
        ticketing,
        terminalOf(request),
        request.params.doorSaleId,
      );
      return doorSaleView(ticketing, sale);
    },
  );

  app.delete(
    '/v1/terminal/door-sales/:doorSaleId',
    {
      config: { access: 'terminal' },
      schema: {
        tags: ['gates'],
        summary: 'Withdraw a door sale nobody has paid for',
        description:
          "A claimed sale's order is cancelled first (the exchange is asked, so a payment that did land is honoured: 409 door_sale_paid).",
        params: SaleParams,
        response: { 200: DoorSale, ...errors, 503: ErrorBody },
      },
    },
    async (request) => {
      const sale = await terminalDoorSale(
        ticketing,
        terminalOf(request),
        request.params.doorSaleId,
      );
      return doorSaleView(ticketing, await cancelDoorSale(ticketing, sale));
    },
  );

  app.get(
    '/v1/door-sales/:doorSaleId',
    {
      config: { access: 'user' },
      schema: {
        tags: ['sales'],
        summary: 'What a door sale offers, read from its claim QR',
        params: SaleParams,
        querystring: Type.Object({ t: ClaimToken }, { additionalProperties: false }),
        response: { 200: DoorOffer, ...errors },
      },
    },
    async (request) => {
      userOf(request);
      const sale = await claimableDoorSale(ticketing, request.params.doorSaleId, request.query.t);
      const {
        claimUrl: _url,
        tickets: _tickets,
        orderFailure: _failure,
        ...offer
      } = await doorSaleView(ticketing, sale);
      return offer;
    },
  );

  app.post(
    '/v1/door-sales/:doorSaleId/claim',
    {
      config: { access: 'user' },
      schema: {
        tags: ['sales'],
        summary: 'Claim a door sale and order its tickets for this phone',
        description:
          'First come, first served: another buyer gets 409 door_sale_claimed. The answer is an ordinary order; pay it like any other (payment.payUrl). Claiming again answers the same order (200), so the call is safe to retry. When it is paid the tickets are issued to `deviceId` and admitted at the gate that sold them.',
        params: SaleParams,
        body: Type.Object(
          { token: ClaimToken, deviceId: Id('dev'), asset: Type.Optional(AssetCode) },
          { additionalProperties: false },
        ),
        response: { 201: Order, 200: Order, ...errors, 503: ErrorBody },
      },
    },
    async (request, reply) => {
      const me = userOf(request);
      const sale = await claimableDoorSale(
        ticketing,
        request.params.doorSaleId,
        request.body.token,
      );
      const { order, created } = await claimDoorSale(ticketing, me, sale, {
        deviceId: request.body.deviceId,
        ...(request.body.asset ? { asset: request.body.asset } : {}),
      });
      return reply
        .code(created ? 201 : 200)
        .send(await orderView(ticketing, order, { forBuyer: true }));
    },
  );
}
