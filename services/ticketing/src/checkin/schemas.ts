/**
 * The check-in dashboard's answers (issue 20 items 2 and 3): the snapshot a dashboard opens on,
 * the admission its live feed sends, the admission log's page and one ticket's history.
 */
import { Type } from 'typebox';
import { Id, Nullable } from '../schemas.ts';

const Direction = Type.Union([Type.Literal('entry'), Type.Literal('exit')]);
const Source = Type.Union([Type.Literal('online'), Type.Literal('offline')]);

/** One admission as the dashboard shows it (snapshot lists and the feed's `admission` event). */
export const LiveAdmission = Type.Object({
  seq: Type.Integer({ description: 'The admission sequence number (the feed event id)' }),
  admissionId: Type.String(),
  ticketNumber: Type.String(),
  gate: Type.String(),
  terminalId: Type.String(),
  direction: Direction,
  source: Source,
  scannedAt: Type.String({ description: "ISO 8601, the terminal's clock" }),
  recordedAt: Type.String({ description: 'ISO 8601, when the server recorded it' }),
  duplicate: Type.Boolean(),
  outsideVenue: Type.Boolean(),
  latitude: Nullable(Type.Number()),
  longitude: Nullable(Type.Number()),
  accuracyM: Nullable(Type.Number()),
  debit: Type.String({ description: 'Stored value debited, in the ticket units ("0" if none)' }),
});

/** The feed's `refusal` event: a gate decision that refused (not replayed on resume). */
export const LiveRefusal = Type.Object({
  gate: Type.String(),
  terminalId: Type.String(),
  reason: Type.String(),
  input: Type.String({ description: 'barcode, manual, upload or door_sale' }),
  ticketNumber: Nullable(Type.String()),
  at: Type.String({ description: 'ISO 8601, when the server recorded it' }),
});

const Fix = Type.Object({
  latitude: Type.Number(),
  longitude: Type.Number(),
  accuracyM: Nullable(Type.Number()),
  at: Type.String(),
});

const gateCounts = {
  entries: Type.Integer(),
  exits: Type.Integer(),
};

export const CheckinSnapshot = Type.Object({
  performance: Type.Object({
    id: Type.String(),
    code: Type.String(),
    eventId: Type.String(),
    eventName: Type.String(),
    status: Type.String(),
    doorsAt: Type.String(),
    startsAt: Type.String(),
    endsAt: Type.String(),
    venue: Type.Object({
      id: Type.String(),
      name: Type.String(),
      timeZone: Type.String(),
      latitude: Type.Number(),
      longitude: Type.Number(),
      radiusM: Type.Number(),
    }),
  }),
  generatedAt: Type.String(),
  lastSeq: Type.Integer({
    description: 'The last admission sequence number the snapshot covers: open the feed after it',
  }),
  expected: Type.Integer({ description: 'Valid tickets sold' }),
  admitted: Type.Integer({ description: 'Distinct tickets with an entry' }),
  inside: Type.Integer({ description: 'Tickets whose last admission is an entry' }),
  entries: Type.Integer(),
  exits: Type.Integer(),
  duplicates: Type.Integer(),
  outsideVenue: Type.Integer(),
  online: Type.Integer(),
  offline: Type.Integer(),
  storedValueDebits: Type.Array(
    Type.Object({
      asset: Type.String(),
      amount: Type.String({ description: 'Whole units of the asset, e.g. "52.5"' }),
    }),
  ),
  refusals: Type.Array(Type.Object({ reason: Type.String(), count: Type.Integer() })),
  perMinute: Type.Array(
    Type.Object({
      minute: Type.String({ description: 'ISO 8601, the start of the minute (scan time)' }),
      gate: Type.String(),
      ...gateCounts,
    }),
  ),
  gates: Type.Array(
    Type.Object({
      gate: Type.String(),
      ...gateCounts,
      duplicates: Type.Integer(),
      outsideVenue: Type.Integer(),
    }),
  ),
  terminals: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      gate: Type.String(),
      revokedAt: Nullable(Type.String()),
      lastSeenAt: Nullable(Type.String()),
      pendingUploads: Type.Integer(),
      lastFix: Nullable(Fix),
      outsideVenue: Type.Boolean({ description: 'The last fix is outside the geofence' }),
    }),
  ),
  recent: Type.Array(LiveAdmission, { description: 'The newest 100, newest first' }),
  flagged: Type.Array(LiveAdmission, {
    description: 'The newest 200 duplicates or scans outside the venue, newest first',
  }),
  points: Type.Array(
    Type.Object({
      latitude: Type.Number(),
      longitude: Type.Number(),
      outsideVenue: Type.Boolean(),
      gate: Type.String(),
      duplicate: Type.Boolean(),
    }),
    { description: 'Every admission with a position, the newest 20,000 at most' },
  ),
});

