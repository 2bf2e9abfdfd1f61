/**
 * The event routes: events with categories and performances, publishing, and public browsing.
 * Organizer staff write (manage_catalogue: owner, manager); every staff role reads its
 * organizer's drafts; everyone reads what is published.
 */

import { Type } from 'typebox';
import type { Ticketing } from '../context.ts';
import type { App } from '../http.ts';
import { optionalCaller, requireAnyStaff } from '../organizers/staff.ts';
import { EventParams, errors, Id, OrganizerParams } from '../schemas.ts';
import type { EventInput } from './plan.ts';
import {
  Event,
  EventBody,
  EventFileBody,
  OrganizerEventList,
  OrganizerEventQuery,
  Performance,
  PerformanceBody,
  PerformancePage,
  PublicEventList,
  PublicEventQuery,
  Slug,
} from './schemas.ts';
import {
  addPerformanceFor,
  createEventFor,
  putEventBySlug,
  setPublished,
  visibleEvent,
  visiblePerformance,
} from './service.ts';
import {
  eventView,
  listOrganizerEvents,
  listPublicEvents,
  performancePageView,
  performanceView,
} from './views.ts';

export function eventRoutes(app: App, ticketing: Ticketing) {
  createEventRoute(app, ticketing);
  putEventBySlugRoute(app, ticketing);
  organizerEventsRoute(app, ticketing);
  publicEventsRoute(app, ticketing);
  eventRoute(app, ticketing);
  publishRoutes(app, ticketing);
  addPerformanceRoute(app, ticketing);
  performanceRoute(app, ticketing);
}

function createEventRoute(app: App, ticketing: Ticketing) {
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
      const body = request.body as EventInput;
      const event = await createEventFor(
        ticketing,
        request.caller,
        request.params.organizerId,
        body,
      );
      return reply.code(201).send(await eventView(ticketing, event));
    },
  );
}

function putEventBySlugRoute(app: App, ticketing: Ticketing) {
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
      const body = request.body as Omit<EventInput, 'slug'> & { slug?: string };
      const result = await putEventBySlug(ticketing, request.caller, organizerId, slug, body);
      return reply.code(result.created ? 201 : 200).send(await eventView(ticketing, result.event));
    },
  );
}

function organizerEventsRoute(app: App, ticketing: Ticketing) {
  app.get(
    '/v1/organizers/:organizerId/events',
    {
      config: { access: 'any' },
      schema: {
        tags: ['catalogue'],
        summary: "The organizer's events in every status, newest first (any staff role)",
        params: OrganizerParams,
        querystring: OrganizerEventQuery,
        response: { 200: OrganizerEventList, ...errors },
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
}

function publicEventsRoute(app: App, ticketing: Ticketing) {
  app.get(
    '/v1/events',
    {
      config: { access: 'public' },
      schema: {
        tags: ['catalogue'],
        summary: 'Published events with performances to come, soonest first',
        description:
          'Each event is placed by its next scheduled performance that ends after `from` (default now).',
        querystring: PublicEventQuery,
        response: { 200: PublicEventList, ...errors },
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
}

function eventRoute(app: App, ticketing: Ticketing) {
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
}

function publishRoutes(app: App, ticketing: Ticketing) {
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
      const event = await setPublished(ticketing, request.caller, request.params.eventId, true);
      return eventView(ticketing, event);
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
      const event = await setPublished(ticketing, request.caller, request.params.eventId, false);
      return eventView(ticketing, event);
    },
  );
}

function addPerformanceRoute(app: App, ticketing: Ticketing) {
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
      const { performance, event } = await addPerformanceFor(
        ticketing,
        request.caller,
        request.params.eventId,
        request.body,
      );
      return reply.code(201).send(performanceView(performance, event, ticketing.clock.now()));
    },
  );
}

function performanceRoute(app: App, ticketing: Ticketing) {
  app.get(
    '/v1/performances/:performanceId',
    {
      config: { access: 'public' },
      schema: {
        tags: ['catalogue'],
        summary: 'A performance with its event and venue',
        params: Type.Object({ performanceId: Id('perf') }),
        response: { 200: PerformancePage, ...errors },
      },
    },
    async (request) => {
      const { performance, event } = await visiblePerformance(
        ticketing,
        request.headers.authorization,
        request.params.performanceId,
      );
      return performancePageView(ticketing, performance, event);
    },
  );
}
