/**
 * The gate terminal's API (`/v1/terminal/*`; units 112, 404, 408–416): the online check (claim
 * 12), admissions uploaded after offline checks (claim 11), the live feed, the event package, and
 * the door sales and end-of-event report whose services live in `door-sales/` and `reports/`.
 * Every route is for an enrolled terminal, authenticated by its terminal token.
 */

import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { ApiError } from '@tessera/service-kit/errors';
import { eventStreamAnswer, resumePoint } from '@tessera/service-kit/sse';
import { Type } from 'typebox';
import type { Ticketing } from '../context.ts';
import { DoorSale, SaleParams } from '../door-sales/schemas.ts';
import {
  cancelDoorSale,
  createDoorSale,
  doorSaleView,
  terminalDoorSale,
} from '../door-sales/service.ts';
import { type App, terminalOf } from '../http.ts';
import { gateReport, requirePerformanceOfTerminal } from '../reports/gate/report.ts';
import { GateReport } from '../reports/schemas.ts';
import { ErrorBody, errors, Id } from '../schemas.ts';
import { admitFeed, streamFeed } from './feed.ts';
import { issueFeedTicket } from './feed-ticket.ts';
import { cursorPattern } from './package/cursor.ts';
import { eventPackage, packageEntriesMax, packageSettleMs } from './package/service.ts';
import {
  Answer,
  EventPackage,
  pendingUploadsMax,
  UploadBody,
  UploadResults,
  VerificationBody,
} from './schemas.ts';
import { verifyAtGate } from './service.ts';
import { uploadAdmissions } from './uploads.ts';

/**
 * Scan times a terminal sends: from the past up to 30 days back (a terminal that was offline over
 * a long weekend uploads late), and ahead of the server only by what a wrong clock explains.
 */
const scanPastMs = 30 * 24 * 3600 * 1000;
const scanFutureMs = 10 * 60 * 1000;

function scanTime(ticketing: Ticketing, at: string | undefined) {
  const now = ticketing.clock.now();
  if (at === undefined) return now;
  const ms = Date.parse(at);
  if (!Number.isFinite(ms) || ms < now - scanPastMs || ms > now + scanFutureMs) {
    throw new ApiError(
      400,
      'invalid_time',
      'scannedAt must be within the last 30 days and not more than 10 minutes ahead',
    );
  }
  return ms;
}

/**
 * Packages larger than this go gzipped to a client that accepts it. A page of 10,000 manual codes
 * is some 3.6 MB of JSON and 0.7 MB gzipped (the random salts and hashes are most of what is
 * left), so a 50,000-seat event downloads in a few seconds on a venue's Wi-Fi.
 */
const gzipAboveBytes = 16 * 1024;
const gzipAsync = promisify(gzip);

export function admissionRoutes(app: App, ticketing: Ticketing) {
  verification(app, ticketing);
  offlineUploads(app, ticketing);
  feed(app, ticketing);
  eventPackageRoute(app, ticketing);
  report(app, ticketing);
  doorSales(app, ticketing);
}

function verification(app: App, ticketing: Ticketing) {
  app.post(
    '/v1/terminal/verifications',
    {
      config: { access: 'terminal' },
      schema: {
        tags: ['gates'],
        summary: 'Check what the terminal read and admit it when it may pass (claim 12)',
        description:
          'Send the barcode text, or the manual ticket number and PIN. The server verifies as the protocol says, compares the credential with the ticket on record, and admits atomically: single entry once, multi-entry up to N, timed passes in their window, stored value debited by `debit` (never below zero). `direction: exit` scans a holder out where re-entry is allowed. Wrong manual codes are limited per terminal (10 in 10 minutes) and per ticket (5 an hour): 429.',
        body: VerificationBody,
        response: { 200: Answer, ...errors, 429: ErrorBody },
      },
    },
    async (request) => {
      const body = request.body;
      const manual = body.ticketNumber !== undefined || body.pin !== undefined;
      if ((body.barcode === undefined) === !manual) {
        throw new ApiError(400, 'invalid_request', 'send either barcode, or ticketNumber with pin');
      }
      return verifyAtGate(ticketing, terminalOf(request), {
        ...(body.barcode !== undefined ? { barcode: body.barcode } : {}),
        ...(manual ? { ticketNumber: body.ticketNumber ?? '', pin: body.pin ?? '' } : {}),
        direction: body.direction ?? 'entry',
        debit: BigInt(body.debit ?? '0'),
        scannedAt: scanTime(ticketing, body.scannedAt),
        position: body.position ?? null,
      });
    },
  );
}

function offlineUploads(app: App, ticketing: Ticketing) {
  app.post(
    '/v1/terminal/admissions',
    {
      config: { access: 'terminal' },
      schema: {
        tags: ['gates'],
        summary: 'Upload admissions made offline (claim 11), idempotent by nonce',
        description:
          'Each admission is recorded once per nonce, with its time, gate and position; one the ticket no longer covered is kept and flagged a duplicate; one outside the venue radius is flagged. `pending` is how many the terminal still holds after this batch.',
        body: UploadBody,
        response: { 200: UploadResults, ...errors },
      },
    },
    async (request) => {
      const results = await uploadAdmissions(
        ticketing,
        terminalOf(request),
        request.body.admissions.map((admission) => ({
          nonce: admission.nonce,
          performanceCode: admission.performanceCode,
          ticketId: admission.ticketId,
          revision: admission.revision,
          direction: admission.direction,
          scannedAt: scanTime(ticketing, admission.scannedAt),
          presentationTimeS: admission.presentationTimeS ?? null,
          debit: BigInt(admission.debit ?? '0'),
          position: admission.position ?? null,
        })),
        request.body.pending,
      );
      return { results };
    },
  );
}

