/**
 * Gate terminals (units 112, 408, 412, 414, 416): enrolment by staff, the terminal's online
 * check (claim 12), its offline uploads and the live feed of admissions.
 */
import { ApiError, notFound } from '@tessera/service-kit/errors';
import QRCode from 'qrcode';
import { Type } from 'typebox';
import { type App, terminalOf, userOf } from '../app.ts';
import { requireStaff } from '../auth.ts';
import type { GateAdmission, Ticketing } from '../context.ts';
import {
  createEnrolment,
  enrolTerminal,
  terminalView,
  uploadAdmissions,
  verifyAtGate,
} from '../gate.ts';
import { errors, Id, Instant } from './schemas.ts';

const Terminal = Type.Object({
  id: Type.String(),
  organizerId: Type.String(),
  venueId: Type.String(),
  gate: Type.String(),
  name: Type.String(),
  performanceIds: Type.Array(Type.String()),
  enrolledAt: Type.String(),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
  lastSeenAt: Type.Union([Type.String(), Type.Null()]),
  pendingUploads: Type.Integer(),
});

const Position = Type.Object(
  {
    latitude: Type.Number({ minimum: -90, maximum: 90 }),
    longitude: Type.Number({ minimum: -180, maximum: 180 }),
    accuracyM: Type.Number({ minimum: 0, maximum: 100_000 }),
  },
  { additionalProperties: false },
);

const Units = Type.String({
  pattern: '^[0-9]{1,18}$',
  description: "Units of a stored-value ticket's balance to debit",
});

const GateName = Type.String({ minLength: 1, maxLength: 60 });
const TerminalName = Type.String({ minLength: 1, maxLength: 80 });

