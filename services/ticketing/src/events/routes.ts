/**
 * The catalogue API: venues and seat maps, events with categories and performances, publishing,
 * and public browsing. Organizer staff write (manage_catalogue: owner, manager); every staff role
 * reads its organizer's drafts; everyone reads what is published.
 */
import { isUniqueViolation } from '@tessera/db';
import { badRequest, conflict, notFound } from '@tessera/service-kit/errors';
import { Type } from 'typebox';
import type { Ticketing } from '../context.ts';
import { inTransaction } from '../context.ts';
import type { App } from '../http.ts';
import {
  optionalCaller,
  requireAnyStaff,
  requireStaff,
  requireStaffFor,
} from '../organizers/staff.ts';
import {
  AmountString,
  AssetCode,
  EventParams,
  errors,
  Id,
  Instant,
  OrganizerParams,
} from '../schemas.ts';
import {
  areaCapacityMax,
  areaNameCharsMax,
  seatMapSeatsMax,
  seatMapSectionsMax,
  sectionNameCharsMax,
} from '../venues/seat-map.ts';
import { venueRow } from '../venues/service.ts';
import {
  addPerformance,
  categoriesPerEventMax,
  createEvent,
  type EventInput,
  eventRow,
  eventView,
  listCursorPattern,
  listOrganizerEvents,
  listPublicEvents,
  performancesPerRequestMax,
  performanceView,
  publishEvent,
  unpublishEvent,
  upsertEvent,
  visibleEvent,
  visiblePerformanceEvent,
} from './service.ts';

// --- venues -------------------------------------------------------------------------------------
// --- events -------------------------------------------------------------------------------------

export const Kind = Type.Union([
  Type.Literal('single'),
  Type.Literal('multi'),
  Type.Literal('timed'),
  Type.Literal('stored_value'),
]);

export const CategoryBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 60 }),
    pricing: Type.Union([Type.Literal('fiat'), Type.Literal('crypto')]),
    priceAsset: AssetCode,
    price: AmountString,
    seating: Type.Union([Type.Literal('seated'), Type.Literal('ga')]),
    sections: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: sectionNameCharsMax }), {
        maxItems: seatMapSectionsMax,
        description: 'Seated: every seat of these sections',
      }),
    ),
    seats: Type.Optional(
      Type.Array(Type.String({ minLength: 5, maxLength: 90 }), {
        maxItems: seatMapSeatsMax,
        description: 'Seated: these seats, as "Section/Row/Number"',
      }),
    ),
    area: Type.Optional(
      Type.String({ minLength: 1, maxLength: areaNameCharsMax, description: 'GA: the area' }),
    ),
    quota: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: areaCapacityMax,
        description: "GA: places to sell (default the area's capacity)",
      }),
    ),
    kind: Kind,
    entriesAllowed: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 65_535,
        description: 'single: 1; multi: at least 1 (required); timed, stored_value: 0 = unlimited',
      }),
    ),
    reentryAllowed: Type.Optional(Type.Boolean({ description: 'single and timed only' })),
    validFrom: Type.Optional(Instant),
    validUntil: Type.Optional(Instant),
    storedValue: Type.Optional(AmountString),
    storedValueAsset: Type.Optional(AssetCode),
    reservedHex: Type.Optional(
      Type.String({
        pattern: '^([0-9a-fA-F]{2}){0,2}$',
        description:
          "Up to 2 bytes for the credential's reserved area, hex: with the 6-character performance code and the 8-character ticket number that keeps a barcode within QR version 10",
      }),
    ),
  },
  { additionalProperties: false },
);

export const PerformanceBody = Type.Object(
  {
    startsAt: Instant,
    endsAt: Instant,
    doorsAt: Type.Optional(Instant),
    salesStart: Type.Optional(Instant),
    salesEnd: Type.Optional(Instant),
  },
  { additionalProperties: false },
);

export const Slug = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$' });

export const eventFields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  description: Type.Optional(Type.String({ maxLength: 5_000 })),
  venueId: Id('ven'),
  perOrderLimit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 10 })),
  perBuyerLimit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 20 })),
  refundPolicy: Type.Optional(Type.Union([Type.Literal('none'), Type.Literal('until_start')])),
  refundCutoffS: Type.Optional(Type.Integer({ minimum: 0, maximum: 365 * 86_400 })),
  categories: Type.Optional(Type.Array(CategoryBody, { maxItems: categoriesPerEventMax })),
  performances: Type.Optional(Type.Array(PerformanceBody, { maxItems: performancesPerRequestMax })),
};

