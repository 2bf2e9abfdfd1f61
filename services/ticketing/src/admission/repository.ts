/**
 * The SQL of admission (claims 11 and 12): the ticket a gate reads with its history, the
 * admission writes and the audit log, what an upload of offline admissions reads and flags, the
 * wrong manual codes counted, the door sale admitted, and the live feed's replay. The online
 * check's statements are prepared `Statement`s written by hand: they are the benchmarked hot
 * path (two round trips per admission on PostgreSQL).
 *
 * Every function takes the executor first: the caller's transaction (`trx`) or, outside one, the
 * database (`db`).
 */

import { type Dialect, isUniqueViolation, Statement } from '@tessera/db';
import type { Selectable } from 'kysely';
import type { Trx } from '../context.ts';
import type { AdmissionsTable, GateDecisionsTable } from '../db/schema.ts';
import type { TicketTermsSource } from '../tickets/issuance.ts';

export type AdmissionRow = Selectable<AdmissionsTable>;
/** One entry of the audit log, as written. */
export type GateDecisionRow = Omit<GateDecisionsTable, 'seq'>;

// ---------------------------------------------------------------------------------------------
// The audit log

const decisionInsert = new Statement<Record<string, never>, GateDecisionRow>(
  `insert into gate_decisions (terminal_id, performance_id, ticket_number, input, admitted, reason,
     detail, admission_id, scanned_at, recorded_at) values (:terminal_id, :performance_id,
     :ticket_number, :input, :admitted, :reason, :detail, :admission_id, :scanned_at, :recorded_at)`,
  'named',
);

/** Appends one decision to the audit log. */
export async function insertGateDecision(executor: Trx, dialect: Dialect, row: GateDecisionRow) {
  await decisionInsert.run(executor, dialect, row);
}

/** Wrong manual codes recorded after the time `after`, from a terminal or for a ticket number. */
/**
 * When the latest `limit` wrong manual codes of a terminal or a ticket number since `after` were
 * recorded, newest first: how many there were (up to the limit) and, once at the limit, when the
 * oldest of them leaves the window.
 */
