/** Schemas shared by the ticketing routes; they validate input and generate the OpenAPI document. */
import { Id } from '@tessera/service-kit/schemas';
import { type TSchema, Type } from 'typebox';

export {
  AmountString,
  AssetCode,
  ErrorBody,
  errors,
  Id,
  IdempotencyHeaders,
  iso,
  MultiLineText,
  Phone,
} from '@tessera/service-kit/schemas';

export const Code = Type.String({ pattern: '^[0-9]{6}$', description: 'The 6-digit SMS code' });

export const Instant = Type.String({
  format: 'date-time',
  description: 'ISO 8601 with a time zone, e.g. 2026-12-24T19:00:00+09:00',
});

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const OrganizerParams = Type.Object({ organizerId: Id('org') });

export const EventParams = Type.Object({ eventId: Id('ev') });

export const PerformanceParams = Type.Object({ performanceId: Id('perf') });