export const EventBody = Type.Object(
  { slug: Slug, ...eventFields },
  { additionalProperties: false },
);
export const EventFileBody = Type.Object(
  { slug: Type.Optional(Slug), ...eventFields },
  { additionalProperties: false },
);

export const Performance = Type.Object({
  id: Type.String(),
  eventId: Type.String(),
  code: Type.String({ description: "The short event ID in this performance's credentials" }),
  startsAt: Type.String(),
  endsAt: Type.String(),
  doorsAt: Type.String(),
  salesStart: Type.String(),
  salesEnd: Type.String(),
  status: Type.Union([
    Type.Literal('scheduled'),
    Type.Literal('cancelled'),
    Type.Literal('closed'),
  ]),
  onSale: Type.Boolean(),
});

export const Category = Type.Object({
  id: Type.String(),
  name: Type.String(),
  pricing: Type.String(),
  priceAsset: Type.String(),
  price: Type.String({ description: 'Whole units of priceAsset' }),
  seating: Type.String(),
  area: Type.Union([Type.String(), Type.Null()]),
  capacity: Type.Integer({ description: 'Seats of a seated category, quota of a GA one' }),
  kind: Type.String(),
  entriesAllowed: Type.Integer(),
  reentryAllowed: Type.Boolean(),
  validFrom: Type.Union([Type.String(), Type.Null()]),
  validUntil: Type.Union([Type.String(), Type.Null()]),
  storedValue: Type.Union([Type.String(), Type.Null()]),
  storedValueAsset: Type.Union([Type.String(), Type.Null()]),
  reservedHex: Type.String(),
});

