/**
 * After the sale: transfers to another phone number, reissue to a new device, refunds by the
 * buyer (per the organizer's policy) or by staff, cancelling a performance, and the revocation
 * feed the gate terminals sync. The rules live in transfers/service.ts, reissue.ts, refunds.ts,
 * cancellation.ts and revocations.ts (revision.ts holds what they share);
 * services/ticketing/docs/after-sale.md explains them.
 */
import { Type } from 'typebox';
import type { Ticketing } from '../context.ts';
import type { TicketsTable } from '../db/schema.ts';
import { type App, userOf } from '../http.ts';
import { requireStaff } from '../organizers/staff.ts';
import { Code, ErrorBody, errors, Id, iso, PerformanceParams, Phone } from '../schemas.ts';
import { Ticket } from '../tickets/routes.ts';
import { ticketView } from '../tickets/service.ts';
import { cancelPerformance } from './cancellation.ts';
import { refundOfTicket, refundTicket } from './refunds.ts';
import { reissueTicket } from './reissue.ts';
import { revocationPageMax, revocationsAfter, staffOfPerformance } from './revocations.ts';
import {
  Cancellation,
  RefundBody,
  Refunded,
  Revocations,
  refundReasonCharsMax,
  TicketParams,
  Transfer,
  TransferParams,
} from './schemas.ts';
import {
  acceptTransfer,
  cancelTransfer,
  createTransfer,
  declineTransfer,
  type TransferSummary,
  transferStatus,
  transferSummary,
  transfersOf,
} from './transfers/service.ts';

export function afterSaleRoutes(app: App, ticketing: Ticketing) {
  offerRoutes(app, ticketing);
  decisionRoutes(app, ticketing);
  reissueRoutes(app, ticketing);
  refundRoutes(app, ticketing);
  performanceRoutes(app, ticketing);
}

function transferBody(summary: TransferSummary) {
  const row = summary.transfer;
  return {
    id: row.id,
    ticketId: row.ticket_id,
    toPhone: row.to_phone,
    status: transferStatus(row),
    createdAt: iso(row.created_at) as string,
    decidedAt: iso(row.decided_at),
    fromName: summary.fromName,
    fromPhone: summary.fromPhone,
    ticket: {
      event: summary.eventName,
      startsAt: iso(summary.startsAt) as string,
      timeZone: summary.timeZone,
      category: summary.category,
      seat: summary.seat,
    },
  };
}

/** The refunded ticket as its holder (or staff) sees it, with its newest refund. */
async function refundedBody(ticketing: Ticketing, ticket: TicketsTable, forHolder: boolean) {
  return {
    ticket: await ticketView(ticketing, ticket, forHolder),
    refund: await refundOfTicket(ticketing, ticket.id),
  };
}

