/**
 * The check-in dashboard's API (issue 20 items 2 and 3): a performance's snapshot, its live feed
 * of admissions and refusals, the admission log searched, and one ticket's whole history. For the
 * organizer's staff with view_sales; staff of other organizers get 404.
 */
import { eventStreamAnswer, resumePoint } from '@tessera/service-kit/sse';
import { Type } from 'typebox';
import type { Ticketing } from '../context.ts';
import type { App } from '../http.ts';
import { requirePerformanceStaff } from '../reports/gate/report.ts';
import { ErrorBody, errors, PerformanceParams } from '../schemas.ts';
import { admitDashboard, streamDashboard } from './live.ts';
import {
  CheckinSnapshot,
  LogPage,
  LogQuery,
  logPageMax,
  TicketHistory,
  TicketParams,
} from './schemas.ts';
import {
  admissionLog,
  requireTicketStaff,
  sharedSnapshot,
  snapshotShareMaxMs,
  ticketHistory,
} from './service.ts';

export function checkinRoutes(app: App, ticketing: Ticketing) {
  snapshotRoute(app, ticketing);
  feedRoute(app, ticketing);
  logRoute(app, ticketing);
  historyRoute(app, ticketing);
}

function snapshotRoute(app: App, ticketing: Ticketing) {
  app.get(
    '/v1/performances/:performanceId/checkin',
    {
      config: { access: 'any' },
      schema: {
        tags: ['gates'],
        summary: 'The check-in dashboard of a performance as it stands (view_sales)',
        description:
          'Tickets expected, admitted and inside; entries, exits, duplicates and scans outside the venue; refusals per reason; admissions per gate and per minute; each terminal with its last position; the newest admissions and flagged ones; every positioned admission for the map. `lastSeq` is where the live feed (…/checkin/feed) resumes. Staff of other organizers get 404.',
        params: PerformanceParams,
        querystring: Type.Object(
          {
            maxAgeMs: Type.Optional(
              Type.Integer({
                minimum: 0,
                maximum: snapshotShareMaxMs,
                description:
                  "Accept a snapshot this server made for the same performance at most this long ago (ms): what the dashboard sends when it re-reads, since its feed resumes after the snapshot's lastSeq. 0 or absent: made for this request.",
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: CheckinSnapshot, ...errors },
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
      return sharedSnapshot(ticketing, performance, request.query.maxAgeMs ?? 0);
    },
  );
}

function feedRoute(app: App, ticketing: Ticketing) {
  app.get(
    '/v1/performances/:performanceId/checkin/feed',
    {
      config: { access: 'any' },
      schema: {
        tags: ['gates'],
        summary: "Server-sent events: the performance's admissions and refusals (view_sales)",
        description:
          "Follows the live-feed convention of docs/feeds.md: `retry:` first, then the admissions after `Last-Event-ID` (or `since`: the snapshot's `lastSeq`), then each new one as it is recorded or uploaded (`event: admission`, `id:` its sequence, a LiveAdmission), and each refused gate decision as it is recorded (`event: refusal`, no id, not replayed). A resume point that is not a sequence number opens the stream with an `event: reset` and every admission. Authorization: the staff bearer session (read with fetch); the stream ends once the session is no longer valid. At most 6 open at once per user and instance (429 `too_many_streams`). A comment every 15 s keeps proxies from closing the stream.",
        params: PerformanceParams,
        // Not checked here: an unusable resume point is a reset, never a 400 (docs/feeds.md).
        querystring: Type.Object({
          since: Type.Optional(
            Type.String({ maxLength: 40, description: 'Resume after this sequence number' }),
          ),
        }),
        response: { 200: eventStreamAnswer, 429: ErrorBody, ...errors },
      },
    },
    async (request, reply) => {
      const performance = await requirePerformanceStaff(
        ticketing,
        request.caller,
        request.params.performanceId,
        'view_sales',
      );
      // Past the staff check the caller is a user or the operator (who counts as one caller).
      const caller = request.caller?.type === 'user' ? request.caller.id : 'operator';
      const resume = resumePoint(request.headers['last-event-id'], request.query.since);
      const uncount = admitDashboard(ticketing, caller);
      // The response's close is its end, whoever ends it: the client, the session, shutdown.
      reply.raw.once('close', uncount);
      reply.hijack();
      await streamDashboard(ticketing, performance, {
        raw: reply.raw,
        origin: request.headers.origin,
        authorization: request.headers.authorization,
        resume,
        onClose: (end) => request.raw.on('close', end),
      });
    },
  );
}

function logRoute(app: App, ticketing: Ticketing) {
  app.get(
    '/v1/performances/:performanceId/checkin/log',
    {
      config: { access: 'any' },
      schema: {
        tags: ['gates'],
        summary: 'The admission log of a performance: every gate decision, searched (view_sales)',
        description: `Newest first, in keyset pages of at most ${logPageMax} (follow \`next\` with cursor=). q finds a ticket by its number (8 characters, or the 10 digits of its manual code) or its holder's phone number as people type it (010-1234-5678, +82 10 1234 5678); any other q is 400 invalid_request. decision: admitted, refused, duplicate (admitted, flagged a duplicate) or outside (admitted outside the venue). from and to bound the time recorded. Staff of other organizers get 404.`,
        params: PerformanceParams,
        querystring: LogQuery,
        response: { 200: LogPage, ...errors },
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
      return admissionLog(ticketing, performance, request.query);
    },
  );
}

function historyRoute(app: App, ticketing: Ticketing) {
  app.get(
    '/v1/tickets/:ticketId/history',
    {
      config: { access: 'any' },
      schema: {
        tags: ['gates'],
        summary: "One ticket's whole history: sale, transfers, revocations and scans (view_sales)",
        description:
          'The ticket as it stands, and in time order: its sale, each transfer accepted, each revision revoked (transferred, reissued, refunded, cancelled) and every gate decision about it, admitted or refused. For the staff of the organizer with view_sales; others get 404.',
        params: TicketParams,
        response: { 200: TicketHistory, ...errors },
      },
    },
    async (request, reply) => {
      const ticket = await requireTicketStaff(ticketing, request.caller, request.params.ticketId);
      reply.header('cache-control', 'no-store');
      return ticketHistory(ticketing, ticket);
    },
  );
}
