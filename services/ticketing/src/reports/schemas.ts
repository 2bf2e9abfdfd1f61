/**
 * The reports' bodies: an event's sales, its attendees, and a performance's gate reconciliation
 * report with the terminals' standing at the close.
 */
import { Type } from 'typebox';
import { Nullable } from '../schemas.ts';
import { gateBucketMs, reportListMax } from './gate/report.ts';
export const Scan = Type.Object({
  admissionId: Type.String(),
  at: Type.String({ description: "When the terminal scanned (the terminal's clock)" }),
  recordedAt: Type.String({ description: 'When the server recorded it' }),
  gate: Type.String(),
  terminalId: Type.String(),
  terminalName: Nullable(Type.String()),
  source: Type.String({ description: 'online, or offline (uploaded later)' }),
  direction: Type.String(),
  latitude: Nullable(Type.Number()),
  longitude: Nullable(Type.Number()),
  accuracyM: Nullable(Type.Number()),
});

export const TerminalStanding = Type.Object({
  id: Type.String(),
  name: Type.String(),
  gate: Type.String(),
  lastSeenAt: Nullable(Type.String()),
  revokedAt: Nullable(Type.String()),
  pendingUploads: Type.Integer(),
  outstanding: Nullable(
    Type.String({
      description:
        'pending_uploads (it said it holds unsent admissions), not_seen_since_close, or revoked_with_unsent (revoked while it said it held some: they cannot come); null: delivered',
    }),
  ),
});

export const AssetLine = Type.Object({
  asset: Type.String(),
  paid: Type.String({ description: 'Orders the exchange confirmed paid, whole units' }),
  orders: Type.Integer(),
  refunded: Type.String({ description: 'Refunds the exchange confirmed' }),
  refundsPending: Type.String({ description: 'Refunds owed, not confirmed yet (pending, failed)' }),
  net: Type.String({ description: 'paid - refunded - refundsPending' }),
});

export const GateReport = Type.Object({
  performance: Type.Object({
    id: Type.String(),
    code: Type.String(),
    eventId: Type.String(),
    eventName: Type.String(),
    status: Type.String(),
    doorsAt: Type.String(),
    startsAt: Type.String(),
    endsAt: Type.String(),
    closedAt: Nullable(Type.String()),
    closedBy: Nullable(
      Type.String({ description: "Who closed it: the staff member's masked phone, or operator" }),
    ),
    closeReason: Nullable(Type.String({ description: 'The reason given at the close' })),
    forcedAt: Nullable(
      Type.String({ description: 'When a close was forced while terminals were outstanding' }),
    ),
    forcedBy: Nullable(Type.String()),
    forcedReason: Nullable(
      Type.String({ description: 'Why: the report may miss what those terminals held' }),
    ),
    venue: Type.Object({
      id: Type.String(),
      name: Type.String(),
      latitude: Type.Number(),
      longitude: Type.Number(),
      radiusM: Type.Number(),
    }),
  }),
  generatedAt: Type.String(),
  tickets: Type.Object({
    sold: Type.Integer({ description: 'Valid tickets and tickets awaiting their device' }),
    admitted: Type.Integer({ description: 'Distinct tickets with at least one entry' }),
    noShows: Type.Integer({ description: 'Sold tickets never admitted' }),
  }),
  admissions: Type.Object({
    entries: Type.Integer(),
    exits: Type.Integer(),
    online: Type.Integer(),
    offline: Type.Integer(),
    duplicates: Type.Integer(),
    outsideVenue: Type.Integer(),
    revokedRevisions: Type.Integer({
      description: 'Offline admissions of a revision revoked before the scan (an old holder)',
    }),
  }),
  refusals: Type.Array(Type.Object({ reason: Type.String(), count: Type.Integer() }), {
    description: 'Scans the gates refused, by reason (from the audit log)',
  }),
  duplicates: Type.Object({
    total: Type.Integer(),
    listed: Type.Array(
      Type.Object({
        ticketId: Type.String(),
        ticketNumber: Type.String(),
        category: Type.String(),
        seat: Nullable(Type.String()),
        first: Nullable(Scan),
        duplicate: Scan,
      }),
      { description: `At most ${reportListMax}, oldest first` },
    ),
  }),
  outsideVenue: Type.Object({
    total: Type.Integer(),
    listed: Type.Array(
      Type.Object({
        ticketId: Type.String(),
        ticketNumber: Type.String(),
        ...Scan.properties,
        distanceM: Nullable(Type.Number({ description: 'From the venue, metres' })),
      }),
      { description: `At most ${reportListMax}, oldest first` },
    ),
  }),
  gates: Type.Array(
    Type.Object({
      gate: Type.String(),
      periodStart: Type.String(),
      entries: Type.Integer(),
      exits: Type.Integer(),
      duplicates: Type.Integer(),
    }),
    { description: `Admissions per gate per ${gateBucketMs / 60_000} minutes, UTC-aligned` },
  ),
  revenue: Type.Array(AssetLine),
  exchange: Type.Object(
    {
      status: Type.String({
        description:
          'checked; incomplete (too many requests to read back); unavailable (the exchange did not answer: the figures above stand alone)',
      }),
      revenue: Type.Array(
        Type.Object({
          asset: Type.String(),
          paid: Type.String(),
          requests: Type.Integer(),
          refunded: Type.String(),
          net: Type.String(),
        }),
      ),
      missing: Type.Array(Type.Object({ requestId: Type.String(), orderId: Type.String() }), {
        description: 'Orders paid here whose payment request the exchange does not list',
      }),
      mismatched: Type.Array(
        Type.Object({ requestId: Type.String(), orderId: Type.String(), problem: Type.String() }),
      ),
    },
    {
      description:
        "Revenue read back from the exchange's payment requests of this performance's orders, to reconcile with `revenue`",
    },
  ),
  storedValueRefunds: Type.Array(
    Type.Object({
      asset: Type.String(),
      amount: Type.String(),
      count: Type.Integer(),
      done: Type.Integer({ description: 'Of which the exchange confirmed' }),
    }),
  ),
  terminals: Type.Array(TerminalStanding),
});