const Answer = Type.Object({
  admitted: Type.Boolean(),
  reason: Type.String({
    description:
      'valid, reentry or exit when admitted; else a protocol reason (forged, tampered, wrong_device, stale, wrong_event, revoked, not_yet_valid, expired, already_used, entitlement_exhausted, wrong_code, malformed) or not_inside / no_reentry for exit scans',
  }),
  detail: Type.String(),
  ticket: Type.Optional(
    Type.Object({
      id: Type.String(),
      number: Type.String(),
      performanceCode: Type.String(),
      seat: Type.Union([Type.String(), Type.Null()]),
      category: Type.String(),
      holderFirstName: Type.Union([Type.String(), Type.Null()]),
      kind: Type.String(),
      usesRemaining: Type.Union([Type.Integer(), Type.Null()]),
      valueRemaining: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
  firstAdmission: Type.Optional(
    Type.Object({
      at: Type.String(),
      gate: Type.Union([Type.String(), Type.Null()]),
      terminalId: Type.Union([Type.String(), Type.Null()]),
      latitude: Type.Union([Type.Number(), Type.Null()]),
      longitude: Type.Union([Type.Number(), Type.Null()]),
    }),
  ),
  admissionId: Type.Optional(Type.String()),
});

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

export function gateRoutes(app: App, ticketing: Ticketing) {
  const db = ticketing.database.db;

  app.post(
    '/v1/organizers/:organizerId/enrolments',
    {
      config: { access: 'user' },
      schema: {
        tags: ['gates'],
        summary: 'Make a one-time code that enrols a terminal for a gate (unit 416)',
        description:
          'Staff with the admit permission. The code (also as a QR, SVG) is valid for 24 hours and enrols one terminal for the gate and performances named.',
        params: Type.Object({ organizerId: Id('org') }),
        body: Type.Object(
          {
            venueId: Id('ven'),
            gate: GateName,
            performanceIds: Type.Array(Id('perf'), { minItems: 1, maxItems: 50 }),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            id: Type.String(),
            code: Type.String(),
            qrSvg: Type.String(),
            gate: Type.String(),
            performanceIds: Type.Array(Type.String()),
            expiresAt: Type.String(),
          }),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const { organizerId } = request.params;
      await requireStaff(ticketing, request.caller, organizerId, 'admit');
      const made = await createEnrolment(ticketing, organizerId, userOf(request).id, request.body);
      const qrSvg = await QRCode.toString(`tessera-enrol:${made.code}`, {
        type: 'svg',
        errorCorrectionLevel: 'M',
        margin: 2,
      });
      return reply.code(201).send({
        id: made.id,
        code: made.code,
        qrSvg,
        gate: made.gate,
        performanceIds: made.performanceIds,
        expiresAt: new Date(made.expiresAt).toISOString(),
      });
    },
  );

  app.post(
    '/v1/terminals/enrol',
    {
      config: {
        access: 'public',
        // Codes are 75 bits, but guessing is still throttled per address.
        rateLimit: { max: ticketing.config.authRateLimitPerMinute, timeWindow: '1 minute' },
      },
      schema: {
        tags: ['gates'],
        summary: 'A terminal trades an enrolment code, once, for its credential',
        body: Type.Object(
          {
            code: Type.String({ minLength: 10, maxLength: 40 }),
            name: TerminalName,
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            token: Type.String({ description: 'The terminal bearer token; shown only here' }),
            terminal: Terminal,
          }),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const code = request.body.code.replace(/^tessera-enrol:/, '');
      const { token, terminal } = await enrolTerminal(ticketing, code, request.body.name);
      return reply.code(201).send({ token, terminal: terminalView(terminal) });
    },
  );

  app.get(
    '/v1/organizers/:organizerId/terminals',
    {
      config: { access: 'user' },
      schema: {
        tags: ['gates'],
        summary: "The organizer's terminals, revoked ones included",
        params: Type.Object({ organizerId: Id('org') }),
        response: { 200: Type.Object({ terminals: Type.Array(Terminal) }), ...errors },
      },
    },
    async (request) => {
      const { organizerId } = request.params;
      await requireStaff(ticketing, request.caller, organizerId, 'admit');
      const rows = await db
        .selectFrom('terminals')
        .selectAll()
        .where('organizer_id', '=', organizerId)
        .orderBy('enrolled_at')
        .execute();
      return { terminals: rows.map(terminalView) };
    },
  );

  async function terminalOfOrganizer(organizerId: string, terminalId: string) {
    const row = await db
      .selectFrom('terminals')
      .selectAll()
      .where('id', '=', terminalId)
      .where('organizer_id', '=', organizerId)
      .executeTakeFirst();
    if (!row) throw notFound('terminal');
    return row;
  }

  const TerminalParams = Type.Object({ organizerId: Id('org'), terminalId: Id('trm') });

  app.patch(
    '/v1/organizers/:organizerId/terminals/:terminalId',
    {
      config: { access: 'user' },
      schema: {
        tags: ['gates'],
        summary: 'Rename a terminal',
        params: TerminalParams,
        body: Type.Object({ name: TerminalName }, { additionalProperties: false }),
        response: { 200: Terminal, ...errors },
      },
    },
    async (request) => {
      const { organizerId, terminalId } = request.params;
      await requireStaff(ticketing, request.caller, organizerId, 'admit');
      await terminalOfOrganizer(organizerId, terminalId);
      await db
        .updateTable('terminals')
        .set({ name: request.body.name })
        .where('id', '=', terminalId)
        .execute();
      return terminalView(await terminalOfOrganizer(organizerId, terminalId));
    },
  );

  app.delete(
    '/v1/organizers/:organizerId/terminals/:terminalId',
    {
      config: { access: 'user' },
      schema: {
        tags: ['gates'],
        summary: 'Revoke a terminal: its next request is refused',
        params: TerminalParams,
        response: { 200: Terminal, ...errors },
      },
    },
    async (request) => {
      const { organizerId, terminalId } = request.params;
      await requireStaff(ticketing, request.caller, organizerId, 'admit');
      await terminalOfOrganizer(organizerId, terminalId);
      await db
        .updateTable('terminals')
        .set({ revoked_at: ticketing.clock.now() })
        .where('id', '=', terminalId)
        .where('revoked_at', 'is', null)
        .execute();
      ticketing.gates.revoked(terminalId);
      return terminalView(await terminalOfOrganizer(organizerId, terminalId));
    },
  );

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
}

/** A hijacked reply skips Fastify's CORS hook: the allowed app origins get the header here. */
function corsHeaders(origin: string | undefined, allowed: readonly string[]) {
  return origin && allowed.includes(origin)
    ? { 'access-control-allow-origin': origin, vary: 'Origin' }
    : {};
}
