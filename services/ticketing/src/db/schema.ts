/**
 * The ticketing server's tables as Kysely sees them (patent unit 108, the ticket DB, and its
 * neighbours). Times are integer milliseconds from the injected clock; amounts are decimal
 * strings of the smallest unit in and out of the database (numeric on PostgreSQL, text on
 * SQLite) and bigint in code.
 */

import type { TicketKind } from '@tessera/protocol';
import type { PhoneCodesTable } from '@tessera/service-kit/phone-codes';
import type { RateLimitsTable } from '@tessera/service-kit/rate-limit';
import type { Generated } from 'kysely';

export type { PhoneCodesTable };

export interface UsersTable {
  id: string;
  /** Verified E.164 number; a row may exist before its first sign-in (staff added by phone). */
  phone: string;
  /** Shown to the gate person on admission ("holder's first name, if given"). */
  first_name: string | null;
  created_at: number;
  /** Set at the first sign-in with a code. */
  verified_at: number | null;
}

export interface SessionsTable {
  token_hash: string;
  user_id: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
}

export interface DevicesTable {
  id: string;
  user_id: string;
  /** Raw Ed25519 public key, base64url (43 characters). */
  public_key: string;
  label: string;
  created_at: number;
  revoked_at: number | null;
}

export interface OrganizersTable {
  id: string;
  name: string;
  /** HMAC key behind the phone tags in this organizer's credentials, sealed at rest. */
  phone_tag_secret: string;
  created_at: number;
}

export interface OrganizerKeysTable {
  id: string;
  organizer_id: string;
  public_key: string;
  /** Hex of the 4-byte key id the credential carries. */
  key_id: string;
  /** The 32-byte Ed25519 seed, sealed at rest under the server's secret key. */
  seed: string;
  status: 'active' | 'retired';
  created_at: number;
  retired_at: number | null;
}

export type StaffRole = 'owner' | 'manager' | 'box_office' | 'gate';

export interface StaffTable {
  organizer_id: string;
  user_id: string;
  role: StaffRole;
  created_at: number;
}

/** Unit 114: the organizer's merchant account at the exchange. */
export interface WalletLinksTable {
  organizer_id: string;
  merchant_id: string;
  merchant_name: string;
  /** The merchant API key, sealed at rest. */
  api_key: string;
  /** The exchange's webhook signing secret for this merchant, sealed at rest. */
  webhook_secret: string;
  linked_at: number;
}

export interface VenuesTable {
  id: string;
  organizer_id: string;
  name: string;
  address: string;
  latitude: number;
  longitude: number;
  radius_m: number;
  /** IANA time zone of the venue ("Asia/Seoul"): performances are shown in its local time. */
  time_zone: string;
  created_at: number;
}

export interface SeatsTable {
  id: string;
  venue_id: string;
  section: string;
  row_label: string;
  number: string;
  /** Order of the row in its section and of the seat in its row: adjacency for "together". */
  row_index: number;
  seat_index: number;
  x: number | null;
  y: number | null;
  accessible: number;
}

export interface AreasTable {
  id: string;
  venue_id: string;
  name: string;
  capacity: number;
}

export interface EventsTable {
  id: string;
  organizer_id: string;
  venue_id: string;
  /** The organizer's own key for the event (files from the command line update by it). */
  slug: string;
  name: string;
  description: string;
  status: 'draft' | 'published' | 'cancelled';
  per_order_limit: number;
  per_buyer_limit: number;
  /** 'none', or 'until_start': buyers may ask for a refund until `refund_cutoff_s` before start. */
  refund_policy: 'none' | 'until_start';
  refund_cutoff_s: number;
  created_at: number;
  updated_at: number;
}

