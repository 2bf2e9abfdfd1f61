/** The event routes' schemas: an event's body (categories, performances), an event, listings. */
import { Type } from 'typebox';
import { AmountString, AssetCode, Id, Instant, MultiLineText } from '../schemas.ts';
import { VenueTimeZone } from '../venues/schemas.ts';
import {
  areaCapacityMax,
  areaNameCharsMax,
  seatMapSeatsMax,
  seatMapSectionsMax,
  sectionNameCharsMax,
} from '../venues/seat-map.ts';
import { categoriesPerEventMax, performancesPerRequestMax } from './plan.ts';
import { listCursorPattern } from './views.ts';

const Kind = Type.Union([
  Type.Literal('single'),
  Type.Literal('multi'),
  Type.Literal('timed'),
  Type.Literal('stored_value'),
]);

const CategoryBody = Type.Object(
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

const eventFields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  description: Type.Optional(MultiLineText({ maxLength: 5_000 })),
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

const Category = Type.Object({
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
    timeZone: VenueTimeZone,
  }),
  categories: Type.Array(Category),
  performances: Type.Array(Performance),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

const Paging = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  after: Type.Optional(
    Type.String({ pattern: listCursorPattern, description: 'The `next` of the previous page' }),
  ),
};

export const OrganizerEventList = Type.Object({
  events: Type.Array(
    Type.Object({
      id: Type.String(),
      slug: Type.String(),
      name: Type.String(),
      status: Type.String(),
      venue: Type.Object({
        id: Type.String(),
        name: Type.String(),
        timeZone: Type.String({ description: "The venue's IANA time zone" }),
      }),
      performances: Type.Integer(),
      nextStartsAt: Type.Union([Type.String(), Type.Null()], {
        description:
          'The start of the first scheduled performance not yet over; null when none is to come',
      }),
      createdAt: Type.String(),
      updatedAt: Type.String(),
    }),
  ),
  next: Type.Union([Type.String(), Type.Null()]),
});

export const OrganizerEventQuery = Type.Object(Paging, { additionalProperties: false });

export const PublicEventQuery = Type.Object(
  { organizerId: Type.Optional(Id('org')), from: Type.Optional(Instant), ...Paging },
  { additionalProperties: false },
);

export const PublicEventList = Type.Object({
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
        timeZone: VenueTimeZone,
      }),
      nextStartsAt: Type.String(),
      performances: Type.Integer({ description: 'Scheduled performances to come' }),
    }),
  ),
  next: Type.Union([Type.String(), Type.Null()]),
});

export const PerformancePage = Type.Object({
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
});