const AssetAmount = Type.Object({
  asset: Type.String(),
  amount: Type.String({ description: 'Whole units of the asset, e.g. "52.5"' }),
  count: Type.Integer({ description: 'Tickets (or refunds) the amount is made of' }),
});

const inventoryFields = {
  capacity: Type.Integer(),
  available: Type.Integer(),
  held: Type.Integer({ description: 'In holds and unpaid orders' }),
  sold: Type.Integer(),
  blocked: Type.Integer({ description: 'Seats taken off sale' }),
  tickets: Type.Integer({ description: 'Valid tickets and tickets awaiting their device' }),
  revenue: Type.Array(AssetAmount, {
    description:
      "Sum of those tickets' prices per asset they were paid in (refunded and cancelled tickets excluded)",
  }),
};

export const SalesReport = Type.Object({
  eventId: Type.String(),
  slug: Type.String(),
  name: Type.String(),
  status: Type.String(),
  generatedAt: Type.String(),
  performances: Type.Array(
    Type.Object({
      id: Type.String(),
      code: Type.String(),
      startsAt: Type.String(),
      status: Type.String(),
      categories: Type.Array(
        Type.Object({
          id: Type.String(),
          name: Type.String(),
          seating: Type.String(),
          price: Type.Object({ asset: Type.String(), amount: Type.String() }),
          ...inventoryFields,
        }),
      ),
      totals: Type.Object(inventoryFields),
    }),
  ),
  totals: Type.Object(inventoryFields),
  orders: Type.Array(Type.Object({ status: Type.String(), count: Type.Integer() }), {
    description:
      'Orders by status: creating, awaiting_payment, issued, expired, cancelled, refunded',
  }),
  refunds: Type.Array(
    Type.Object({
      status: Type.String({ description: 'pending, done or failed' }),
      count: Type.Integer(),
      amounts: Type.Array(AssetAmount),
    }),
  ),
});

export const Attendee = Type.Object({
  ticketId: Type.String(),
  performanceId: Type.String(),
  performanceCode: Type.String(),
  performanceStart: Type.String(),
  category: Type.String(),
  section: Nullable(Type.String()),
  row: Nullable(Type.String()),
  seat: Nullable(Type.String()),
  area: Nullable(Type.String({ description: 'General admission: the area instead of a seat' })),
  ticketNumber: Type.String(),
  holderPhone: Type.String(),
  holderFirstName: Nullable(Type.String()),
  status: Type.String({
    description: 'valid, or awaiting_device (sent to a phone not claimed yet)',
  }),
  revision: Type.Integer(),
  orderId: Type.String(),
  price: Type.String(),
  asset: Type.String(),
});