export interface PerformancesTable {
  id: string;
  event_id: string;
  /** The short event ID the credential carries (claim 8): 6 characters, unique on the server. */
  code: string;
  starts_at: number;
  ends_at: number;
  doors_at: number;
  sales_start: number;
  sales_end: number;
  status: 'scheduled' | 'cancelled' | 'closed';
  created_at: number;
  /** When staff closed it after the event (the reconciliation report's moment). */
  closed_at: number | null;
  /** Who closed it: a staff member's masked phone, or `operator` (0009). */
  closed_by: string | null;
  close_reason: string | null;
  /** A close forced while terminals were outstanding: when, by whom and why (0009). */
  forced_at: number | null;
  forced_by: string | null;
  forced_reason: string | null;
}

export interface CategoriesTable {
  id: string;
  event_id: string;
  name: string;
  sort_order: number;
  /** 'fiat': priced in the exchange's fiat currency, converted by a quote at order time. */
  pricing: 'fiat' | 'crypto';
  price_asset: string;
  price_amount: string;
  /** Seated categories own seats per event; a GA category draws from one area's quota. */
  seating: 'seated' | 'ga';
  area_id: string | null;
  /** Units of the GA quota this category may sell (at most the area's capacity). */
  quota: number | null;
  kind: TicketKind;
  entries_allowed: number;
  reentry_allowed: number;
  /** Absolute admission window; null: the performance's doors to its end. */
  valid_from: number | null;
  valid_until: number | null;
  /** Stored value in the smallest unit of `stored_value_asset`. */
  stored_value: string;
  stored_value_asset: string | null;
  /** Organizer-defined bytes for the credential's reserved area (claim 8), hex, at most 4. */
  reserved_hex: string;
}

export interface CategorySeatsTable {
  event_id: string;
  seat_id: string;
  category_id: string;
}

export type SeatStatus = 'available' | 'held' | 'sold' | 'blocked';

export interface InventorySeatsTable {
  performance_id: string;
  seat_id: string;
  category_id: string;
  status: SeatStatus;
  hold_id: string | null;
  ticket_id: string | null;
}

export interface InventoryQuotasTable {
  performance_id: string;
  category_id: string;
  capacity: number;
  held: number;
  sold: number;
}

export interface HoldsTable {
  id: string;
  performance_id: string;
  event_id: string;
  user_id: string;
  status: 'active' | 'ordered' | 'released' | 'converted';
  quantity: number;
  expires_at: number;
  created_at: number;
  released_at: number | null;
}

export interface HoldItemsTable {
  hold_id: string;
  line_no: number;
  category_id: string;
  seat_id: string | null;
}

/** Tickets held or sold per buyer and event, so the per-buyer limit holds under concurrency. */
export interface BuyerCountsTable {
  event_id: string;
  user_id: string;
  count: number;
}

/**
 * What one buyer holds unpaid of one performance, and the cool-down after holds that ran out
 * unpaid or were let go repeatedly (docs/ticketing.md, "Hold limits").
 */
export interface HoldLimitsTable {
  performance_id: string;
  user_id: string;
  /** Tickets in the buyer's active and ordered (unpaid) holds of the performance. */
  held: number;
  /** Holds let go one after another, each within a cool-down of the one before. */
  releases: number;
  released_at: number | null;
  /** No new hold of this performance before this moment (ms; 0 when none). */
  blocked_until: number;
}

export type OrderStatus =
  | 'creating'
  | 'awaiting_payment'
  | 'issued'
  | 'expired'
  | 'cancelled'
  | 'refunded';

export interface OrdersTable {
  id: string;
  user_id: string;
  organizer_id: string;
  event_id: string;
  performance_id: string;
  hold_id: string;
  status: OrderStatus;
  asset: string;
  amount: string;
  /** For fiat-priced categories: the fiat total and the exchange quote that converted it. */
  fiat_amount: string | null;
  quote_id: string | null;
  payment_request_id: string | null;
  pay_expires_at: number;
  /** The device the tickets bind to; null when delivered to another phone number. */
  device_id: string | null;
  deliver_to_phone: string;
  return_url: string | null;
  failure: string | null;
  created_at: number;
  paid_at: number | null;
  issued_at: number | null;
  updated_at: number;
  /** Sold at the gate (unit 404): the tickets are admitted there as soon as they are issued. */
  door_sale_id: string | null;
}

