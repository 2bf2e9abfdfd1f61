/** Delivery (S150): a holder's devices fetch their tickets and claim tickets sent to their number. */
import { notFound } from '@tessera/service-kit/errors';
import { Type } from 'typebox';
import type { Ticketing } from '../context.ts';
import { type App, userOf } from '../http.ts';
import { requireStaff } from '../organizers/staff.ts';
import { errors, Id } from '../schemas.ts';
import { claimTicket, ticketsOfHolder, ticketView } from './service.ts';

export const Ticket = Type.Object({
  id: Type.String(),
  number: Type.String({ description: 'The ticket ID in the credential' }),
  status: Type.String({ description: 'awaiting_device, valid, refunded or cancelled' }),
  revision: Type.Integer(),
  orderId: Type.String(),
  deviceId: Type.Union([Type.String(), Type.Null()]),
  holderPhone: Type.String(),
  credential: Type.Union([Type.String(), Type.Null()], {
    description: 'The signed credential (base64url) for the bound device; the app keeps it offline',
  }),
  keyId: Type.Union([Type.String(), Type.Null()]),
  manualCode: Type.Union([
    Type.Object({ ticketNumber: Type.String(), pin: Type.String() }),
    Type.Null(),
  ]),
  event: Type.Object({
    id: Type.String(),
    name: Type.String(),
    organizer: Type.String(),
    venue: Type.Object({
      name: Type.String(),
      address: Type.String(),
      latitude: Type.Number(),
      longitude: Type.Number(),
    }),
  }),
  performance: Type.Object({
    id: Type.String(),
    code: Type.String(),
    startsAt: Type.String(),
    doorsAt: Type.String(),
    endsAt: Type.String(),
    status: Type.String(),
  }),
  category: Type.String(),
  seat: Type.Union([
    Type.Object({ section: Type.String(), row: Type.String(), number: Type.String() }),
    Type.Null(),
  ]),
  entitlement: Type.Object({
    kind: Type.String(),
    entriesAllowed: Type.Integer(),
    reentryAllowed: Type.Boolean(),
    validFrom: Type.String(),
    validUntil: Type.String(),
    storedValue: Type.Union([
      Type.Object({ asset: Type.String(), amount: Type.String() }),
      Type.Null(),
    ]),
  }),
  price: Type.Object({ asset: Type.String(), amount: Type.String() }),
});

export function ticketRoutes(app: App, ticketing: Ticketing) {
  const db = ticketing.database.db;

  app.get(
    '/v1/me/tickets',
    {
      config: { access: 'user' },
      schema: {
        tags: ['tickets'],
        summary: 'My tickets, with credentials for my devices, and tickets waiting for my number',
        response: { 200: Type.Object({ tickets: Type.Array(Ticket) }), ...errors },
      },
    },
    async (request) => {
      const me = userOf(request);
      const rows = await ticketsOfHolder(ticketing, me);
      return { tickets: await Promise.all(rows.map((row) => ticketView(ticketing, row, true))) };
    },
  );

  app.get(
    '/v1/tickets/:ticketId',
    {
      config: { access: 'any' },
      schema: {
        tags: ['tickets'],
        summary: 'A ticket: its holder (with the manual code), or staff of its organizer',
        params: Type.Object({ ticketId: Id('tkt') }),
        response: { 200: Ticket, ...errors },
      },
    },
    async (request) => {
      const ticket = await db
        .selectFrom('tickets')
        .selectAll()
        .where('id', '=', request.params.ticketId)
        .executeTakeFirst();
      if (!ticket) throw notFound('ticket');
      const caller = request.caller;
      const holder =
        caller?.type === 'user' &&
        (ticket.holder_user_id === caller.id ||
          (ticket.status === 'awaiting_device' && ticket.holder_phone === caller.phone));
      if (!holder) {
        await requireStaff(ticketing, caller, ticket.organizer_id, 'view_sales').catch(() => {
          throw notFound('ticket');
        });
      }
      return ticketView(ticketing, ticket, holder);
    },
  );

  app.post(
    '/v1/tickets/:ticketId/claim',
    {
      config: { access: 'user' },
      schema: {
        tags: ['tickets'],
        summary: 'Take a ticket sent to my number onto one of my devices',
        params: Type.Object({ ticketId: Id('tkt') }),
        body: Type.Object({ deviceId: Id('dev') }, { additionalProperties: false }),
        response: { 200: Ticket, ...errors },
      },
    },
    async (request) => {
      const me = userOf(request);
      const ticket = await claimTicket(
        ticketing,
        me,
        request.params.ticketId,
        request.body.deviceId,
      );
      return ticketView(ticketing, ticket, true);
    },
  );
}
