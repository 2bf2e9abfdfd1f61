/** The venue routes' schemas: a venue, its seat map as JSON, the import's summary, the map. */
import { Type } from 'typebox';
import { Id } from '../schemas.ts';
import {
  areaCapacityMax,
  areaNameCharsMax,
  rowLabelCharsMax,
  seatMapAreasMax,
  seatMapSeatsMax,
  seatMapSectionsMax,
  seatNumberCharsMax,
  sectionNameCharsMax,
} from './seat-map.ts';
import { defaultTimeZone, timeZoneCharsMax } from './time-zone.ts';

const timeZoneText =
  'The venue\'s IANA time zone ("Asia/Seoul", "Europe/London"): the apps show performance times in it. Refused with 400 invalid_time_zone when unknown; stored in its canonical spelling.';
const TimeZone = (description = timeZoneText) =>
  Type.String({ minLength: 1, maxLength: timeZoneCharsMax, description });

/** The zone in every answer that carries a performance's time: the apps show the time in it. */
export const VenueTimeZone = Type.String({
  description: 'The venue\'s IANA time zone ("Asia/Seoul"): show the performance\'s times in it',
});

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
    timeZone: Type.Optional(TimeZone(`${timeZoneText} Default: ${defaultTimeZone}.`)),
  },
  { additionalProperties: false },
);

/** A venue's changes: any of its fields, at least one. */
export const VenueUpdateBody = Type.Object(
  {
    name: Type.Optional(VenueBody.properties.name),
    address: Type.Optional(VenueBody.properties.address),
    latitude: Type.Optional(VenueBody.properties.latitude),
    longitude: Type.Optional(VenueBody.properties.longitude),
    radiusM: Type.Optional(VenueBody.properties.radiusM),
    timeZone: Type.Optional(TimeZone()),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const Venue = Type.Object({
  id: Type.String(),
  organizerId: Type.String(),
  name: Type.String(),
  address: Type.String(),
  latitude: Type.Number(),
  longitude: Type.Number(),
  radiusM: Type.Integer(),
  timeZone: VenueTimeZone,
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
