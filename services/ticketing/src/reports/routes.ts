/**
 * Reports for the organizer's staff: an event's sales and its attendee list (JSON pages, or the
 * whole list as a streamed CSV) with the view_sales permission (owner, manager, box office);
 * closing a performance (manage_catalogue) and its gate reconciliation report (view_sales);
 * an event's sales over time (view_sales).
 */
import { Readable } from 'node:stream';
import { Type } from 'typebox';
import type { Ticketing } from '../context.ts';
import type { App } from '../http.ts';
import { errors, Id, Instant, PerformanceParams } from '../schemas.ts';
import {
  attendeeCsv,
  attendeeCursorPattern,
  attendeePage,
  attendeePageMax,
  countAttendees,
  decodeAttendeeCursor,
  encodeAttendeeCursor,
} from './attendees.ts';
import { closePerformance, closerOf } from './gate/close.ts';
import { gateReportCsv, gateReportTables } from './gate/csv.ts';
import { gateReport, requirePerformanceStaff } from './gate/report.ts';
import {
  eventOrders,
  orderCursorPattern,
  orderPageDefault,
  orderPageMax,
  orderSearchCharsMax,
} from './orders.ts';
import { orderStatuses, requireSalesReader, salesReport } from './sales.ts';
import {
  Attendee,
  CloseBody,
  Closed,
  EventOrder,
  GateReport,
  SalesReport,
  SalesTimeline,
} from './schemas.ts';
import {
  salesTimeline,
  timelinePointsDefault,
  timelineStepMaxS,
  timelineStepsMax,
} from './timeline.ts';

const EventParams = Type.Object({ eventId: Id('ev') });

export function reportRoutes(app: App, ticketing: Ticketing) {
  salesRoutes(app, ticketing);
  attendeeRoutes(app, ticketing);
  orderRoutes(app, ticketing);
  closeRoutes(app, ticketing);
  gateReportRoutes(app, ticketing);
  timelineRoutes(app, ticketing);
}

function salesRoutes(app: App, ticketing: Ticketing) {
  app.get(
    '/v1/events/:eventId/sales',
    {
      config: { access: 'any' },
      schema: {
        tags: ['reports'],
        summary: 'Sales of an event: inventory, revenue per asset, orders and refunds (view_sales)',
        description:
          'Per performance and category: capacity, available, held, sold and blocked, and the revenue of the valid tickets per asset they were paid in. Staff of other organizers get 404.',
        params: EventParams,
        response: { 200: SalesReport, ...errors },
      },
    },
    async (request) => {
      const event = await requireSalesReader(ticketing, request.caller, request.params.eventId);
      return salesReport(ticketing, event.id);
    },
  );
}

/** A file name made of the event's slug, safe in a content-disposition header. */
const attendeeFileName = (slug: string) => `attendees-${slug.replace(/[^A-Za-z0-9_-]/g, '_')}.csv`;

function attendeeRoutes(app: App, ticketing: Ticketing) {
  app.get(
    '/v1/events/:eventId/attendees',
    {
      config: { access: 'any' },
      schema: {
        tags: ['reports'],
        summary: 'Attendees: one line per valid ticket or ticket awaiting its device (view_sales)',
        description: `format=json answers pages of at most ${attendeePageMax} (follow \`next\` with after=). format=csv streams the whole list as RFC 4180 CSV with a header line; cells that a spreadsheet would take for a formula (starting with = + - @) begin with an apostrophe. The x-total-count header says how many lines to expect. Ordered by performance start, then ticket number.`,
        params: EventParams,
        querystring: Type.Object({
          format: Type.Optional(
            Type.Union([Type.Literal('json'), Type.Literal('csv')], { default: 'json' }),
          ),
          performanceId: Type.Optional(Id('perf')),
          after: Type.Optional(
            Type.String({
              pattern: attendeeCursorPattern,
              description: 'json: `next` of the last page',
            }),
          ),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: attendeePageMax })),
        }),
        response: {
          200: Type.Object(
            {
              attendees: Type.Array(Attendee),
              next: Type.Union([Type.String(), Type.Null()]),
              total: Type.Integer(),
            },
            { description: 'format=json; format=csv answers text/csv' },
          ),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const event = await requireSalesReader(ticketing, request.caller, request.params.eventId);
      const { format, performanceId, after, limit } = request.query;
      const scope = performanceId !== undefined ? { performanceId } : {};
      const total = await countAttendees(ticketing, event.id, performanceId);
      if (format === 'csv') {
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${attendeeFileName(event.slug)}"`)
          .header('x-total-count', String(total))
          .header('cache-control', 'no-store')
          .send(
            // A stream is piped as it is, not serialised against the JSON schema.
            Readable.from(attendeeCsv(ticketing, event.id, scope)) as never,
          );
      }
      const page = await attendeePage(ticketing, event.id, {
        ...scope,
        ...(after !== undefined ? { after: decodeAttendeeCursor(after) } : {}),
        ...(limit !== undefined ? { limit } : {}),
      });
      reply.header('x-total-count', String(total)).header('cache-control', 'no-store');
      return {
        attendees: page.attendees,
        next: page.next ? encodeAttendeeCursor(page.next) : null,
        total,
      };
    },
  );
}