export async function wrongManualCodeTimes(
  db: Trx,
  column: 'terminal_id' | 'ticket_number',
  value: string,
  after: number,
  limit: number,
): Promise<number[]> {
  const rows = await db
    .selectFrom('gate_decisions')
    .select('recorded_at')
    .where(column, '=', value)
    .where('input', '=', 'manual')
    .where('reason', '=', 'wrong_code')
    .where('recorded_at', '>', after)
    .orderBy('recorded_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((row) => Number(row.recorded_at));
}

// ---------------------------------------------------------------------------------------------
// What the gate reads

/** An organizer's active public keys (base64url), for its keyring. */
export async function activePublicKeys(db: Trx, organizerId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('organizer_keys')
    .select('public_key')
    .where('organizer_id', '=', organizerId)
    .where('status', '=', 'active')
    .execute();
  return rows.map((row) => row.public_key);
}

export async function performanceCode(db: Trx, performanceId: string) {
  const row = await db
    .selectFrom('performances')
    .select('code')
    .where('id', '=', performanceId)
    .executeTakeFirst();
  return row?.code;
}

export interface VenueGeofence {
  latitude: number;
  longitude: number;
  radius_m: number;
}

export function venueGeofence(executor: Trx, venueId: string): Promise<VenueGeofence | undefined> {
  return executor
    .selectFrom('venues')
    .select(['latitude', 'longitude', 'radius_m'])
    .where('id', '=', venueId)
    .executeTakeFirst();
}

/** The ticket a manual number names, with its sealed PIN. */
export function ticketByManualNumber(db: Trx, manualNumber: string) {
  return db
    .selectFrom('tickets')
    .select(['id', 'number', 'pin', 'performance_id'])
    .where('manual_number', '=', manualNumber)
    .executeTakeFirst();
}

/** The ticket with what the gate decides on and shows: its terms' source, seat and holder. */
export interface LockedTicket extends TicketTermsSource {
  id: string;
  number: string;
  performance_id: string;
  closed_at: number | null;
  category_id: string;
  category: string;
  seat_id: string | null;
  revision: number;
  status: string;
  credential: string | null;
  holder_user_id: string | null;
  section: string | null;
  row_label: string | null;
  seat_number: string | null;
  first_name: string | null;
}

/** What a decision needs of each earlier admission. */
export type HistoryRow = Pick<
  AdmissionRow,
  | 'slot'
  | 'direction'
  | 'scanned_at'
  | 'revision'
  | 'presentation_time'
  | 'debit'
  | 'gate'
  | 'terminal_id'
  | 'latitude'
  | 'longitude'
>;

/** The ticket as the online check sees it: with its admissions, read in the same snapshot. */
export interface TicketOnRecord extends LockedTicket {
  history: HistoryRow[];
}

const ticketSelect = `select t.id, t.number, t.performance_id, p.code as performance_code,
    p.closed_at, p.doors_at, p.ends_at, t.category_id, c.name as category, c.kind,
    c.entries_allowed, c.reentry_allowed, c.valid_from, c.valid_until, c.stored_value,
    c.reserved_hex, t.seat_id, t.revision, t.status, t.credential, t.holder_user_id, s.section,
    s.row_label, s.number as seat_number, u.first_name`;
const ticketJoins = `from tickets t
  join performances p on p.id = t.performance_id
  join categories c on c.id = t.category_id
  left join seats s on s.id = t.seat_id
  left join users u on u.id = t.holder_user_id`;

const historyFields = `'slot', a.slot, 'direction', a.direction, 'scanned_at', a.scanned_at,
  'revision', a.revision, 'presentation_time', a.presentation_time, 'gate', a.gate,
  'terminal_id', a.terminal_id, 'latitude', a.latitude, 'longitude', a.longitude`;

/** The ticket a code names and its history as JSON (amounts as text), in one statement. */
const ticketWithHistory = new Statement<LockedTicket & { history: string }>({
  sqlite: `${ticketSelect}, (select json_group_array(json_object(${historyFields},
      'debit', cast(a.debit as text))) from admissions a where a.ticket_id = t.id) as history
    ${ticketJoins} where t.performance_id = ? and t.number = ?`,
  postgres: `${ticketSelect}, (select coalesce(json_agg(json_build_object(${historyFields},
      'debit', a.debit::text)), '[]')::text from admissions a where a.ticket_id = t.id) as history
    ${ticketJoins} where t.performance_id = ? and t.number = ?`,
});

/** The ticket numbered `number` of the performance, with its history in slot order. */
export async function ticketOnRecord(
  db: Trx,
  dialect: Dialect,
  performanceId: string,
  number: string,
): Promise<TicketOnRecord | undefined> {
  const row = await ticketWithHistory.first(db, dialect, [performanceId, number]);
  if (!row) return undefined;
  const history = historyFromJson(row.history).sort((a, b) => a.slot - b.slot);
  return { ...row, history };
}

const isNumber = (value: unknown) => typeof value === 'number';
const isNumberOrNull = (value: unknown) => value === null || typeof value === 'number';
const isTextOrNull = (value: unknown) => value === null || typeof value === 'string';

/** The history column as read: checked entry by entry, not cast. */
function historyFromJson(text: string): HistoryRow[] {
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed)) throw new Error('admission history: not a JSON array');
  for (const entry of parsed as Record<string, unknown>[]) {
    if (
      typeof entry !== 'object' ||
      entry === null ||
      !isNumber(entry.slot) ||
      (entry.direction !== 'entry' && entry.direction !== 'exit') ||
      !isNumber(entry.scanned_at) ||
      !isNumber(entry.revision) ||
      !isNumberOrNull(entry.presentation_time) ||
      typeof entry.debit !== 'string' ||
      !isTextOrNull(entry.gate) ||
      !isTextOrNull(entry.terminal_id) ||
      !isNumberOrNull(entry.latitude) ||
      !isNumberOrNull(entry.longitude)
    ) {
      throw new Error(`admission history: malformed entry ${JSON.stringify(entry)}`);
    }
  }
  return parsed as HistoryRow[];
}

// ---------------------------------------------------------------------------------------------
// The online admission

const admissionColumns = `id, performance_id, ticket_id, revision, terminal_id, gate, direction,
  debit, scanned_at, recorded_at, presentation_time, latitude, longitude, accuracy_m, source,
  nonce, duplicate, outside_venue, revoked_revision, slot`;

/** An online admission into its slot and its audit entry: one object for both databases. */
export interface GuardedAdmission {
  id: string;
  ticket_id: string;
  performance_id: string;
  /** The revision the decision was made on: the write goes in only while the ticket is at it. */
  revision: number;
  terminal_id: string;
  gate: string;
  direction: 'entry' | 'exit';
  debit: string;
  scanned_at: number;
  recorded_at: number;
  presentation_time: number | null;
  latitude: number | null;
  longitude: number | null;
  accuracy_m: number | null;
  outside_venue: 0 | 1;
  slot: number;
  /** The audit entry's own fields. */
  ticket_number: string;
  input: GateDecisionsTable['input'];
  reason: string;
  detail: string;
}