export const Event = Type.Object({
  id: Type.String(),
  organizerId: Type.String(),
  slug: Type.String(),
  name: Type.String(),
  description: Type.String(),
  status: Type.Union([Type.Literal('draft'), Type.Literal('published'), Type.Literal('cancelled')]),
  perOrderLimit: Type.Integer(),
  perBuyerLimit: Type.Integer(),
  refundPolicy: Type.String(),
  refundCutoffS: Type.Integer(),
  venue: Type.Object({
    id: Type.String(),
    name: Type.String(),
    address: Type.String(),
    latitude: Type.Number(),
    longitude: Type.Number(),
    radiusM: Type.Integer(),
  }),
  categories: Type.Array(Category),
  performances: Type.Array(Performance),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

export const Paging = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  after: Type.Optional(
    Type.String({ pattern: listCursorPattern, description: 'The `next` of the previous page' }),
  ),
};

/** A concurrent create of the same slug loses on the unique index: same answer as a taken slug. */
export function slugRace(slug: string) {
  return (error: unknown): never => {
    if (isUniqueViolation(error, 'events_slug') || isUniqueViolation(error, 'slug')) {
      throw conflict('slug_taken', `an event with slug "${slug}" exists`);
    }
    throw error;
  };
}

export function eventRoutes(app: App, ticketing: Ticketing) {
  const db = ticketing.database.db;

  // CSV seat maps arrive as text; the parser in seat-map.ts reads them.
  if (!app.hasContentTypeParser('text/csv')) {
    app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_request, body, done) =>
      done(null, body),
    );
  }

  async function staffEvent(caller: Parameters<typeof requireStaff>[1], eventId: string) {
    const event = await eventRow(ticketing, eventId);
    if (!event) throw notFound('event');
    await requireStaffFor(ticketing, caller, event.organizer_id, 'event');
    return event;
  }

  // --- venues -----------------------------------------------------------------------------------

  // --- events -----------------------------------------------------------------------------------

  app.post(
    '/v1/organizers/:organizerId/events',
    {
      config: { access: 'any' },
      schema: {
        tags: ['catalogue'],
        summary: 'Create a draft event with categories and performances (manage_catalogue)',
        description:
          "Each performance gets its inventory: every seat of a seated category available, a quota per GA category. Prices are in whole units: fiat pricing in the exchange's fiat currency (converted at order time), crypto pricing in a crypto asset. Ticket terms follow the protocol's rules.",
        params: OrganizerParams,
        body: EventBody,
        response: { 201: Event, ...errors },
      },
    },
    async (request, reply) => {
      const { organizerId } = request.params;
      await requireStaff(ticketing, request.caller, organizerId, 'manage_catalogue');
      const body = request.body as EventInput;
      const assets = await ticketing.exchange.assets();
      const eventId = await inTransaction(ticketing, ({ trx, now }) =>
        createEvent(ticketing, trx, organizerId, body, assets, now),
      ).catch(slugRace(body.slug));
      const event = await eventRow(ticketing, eventId);
      if (!event) throw notFound('event');
      return reply.code(201).send(await eventView(ticketing, event));
    },
  );

  app.put(
    '/v1/organizers/:organizerId/events/by-slug/:slug',
    {
      config: { access: 'any' },
      schema: {
        tags: ['catalogue'],
        summary: 'Create or update an event from a file, by its slug (manage_catalogue)',
        description:
          'Creates (201) or updates (200). Updates event fields; categories matched by name (price always; seats, area and ticket terms only while nothing of the category is held or sold, else 409 category_in_use); adds new categories and performances (matched by startsAt). Nothing is deleted.',
        params: Type.Object({ organizerId: Id('org'), slug: Slug }),
        body: EventFileBody,
        response: { 200: Event, 201: Event, ...errors },
      },
    },
    async (request, reply) => {
      const { organizerId, slug } = request.params;
      await requireStaff(ticketing, request.caller, organizerId, 'manage_catalogue');
      const body = request.body as Omit<EventInput, 'slug'> & { slug?: string };
      if (body.slug !== undefined && body.slug !== slug) {
        throw badRequest('slug_mismatch', 'the slug in the body differs from the one in the path');
      }
      const assets = await ticketing.exchange.assets();
      const result = await inTransaction(ticketing, ({ trx, now }) =>
        upsertEvent(ticketing, trx, organizerId, { ...body, slug }, assets, now),
      ).catch(slugRace(slug));
      const event = await eventRow(ticketing, result.eventId);
      if (!event) throw notFound('event');
      return reply.code(result.created ? 201 : 200).send(await eventView(ticketing, event));
    },
  );

  app.get(
    '/v1/organizers/:organizerId/events',
    {
      config: { access: 'any' },
      schema: {
        tags: ['catalogue'],
        summary: "The organizer's events in every status, newest first (any staff role)",
        params: OrganizerParams,
        querystring: Type.Object(Paging, { additionalProperties: false }),
        response: {
          200: Type.Object({
            events: Type.Array(
              Type.Object({
                id: Type.String(),
                slug: Type.String(),
                name: Type.String(),
                status: Type.String(),
                venue: Type.Object({ id: Type.String(), name: Type.String() }),
                performances: Type.Integer(),
                createdAt: Type.String(),
                updatedAt: Type.String(),
              }),
            ),
            next: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { organizerId } = request.params;
      await requireAnyStaff(ticketing, request.caller, organizerId);
      return listOrganizerEvents(ticketing, organizerId, {
        limit: request.query.limit ?? 20,
        ...(request.query.after ? { after: request.query.after } : {}),
      });
    },
  );

  app.get(
    '/v1/events',
    {
      config: { access: 'public' },
      schema: {
        tags: ['catalogue'],
        summary: 'Published events with performances to come, soonest first',
        description:
          'Each event is placed by its next scheduled performance that ends after `from` (default now).',
        querystring: Type.Object(
          { organizerId: Type.Optional(Id('org')), from: Type.Optional(Instant), ...Paging },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            events: Type.Array(
              Type.Object({
                id: Type.String(),
                organizerId: Type.String(),
                slug: Type.String(),
                name: Type.String(),
                venue: Type.Object({
                  id: Type.String(),
                  name: Type.String(),
                  address: Type.String(),
                }),
                nextStartsAt: Type.String(),
                performances: Type.Integer({ description: 'Scheduled performances to come' }),
              }),
            ),
            next: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const query = request.query;
      return listPublicEvents(ticketing, {
        from: query.from ? Date.parse(query.from) : ticketing.clock.now(),
        limit: query.limit ?? 20,
        ...(query.organizerId ? { organizerId: query.organizerId } : {}),
        ...(query.after ? { after: query.after } : {}),
      });
    },
  );

  app.get(
    '/v1/events/:eventId',
    {
      config: { access: 'public' },
      schema: {
        tags: ['catalogue'],
        summary: 'An event: venue, categories with prices and ticket terms, performances',
        description: "Public once published; the organizer's staff (with a token) also see drafts.",
        params: EventParams,
        response: { 200: Event, ...errors },
      },
    },
    async (request) => {
      const caller = await optionalCaller(ticketing, request.headers.authorization);
      return eventView(ticketing, await visibleEvent(ticketing, caller, request.params.eventId));
    },
  );

  app.post(
    '/v1/events/:eventId/publish',
    {
      config: { access: 'any' },
      schema: {
        tags: ['catalogue'],
        summary: 'Put the event on sale (manage_catalogue)',
        description:
          'Needs a category, a scheduled performance and a linked merchant wallet (409 wallet_not_linked).',
        params: EventParams,
        response: { 200: Event, ...errors },
      },
    },
    async (request) => {
      const event = await staffEvent(request.caller, request.params.eventId);
      await inTransaction(ticketing, ({ trx, now }) => publishEvent(ticketing, trx, event.id, now));
      return eventView(ticketing, { ...event, ...(await eventRow(ticketing, event.id)) });
    },
  );

  app.post(
    '/v1/events/:eventId/unpublish',
    {
      config: { access: 'any' },
      schema: {
        tags: ['catalogue'],
        summary:
          'Take the event off sale, back to draft (manage_catalogue); sold tickets stay valid',
        params: EventParams,
        response: { 200: Event, ...errors },
      },
    },
    async (request) => {
      const event = await staffEvent(request.caller, request.params.eventId);
      await inTransaction(ticketing, ({ trx, now }) =>
        unpublishEvent(ticketing, trx, event.id, now),
      );
      return eventView(ticketing, { ...event, ...(await eventRow(ticketing, event.id)) });
    },
  );

  app.post(
    '/v1/events/:eventId/performances',
    {
      config: { access: 'any' },
      schema: {
        tags: ['catalogue'],
        summary: 'Add a performance, with inventory for every category (manage_catalogue)',
        params: EventParams,
        body: PerformanceBody,
        response: { 201: Performance, ...errors },
      },
    },
    async (request, reply) => {
      const event = await staffEvent(request.caller, request.params.eventId);
      const performanceId = await inTransaction(ticketing, ({ trx, now }) =>
        addPerformance(ticketing, trx, event.id, request.body, now),
      );
      const row = await db
        .selectFrom('performances')
        .selectAll()
        .where('id', '=', performanceId)
        .executeTakeFirstOrThrow();
      return reply.code(201).send(performanceView(row, event, ticketing.clock.now()));
    },
  );

  app.get(
    '/v1/performances/:performanceId',
    {
      config: { access: 'public' },
      schema: {
        tags: ['catalogue'],
        summary: 'A performance with its event and venue',
        params: Type.Object({ performanceId: Id('perf') }),
        response: {
          200: Type.Object({
            ...Performance.properties,
            event: Type.Object({
              id: Type.String(),
              organizerId: Type.String(),
              slug: Type.String(),
              name: Type.String(),
              status: Type.String(),
              perOrderLimit: Type.Integer(),
            }),
            venue: Event.properties.venue,
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const row = await db
        .selectFrom('performances')
        .selectAll()
        .where('id', '=', request.params.performanceId)
        .executeTakeFirst();
      if (!row) throw notFound('performance');
      const caller = await optionalCaller(ticketing, request.headers.authorization);
      const event = await visiblePerformanceEvent(ticketing, caller, row.event_id);
      const venue = await venueRow(ticketing, event.venue_id);
      return {
        ...performanceView(row, event, ticketing.clock.now()),
        event: {
          id: event.id,
          organizerId: event.organizer_id,
          slug: event.slug,
          name: event.name,
          status: event.status,
          perOrderLimit: event.per_order_limit,
        },
        venue: {
          id: venue.id,
          name: venue.name,
          address: venue.address,
          latitude: venue.latitude,
          longitude: venue.longitude,
          radiusM: venue.radius_m,
        },
      };
    },
  );
}
