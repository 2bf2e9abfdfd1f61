/** The TypeBox schemas of the notification routes (they also make the OpenAPI document). */
import { Type } from 'typebox';

export const Webhook = Type.Object({
  url: Type.Union([Type.String(), Type.Null()]),
  secretSet: Type.Boolean({
    description: 'Whether a signing secret exists (it is never shown again)',
  }),
});

export const DeliveryStatus = Type.Union([
  Type.Literal('pending'),
  Type.Literal('delivered'),
  Type.Literal('failed'),
]);

export const Delivery = Type.Object({
  id: Type.String(),
  eventId: Type.String(),
  eventType: Type.String(),
  eventSeq: Type.Integer(),
  url: Type.String({ description: 'Where the last attempt went (or will go)' }),
  status: DeliveryStatus,
  attempts: Type.Integer({
    description: 'Attempts since the event (or since the last redelivery)',
  }),
  lastStatus: Type.Union([Type.Integer(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
  nextAttemptAt: Type.Union([Type.String(), Type.Null()]),
  deliveredAt: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
});

export const Attempt = Type.Object({
  attempt: Type.Integer(),
  at: Type.String(),
  statusCode: Type.Union([Type.Integer(), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
  durationMs: Type.Integer(),
});

export const Notification = Type.Object({
  seq: Type.Integer({ description: 'Cursor: pass it as `after`, or as Last-Event-ID' }),
  id: Type.String({ description: 'Stable event id, the same in webhooks and the live feed' }),
  type: Type.String(),
  createdAt: Type.String(),
  data: Type.Record(Type.String(), Type.Unknown()),
});
