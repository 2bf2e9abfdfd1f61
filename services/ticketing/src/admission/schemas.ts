/** The TypeBox schemas of the terminal's API (`/v1/terminal/*`): bodies and answers. */

import { revisionMax, timeMaxS } from '@tessera/protocol';
import { Type } from 'typebox';
import { Instant, Nullable } from '../schemas.ts';
import { VenueTimeZone } from '../venues/schemas.ts';
import { packageEntriesMax } from './package/service.ts';

const Kind = Type.Union([
  Type.Literal('single'),
  Type.Literal('multi'),
  Type.Literal('timed'),
  Type.Literal('stored_value'),
]);

const termFields = {
  kind: Kind,
  entriesAllowed: Type.Integer({ description: 'Uses allowed; 0: unlimited' }),
  reentryAllowed: Type.Boolean(),
  validFromS: Type.Integer({ description: 'Admission window start, Unix seconds' }),
  validUntilS: Type.Integer({ description: 'Admission window end (exclusive), Unix seconds' }),
  storedValue: Type.String({
    description: 'Initial stored value in the smallest unit of its asset; "0" unless stored_value',
  }),
};

export const EventPackage = Type.Object({
  packageVersion: Type.Integer(),
  generatedAt: Type.String(),
  full: Type.Boolean({
    description:
      'True when this package is whole (no cursor, or one made for another terminal or set of performances): drop everything held before',
  }),
  cursor: Type.String({ description: 'Pass as since= next time for the changes only' }),
  more: Type.Boolean({
    description: `A list was cut at ${packageEntriesMax} entries: ask again with the new cursor at once`,
  }),
  terminal: Type.Object({ id: Type.String(), name: Type.String(), gate: Type.String() }),
  venue: Type.Object({
    id: Type.String(),
    name: Type.String(),
    address: Type.String(),
    latitude: Type.Number(),
    longitude: Type.Number(),
    radiusM: Type.Number({ description: 'Scans farther than this from the venue are flagged' }),
    timeZone: VenueTimeZone,
  }),
  keys: Type.Array(
    Type.Object({
      keyId: Type.String({ description: '4-byte key id, hex' }),
      publicKey: Type.String({ description: 'Raw Ed25519 public key, base64url' }),
      status: Type.String(),
      eventIds: Type.Array(Type.String(), {
        description: 'The performance codes this key may vouch for (KeyringEntry.eventIds)',
      }),
    }),
    { description: "The organizer's active signing keys: the whole keyring, every time" },
  ),
  performances: Type.Array(
    Type.Object({
      id: Type.String(),
      code: Type.String({ description: "The credential's event ID" }),
      eventId: Type.String(),
      eventName: Type.String(),
      status: Type.String({ description: 'scheduled, cancelled or closed' }),
      doorsAt: Type.String(),
      startsAt: Type.String(),
      endsAt: Type.String(),
      closedAt: Nullable(Type.String()),
      categories: Type.Array(
        Type.Object({
          id: Type.String(),
          name: Type.String(),
          ...termFields,
          storedValueAsset: Nullable(Type.String()),
          storedValueScale: Nullable(Type.Integer()),
        }),
      ),
      doorSales: Type.Object(
        {
          enabled: Type.Boolean({ description: 'false: the gate sells nothing at the door' }),
          categoryIds: Type.Array(Type.String(), { description: 'The categories it may sell' }),
          maxPerSale: Type.Integer({ description: 'Tickets one sale may hold' }),
        },
        { description: 'What the gate may sell at the door (PUT …/door-sales/settings)' },
      ),
    }),
  ),
  revocations: Type.Array(
    Type.Object({
      performanceCode: Type.String({ description: "The credential's event ID" }),
      ticketId: Type.String({ description: "The credential's ticket ID" }),
      throughRevision: Type.Integer({ description: 'Every revision up to this one is void' }),
      reason: Type.String(),
    }),
  ),
  manualCodes: Type.Array(
    Type.Object({
      ticketNumber: Type.String({ description: 'The 10 digits typed at the gate' }),
      performanceCode: Type.String({ description: "The credential's event ID" }),
      ticketId: Type.String({ description: "The credential's ticket ID" }),
      revision: Type.Integer(),
      ...termFields,
      salt: Type.String({ description: '16 bytes, hex' }),
      iterations: Type.Integer(),
      pinHash: Type.String({ description: 'PBKDF2-HMAC-SHA256, 32 bytes, hex' }),
      categoryId: Type.String({
        description:
          "The ticket's price category (one of its performance's categories): the credential does not name it",
      }),
    }),
    {
      description:
        'Salted PIN hashes of manual codes made or remade (new revision) since the cursor; replace by ticketNumber',
    },
  ),
  manualCodesComplete: Type.Boolean({
    description: 'False while some tickets have no record yet; a later call brings them',
  }),
  admissions: Type.Array(
    Type.Object({
      id: Type.String(),
      performanceCode: Type.String({ description: "The credential's event ID" }),
      ticketId: Type.String({ description: "The credential's ticket ID" }),
      revision: Type.Integer(),
      direction: Type.String({ description: 'entry or exit' }),
      debit: Type.String({ description: 'Smallest units debited from a stored-value ticket' }),
      scannedAt: Type.String({ description: 'ISO 8601 UTC' }),
      presentationTimeS: Nullable(
        Type.Integer({ description: "The scanned presentation's signed time, Unix seconds" }),
      ),
      gate: Type.String(),
      terminalId: Type.String(),
      duplicate: Type.Boolean(),
    }),
    { description: 'Admissions recorded by every gate since the cursor; keep by id' },
  ),
});

