/**
 * The SQL of the terminals' register (units 112 and 416): one-time enrolment codes (only their
 * SHA-256 is stored), the terminals they enrolled, and what an enrolment may name (the
 * organizer's venues and performances).
 */
import type { Trx } from '../context.ts';
import type { TerminalEnrolmentsTable, TerminalsTable } from '../db/schema.ts';
import { storedIdList } from '../db/stored-json.ts';

/** A gate terminal as the register holds it (its credential only as a hash). */
export interface TerminalRecord {
  readonly id: string;
  readonly organizerId: string;
  readonly venueId: string;
  readonly gate: string;
  readonly name: string;
  readonly performanceIds: readonly string[];
  readonly tokenHash: string;
  readonly enrolledAt: number;
  readonly revokedAt: number | null;
  readonly lastSeenAt: number | null;
  readonly pendingUploads: number;
  readonly device: string | null;
  readonly appVersion: string | null;
  readonly lastFix: GpsFix | null;
}

/** A terminal's GPS fix: where it was, how sure, and when (its clock, ms). */
export interface GpsFix {
  readonly latitude: number;
  readonly longitude: number;
  readonly accuracyM: number | null;
  readonly at: number;
}

/** What a terminal says it is and where it was last (terminals/details.ts). */
export interface TerminalDetails {
  readonly device: string | null;
  readonly appVersion: string | null;
  readonly fix: GpsFix | null;
}

/** An enrolment code that was just used: what it enrols the terminal for. */
export interface UsedEnrolment {
  readonly organizerId: string;
  readonly venueId: string;
  readonly gate: string;
  readonly performanceIds: readonly string[];
}

function terminalOf(row: TerminalsTable): TerminalRecord {
  return {
    id: row.id,
    organizerId: row.organizer_id,
    venueId: row.venue_id,
    gate: row.gate,
    name: row.name,
    performanceIds: storedIdList(row.performance_ids, 'terminals.performance_ids'),
    tokenHash: row.token_hash,
    enrolledAt: row.enrolled_at,
    revokedAt: row.revoked_at,
    lastSeenAt: row.last_seen_at,
    pendingUploads: Number(row.pending_uploads),
    device: row.device,
    appVersion: row.app_version,
    lastFix: fixOf(row),
  };
}

function fixOf(row: TerminalsTable): GpsFix | null {
  if (row.last_latitude === null || row.last_longitude === null || row.last_fix_at === null) {
    return null;
  }
  return {
    latitude: Number(row.last_latitude),
    longitude: Number(row.last_longitude),
    accuracyM: row.last_accuracy_m === null ? null : Number(row.last_accuracy_m),
    at: Number(row.last_fix_at),
  };
}

// ---------------------------------------------------------------------------------------------
// Enrolment

export async function venueOfOrganizerExists(
  db: Trx,
  organizerId: string,
  venueId: string,
): Promise<boolean> {
  const venue = await db
    .selectFrom('venues')
    .select('id')
    .where('id', '=', venueId)
    .where('organizer_id', '=', organizerId)
    .executeTakeFirst();
  return venue !== undefined;
}

/** Which of `performanceIds` are the organizer's at this venue. */
export async function performancesOfOrganizerAtVenue(
  db: Trx,
  organizerId: string,
  venueId: string,
  performanceIds: readonly string[],
): Promise<string[]> {
  const found = await db
    .selectFrom('performances as p')
    .innerJoin('events as e', 'e.id', 'p.event_id')
    .select('p.id')
    .where('p.id', 'in', performanceIds)
    .where('e.organizer_id', '=', organizerId)
    .where('e.venue_id', '=', venueId)
    .execute();
  return found.map((row) => row.id);
}

export async function insertEnrolment(
  db: Trx,
  enrolment: Omit<TerminalEnrolmentsTable, 'performance_ids'> & {
    performance_ids: readonly string[];
  },
): Promise<void> {
  await db
    .insertInto('terminal_enrolments')
    .values({ ...enrolment, performance_ids: JSON.stringify(enrolment.performance_ids) })
    .execute();
}

/**
 * Marks the enrolment whose code hashes to `codeHash` used by `terminalId`, if it is neither
 * used nor expired at `now`: one statement, so a code enrols one terminal however many race.
 */
