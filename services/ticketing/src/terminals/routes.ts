/**
 * Gate terminals as the organizer's staff manage them (units 112 and 416): one-time enrolment
 * codes, enrolment itself, and the list of terminals with rename and revoke.
 */
import QRCode from 'qrcode';
import { Type } from 'typebox';
import type { Ticketing } from '../context.ts';
import { type App, userOf } from '../http.ts';
import { requireStaff } from '../organizers/staff.ts';
import { errors, Id } from '../schemas.ts';
import { detailsIn } from './details.ts';
import { type TerminalRecord, venueGeofencesOf } from './repository.ts';
import { GateName, Terminal, TerminalName } from './schemas.ts';
import {
  createEnrolment,
  enrolTerminal,
  renameTerminal,
  revokeTerminal,
  terminalsOf,
} from './service.ts';
import { terminalView } from './view.ts';

export function terminalRoutes(app: App, ticketing: Ticketing) {
  enrolmentRoutes(app, ticketing);
  registerRoutes(app, ticketing);
}

/** The terminals as staff see them, each judged against its venue's geofence. */
async function viewsOf(ticketing: Ticketing, terminals: readonly TerminalRecord[]) {
  const venues = await venueGeofencesOf(ticketing.database.db, [
    ...new Set(terminals.map((terminal) => terminal.venueId)),
  ]);
  const now = ticketing.clock.now();
  return terminals.map((terminal) => terminalView(terminal, venues.get(terminal.venueId), now));
}

async function viewOf(ticketing: Ticketing, terminal: TerminalRecord) {
  return (await viewsOf(ticketing, [terminal]))[0] as ReturnType<typeof terminalView>;
}

/** The code as a QR the terminal's camera reads (SVG). */
function enrolmentQrSvg(code: string) {
  return QRCode.toString(`tessera-enrol:${code}`, {
    type: 'svg',
    errorCorrectionLevel: 'M',
    margin: 2,
  });
}

/** Making a one-time code, and a terminal trading it for its credential. */
function enrolmentRoutes(app: App, ticketing: Ticketing) {
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
      return reply.code(201).send({
        id: made.id,
        code: made.code,
        qrSvg: await enrolmentQrSvg(made.code),
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
      const { token, terminal } = await enrolTerminal(
        ticketing,
        code,
        request.body.name,
        detailsIn(request.headers, ticketing.clock.now()),
      );
      return reply.code(201).send({ token, terminal: await viewOf(ticketing, terminal) });
    },
  );
}

/** The organizer's terminals: the list, rename and revoke. */
function registerRoutes(app: App, ticketing: Ticketing) {
  const TerminalParams = Type.Object({ organizerId: Id('org'), terminalId: Id('trm') });

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
      return { terminals: await viewsOf(ticketing, await terminalsOf(ticketing, organizerId)) };
    },
  );

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
      return viewOf(
        ticketing,
        await renameTerminal(ticketing, organizerId, terminalId, request.body.name),
      );
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
      // Refused by every instance from this answer on; open feeds end at once.
      return viewOf(ticketing, await revokeTerminal(ticketing, organizerId, terminalId));
    },
  );
}