/**
 * An online admission into its slot, only while the ticket is valid at the decided revision. On
 * PostgreSQL one autocommitted statement with its audit entry (`FOR SHARE` waits out a transfer
 * or refund in progress and sees its outcome); on SQLite the insert alone, its audit entry
 * written by the caller in the same unit of the group commit. No row: the ticket changed; a
 * unique violation: the slot was taken.
 */
const guardedAdmission = new Statement<{ seq: number }, GuardedAdmission>(
  {
    sqlite: `insert into admissions (${admissionColumns})
    select :id, :performance_id, t.id, :revision, :terminal_id, :gate, :direction, :debit,
      :scanned_at, :recorded_at, :presentation_time, :latitude, :longitude, :accuracy_m,
      'online', null, 0, :outside_venue, 0, :slot
    from tickets t where t.id = :ticket_id and t.revision = :revision and t.status = 'valid'
    returning seq`,
    postgres: `with guard as (
      select id from tickets where id = :ticket_id and revision = :revision and status = 'valid'
        for share
    ), admission as (
      insert into admissions (${admissionColumns})
      select :id, :performance_id, guard.id, :revision, :terminal_id, :gate, :direction, :debit,
        :scanned_at, :recorded_at, :presentation_time, :latitude, :longitude, :accuracy_m,
        'online', null, 0, :outside_venue, 0, :slot from guard
      returning seq, id
    ), decision as (
      insert into gate_decisions (terminal_id, performance_id, ticket_number, input, admitted,
        reason, detail, admission_id, scanned_at, recorded_at)
      select :terminal_id, :performance_id, :ticket_number, :input, 1, :reason, :detail,
        admission.id, :scanned_at, :recorded_at from admission
    )
    select seq from admission`,
  },
  'named',
);

/**
 * Writes the guarded admission (on PostgreSQL with its audit entry; see `guardedAdmission`):
 * its sequence number, or undefined when the ticket is no longer at the decided revision.
 */
export async function insertGuardedAdmission(
  executor: Trx,
  dialect: Dialect,
  admission: GuardedAdmission,
): Promise<number | undefined> {
  const [row] = await guardedAdmission.run(executor, dialect, admission);
  return row === undefined ? undefined : Number(row.seq);
}

/** The slot of a ticket's history is taken: another admission went in first. */
export function isSlotTaken(error: unknown) {
  const text = error instanceof Error ? error.message : String(error);
  return (
    isUniqueViolation(error) && /admissions_slot|admissions\.ticket_id, admissions\.slot/.test(text)
  );
}

/** The same terminal's nonce is already recorded: an upload sent twice at once. */
export function isNonceConflict(error: unknown) {
  const text = error instanceof Error ? error.message : String(error);
  return /admissions_nonce|admissions\.terminal_id, admissions\.nonce/.test(text);
}

// ---------------------------------------------------------------------------------------------
// Admissions recorded under the ticket's lock (uploads, door sales)

export type NewAdmission = Omit<AdmissionRow, 'seq'>;

const admissionInsert = new Statement<{ seq: number }, NewAdmission>(
  `insert into admissions (${admissionColumns})
   values (:id, :performance_id, :ticket_id, :revision, :terminal_id, :gate, :direction, :debit,
     :scanned_at, :recorded_at, :presentation_time, :latitude, :longitude, :accuracy_m, :source,
     :nonce, :duplicate, :outside_venue, :revoked_revision, :slot) returning seq`,
  'named',
);

/** Inserts an admission; its sequence number. */
export async function insertAdmission(
  trx: Trx,
  dialect: Dialect,
  admission: NewAdmission,
): Promise<number> {
  const [row] = await admissionInsert.run(trx, dialect, admission);
  return Number(row?.seq);
}

/**
 * Everything about the ticket, locked for the rest of the transaction on PostgreSQL (SQLite's
 * single writer already holds the database): the upload of offline admissions decides under it.
 */
const lockedTicket = new Statement<LockedTicket>({
  sqlite: `${ticketSelect} ${ticketJoins} where t.id = ?`,
  postgres: `${ticketSelect} ${ticketJoins} where t.id = ? for update of t`,
});

export function lockTicket(trx: Trx, dialect: Dialect, ticketId: string) {
  return lockedTicket.first(trx, dialect, [ticketId]);
}

const admissionHistory = new Statement<AdmissionRow>(
  'select * from admissions where ticket_id = ? order by slot',
);

/** A ticket's admissions in slot order. */
export function admissionsOfTicket(trx: Trx, dialect: Dialect, ticketId: string) {
  return admissionHistory.run(trx, dialect, [ticketId]);
}