export const logPageMax = 200;
export const logPageDefault = 50;
/** Longer than any ticket number or phone number typed with spaces and dashes. */
export const logSearchCharsMax = 60;
export const logCursorPattern = '^[0-9]{1,18}$';

export const LogQuery = Type.Object(
  {
    q: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: logSearchCharsMax,
        description:
          'A ticket number (8 characters or the 10 digits of the manual code) or a phone number',
      }),
    ),
    gate: Type.Optional(Type.String({ minLength: 1, maxLength: 80 })),
    decision: Type.Optional(
      Type.Union([
        Type.Literal('admitted'),
        Type.Literal('refused'),
        Type.Literal('duplicate'),
        Type.Literal('outside'),
      ]),
    ),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'Recorded at or after' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'Recorded before' })),
    cursor: Type.Optional(
      Type.String({ pattern: logCursorPattern, description: '`next` of the last page' }),
    ),
    limit: Type.Optional(
      Type.Integer({ minimum: 1, maximum: logPageMax, default: logPageDefault }),
    ),
  },
  { additionalProperties: false },
);

const LogEntry = Type.Object({
  id: Type.String({ description: 'The decision sequence number' }),
  at: Type.String({ description: "ISO 8601, the terminal's scan time" }),
  recordedAt: Type.String(),
  gate: Type.String(),
  terminalId: Type.String(),
  terminalName: Nullable(Type.String()),
  input: Type.String({ description: 'barcode, manual, upload or door_sale' }),
  admitted: Type.Boolean(),
  reason: Type.String(),
  ticketId: Nullable(Type.String()),
  ticketNumber: Nullable(Type.String()),
  holderPhone: Nullable(Type.String()),
  source: Nullable(Source),
  direction: Nullable(Direction),
  duplicate: Type.Boolean(),
  outsideVenue: Type.Boolean(),
  latitude: Nullable(Type.Number()),
  longitude: Nullable(Type.Number()),
});

export const LogPage = Type.Object({
  entries: Type.Array(LogEntry),
  next: Nullable(Type.String()),
});

export const TicketParams = Type.Object({ ticketId: Id('tkt') });

const HistoryEvent = Type.Object({
  at: Type.String(),
  kind: Type.Union([
    Type.Literal('sold'),
    Type.Literal('transferred'),
    Type.Literal('reissued'),
    Type.Literal('refunded'),
    Type.Literal('cancelled'),
    Type.Literal('scan'),
  ]),
  revision: Nullable(Type.Integer()),
  orderId: Nullable(Type.String()),
  fromPhone: Nullable(Type.String()),
  toPhone: Nullable(Type.String()),
  gate: Nullable(Type.String()),
  terminalId: Nullable(Type.String()),
  terminalName: Nullable(Type.String()),
  input: Nullable(Type.String()),
  source: Nullable(Source),
  direction: Nullable(Direction),
  admitted: Nullable(Type.Boolean()),
  reason: Nullable(Type.String()),
  duplicate: Nullable(Type.Boolean()),
  outsideVenue: Nullable(Type.Boolean()),
  latitude: Nullable(Type.Number()),
  longitude: Nullable(Type.Number()),
});

export const TicketHistory = Type.Object({
  ticket: Type.Object({
    id: Type.String(),
    number: Type.String(),
    performanceId: Type.String(),
    eventName: Type.String(),
    category: Type.String(),
    seat: Nullable(Type.String()),
    status: Type.String(),
    holderPhone: Nullable(Type.String()),
    revision: Type.Integer(),
  }),
  events: Type.Array(HistoryEvent, { description: 'In time order' }),
});
