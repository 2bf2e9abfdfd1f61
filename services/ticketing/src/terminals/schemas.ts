/** The shapes of the terminals' API: a terminal as staff see it, gate and terminal names. */
import { Type } from 'typebox';

export const Terminal = Type.Object({
  id: Type.String(),
  organizerId: Type.String(),
  venueId: Type.String(),
  gate: Type.String(),
  name: Type.String(),
  performanceIds: Type.Array(Type.String()),
  enrolledAt: Type.String(),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
  lastSeenAt: Type.Union([Type.String(), Type.Null()]),
  pendingUploads: Type.Integer(),
});

export const GateName = Type.String({ minLength: 1, maxLength: 60 });

export const TerminalName = Type.String({ minLength: 1, maxLength: 80 });