export interface OrderLinesTable {
  order_id: string;
  line_no: number;
  category_id: string;
  seat_id: string | null;
  /** This line's share of the order amount, in the order's asset (what a refund returns). */
  amount: string;
}

export type TicketStatus = 'awaiting_device' | 'valid' | 'refunded' | 'cancelled';

export interface TicketsTable {
  id: string;
  /** The ticket ID the credential carries (claim 8): 8 characters, unique per performance. */
  number: string;
  order_id: string;
  line_no: number;
  organizer_id: string;
  event_id: string;
  performance_id: string;
  category_id: string;
  seat_id: string | null;
  asset: string;
  amount: string;
  holder_user_id: string | null;
  holder_phone: string;
  device_id: string | null;
  revision: number;
  status: TicketStatus;
  /** The signed credential (claim 9), base64url; null until bound to a device. */
  credential: string | null;
  key_id: string | null;
  /** Seed 001's manual code: a 10-digit ticket number and a PIN sealed at rest. */
  manual_number: string;
  pin: string;
  created_at: number;
  updated_at: number;
}

/** Append-only: every revision of a ticket that stopped being valid, for terminals to sync. */
export interface RevocationsTable {
  seq: Generated<number>;
  performance_id: string;
  performance_code: string;
  ticket_number: string;
  through_revision: number;
  reason: 'transferred' | 'reissued' | 'refunded' | 'cancelled';
  created_at: number;
}

export interface TransfersTable {
  id: string;
  ticket_id: string;
  from_user_id: string;
  to_phone: string;
  status: 'pending' | 'accepted' | 'cancelled';
  to_user_id: string | null;
  created_at: number;
  decided_at: number | null;
}

/** Refunds owed through the exchange; a worker sends them until the exchange confirms. */
export interface RefundsTable {
  id: string;
  order_id: string;
  ticket_id: string | null;
  payment_request_id: string;
  organizer_id: string;
  asset: string;
  amount: string;
  reason: string;
  status: 'pending' | 'done' | 'failed';
  attempts: number;
  last_error: string | null;
  next_attempt_at: number;
  created_at: number;
  done_at: number | null;
}

/** Exchange webhook events already handled: deliveries are at least once. */
export interface WebhookEventsTable {
  event_id: string;
  type: string;
  received_at: number;
}

export interface IdempotencyKeysTable {
  principal: string;
  key: string;
  request_hash: string;
  status_code: number;
  response: string;
  created_at: number;
}

export interface TicketingDB {
  users: UsersTable;
  phone_codes: PhoneCodesTable;
  /** Rate-limit buckets shared by every instance (migration rate_limits). */
  rate_limits: RateLimitsTable;
  sessions: SessionsTable;
  devices: DevicesTable;
  organizers: OrganizersTable;
  organizer_keys: OrganizerKeysTable;
  staff: StaffTable;
  wallet_links: WalletLinksTable;
  venues: VenuesTable;
  seats: SeatsTable;
  areas: AreasTable;
  events: EventsTable;
  performances: PerformancesTable;
  categories: CategoriesTable;
  category_seats: CategorySeatsTable;
  inventory_seats: InventorySeatsTable;
  inventory_quotas: InventoryQuotasTable;
  holds: HoldsTable;
  hold_items: HoldItemsTable;
  buyer_counts: BuyerCountsTable;
  hold_limits: HoldLimitsTable;
  orders: OrdersTable;
  order_lines: OrderLinesTable;
  tickets: TicketsTable;
  revocations: RevocationsTable;
  transfers: TransfersTable;
  refunds: RefundsTable;
  webhook_events: WebhookEventsTable;
  idempotency_keys: IdempotencyKeysTable;
  terminal_enrolments: TerminalEnrolmentsTable;
  terminals: TerminalsTable;
  admissions: AdmissionsTable;
  gate_decisions: GateDecisionsTable;
  manual_code_records: ManualCodeRecordsTable;
  door_sales: DoorSalesTable;
  door_sale_settings: DoorSaleSettingsTable;
}

