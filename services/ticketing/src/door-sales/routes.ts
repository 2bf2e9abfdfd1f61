/**
 * Door sales (unit 404): the terminal offers, the buyer's app claims and pays, issuance admits.
 * The rules are in ../door-sales.ts.
 */
import { Type } from 'typebox';
import type { Ticketing } from '../context.ts';
import { type App, userOf } from '../http.ts';
import { Order } from '../orders/schemas.ts';
import { orderView } from '../orders/service.ts';
import { AssetCode, ErrorBody, errors, Id } from '../schemas.ts';
import { ClaimToken, DoorOffer, SaleParams } from './schemas.ts';
import { claimableDoorSale, claimDoorSale, doorSaleView } from './service.ts';

export function doorSaleRoutes(app: App, ticketing: Ticketing) {
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
