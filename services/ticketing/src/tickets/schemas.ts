/** The shape of a ticket in the API, as its holder or its organizer's staff see it. */
import { Type } from 'typebox';
import { VenueTimeZone } from '../venues/schemas.ts';

/**
 * What the holder has used of the ticket (issue 21, item 6), replayed from the gates' admissions
 * by the gate's own rule (tickets/usage.ts).
 */
export const TicketUsage = Type.Object({
  state: Type.Enum(['unused', 'inside', 'partly_used', 'used_up'], {
    description:
      'unused: no entry yet; inside: entered and not scanned out (re-entry allowed); partly_used: ' +
      'used and still admitted (entries or value left, unlimited, or re-entry); used_up: spent',
  }),
  entriesUsed: Type.Integer({ minimum: 0, description: 'Entries counted (a re-entry is not)' }),
  entriesLeft: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], {
    description: 'Null when the entries are unlimited',
  }),
  firstEntryAt: Type.Union([Type.String(), Type.Null()]),
  lastEntryAt: Type.Union([Type.String(), Type.Null()]),
  lastExitAt: Type.Union([Type.String(), Type.Null()]),
  inside: Type.Boolean({ description: 'Scanned in and not out, on a ticket allowing re-entry' }),
  balance: Type.Union([Type.Object({ asset: Type.String(), amount: Type.String() }), Type.Null()], {
    description: "A stored-value ticket's value left after the gates' debits",
  }),
});

export const Ticket = Type.Object({
  id: Type.String(),
  number: Type.String({ description: 'The ticket ID in the credential' }),
  status: Type.Enum(['awaiting_device', 'valid', 'refunded', 'cancelled']),
  revision: Type.Integer(),
  orderId: Type.String(),
  deviceId: Type.Union([Type.String(), Type.Null()]),
  holderPhone: Type.String(),
  credential: Type.Union([Type.String(), Type.Null()], {
    description: 'The signed credential (base64url) for the bound device; the app keeps it offline',
  }),
  keyId: Type.Union([Type.String(), Type.Null()]),
  manualCode: Type.Union([
    Type.Object({ ticketNumber: Type.String(), pin: Type.String() }),
    Type.Null(),
  ]),
  event: Type.Object({
    id: Type.String(),
    name: Type.String(),
    organizer: Type.String(),
    venue: Type.Object({
      name: Type.String(),
      address: Type.String(),
      latitude: Type.Number(),
      longitude: Type.Number(),
      timeZone: VenueTimeZone,
    }),
  }),
  performance: Type.Object({
    id: Type.String(),
    code: Type.String(),
    startsAt: Type.String(),
    doorsAt: Type.String(),
    endsAt: Type.String(),
    status: Type.String(),
  }),
  category: Type.String(),
  seat: Type.Union([
    Type.Object({ section: Type.String(), row: Type.String(), number: Type.String() }),
    Type.Null(),
  ]),
  entitlement: Type.Object({
    kind: Type.String(),
    entriesAllowed: Type.Integer(),
    reentryAllowed: Type.Boolean(),
    validFrom: Type.String(),
    validUntil: Type.String(),
    storedValue: Type.Union([
      Type.Object({ asset: Type.String(), amount: Type.String() }),
      Type.Null(),
    ]),
  }),
  price: Type.Object({ asset: Type.String(), amount: Type.String() }),
  usage: TicketUsage,
});
