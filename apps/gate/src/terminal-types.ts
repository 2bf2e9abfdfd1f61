/**
 * The shapes the gate terminal (terminal.ts) and its screens share: the enrolment's credential
 * (unit 416), one read's decision as the screen shows it, the admission log's entries, and the
 * snapshot the screens render.
 */
import type { EventPackage, PackagePerformance, Position, Venue } from './api.ts';

export type Mode = 'online' | 'offline';
export type Direction = 'entry' | 'exit';
export type InputKind = 'camera' | 'scanner' | 'manual';

/** What was read: a barcode (camera or scanner), or a ticket number and PIN typed in. */
export type TicketRead = { barcode: string } | { ticketNumber: string; pin: string };

export interface Credential {
  token: string;
  terminal: { id: string; name: string; gate: string };
  enrolledAt: string;
}

/** The small part of the package that comes whole every time. */
export interface PackageHeader {
  venue: Venue;
  keys: EventPackage['keys'];
  performances: PackagePerformance[];
  manualCodesComplete: boolean;
  terminal: { id: string; name: string; gate: string };
}

/** One decision of this terminal, as logged on the device. */
export interface LogEntry {
  nonce: string;
  /** Scan time, ISO. */
  at: string;
  source: Mode;
  input: InputKind;
  admitted: boolean;
  reason: string;
  detail: string;
  direction: Direction;
  performanceCode: string | null;
  ticketId: string | null;
  revision: number | null;
  presentationTimeS: number | null;
  debit: string;
  position: Position | null;
  /** 1 while an offline admission waits to be uploaded (IndexedDB cannot index booleans). */
  pending: 0 | 1;
  /** What the server said about the upload: new, already or unknown_ticket. */
  uploaded: string | null;
  flaggedDuplicate: boolean;
  seat: string | null;
  category: string | null;
}

/** What the screen shows for one ticket read. */
export interface Decision {
  admitted: boolean;
  /** valid, reentry, exit, a protocol reason, not_inside, no_reentry, rate_limited, … */
  reason: string;
  detail: string;
  source: Mode;
  direction: Direction;
  ticketId: string | null;
  /** single, multi, timed or stored_value, once the ticket is known. */
  kind: string | null;
  seat: string | null;
  category: string | null;
  holder: string | null;
  usesRemaining: number | null;
  /** Stored value left, formatted with its asset. */
  valueRemaining: string | null;
  firstAdmission: { at: string; gate: string | null } | null;
  /** For a ticket not valid yet: when it can be used (ISO), to tell the holder. */
  validFrom: string | null;
  outsideVenue: boolean;
  /** When the decision was made (ms since the epoch). */
  decidedAt: number;
}

/** A decision and the log entry that records it. */
export interface Decided {
  decision: Decision;
  entry: LogEntry;
}

export interface GateCounter {
  gate: string;
  entries: number;
  exits: number;
}

export interface Snapshot {
  booted: boolean;
  credential: Credential | undefined;
  mode: Mode;
  venue: Venue | undefined;
  performances: PackagePerformance[];
  lastSyncAt: string | null;
  syncError: string | null;
  pendingUploads: number;
  manualCodes: number;
  manualCodesComplete: boolean;
  counters: GateCounter[];
  position: Position | null;
  outsideVenue: boolean;
  distanceM: number | null;
  feedLive: boolean;
  recent: LogEntry[];
}
