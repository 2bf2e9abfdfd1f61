/**
 * Door sales (unit 404) as the buyer's phone sees them: the terminal offers (its routes are in
 * admission/), the buyer's app reads the offer from the claim QR, claims and pays it, issuance
 * admits. The rules are in service.ts. The organizer's staff set what the gates may sell
 * (settings.ts) and list the sales (list.ts).
 */
import { Type } from 'typebox';
import type { Ticketing } from '../context.ts';
import { type App, userOf } from '../http.ts';
import { Order } from '../orders/schemas.ts';
import { requirePerformanceStaff } from '../reports/gate/report.ts';
import { AssetCode, ErrorBody, errors, Id, PerformanceParams } from '../schemas.ts';
import { doorSaleList, doorSaleListMax } from './list.ts';
import {
  ClaimToken,
  DoorOffer,
  DoorSaleList,
  DoorSaleSettings,
  DoorSaleSettingsBody,
  SaleParams,
} from './schemas.ts';
import { claimDoorSaleByToken, doorOfferForBuyer } from './service.ts';
import { doorSaleSettingsView, putDoorSaleSettings } from './settings.ts';

export function doorSaleRoutes(app: App, ticketing: Ticketing) {
  buyerRoutes(app, ticketing);
  settingsRoutes(app, ticketing);
  listRoutes(app, ticketing);
}

function buyerRoutes(app: App, ticketing: Ticketing) {
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

function settingsRoutes(app: App, ticketing: Ticketing) {
  app.get(
    '/v1/performances/:performanceId/door-sales/settings',
    {
      config: { access: 'any' },
      schema: {
        tags: ['gates'],
        summary: 'What the gates may sell of a performance at the door (view_sales)',
        description:
          "custom false: never set, so the gates sell every category up to the event's per-order limit. Staff of other organizers get 404.",
        params: PerformanceParams,
        response: { 200: DoorSaleSettings, ...errors },
      },
    },
    async (request, reply) => {
      const performance = await requirePerformanceStaff(
        ticketing,
        request.caller,
        request.params.performanceId,
        'view_sales',
      );
      reply.header('cache-control', 'no-store');
      return doorSaleSettingsView(ticketing, performance);
    },
  );

  app.put(
    '/v1/performances/:performanceId/door-sales/settings',
    {
      config: { access: 'any' },
      schema: {
        tags: ['gates'],
        summary: 'Set what the gates may sell of a performance at the door (manage_catalogue)',
        description:
          "Replaces the settings whole. Each category must be one of the event's (400 unknown_category). A terminal then refuses an offer with 409 door_sales_closed, 409 door_sale_category_not_allowed or 400 order_limit; gate apps learn the settings with their next package download.",
        params: PerformanceParams,
        body: DoorSaleSettingsBody,
        response: { 200: DoorSaleSettings, ...errors },
      },
    },
    async (request) => {
      const performance = await requirePerformanceStaff(
        ticketing,
        request.caller,
        request.params.performanceId,
        'manage_catalogue',
      );
      const by = request.caller?.type === 'user' ? request.caller.id : 'operator';
      return putDoorSaleSettings(ticketing, performance, by, request.body);
    },
  );
}

function listRoutes(app: App, ticketing: Ticketing) {
  app.get(
    '/v1/performances/:performanceId/door-sales',
    {
      config: { access: 'any' },
      schema: {
        tags: ['gates'],
        summary: "A performance's door sales, newest first, with totals (view_sales)",
        description: `At most ${doorSaleListMax} sales; the totals count every one. Revenue is that of the admitted sales' orders, per asset paid. Staff of other organizers get 404.`,
        params: PerformanceParams,
        response: { 200: DoorSaleList, ...errors },
      },
    },
    async (request, reply) => {
      await requirePerformanceStaff(
        ticketing,
        request.caller,
        request.params.performanceId,
        'view_sales',
      );
      reply.header('cache-control', 'no-store');
      return doorSaleList(ticketing, request.params.performanceId);
    },
  );
}
