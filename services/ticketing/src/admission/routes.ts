/**
 * Gate terminals (units 112, 408, 412, 414, 416): enrolment by staff, the terminal's online
 * check (claim 12), its offline uploads and the live feed of admissions.
 */

import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { ApiError } from '@tessera/service-kit/errors';
import { Type } from 'typebox';
import type { GateAdmission, Ticketing } from '../context.ts';
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
import { ErrorBody, errors, Id, Instant } from '../schemas.ts';
import { cursorPattern, eventPackage, packageEntriesMax, packageSettleMs } from './package.ts';
import { Answer, EventPackage, Position, Units } from './schemas.ts';
import { uploadAdmissions, verifyAtGate } from './service.ts';

/**
 * Scan times a terminal sends: from the past up to 30 days back (a terminal that was offline over
 * a long weekend uploads late), and ahead of the server only by what a wrong clock explains.
 */
export const scanPastMs = 30 * 24 * 3600 * 1000;
export const scanFutureMs = 10 * 60 * 1000;

export function scanTime(ticketing: Ticketing, at: string | undefined) {
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

export function admissionRoutes(app: App, ticketing: Ticketing) {
  const db = ticketing.database.db;

  app.post(
    '/v1/terminal/verifications',
    {
      config: { access: 'terminal' },
      schema: {
        tags: ['gates'],
        summary: 'Check what the terminal read and admit it when it may pass (claim 12)',
        description:
          'Send the barcode text, or the manual ticket number and PIN. The server verifies as the protocol says, compares the credential with the ticket on record, and admits atomically: single entry once, multi-entry up to N, timed passes in their window, stored value debited by `debit` (never below zero). `direction: exit` scans a holder out where re-entry is allowed. Wrong manual codes are limited per terminal (10 in 10 minutes) and per ticket (5 an hour): 429.',
        body: Type.Object(
          {
            barcode: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
            ticketNumber: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
            pin: Type.Optional(Type.String({ minLength: 1, maxLength: 16 })),
            direction: Type.Optional(Type.Union([Type.Literal('entry'), Type.Literal('exit')])),
            debit: Type.Optional(Units),
            scannedAt: Type.Optional(Instant),
            position: Type.Optional(Position),
          },
          { additionalProperties: false },
        ),
        response: { 200: Answer, ...errors },
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

  app.post(
    '/v1/terminal/admissions',
    {
      config: { access: 'terminal' },
      schema: {
        tags: ['gates'],
        summary: 'Upload admissions made offline (claim 11), idempotent by nonce',
        description:
          'Each admission is recorded once per nonce, with its time, gate and position; one the ticket no longer covered is kept and flagged a duplicate; one outside the venue radius is flagged. `pending` is how many the terminal still holds after this batch.',
        body: Type.Object(
          {
            pending: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
            admissions: Type.Array(
              Type.Object(
                {
                  nonce: Type.String({ pattern: '^[A-Za-z0-9_\\-]{8,64}$' }),
                  performanceCode: Type.String({ minLength: 1, maxLength: 32 }),
                  ticketNumber: Type.String({ minLength: 1, maxLength: 32 }),
                  revision: Type.Integer({ minimum: 1, maximum: 65_535 }),
                  direction: Type.Union([Type.Literal('entry'), Type.Literal('exit')]),
                  scannedAt: Instant,
                  presentationTime: Type.Optional(Type.Integer({ minimum: 0 })),
                  debit: Type.Optional(Units),
                  position: Type.Optional(Position),
                },
                { additionalProperties: false },
              ),
              { maxItems: 500 },
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            results: Type.Array(
              Type.Object({
                nonce: Type.String(),
                recorded: Type.String({ description: 'new, already or unknown_ticket' }),
                duplicate: Type.Boolean(),
                outsideVenue: Type.Boolean(),
                revokedRevision: Type.Boolean({
                  description:
                    'The scanned revision had been revoked before the scan: an old holder was let in',
                }),
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const results = await uploadAdmissions(
        ticketing,
        terminalOf(request),
        request.body.admissions.map((admission) => ({
          nonce: admission.nonce,
          performanceCode: admission.performanceCode,
          ticketNumber: admission.ticketNumber,
          revision: admission.revision,
          direction: admission.direction,
          scannedAt: scanTime(ticketing, admission.scannedAt),
          presentationTime: admission.presentationTime ?? null,
          debit: BigInt(admission.debit ?? '0'),
          position: admission.position ?? null,
        })),
        request.body.pending,
      );
      return { results };
    },
  );

  app.get(
    '/v1/terminal/feed',
    {
      config: { access: 'terminal' },
      schema: {
        tags: ['gates'],
        summary: "Server-sent events: every admission at this terminal's performances",
        description:
          'Replays admissions after `Last-Event-ID` (or `since`, an admission sequence number), then sends each new one as it is recorded (`event: admission`, `id:` its sequence). A comment every 15 s keeps proxies from closing the stream. With several server instances, live events come from the instance the terminal is connected to; the replay is complete.',
        querystring: Type.Object({ since: Type.Optional(Type.Integer({ minimum: 0 })) }),
      },
    },
    async (request, reply) => {
      const terminal = terminalOf(request);
      const lastEventId = Number(request.headers['last-event-id']);
      const since = Number.isFinite(lastEventId) ? lastEventId : (request.query.since ?? null);
      const mine = new Set(terminal.performanceIds);
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        ...corsHeaders(request.headers.origin, ticketing.config.corsOrigins),
      });
      const send = (admission: GateAdmission) =>
        raw.write(`id: ${admission.seq}\nevent: admission\ndata: ${JSON.stringify(admission)}\n\n`);
      // Subscribe before the replay, so nothing recorded in between is missed; the replay's
      // last sequence number drops the live events it already covered.
      const buffered: GateAdmission[] = [];
      let replayed = -1;
      const unsubscribe = ticketing.gates.subscribe((admission) => {
        if (!mine.has(admission.performanceId)) return;
        if (replayed < 0) buffered.push(admission);
        else if (admission.seq > replayed) send(admission);
      });
      // A revoked terminal hears nothing more: at once when revoked through this instance,
      // within a keep-alive period when revoked through another.
      const end = () => {
        clearInterval(keepAlive);
        unsubscribe();
        unwatch();
        raw.end();
      };
      const unwatch = ticketing.gates.onRevoked((revokedId) => {
        if (revokedId === terminal.id) end();
      });
      const keepAlive = setInterval(async () => {
        const live = await db
          .selectFrom('terminals')
          .select('id')
          .where('id', '=', terminal.id)
          .where('revoked_at', 'is', null)
          .executeTakeFirst()
          .catch(() => ({ id: terminal.id }));
        if (live) raw.write(': keep-alive\n\n');
        else end();
      }, 15_000);
      request.raw.on('close', end);
      let last = since ?? 0;
      if (since !== null) {
        const rows = await db
          .selectFrom('admissions as a')
          .innerJoin('tickets as t', 't.id', 'a.ticket_id')
          .innerJoin('performances as p', 'p.id', 'a.performance_id')
          .select([
            'a.seq',
            'a.performance_id',
            'p.code',
            't.number',
            'a.revision',
            'a.direction',
            'a.debit',
            'a.scanned_at',
            'a.presentation_time',
            'a.gate',
            'a.terminal_id',
            'a.duplicate',
          ])
          .where('a.performance_id', 'in', [...mine])
          .where('a.seq', '>', since)
          .orderBy('a.seq')
          .limit(50_000)
          .execute();
        for (const row of rows) {
          send({
            seq: Number(row.seq),
            performanceId: row.performance_id,
            performanceCode: row.code,
            ticketNumber: row.number,
            revision: row.revision,
            direction: row.direction,
            debit: String(row.debit),
            scannedAt: row.scanned_at,
            presentationTime: row.presentation_time,
            gate: row.gate,
            terminalId: row.terminal_id,
            duplicate: row.duplicate === 1,
          });
          last = Number(row.seq);
        }
      }
      replayed = last;
      for (const admission of buffered) if (admission.seq > replayed) send(admission);
      buffered.length = 0;
      raw.write(': live\n\n');
    },
  );

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
      const terminal = terminalOf(request);
      const { since, pending } = request.query;
      reply.header('cache-control', 'no-store').header('vary', 'accept-encoding');
      const body = await eventPackage(ticketing, terminal, {
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

/** A hijacked reply skips Fastify's CORS hook: the allowed app origins get the header here. */
export function corsHeaders(origin: string | undefined, allowed: readonly string[]) {
  return origin && allowed.includes(origin)
    ? { 'access-control-allow-origin': origin, vary: 'Origin' }
    : {};
}

/** A terminal holds at most this many admissions unsent; more is a bug or a lie. */
export const pendingUploadsMax = 1_000_000;

/**
 * Packages larger than this go gzipped to a client that accepts it. A page of 10,000 manual codes
 * is some 3.6 MB of JSON and 0.7 MB gzipped (the random salts and hashes are most of what is
 * left), so a 50,000-seat event downloads in a few seconds on a venue's Wi-Fi.
 */
export const gzipAboveBytes = 16 * 1024;

export const gzipAsync = promisify(gzip);
