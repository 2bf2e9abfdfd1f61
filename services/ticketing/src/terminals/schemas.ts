/** The shapes of the terminals' API: a terminal as staff see it, gate and terminal names. */
import { Type } from 'typebox';
import { Nullable } from '../schemas.ts';
import { onlineWindowMs } from './view.ts';

export const Terminal = Type.Object({
  id: Type.String(),
  organizerId: Type.String(),
  venueId: Type.String(),
  gate: Type.String(),
  name: Type.String(),
  performanceIds: Type.Array(Type.String()),
  enrolledAt: Type.String(),
  revokedAt: Nullable(Type.String()),
  lastSeenAt: Nullable(Type.String()),
  pendingUploads: Type.Integer(),
  device: Nullable(Type.String({ description: 'What the terminal says it is (Tessera-Device)' })),
  appVersion: Nullable(Type.String({ description: 'The gate app version (Tessera-App-Version)' })),
  lastFix: Nullable(
    Type.Object(
      {
        latitude: Type.Number(),
        longitude: Type.Number(),
        accuracyM: Nullable(Type.Number()),
        at: Type.String({ description: "When the fix was taken (the terminal's clock)" }),
      },
      { description: 'Its last GPS fix (Tessera-Position)' },
    ),
  ),
  online: Type.Boolean({
    description: `Last seen within ${onlineWindowMs / 1000} s, and not revoked`,
  }),
  outsideVenue: Nullable(
    Type.Boolean({
      description:
        "Its last fix is outside the venue's radius even allowing for the fix's accuracy; null without a fix",
    }),
  ),
});

export const GateName = Type.String({ minLength: 1, maxLength: 60 });

export const TerminalName = Type.String({ minLength: 1, maxLength: 80 });
