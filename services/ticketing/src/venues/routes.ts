/** Venues and their seat maps: sections, rows and seats, and standing areas (catalogue). */
import { badRequest } from '@tessera/service-kit/errors';
import { Type } from 'typebox';
import type { Ticketing } from '../context.ts';
import { inTransaction } from '../context.ts';
import type { App } from '../http.ts';
import { requireAnyStaff, requireStaff, requireStaffFor } from '../organizers/staff.ts';
import { errors, Id, OrganizerParams } from '../schemas.ts';
import {
  areaCapacityMax,
  areaNameCharsMax,
  rowLabelCharsMax,
  type SeatMapInput,
  seatMapAreasMax,
  seatMapFromCsv,
  seatMapFromJson,
  seatMapSeatsMax,
  seatMapSectionsMax,
  seatNumberCharsMax,
  sectionNameCharsMax,
} from './seat-map.ts';
import { createVenue, replaceSeatMap, seatMapView, venueRow, venueView } from './service.ts';

export function venueRoutes(app: App, ticketing: Ticketing) {
  const db = ticketing.database.db;

  app.post(
    '/v1/organizers/:organizerId/venues',
    {
      config: { access: 'any' },
      schema: {
        tags: ['catalogue'],
        summary: 'Create a venue (manage_catalogue); import its seat map next',
        params: OrganizerParams,
        body: VenueBody,
        response: { 201: Venue, ...errors },
      },
    },
    async (request, reply) => {
      const { organizerId } = request.params;
      await requireStaff(ticketing, request.caller, organizerId, 'manage_catalogue');
      const venue = await inTransaction(ticketing, ({ trx, now }) =>
        createVenue(trx, organizerId, request.body, now),
      );
      return reply.code(201).send(await venueView(ticketing, venue));
    },
  );

  app.get(
    '/v1/organizers/:organizerId/venues',
    {
      config: { access: 'any' },
      schema: {
        tags: ['catalogue'],
        summary: "The organizer's venues (any staff role)",
        params: OrganizerParams,
        response: { 200: Type.Object({ venues: Type.Array(Venue) }), ...errors },
      },
    },
    async (request) => {
      const { organizerId } = request.params;
      await requireAnyStaff(ticketing, request.caller, organizerId);
      const rows = await db
        .selectFrom('venues')
        .selectAll()
        .where('organizer_id', '=', organizerId)
        .orderBy('created_at')
        .limit(500)
        .execute();
      const venues = [];
      for (const row of rows) venues.push(await venueView(ticketing, row));
      return { venues };
    },
  );

  app.get(
    '/v1/venues/:venueId',
    {
      config: { access: 'public' },
      schema: {
        tags: ['catalogue'],
        summary: 'A venue: position, admission radius, sections with seat counts, GA areas',
        params: VenueParams,
        response: { 200: Venue, ...errors },
      },
    },
    async (request) => venueView(ticketing, await venueRow(ticketing, request.params.venueId)),
  );

  app.put(
    '/v1/venues/:venueId/seat-map',
    {
      config: { access: 'any' },
      schema: {
        tags: ['catalogue'],
        summary: "Import or replace the venue's seat map, as JSON or CSV (manage_catalogue)",
        description:
          'JSON: {sections:[{name, rows:[{label, seats:[{number, x?, y?, accessible?}]}]}], areas:[{name, capacity}]}. CSV (Content-Type: text/csv, or text/plain): header section,row,seat[,x,y,accessible,capacity]; a line with only a section and a capacity is a GA area. File order gives row and seat order ("together" means adjacent in a row). Refused with 409 seat_map_in_use once an event uses the venue. See docs/catalogue.md.',
        params: VenueParams,
        body: {
          content: {
            'application/json': { schema: SeatMapJson },
            'text/csv': { schema: Type.String({ minLength: 1 }) },
            'text/plain': { schema: Type.String({ minLength: 1 }) },
          },
        },
        response: { 200: SeatMapSummary, ...errors },
      },
    },
    async (request) => {
      const venue = await venueRow(ticketing, request.params.venueId);
      await requireStaffFor(ticketing, request.caller, venue.organizer_id, 'venue');
      const body = request.body as unknown;
      const map =
        typeof body === 'string'
          ? seatMapFromCsv(body)
          : body && typeof body === 'object'
            ? seatMapFromJson(body as SeatMapInput)
            : badRequestSeatMap();
      return inTransaction(ticketing, ({ trx }) => replaceSeatMap(ticketing, trx, venue.id, map));
    },
  );

  app.get(
    '/v1/venues/:venueId/seat-map',
    {
      config: { access: 'public' },
      schema: {
        tags: ['catalogue'],
        summary: 'The seat map with seat ids: sections, rows and seats in map order, GA areas',
        params: VenueParams,
        response: { 200: SeatMap, ...errors },
      },
    },
    async (request) => {
      const venue = await venueRow(ticketing, request.params.venueId);
      return seatMapView(ticketing, venue.id);
    },
  );
}

