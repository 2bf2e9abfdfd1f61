/**
 * The event package a gate terminal downloads to verify with no network (unit 408, claim 11).
 * The rules and the cursor are in ../event-package.ts; docs/gates.md ("Event package") explains
 * how a terminal uses it.
 */
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { type TSchema, Type } from 'typebox';
import { type App, terminalOf } from '../app.ts';
import type { Ticketing } from '../context.ts';
import {
  cursorPattern,
  eventPackage,
  packageEntriesMax,
  packageSettleMs,
} from '../event-package.ts';
import { errors } from './schemas.ts';

/** A terminal holds at most this many admissions unsent; more is a bug or a lie. */
export const pendingUploadsMax = 1_000_000;

/**
 * Packages larger than this go gzipped to a client that accepts it. A page of 10,000 manual codes
 * is some 3.6 MB of JSON and 0.7 MB gzipped (the random salts and hashes are most of what is
 * left), so a 50,000-seat event downloads in a few seconds on a venue's Wi-Fi.
 */
const gzipAboveBytes = 16 * 1024;
const gzipAsync = promisify(gzip);

const Kind = Type.Union([
  Type.Literal('single'),
  Type.Literal('multi'),
  Type.Literal('timed'),
  Type.Literal('stored_value'),
]);

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

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

const EventPackage = Type.Object({
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
    }),
  ),
  revocations: Type.Array(
    Type.Object({
      performanceCode: Type.String(),
      ticketNumber: Type.String(),
      throughRevision: Type.Integer({ description: 'Every revision up to this one is void' }),
      reason: Type.String(),
    }),
  ),
  manualCodes: Type.Array(
    Type.Object({
      manualNumber: Type.String({ description: 'The 10 digits typed at the gate' }),
      performanceCode: Type.String(),
      ticketNumber: Type.String({ description: "The credential's ticket ID" }),
      revision: Type.Integer(),
      ...termFields,
      salt: Type.String({ description: '16 bytes, hex' }),
      iterations: Type.Integer(),
      pinHash: Type.String({ description: 'PBKDF2-HMAC-SHA256, 32 bytes, hex' }),
    }),
    {
      description:
        'Salted PIN hashes of manual codes made or remade (new revision) since the cursor; replace by manualNumber',
    },
  ),
  manualCodesComplete: Type.Boolean({
    description: 'False while some tickets have no record yet; a later call brings them',
  }),
  admissions: Type.Array(
    Type.Object({
      id: Type.String(),
      performanceCode: Type.String(),
      ticketNumber: Type.String(),
      revision: Type.Integer(),
      direction: Type.String({ description: 'entry or exit' }),
      debit: Type.String({ description: 'Smallest units debited from a stored-value ticket' }),
      scannedAt: Type.String(),
      presentationTime: Nullable(Type.Integer()),
      gate: Type.String(),
      terminalId: Type.String(),
      duplicate: Type.Boolean(),
    }),
    { description: 'Admissions recorded by every gate since the cursor; keep by id' },
  ),
});

export function gatePackageRoutes(app: App, ticketing: Ticketing) {
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
}
