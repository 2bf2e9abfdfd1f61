/**
 * Door sales (unit 404) as the buyer's phone sees them: the terminal offers (its routes are in
 * admission/), the buyer's app reads the offer from the claim QR, claims and pays it, issuance
 * admits. The rules are in service.ts.
 */
import { Type } from 'typebox';
import type { Ticketing } from '../context.ts';
import { type App, userOf } from '../http.ts';
import { Order } from '../orders/schemas.ts';
import { AssetCode, ErrorBody, errors, Id } from '../schemas.ts';
import { ClaimToken, DoorOffer, SaleParams } from './schemas.ts';
import { claimDoorSaleByToken, doorOfferForBuyer } from './service.ts';

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
      return doorOfferForBuyer(ticketing, request.params.doorSaleId, request.query.t);
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
      const { created, view } = await claimDoorSaleByToken(
        ticketing,
        me,
        request.params.doorSaleId,
        request.body,
      );
      return reply.code(created ? 201 : 200).send(view);
    },
  );
}