/** Offering a ticket, and the caller's transfers both ways. */
function offerRoutes(app: App, ticketing: Ticketing) {
  app.post(
    '/v1/tickets/:ticketId/transfers',
    {
      config: { access: 'user' },
      schema: {
        tags: ['after the sale'],
        summary: 'Offer my ticket to another phone number; they accept it onto their device',
        description:
          'Only a valid ticket of a performance still to come, by its holder, to another number. The recipient gets an SMS. One pending transfer per ticket: offering it to someone else meanwhile is 409 transfer_pending (cancel first); the same offer again answers the pending transfer (200), so a retry is safe. A ticket whose entries are used up at the gates (a single entry used, a multi-entry pass with none left) is 409 ticket_used.',
        params: TicketParams,
        body: Type.Object({ toPhone: Phone }, { additionalProperties: false }),
        response: { 201: Transfer, 200: Transfer, ...errors },
      },
    },
    async (request, reply) => {
      const me = userOf(request);
      const { transfer, created } = await createTransfer(
        ticketing,
        me,
        request.params.ticketId,
        request.body.toPhone,
      );
      return reply
        .code(created ? 201 : 200)
        .send(transferBody(await transferSummary(ticketing, transfer.id)));
    },
  );

  app.get(
    '/v1/me/transfers',
    {
      config: { access: 'user' },
      schema: {
        tags: ['after the sale'],
        summary: 'Transfers waiting for my number, and the ones I offered',
        response: {
          200: Type.Object({ incoming: Type.Array(Transfer), outgoing: Type.Array(Transfer) }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { incoming, outgoing } = await transfersOf(ticketing, userOf(request));
      return { incoming: incoming.map(transferBody), outgoing: outgoing.map(transferBody) };
    },
  );
}

/** The sender takes an offer back; the recipient accepts or declines it. */
function decisionRoutes(app: App, ticketing: Ticketing) {
  app.delete(
    '/v1/transfers/:transferId',
    {
      config: { access: 'user' },
      schema: {
        tags: ['after the sale'],
        summary: 'Take back a pending transfer I offered',
        params: TransferParams,
        response: { 200: Transfer, ...errors },
      },
    },
    async (request) => {
      const transfer = await cancelTransfer(ticketing, userOf(request), request.params.transferId);
      return transferBody(await transferSummary(ticketing, transfer.id));
    },
  );

  app.post(
    '/v1/transfers/:transferId/accept',
    {
      config: { access: 'user' },
      schema: {
        tags: ['after the sale'],
        summary: 'Accept a ticket offered to my number onto one of my devices',
        description:
          "The ticket's revision goes up by one, its credential is signed for this device and my phone, and the previous revision is revoked (the sender's copy stops working everywhere). Accepting again answers the ticket. 409 ticket_used when the sender used up its entries meanwhile.",
        params: TransferParams,
        body: Type.Object({ deviceId: Id('dev') }, { additionalProperties: false }),
        response: { 200: Ticket, ...errors },
      },
    },
    async (request) => {
      const ticket = await acceptTransfer(
        ticketing,
        userOf(request),
        request.params.transferId,
        request.body.deviceId,
      );
      return ticketView(ticketing, ticket, true);
    },
  );

  app.post(
    '/v1/transfers/:transferId/decline',
    {
      config: { access: 'user' },
      schema: {
        tags: ['after the sale'],
        summary: 'Turn down a ticket offered to my number; it stays with the sender',
        params: TransferParams,
        response: { 200: Transfer, ...errors },
      },
    },
    async (request) => {
      const transfer = await declineTransfer(ticketing, userOf(request), request.params.transferId);
      return transferBody(await transferSummary(ticketing, transfer.id));
    },
  );
}

function reissueRoutes(app: App, ticketing: Ticketing) {
  app.post(
    '/v1/tickets/:ticketId/reissue',
    {
      config: { access: 'user' },
      schema: {
        tags: ['after the sale'],
        summary: 'Move my ticket to another of my devices (lost or new phone)',
        description:
          'Prove the phone number again first: ask POST /v1/auth/codes for a code and send it here (401 invalid_code if wrong or expired). The ticket is signed for the new device at revision + 1 and the old revision is revoked. A ticket still awaiting a device is claimed instead (POST /v1/tickets/:ticketId/claim).',
        params: TicketParams,
        body: Type.Object({ deviceId: Id('dev'), code: Code }, { additionalProperties: false }),
        response: { 200: Ticket, ...errors },
      },
    },
    async (request) => {
      const ticket = await reissueTicket(
        ticketing,
        userOf(request),
        request.params.ticketId,
        request.body.deviceId,
        request.body.code,
      );
      return ticketView(ticketing, ticket, true);
    },
  );
}

/** The buyer's own refund, and staff's. */
function refundRoutes(app: App, ticketing: Ticketing) {
  app.post(
    '/v1/tickets/:ticketId/refund',
    {
      config: { access: 'user' },
      schema: {
        tags: ['after the sale'],
        summary: 'Give my ticket back for a refund, if the organizer allows it',
        description:
          "For the buyer who still holds the ticket, when the event's refund policy is until_start and the performance starts more than refundCutoffS from now; otherwise 409 refund_not_allowed; 409 ticket_used once someone has entered with it (staff may still refund it). The ticket is revoked, its seat goes back on sale, and the price is refunded to the paying wallet at the exchange (refund.status turns from pending to done once the exchange confirms). Refunding a refunded ticket answers it as it is.",
        params: TicketParams,
        response: { 200: Refunded, ...errors },
      },
    },
    async (request) => {
      const me = userOf(request);
      const ticket = await refundTicket(
        ticketing,
        { kind: 'buyer', user: me },
        request.params.ticketId,
      );
      return refundedBody(ticketing, ticket, true);
    },
  );

  app.post(
    '/v1/organizers/:organizerId/tickets/:ticketId/refund',
    {
      config: { access: 'any' },
      schema: {
        tags: ['after the sale'],
        summary: 'Refund a ticket of this organizer, whatever the policy (refund permission)',
        description: `The body may be left out, be {} or carry a reason (1..${refundReasonCharsMax} characters), which is kept with the refund, answered in refund.reason and sent to the exchange with the refund; without one the reason names the ticket. Refunding a refunded ticket answers it as it is, with the reason it was refunded for.`,
        params: Type.Object({ organizerId: Id('org'), ticketId: Id('tkt') }),
        body: RefundBody,
        response: { 200: Refunded, ...errors },
      },
      // The command line sends no body at all: validate that as an empty one.
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request) => {
      const { organizerId, ticketId } = request.params;
      await requireStaff(ticketing, request.caller, organizerId, 'refund');
      const reason = request.body?.reason;
      const ticket = await refundTicket(
        ticketing,
        { kind: 'staff', organizerId, ...(reason !== undefined ? { reason } : {}) },
        ticketId,
      );
      return refundedBody(ticketing, ticket, false);
    },
  );
}

/** Cancelling a performance, and its revocation feed for the gates. */
function performanceRoutes(app: App, ticketing: Ticketing) {
  app.post(
    '/v1/performances/:performanceId/cancel',
    {
      config: { access: 'any' },
      schema: {
        tags: ['after the sale'],
        summary: 'Cancel a performance and refund every ticket of it (refund permission)',
        description:
          'Stops sales, releases holds, closes unpaid orders at the exchange, then cancels, revokes and refunds every ticket in batches. Resumable: calling it again continues where it stopped (the counts are what this call did).',
        params: PerformanceParams,
        response: { 200: Cancellation, ...errors, 503: ErrorBody },
      },
    },
    async (request) => {
      const { performanceId } = request.params;
      await staffOfPerformance(ticketing, request.caller, performanceId, 'refund');
      const summary = await cancelPerformance(ticketing, performanceId);
      return { performanceId, status: 'cancelled', ...summary };
    },
  );

  app.get(
    '/v1/performances/:performanceId/revocations',
    {
      config: { access: 'any' },
      schema: {
        tags: ['after the sale'],
        summary: 'Revoked ticket revisions of a performance, for gate terminals (admit permission)',
        description:
          'Append-only, in `seq` order. A terminal keeps the highest seq it has seen and asks for what comes after; an entry voids every revision of that ticket number up to throughRevision.',
        params: PerformanceParams,
        querystring: Type.Object(
          {
            after: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
            limit: Type.Optional(
              Type.Integer({ minimum: 1, maximum: revocationPageMax, default: 500 }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: Revocations, ...errors },
      },
    },
    async (request) => {
      const { performanceId } = request.params;
      const performance = await staffOfPerformance(
        ticketing,
        request.caller,
        performanceId,
        'admit',
      );
      const page = await revocationsAfter(
        ticketing,
        performanceId,
        request.query.after ?? 0,
        request.query.limit ?? 500,
      );
      return { performanceId, performanceCode: performance.code, ...page };
    },
  );
}