export async function useEnrolmentCode(
  trx: Trx,
  codeHash: string,
  terminalId: string,
  now: number,
): Promise<UsedEnrolment | undefined> {
  const used = await trx
    .updateTable('terminal_enrolments')
    .set({ used_at: now, terminal_id: terminalId })
    .where('code_hash', '=', codeHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returningAll()
    .executeTakeFirst();
  if (!used) return undefined;
  return {
    organizerId: used.organizer_id,
    venueId: used.venue_id,
    gate: used.gate,
    performanceIds: storedIdList(used.performance_ids, 'terminal_enrolments.performance_ids'),
  };
}

// ---------------------------------------------------------------------------------------------
// The register

export async function insertTerminal(trx: Trx, terminal: TerminalRecord): Promise<void> {
  await trx
    .insertInto('terminals')
    .values({
      id: terminal.id,
      organizer_id: terminal.organizerId,
      venue_id: terminal.venueId,
      gate: terminal.gate,
      name: terminal.name,
      performance_ids: JSON.stringify(terminal.performanceIds),
      token_hash: terminal.tokenHash,
      enrolled_at: terminal.enrolledAt,
      revoked_at: terminal.revokedAt,
      last_seen_at: terminal.lastSeenAt,
      pending_uploads: terminal.pendingUploads,
      device: terminal.device,
      app_version: terminal.appVersion,
      last_latitude: terminal.lastFix?.latitude ?? null,
      last_longitude: terminal.lastFix?.longitude ?? null,
      last_accuracy_m: terminal.lastFix?.accuracyM ?? null,
      last_fix_at: terminal.lastFix?.at ?? null,
    })
    .execute();
}

export async function terminalOfOrganizer(
  db: Trx,
  organizerId: string,
  terminalId: string,
): Promise<TerminalRecord | undefined> {
  const row = await db
    .selectFrom('terminals')
    .selectAll()
    .where('id', '=', terminalId)
    .where('organizer_id', '=', organizerId)
    .executeTakeFirst();
  return row && terminalOf(row);
}

/** The organizer's terminals, revoked ones included, in the order they were enrolled. */
export async function terminalsOfOrganizer(
  db: Trx,
  organizerId: string,
): Promise<TerminalRecord[]> {
  const rows = await db
    .selectFrom('terminals')
    .selectAll()
    .where('organizer_id', '=', organizerId)
    .orderBy('enrolled_at')
    .execute();
  return rows.map(terminalOf);
}

export async function updateTerminalName(db: Trx, terminalId: string, name: string) {
  await db.updateTable('terminals').set({ name }).where('id', '=', terminalId).execute();
}

/** Revokes the terminal unless it already was. */
export async function markTerminalRevoked(db: Trx, terminalId: string, now: number) {
  await db
    .updateTable('terminals')
    .set({ revoked_at: now })
    .where('id', '=', terminalId)
    .where('revoked_at', 'is', null)
    .execute();
}

/**
 * Stores what the terminal said of itself: its device and app version when it said them, its
 * GPS fix when it sent one (never replaced by an older fix).
 */
export async function updateTerminalDetails(db: Trx, terminalId: string, details: TerminalDetails) {
  const fix = details.fix;
  await db
    .updateTable('terminals')
    .set({
      ...(details.device !== null ? { device: details.device } : {}),
      ...(details.appVersion !== null ? { app_version: details.appVersion } : {}),
      ...(fix
        ? {
            last_latitude: fix.latitude,
            last_longitude: fix.longitude,
            last_accuracy_m: fix.accuracyM,
            last_fix_at: fix.at,
          }
        : {}),
    })
    .where('id', '=', terminalId)
    .execute();
}

/** The terminal's venue geofence: its centre and radius. */
export async function venueGeofencesOf(
  db: Trx,
  venueIds: readonly string[],
): Promise<Map<string, { latitude: number; longitude: number; radiusM: number }>> {
  if (venueIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('venues')
    .select(['id', 'latitude', 'longitude', 'radius_m'])
    .where('id', 'in', venueIds)
    .execute();
  return new Map(
    rows.map((row) => [
      row.id,
      {
        latitude: Number(row.latitude),
        longitude: Number(row.longitude),
        radiusM: Number(row.radius_m),
      },
    ]),
  );
}