function feed(app: App, ticketing: Ticketing) {
  app.post(
    '/v1/terminal/feed-tickets',
    {
      config: { access: 'terminal' },
      schema: {
        tags: ['gates'],
        summary: 'A ticket to open the live feed with EventSource (valid 60 s)',
        description:
          'EventSource cannot send an Authorization header: put the ticket in the feed URL (`?ticket=`) instead. Nothing is stored, so asking twice just gives two tickets. See docs/feeds.md.',
        response: {
          201: Type.Object({
            ticket: Type.String(),
            expiresAt: Type.String({ format: 'date-time' }),
            url: Type.String({ description: 'The feed URL with the ticket in it' }),
          }),
          ...errors,
        },
      },
    },
    async (request, reply) =>
      reply.code(201).send(issueFeedTicket(ticketing, terminalOf(request).id)),
  );

  app.get(
    '/v1/terminal/feed',
    {
      config: { access: 'terminal' },
      schema: {
        tags: ['gates'],
        summary: "Server-sent events: every admission at this terminal's performances",
        description:
          'Follows the live-feed convention of docs/feeds.md: `retry:` first, then the admissions after `Last-Event-ID` (or `since`, an admission sequence number), then each new one as it is recorded (`event: admission`, `id:` its sequence); a resume point that is not a sequence number opens the stream all the same, with an `event: reset` and every admission. At most 3 open at once per terminal and instance (429 `too_many_streams`). A comment every 15 s keeps proxies from closing the stream. With several server instances, live events come from the instance the terminal is connected to; the replay is complete.',
        // Not checked here: an unusable resume point is a reset, never a 400 (docs/feeds.md).
        querystring: Type.Object({
          since: Type.Optional(Type.String({ description: 'Resume after this sequence number' })),
          ticket: Type.Optional(
            Type.String({
              maxLength: 200,
              description: 'A feed ticket (POST /v1/terminal/feed-tickets), for EventSource',
            }),
          ),
        }),
        response: { 200: eventStreamAnswer, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      const terminal = terminalOf(request);
      const resume = resumePoint(request.headers['last-event-id'], request.query.since);
      const uncount = admitFeed(ticketing, terminal.id);
      // The response's close is its end, whoever ends it: the client, a revocation, shutdown.
      reply.raw.once('close', uncount);
      reply.hijack();
      await streamFeed(ticketing, terminal, {
        raw: reply.raw,
        origin: request.headers.origin,
        resume,
        onClose: (end) => request.raw.on('close', end),
      });
    },
  );
}

function eventPackageRoute(app: App, ticketing: Ticketing) {
  app.get(
    '/v1/terminal/package',
    {
      config: { access: 'terminal' },
      schema: {
        tags: ['gates'],
        summary: 'The event package for offline checks, whole or changes since a cursor (terminal)',
        description: `Keys, performances, ticket terms and the venue come whole; revocations, manual-code records and admissions come as changes since the cursor, at most ${packageEntriesMax} of each per call (more=true: ask again at once). A cursor moves past a change only once it is ${packageSettleMs / 1000} s old, so recent changes may come twice: apply them idempotently. pending= records how many admissions the terminal holds unsent (event close reports terminals that have some). Large packages are gzipped for clients that send Accept-Encoding: gzip.`,
        querystring: Type.Object(
          {
            since: Type.Optional(
              Type.String({ pattern: cursorPattern, description: '`cursor` of the last package' }),
            ),
            pending: Type.Optional(
              Type.Integer({
                minimum: 0,
                maximum: pendingUploadsMax,
                description: 'Admissions this terminal has made offline and not uploaded yet',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: EventPackage, ...errors },
      },
    },
    async (request, reply) => {
      const { since, pending } = request.query;
      reply.header('cache-control', 'no-store').header('vary', 'accept-encoding');
      const body = await eventPackage(ticketing, terminalOf(request), {
        ...(since !== undefined ? { since } : {}),
        ...(pending !== undefined ? { pending } : {}),
      });
      if (!/\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) return body;
      const json = JSON.stringify(body);
      if (json.length < gzipAboveBytes) return body;
      // On the thread pool: a large package does not hold up other requests while it shrinks.
      const zipped = await gzipAsync(json);
      return reply
        .header('content-type', 'application/json; charset=utf-8')
        .header('content-encoding', 'gzip')
        .send(zipped as never);
    },
  );
}

function report(app: App, ticketing: Ticketing) {
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

/** Door sales offered at the gate (unit 404); their service is `door-sales/`. */
function doorSales(app: App, ticketing: Ticketing) {
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
}