export const CloseBody = Type.Optional(
  Type.Object(
    {
      force: Type.Optional(
        Type.Boolean({
          description:
            'Refund stored-value remainders even while terminals are outstanding (needs a reason then)',
        }),
      ),
      reason: Type.Optional(
        Type.String({
          minLength: 1,
          maxLength: 500,
          description: 'Why (trimmed); required to force while terminals are outstanding',
        }),
      ),
    },
    { additionalProperties: false },
  ),
);

export const Closed = Type.Object({
  performanceId: Type.String(),
  status: Type.Literal('closed'),
  closedAt: Type.String(),
  closedBy: Nullable(Type.String({ description: "Staff member's masked phone, or operator" })),
  forcedReason: Nullable(Type.String()),
  terminalsOutstanding: Type.Array(TerminalStanding),
  terminalsLost: Type.Array(TerminalStanding, {
    description:
      'Revoked while they said they held unsent admissions: those are missing from the report for good',
  }),
  storedValue: Type.Object({
    refunds: Type.String({ description: 'queued, or waiting_for_terminals' }),
    queuedNow: Type.Integer({ description: 'Refunds this call queued' }),
  }),
  report: GateReport,
});

const Amount = Type.Object({
  asset: Type.String(),
  amount: Type.String({ description: 'Whole units of the asset' }),
});

export const OrderTicket = Type.Object({
  id: Type.String(),
  number: Type.String({ description: 'The 10-digit ticket number of the manual code' }),
  category: Type.String(),
  seat: Nullable(
    Type.Object({ section: Type.String(), row: Type.String(), number: Type.String() }),
  ),
  area: Nullable(Type.String({ description: 'General admission: the area instead of a seat' })),
  status: Type.String({
    description:
      'valid, awaiting_device (sent to a phone not claimed yet), refunded or cancelled (with its performance)',
  }),
  holderPhone: Type.String(),
  price: Amount,
  usage: Type.Object(
    {
      state: Type.String({ description: 'unused, inside, partly_used or used_up' }),
      entriesUsed: Type.Integer(),
      entriesLeft: Nullable(Type.Integer()),
      firstEntryAt: Nullable(Type.String()),
      lastEntryAt: Nullable(Type.String()),
      lastExitAt: Nullable(Type.String()),
      inside: Type.Boolean(),
      balance: Nullable(Amount),
    },
    { description: "What the gates have used of it, as the holder's ticket view says" },
  ),
  refund: Nullable(
    Type.Object(
      {
        id: Type.String(),
        status: Type.String({ description: 'pending, done or failed' }),
        ...Amount.properties,
        reason: Type.String(),
        createdAt: Type.String(),
        doneAt: Nullable(Type.String()),
      },
      { description: "The ticket's newest refund" },
    ),
  ),
});

export const EventOrder = Type.Object({
  id: Type.String(),
  performanceId: Type.String(),
  status: Type.String({
    description: 'creating, awaiting_payment, issued, expired, cancelled or refunded',
  }),
  createdAt: Type.String(),
  paidAt: Nullable(Type.String()),
  buyerPhone: Type.String(),
  buyerFirstName: Nullable(Type.String()),
  total: Amount,
  fiatTotal: Nullable(
    Type.String({ description: 'For a category priced in KRW: the KRW total it was sold for' }),
  ),
  tickets: Type.Array(OrderTicket),
});

/** An event's sales over time (timeline.ts). */
export const SalesTimeline = Type.Object({
  salesOpenedAt: Nullable(Type.String({ description: 'The first paid order; null before any' })),
  from: Type.String(),
  to: Type.String(),
  stepS: Type.Integer(),
  points: Type.Array(
    Type.Object({
      at: Type.String({ description: "The bucket's start" }),
      tickets: Type.Integer({ description: 'Live tickets sold in the bucket' }),
      orders: Type.Integer({ description: 'Orders paid in the bucket that hold them' }),
      refunds: Type.Integer({ description: 'Tickets refunded in the bucket' }),
      revenue: Type.Array(Type.Object({ asset: Type.String(), amount: Type.String() }), {
        description: "The tickets' prices per asset paid",
      }),
    }),
    { description: 'Oldest first; buckets with nothing in them are left out' },
  ),
});