export const Position = Type.Object(
  {
    latitude: Type.Number({ minimum: -90, maximum: 90 }),
    longitude: Type.Number({ minimum: -180, maximum: 180 }),
    accuracyM: Type.Number({ minimum: 0, maximum: 100_000 }),
  },
  { additionalProperties: false },
);

export const Units = Type.String({
  pattern: '^[0-9]{1,18}$',
  description:
    "Units of a stored-value ticket's balance to debit; a string, a JSON number is refused (400 invalid_amount)",
  // A value taken from a ticket: any failure, a JSON number first, answers invalid_amount.
  'x-amount': true,
});

export const Answer = Type.Object({
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

/** POST /v1/terminal/verifications: a barcode, or a manual ticket number with its PIN. */
export const VerificationBody = Type.Object(
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
);

/** A terminal holds at most this many admissions unsent; more is a bug or a lie. */
export const pendingUploadsMax = 1_000_000;

/** POST /v1/terminal/admissions: admissions made offline. */
export const UploadBody = Type.Object(
  {
    pending: Type.Optional(Type.Integer({ minimum: 0, maximum: pendingUploadsMax })),
    admissions: Type.Array(
      Type.Object(
        {
          nonce: Type.String({ pattern: '^[A-Za-z0-9_\\-]{8,64}$' }),
          performanceCode: Type.String({ minLength: 1, maxLength: 32 }),
          ticketId: Type.String({ minLength: 1, maxLength: 32 }),
          // Every revision the protocol allows (revisionMax in packages/protocol/src/limits.ts).
          revision: Type.Integer({ minimum: 0, maximum: revisionMax }),
          direction: Type.Union([Type.Literal('entry'), Type.Literal('exit')]),
          scannedAt: Instant,
          presentationTimeS: Type.Optional(Type.Integer({ minimum: 0, maximum: timeMaxS })),
          debit: Type.Optional(Units),
          position: Type.Optional(Position),
        },
        { additionalProperties: false },
      ),
      { maxItems: 500 },
    ),
  },
  { additionalProperties: false },
);

export const UploadResults = Type.Object({
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
});