// --- venues -------------------------------------------------------------------------------------

export const VenueBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    address: Type.String({ minLength: 1, maxLength: 500 }),
    latitude: Type.Number({ minimum: -90, maximum: 90 }),
    longitude: Type.Number({ minimum: -180, maximum: 180 }),
    radiusM: Type.Integer({
      minimum: 10,
      maximum: 100_000,
      description: 'How far from the position a gate terminal may be (its GPS fix is checked)',
    }),
  },
  { additionalProperties: false },
);

export const Venue = Type.Object({
  id: Type.String(),
  organizerId: Type.String(),
  name: Type.String(),
  address: Type.String(),
  latitude: Type.Number(),
  longitude: Type.Number(),
  radiusM: Type.Integer(),
  seatCount: Type.Integer(),
  sections: Type.Array(
    Type.Object({
      name: Type.String(),
      rows: Type.Integer(),
      seats: Type.Integer(),
      accessibleSeats: Type.Integer(),
    }),
  ),
  areas: Type.Array(
    Type.Object({ id: Type.String(), name: Type.String(), capacity: Type.Integer() }),
  ),
});

export const SeatMapJson = Type.Object(
  {
    sections: Type.Optional(
      Type.Array(
        Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: sectionNameCharsMax }),
            rows: Type.Array(
              Type.Object(
                {
                  label: Type.String({ minLength: 1, maxLength: rowLabelCharsMax }),
                  seats: Type.Array(
                    Type.Object(
                      {
                        number: Type.String({ minLength: 1, maxLength: seatNumberCharsMax }),
                        x: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
                        y: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
                        accessible: Type.Optional(Type.Boolean()),
                      },
                      { additionalProperties: false },
                    ),
                    { maxItems: seatMapSeatsMax },
                  ),
                },
                { additionalProperties: false },
              ),
              { maxItems: seatMapSeatsMax },
            ),
          },
          { additionalProperties: false },
        ),
        { maxItems: seatMapSectionsMax },
      ),
    ),
    areas: Type.Optional(
      Type.Array(
        Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: areaNameCharsMax }),
            capacity: Type.Integer({ minimum: 1, maximum: areaCapacityMax }),
          },
          { additionalProperties: false },
        ),
        { maxItems: seatMapAreasMax },
      ),
    ),
  },
  { additionalProperties: false },
);

export const SeatMapSummary = Type.Object({
  venueId: Type.String(),
  sections: Type.Integer(),
  rows: Type.Integer(),
  seats: Type.Integer(),
  areas: Type.Integer(),
});

export const SeatMap = Type.Object({
  venueId: Type.String(),
  sections: Type.Array(
    Type.Object({
      name: Type.String(),
      rows: Type.Array(
        Type.Object({
          label: Type.String(),
          seats: Type.Array(
            Type.Object({
              id: Type.String(),
              number: Type.String(),
              x: Type.Union([Type.Number(), Type.Null()]),
              y: Type.Union([Type.Number(), Type.Null()]),
              accessible: Type.Boolean(),
            }),
          ),
        }),
      ),
    }),
  ),
  areas: Type.Array(
    Type.Object({ id: Type.String(), name: Type.String(), capacity: Type.Integer() }),
  ),
});

export const VenueParams = Type.Object({ venueId: Id('ven') });

export function badRequestSeatMap(): never {
  throw badRequest('invalid_seat_map', 'send the seat map as JSON or as text/csv');
}
