/**
 * Event close and the gate reconciliation report (staff, and terminals for their own events). The rules are in ../gate-report.ts;
 * docs/gates.md ("Event close") explains them.
 */
import { type TSchema, Type } from 'typebox';
import { type App, terminalOf } from '../app.ts';
import type { Ticketing } from '../context.ts';
import {
  closePerformance,
  gateBucketMs,
  gateReport,
  gateReportCsv,
  gateReportTables,
  reportListMax,
  requirePerformanceOfTerminal,
  requirePerformanceStaff,
} from '../gate-report.ts';
import { errors, Id } from './schemas.ts';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

const Scan = Type.Object({
  admissionId: Type.String(),
  at: Type.String({ description: "When the terminal scanned (the terminal's clock)" }),
  recordedAt: Type.String({ description: 'When the server recorded it' }),
  gate: Type.String(),
  terminalId: Type.String(),
  terminalName: Nullable(Type.String()),
  source: Type.String({ description: 'online, or offline (uploaded later)' }),
  direction: Type.String(),
  latitude: Nullable(Type.Number()),
  longitude: Nullable(Type.Number()),
  accuracyM: Nullable(Type.Number()),
});

const TerminalStanding = Type.Object({
  id: Type.String(),
  name: Type.String(),
  gate: Type.String(),
  lastSeenAt: Nullable(Type.String()),
  revokedAt: Nullable(Type.String()),
  pendingUploads: Type.Integer(),
  outstanding: Nullable(
    Type.String({
      description:
        'pending_uploads (it said it holds unsent admissions), not_seen_since_close, or revoked_with_unsent (revoked while it said it held some: they cannot come); null: delivered',
    }),
  ),
});

const AssetLine = Type.Object({
  asset: Type.String(),
  paid: Type.String({ description: 'Orders the exchange confirmed paid, whole units' }),
  orders: Type.Integer(),
  refunded: Type.String({ description: 'Refunds the exchange confirmed' }),
  refundsPending: Type.String({ description: 'Refunds owed, not confirmed yet (pending, failed)' }),
  net: Type.String({ description: 'paid - refunded - refundsPending' }),
});

const GateReport = Type.Object({
  performance: Type.Object({
    id: Type.String(),
    code: Type.String(),
    eventId: Type.String(),
    eventName: Type.String(),
    status: Type.String(),
    doorsAt: Type.String(),
    startsAt: Type.String(),
    endsAt: Type.String(),
    closedAt: Nullable(Type.String()),
    venue: Type.Object({
      id: Type.String(),
      name: Type.String(),
      latitude: Type.Number(),
      longitude: Type.Number(),
      radiusM: Type.Number(),
    }),
  }),
  generatedAt: Type.String(),
  tickets: Type.Object({
    sold: Type.Integer({ description: 'Valid tickets and tickets awaiting their device' }),
    admitted: Type.Integer({ description: 'Distinct tickets with at least one entry' }),
    noShows: Type.Integer({ description: 'Sold tickets never admitted' }),
  }),
  admissions: Type.Object({
    entries: Type.Integer(),
    exits: Type.Integer(),
    online: Type.Integer(),
    offline: Type.Integer(),
    duplicates: Type.Integer(),
    outsideVenue: Type.Integer(),
    revokedRevisions: Type.Integer({
      description: 'Offline admissions of a revision revoked before the scan (an old holder)',
    }),
  }),
  refusals: Type.Array(Type.Object({ reason: Type.String(), count: Type.Integer() }), {
    description: 'Scans the gates refused, by reason (from the audit log)',
  }),
  duplicates: Type.Object({
    total: Type.Integer(),
    listed: Type.Array(
      Type.Object({
        ticketId: Type.String(),
        ticketNumber: Type.String(),
        category: Type.String(),
        seat: Nullable(Type.String()),
        first: Nullable(Scan),
        duplicate: Scan,
      }),
      { description: `At most ${reportListMax}, oldest first` },
    ),
  }),
  outsideVenue: Type.Object({
    total: Type.Integer(),
    listed: Type.Array(
      Type.Object({
        ticketId: Type.String(),
        ticketNumber: Type.String(),
        ...Scan.properties,
        distanceM: Nullable(Type.Number({ description: 'From the venue, metres' })),
      }),
      { description: `At most ${reportListMax}, oldest first` },
    ),
  }),
  gates: Type.Array(
    Type.Object({
      gate: Type.String(),
      periodStart: Type.String(),
      entries: Type.Integer(),
      exits: Type.Integer(),
      duplicates: Type.Integer(),
    }),
    { description: `Admissions per gate per ${gateBucketMs / 60_000} minutes, UTC-aligned` },
  ),
  revenue: Type.Array(AssetLine),
  exchange: Type.Object(
    {
      status: Type.String({
        description:
          'checked; incomplete (too many requests to read back); unavailable (the exchange did not answer: the figures above stand alone)',
      }),
      revenue: Type.Array(
        Type.Object({
          asset: Type.String(),
          paid: Type.String(),
          requests: Type.Integer(),
          refunded: Type.String(),
          net: Type.String(),
        }),
      ),
      missing: Type.Array(Type.Object({ requestId: Type.String(), orderId: Type.String() }), {
        description: 'Orders paid here whose payment request the exchange does not list',
      }),
      mismatched: Type.Array(
        Type.Object({ requestId: Type.String(), orderId: Type.String(), problem: Type.String() }),
      ),
    },
    {
      description:
        "Revenue read back from the exchange's payment requests of this performance's orders, to reconcile with `revenue`",
    },
  ),
  storedValueRefunds: Type.Array(
    Type.Object({
      asset: Type.String(),
      amount: Type.String(),
      count: Type.Integer(),
      done: Type.Integer({ description: 'Of which the exchange confirmed' }),
    }),
  ),
  terminals: Type.Array(TerminalStanding),
});