/** A sale at the gate (unit 404), offered by a terminal and claimed by a buyer's app. */
export interface DoorSalesTable {
  id: string;
  organizer_id: string;
  terminal_id: string;
  performance_id: string;
  category_id: string;
  quantity: number;
  /**
   * The token in the claim QR. Kept as it is (not hashed) so the terminal can show the QR again
   * after a reload: it is on a public screen anyway, and claiming only lets someone pay.
   */
  claim_token: string;
  status: 'open' | 'claimed' | 'admitted' | 'cancelled';
  created_at: number;
  expires_at: number;
  claimed_by: string | null;
  hold_id: string | null;
  order_id: string | null;
  admitted_at: number | null;
}

/** What the gates may sell of a performance (issue 20 item 5); no row: every category, on. */
export interface DoorSaleSettingsTable {
  performance_id: string;
  enabled: number;
  /** JSON array of category ids; null: every category of the event. */
  category_ids: string | null;
  max_per_sale: number;
  updated_by: string;
  updated_at: number;
}

/** A one-time code that enrols a terminal (unit 416) for a gate of a venue. */
export interface TerminalEnrolmentsTable {
  id: string;
  organizer_id: string;
  venue_id: string;
  gate: string;
  /** JSON array of the performance ids the terminal will admit to. */
  performance_ids: string;
  code_hash: string;
  created_by: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  terminal_id: string | null;
}

/** An enrolled gate terminal (unit 112 keeps these); its bearer token is stored as a hash. */
export interface TerminalsTable {
  id: string;
  organizer_id: string;
  venue_id: string;
  gate: string;
  name: string;
  performance_ids: string;
  token_hash: string;
  enrolled_at: number;
  revoked_at: number | null;
  last_seen_at: number | null;
  /** Admissions the terminal said it still holds unsent, at its last contact. */
  pending_uploads: number;
  /** What the terminal says it is, from its requests' headers (0009; terminals/details.ts). */
  device: string | null;
  app_version: string | null;
  /** Its last GPS fix, from the `Tessera-Position` header (0009). */
  last_latitude: number | null;
  last_longitude: number | null;
  last_accuracy_m: number | null;
  last_fix_at: number | null;
}

export interface AdmissionsTable {
  seq: Generated<number>;
  id: string;
  performance_id: string;
  ticket_id: string;
  revision: number;
  terminal_id: string;
  gate: string;
  direction: 'entry' | 'exit';
  /** Value debited from a stored-value ticket, in its units ("0" otherwise). */
  debit: string;
  /** When the terminal scanned (its clock). */
  scanned_at: number;
  recorded_at: number;
  /** The barcode's own time (seconds), so the same barcode shown twice is recognised. */
  presentation_time: number | null;
  latitude: number | null;
  longitude: number | null;
  accuracy_m: number | null;
  source: 'online' | 'offline';
  /** The terminal's id for an offline admission: an upload sent twice is recorded once. */
  nonce: string | null;
  /** 1 when the ticket's entitlement was already used up: both scans are kept. */
  duplicate: number;
  outside_venue: number;
  /** 1: an offline scan of a revision that had already been revoked (see uploadAdmissions). */
  revoked_revision: Generated<number>;
  /**
   * The admission's place in its ticket's history (0, 1, 2, …), unique per ticket: a write that
   * was decided on an older history finds its slot taken.
   */
  slot: number;
}

/** Append-only: every decision a gate made or the server made for a gate. */
export interface GateDecisionsTable {
  seq: Generated<number>;
  terminal_id: string;
  performance_id: string | null;
  ticket_number: string | null;
  input: 'barcode' | 'manual' | 'upload' | 'door_sale';
  admitted: number;
  reason: string;
  detail: string;
  admission_id: string | null;
  scanned_at: number;
  recorded_at: number;
}

export interface ManualCodeRecordsTable {
  ticket_id: string;
  revision: number;
  salt: string;
  iterations: number;
  pin_hash: string;
  created_at: number;
}
