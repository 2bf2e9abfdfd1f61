/** Delivery (S150): a holder's devices fetch their tickets and claim tickets sent to their number. */
import { Type } from 'typebox';
import type { Ticketing } from '../context.ts';
import { type App, userOf } from '../http.ts';
import { errors, Id } from '../schemas.ts';
import { Ticket } from './schemas.ts';
import { claimTicket, holderTickets, ticketSeenBy, ticketView } from './service.ts';

export { Ticket };

export function ticketRoutes(app: App, ticketing: Ticketing) {
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
    async (request) => ({ tickets: await holderTickets(ticketing, userOf(request)) }),
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
    async (request) => ticketSeenBy(ticketing, request.caller, request.params.ticketId),
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
