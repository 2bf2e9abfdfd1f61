/**
 * The venue routes: venues and their seat maps (sections, rows and seats, and standing areas).
 * Organizer staff write (manage_catalogue); every staff role lists its organizer's venues;
 * everyone reads a venue and its seat map.
 */
import { Type } from 'typebox';
import type { Ticketing } from '../context.ts';
import type { App } from '../http.ts';
import { requireAnyStaff, requireStaff } from '../organizers/staff.ts';
import { errors, MultiLineText, OrganizerParams } from '../schemas.ts';
import {
  SeatMap,
  SeatMapJson,
  SeatMapSummary,
  Venue,
  VenueBody,
  VenueParams,
  VenueUpdateBody,
} from './schemas.ts';
import {
  addVenue,
  changeVenue,
  importSeatMap,
  organizerVenueViews,
  seatMapView,
  venueRow,
  venueView,
} from './service.ts';

export function venueRoutes(app: App, ticketing: Ticketing) {
  // CSV seat maps arrive as text; the parser in seat-map.ts reads them.
  if (!app.hasContentTypeParser('text/csv')) {
    app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_request, body, done) =>
      done(null, body),
    );
  }
  createVenueRoute(app, ticketing);
  listVenuesRoute(app, ticketing);
  venueRoute(app, ticketing);
  changeVenueRoute(app, ticketing);
  importSeatMapRoute(app, ticketing);
  seatMapRoute(app, ticketing);
}

function createVenueRoute(app: App, ticketing: Ticketing) {
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
      return reply.code(201).send(await addVenue(ticketing, organizerId, request.body));
    },
  );
}

function listVenuesRoute(app: App, ticketing: Ticketing) {
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
      return organizerVenueViews(ticketing, organizerId);
    },
  );
}

function venueRoute(app: App, ticketing: Ticketing) {
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
}

function changeVenueRoute(app: App, ticketing: Ticketing) {
  app.patch(
    '/v1/venues/:venueId',
    {
      config: { access: 'any' },
      schema: {
        tags: ['catalogue'],
        summary: "Change a venue's name, address, position, radius or time zone (manage_catalogue)",
        params: VenueParams,
        body: VenueUpdateBody,
        response: { 200: Venue, ...errors },
      },
    },
    async (request) => changeVenue(ticketing, request.caller, request.params.venueId, request.body),
  );
}

function importSeatMapRoute(app: App, ticketing: Ticketing) {
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
            'text/csv': { schema: MultiLineText({ minLength: 1 }) },
            'text/plain': { schema: MultiLineText({ minLength: 1 }) },
          },
        },
        response: { 200: SeatMapSummary, ...errors },
      },
    },
    async (request) =>
      importSeatMap(ticketing, request.caller, request.params.venueId, request.body as unknown),
  );
}

function seatMapRoute(app: App, ticketing: Ticketing) {
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
    async (request) => seatMapView(ticketing, request.params.venueId),
  );
}