const PerformanceParams = Type.Object({ performanceId: Id('perf') });

export function gateCloseRoutes(app: App, ticketing: Ticketing) {
  app.post(
    '/v1/performances/:performanceId/close',
    {
      config: { access: 'any' },
      schema: {
        tags: ['gates'],
        summary: 'Close a performance after it started: outstanding terminals and the report',
        description:
          'Sets the performance closed (once; calling again answers again). Lists the terminals that may still hold admissions (they said so, or have not called since the close): bring them online to upload. Terminals revoked while holding some are listed apart (terminalsLost): they cannot deliver. Stored-value remainders are refunded once no terminal is outstanding, or at once with force=true. 409 performance_cancelled, 409 performance_not_started. Needs manage_catalogue.',
        params: PerformanceParams,
        body: Type.Optional(
          Type.Object(
            {
              force: Type.Optional(
                Type.Boolean({
                  description:
                    'Refund stored-value remainders even while terminals are outstanding',
                }),
              ),
            },
            { additionalProperties: false },
          ),
        ),
        response: {
          200: Type.Object({
            performanceId: Type.String(),
            status: Type.Literal('closed'),
            closedAt: Type.String(),
            terminalsOutstanding: Type.Array(TerminalStanding),
            terminalsLost: Type.Array(TerminalStanding, {
              description:
                'Revoked while they said they held unsent admissions: those are missing from the report for good',
            }),
            storedValue: Type.Object({
              refunds: Type.String({ description: 'queued, or waiting_for_terminals' }),
              queuedNow: Type.Integer({ description: 'Refunds this call queued' }),
            }),
            report: GateReport,
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const performance = await requirePerformanceStaff(
        ticketing,
        request.caller,
        request.params.performanceId,
        'manage_catalogue',
      );
      return closePerformance(ticketing, performance, { force: request.body?.force === true });
    },
  );

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

  app.get(
    '/v1/terminal/report',
    {
      config: { access: 'terminal' },
      schema: {
        tags: ['gates'],
        summary: "The gate reconciliation report of one of the terminal's performances",
        description:
          'What the gate app shows at the end of the event, once it has sent everything: the same report as GET /v1/performances/{performanceId}/gate-report.',
        querystring: Type.Object({ performanceId: Id('perf') }, { additionalProperties: false }),
        response: { 200: GateReport, ...errors },
      },
    },
    async (request, reply) => {
      const performance = await requirePerformanceOfTerminal(
        ticketing,
        terminalOf(request),
        request.query.performanceId,
      );
      reply.header('cache-control', 'no-store');
      return gateReport(ticketing, performance);
    },
  );
}