/** The flags of an admission a terminal already uploaded under this nonce. */
export function uploadedAdmission(trx: Trx, terminalId: string, nonce: string) {
  return trx
    .selectFrom('admissions')
    .select(['duplicate', 'outside_venue', 'revoked_revision'])
    .where('terminal_id', '=', terminalId)
    .where('nonce', '=', nonce)
    .executeTakeFirst();
}

/** The id of the ticket numbered `number` of the performance. */
export async function ticketIdOf(trx: Trx, performanceId: string, number: string) {
  const row = await trx
    .selectFrom('tickets')
    .select('id')
    .where('performance_id', '=', performanceId)
    .where('number', '=', number)
    .executeTakeFirst();
  return row?.id;
}

/**
 * Whether `revision` of the ticket had been revoked (transferred, reissued, refunded) at or
 * before `scannedAt`.
 */
export async function revokedAtScan(
  trx: Trx,
  ticket: { performance_id: string; number: string },
  revision: number,
  scannedAt: number,
) {
  const revocation = await trx
    .selectFrom('revocations')
    .select('seq')
    .where('performance_id', '=', ticket.performance_id)
    .where('ticket_number', '=', ticket.number)
    .where('through_revision', '>=', revision)
    .where('created_at', '<=', scannedAt)
    .limit(1)
    .executeTakeFirst();
  return revocation !== undefined;
}

export async function setDuplicate(trx: Trx, admissionId: string, duplicate: boolean) {
  await trx
    .updateTable('admissions')
    .set({ duplicate: duplicate ? 1 : 0 })
    .where('id', '=', admissionId)
    .execute();
}

/** When the terminal was last heard from and, when it says, how many admissions it holds. */
export async function recordTerminalContact(
  db: Trx,
  terminalId: string,
  now: number,
  pending: number | undefined,
) {
  await db
    .updateTable('terminals')
    .set({ last_seen_at: now, ...(pending !== undefined ? { pending_uploads: pending } : {}) })
    .where('id', '=', terminalId)
    .execute();
}

// ---------------------------------------------------------------------------------------------
// Door sales

/** The terminal that offered a door sale, and the code of the sale's performance. */
export async function doorSaleSeller(trx: Trx, doorSaleId: string) {
  const row = await trx
    .selectFrom('door_sales as d')
    .innerJoin('terminals as t', 't.id', 'd.terminal_id')
    .innerJoin('performances as p', 'p.id', 'd.performance_id')
    .select([
      't.id',
      't.organizer_id',
      't.venue_id',
      't.gate',
      't.name',
      't.performance_ids',
      'p.code as performance_code',
    ])
    .where('d.id', '=', doorSaleId)
    .executeTakeFirst();
  if (!row) return undefined;
  const performanceIds: unknown = JSON.parse(row.performance_ids);
  if (!Array.isArray(performanceIds) || !performanceIds.every((id) => typeof id === 'string')) {
    throw new Error(`terminal ${row.id}: performance_ids is not a list of ids`);
  }
  return { ...row, performance_ids: performanceIds as string[] };
}

export async function markDoorSaleAdmitted(trx: Trx, doorSaleId: string, now: number) {
  await trx
    .updateTable('door_sales')
    .set({ status: 'admitted', admitted_at: now })
    .where('id', '=', doorSaleId)
    .execute();
}

// ---------------------------------------------------------------------------------------------
// The live feed

/** Admissions of the performances after `since`, in sequence order, for the feed's replay. */
export function admissionsSince(
  db: Trx,
  performanceIds: readonly string[],
  since: number,
  limit: number,
) {
  return db
    .selectFrom('admissions as a')
    .innerJoin('tickets as t', 't.id', 'a.ticket_id')
    .innerJoin('performances as p', 'p.id', 'a.performance_id')
    .select([
      'a.seq',
      'a.performance_id',
      'p.code',
      't.number',
      'a.revision',
      'a.direction',
      'a.debit',
      'a.scanned_at',
      'a.presentation_time',
      'a.gate',
      'a.terminal_id',
      'a.duplicate',
    ])
    .where('a.performance_id', 'in', [...performanceIds])
    .where('a.seq', '>', since)
    .orderBy('a.seq')
    .limit(limit)
    .execute();
}

/** The last admission sequence number of all (0 when none): no feed has sent one beyond it. */
export async function lastAdmissionSeq(db: Trx): Promise<number> {
  const row = await db
    .selectFrom('admissions')
    .select((eb) => eb.fn.max('seq').as('last'))
    .executeTakeFirst();
  return Number(row?.last ?? 0);
}

/** Whether the terminal is still enrolled (not revoked). */
export async function terminalIsLive(db: Trx, terminalId: string) {
  const row = await db
    .selectFrom('terminals')
    .select('id')
    .where('id', '=', terminalId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return row !== undefined;
}