function orderRoutes(app: App, ticketing: Ticketing) {
  app.get(
    '/v1/events/:eventId/orders',
    {
      config: { access: 'any' },
      schema: {
        tags: ['reports'],
        summary: "An event's orders with their tickets, newest first, and searched (view_sales)",
        description: `q finds an order by its id (ord_…), by the 10-digit number of one of its tickets, or by a phone number as people type it (010-1234-5678, +82 10 1234 5678): the buyer's or a ticket holder's. Ten digits grouped 3-3-4 are searched as both a ticket number and a phone number. Any other q is 400 invalid_request. Pages of at most ${orderPageMax} (follow \`next\` with after=). Each ticket comes with its usage at the gates and its newest refund. Staff of other organizers get 404.`,
        params: EventParams,
        querystring: Type.Object(
          {
            performanceId: Type.Optional(Id('perf')),
            q: Type.Optional(Type.String({ minLength: 1, maxLength: orderSearchCharsMax })),
            status: Type.Optional(Type.Union(orderStatuses.map((status) => Type.Literal(status)))),
            after: Type.Optional(
              Type.String({ pattern: orderCursorPattern, description: '`next` of the last page' }),
            ),
            limit: Type.Optional(
              Type.Integer({ minimum: 1, maximum: orderPageMax, default: orderPageDefault }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            orders: Type.Array(EventOrder),
            next: Type.Union([Type.String(), Type.Null()]),
            total: Type.Integer({ description: 'Orders matching the filter, over every page' }),
          }),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const event = await requireSalesReader(ticketing, request.caller, request.params.eventId);
      reply.header('cache-control', 'no-store');
      return eventOrders(ticketing, event.id, request.query);
    },
  );
}

function closeRoutes(app: App, ticketing: Ticketing) {
  app.post(
    '/v1/performances/:performanceId/close',
    {
      config: { access: 'any' },
      schema: {
        tags: ['gates'],
        summary: 'Close a performance after it started: outstanding terminals and the report',
        description:
          'Sets the performance closed (once; calling again answers again). Lists the terminals that may still hold admissions (they said so, or have not called since the close): bring them online to upload. Terminals revoked while holding some are listed apart (terminalsLost): they cannot deliver. Stored-value remainders are refunded once no terminal is outstanding, or at once with force=true, which needs a reason while terminals are outstanding (400 close_reason_required, nothing changes); who closed and who forced, when and why, are kept and reported. 409 performance_cancelled, 409 performance_not_started. Needs manage_catalogue.',
        params: PerformanceParams,
        body: CloseBody,
        response: { 200: Closed, ...errors },
      },
    },
    async (request) => {
      const performance = await requirePerformanceStaff(
        ticketing,
        request.caller,
        request.params.performanceId,
        'manage_catalogue',
      );
      return closePerformance(ticketing, performance, {
        force: request.body?.force === true,
        reason: request.body?.reason,
        by: closerOf(request.caller),
      });
    },
  );
}

function gateReportRoutes(app: App, ticketing: Ticketing) {
  app.get(
    '/v1/performances/:performanceId/gate-report',
    {
      config: { access: 'any' },
      schema: {
        tags: ['gates'],
        summary: 'The gate reconciliation report of a performance (view_sales)',
        description:
          'Tickets sold, admitted and no-shows; duplicates with both scans; scans outside the venue; admissions per gate per quarter hour; revenue per asset; stored-value refunds; terminals. format=csv answers one table (table=summary, gates, duplicates or outside) as RFC 4180 CSV.',
        params: PerformanceParams,
        querystring: Type.Object(
          {
            format: Type.Optional(
              Type.Union([Type.Literal('json'), Type.Literal('csv')], { default: 'json' }),
            ),
            table: Type.Optional(
              Type.Union(
                gateReportTables.map((table) => Type.Literal(table)),
                { default: 'summary', description: 'format=csv: which table' },
              ),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: GateReport, ...errors },
      },
    },
    async (request, reply) => {
      const performance = await requirePerformanceStaff(
        ticketing,
        request.caller,
        request.params.performanceId,
        'view_sales',
      );
      const report = await gateReport(ticketing, performance);
      reply.header('cache-control', 'no-store');
      if (request.query.format === 'csv') {
        const table = request.query.table ?? 'summary';
        const name = `gate-${table}-${performance.code}.csv`;
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${name}"`)
          .send(gateReportCsv(report, table) as never);
      }
      return report;
    },
  );
}

function timelineRoutes(app: App, ticketing: Ticketing) {
  app.get(
    '/v1/events/:eventId/sales/timeline',
    {
      config: { access: 'any' },
      schema: {
        tags: ['reports'],
        summary: 'Sales of an event over time: tickets, orders, refunds and revenue (view_sales)',
        description: `Points per step (bucket start \`at\`, a whole multiple of stepS since the Unix epoch), only the buckets with something in them. from defaults to the first paid order (salesOpenedAt), to to now; both are inclusive. stepS defaults to the shortest of 1, 2, 5, 10, 15, 30 s, 1, 2, 5, 10, 15, 30 min, 1, 2, 3, 6, 12, 24 h that gives fewer than ${timelinePointsDefault} points. A span of more than ${timelineStepsMax} steps is 400 invalid_time, as is from after to. Tickets are the live tickets (the sales report's rule) placed at their order's payment, so a whole span adds up to the report's totals; orders are the orders holding them; refunds the tickets refunded in the bucket. Staff of other organizers get 404.`,
        params: EventParams,
        querystring: Type.Object(
          {
            performanceId: Type.Optional(Id('perf')),
            from: Type.Optional(Instant),
            to: Type.Optional(Instant),
            stepS: Type.Optional(Type.Integer({ minimum: 1, maximum: timelineStepMaxS })),
          },
          { additionalProperties: false },
        ),
        response: { 200: SalesTimeline, ...errors },
      },
    },
    async (request, reply) => {
      const event = await requireSalesReader(ticketing, request.caller, request.params.eventId);
      reply.header('cache-control', 'no-store');
      return salesTimeline(ticketing, event.id, request.query);
    },
  );
}
