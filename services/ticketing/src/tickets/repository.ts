/**
 * The SQL of the ticket DB (unit 108): tickets as issued and claimed, and what a ticket's
 * credential and view need to know about its performance, category and seat.
 */
import type { CredentialFields } from '@tessera/protocol';
import { sql } from 'kysely';
import type { Trx } from '../context.ts';
import type { TicketsTable } from '../db/schema.ts';

export type TicketRecord = TicketsTable;

/** Everything a credential needs about a ticket's performance and category. */
export interface TicketTermsSource {
  performance_code: string;
  doors_at: number;
  ends_at: number;
  kind: CredentialFields['kind'];
  entries_allowed: number;
  reentry_allowed: number;
  valid_from: number | null;
  valid_until: number | null;
  stored_value: string;
  reserved_hex: string;
}

/** The terms of a performance's category; throws when the pair does not exist. */
export function termsSource(
  trx: Trx,
  performanceId: string,
  categoryId: string,
): Promise<TicketTermsSource> {
  return trx
    .selectFrom('performances as p')
    .innerJoin('categories as c', 'c.event_id', 'p.event_id')
    .select([
      'p.code as performance_code',
      'p.doors_at',
      'p.ends_at',
      'c.kind',
      'c.entries_allowed',
      'c.reentry_allowed',
      'c.valid_from',
      'c.valid_until',
      'c.stored_value',
      'c.reserved_hex',
    ])
    .where('p.id', '=', performanceId)
    .where('c.id', '=', categoryId)
    .executeTakeFirstOrThrow();
}

/** One statement for all of an order's tickets (issuance's hot path). */
export async function insertTickets(trx: Trx, rows: readonly TicketRecord[]): Promise<void> {
  await trx.insertInto('tickets').values(rows).execute();
}

export function ticketById(db: Trx, ticketId: string): Promise<TicketRecord | undefined> {
  return db.selectFrom('tickets').selectAll().where('id', '=', ticketId).executeTakeFirst();
}

/** The ticket with this id; throws when there is none. */
export function ticketWithId(db: Trx, ticketId: string): Promise<TicketRecord> {
  return db.selectFrom('tickets').selectAll().where('id', '=', ticketId).executeTakeFirstOrThrow();
}

/**
 * The user's tickets and those waiting for its phone number to claim them, newest first (at
 * most 500).
 */
export function ticketsHeldBy(
  db: Trx,
  user: { id: string; phone: string },
): Promise<TicketRecord[]> {
  return db
    .selectFrom('tickets')
    .selectAll()
    .where((eb) =>
      eb.or([
        eb('holder_user_id', '=', user.id),
        eb.and([eb('holder_phone', '=', user.phone), eb('status', '=', 'awaiting_device')]),
      ]),
    )
    .orderBy('created_at', 'desc')
    .limit(500)
    .execute();
}

/**
 * Binds a ticket waiting for its holder to a device with its newly signed credential, if it is
 * still waiting at `revision`. Whether it was bound.
 */
export async function bindAwaitingTicket(
  trx: Trx,
  binding: {
    ticketId: string;
    revision: number;
    userId: string;
    deviceId: string;
    credential: string;
    keyId: string;
    now: number;
  },
): Promise<boolean> {
  const bound = await trx
    .updateTable('tickets')
    .set({
      status: 'valid',
      holder_user_id: binding.userId,
      device_id: binding.deviceId,
      credential: binding.credential,
      key_id: binding.keyId,
      updated_at: binding.now,
    })
    .where('id', '=', binding.ticketId)
    .where('status', '=', 'awaiting_device')
    .where('revision', '=', binding.revision)
    .executeTakeFirst();
  return Number(bound.numUpdatedRows) === 1;
}

/** What a ticket's view says about its performance, event, venue, organizer and category. */
export interface TicketSetting {
  readonly code: string;
  readonly starts_at: number;
  readonly doors_at: number;
  readonly ends_at: number;
  readonly performance_status: string;
  readonly event_name: string;
  readonly organizer_name: string;
  readonly venue_name: string;
  readonly address: string;
  readonly latitude: number;
  readonly longitude: number;
  readonly time_zone: string;
  readonly category_name: string;
  readonly kind: string;
  readonly entries_allowed: number;
  readonly reentry_allowed: number;
  readonly valid_from: number | null;
  readonly valid_until: number | null;
  readonly stored_value: string;
  readonly stored_value_asset: string | null;
}

/** The setting of a performance's category; throws when the pair does not exist. */
export function ticketSetting(
  db: Trx,
  performanceId: string,
  categoryId: string,
): Promise<TicketSetting> {
  return db
    .selectFrom('performances as p')
    .innerJoin('events as e', 'e.id', 'p.event_id')
    .innerJoin('venues as v', 'v.id', 'e.venue_id')
    .innerJoin('organizers as o', 'o.id', 'e.organizer_id')
    .innerJoin('categories as c', 'c.event_id', 'e.id')
    .select([
      'p.code',
      'p.starts_at',
      'p.doors_at',
      'p.ends_at',
      'p.status as performance_status',
      'e.name as event_name',
      'o.name as organizer_name',
      'v.name as venue_name',
      'v.address',
      'v.latitude',
      'v.longitude',
      'v.time_zone',
      'c.name as category_name',
      'c.kind',
      'c.entries_allowed',
      'c.reentry_allowed',
      'c.valid_from',
      'c.valid_until',
      'c.stored_value',
      'c.stored_value_asset',
    ])
    .where('p.id', '=', performanceId)
    .where('c.id', '=', categoryId)
    .executeTakeFirstOrThrow();
}

export interface SeatLabel {
  readonly section: string;
  readonly row_label: string;
  readonly number: string;
}

export function seatLabel(db: Trx, seatId: string): Promise<SeatLabel | undefined> {
  return db
    .selectFrom('seats')
    .select(['section', 'row_label', 'number'])
    .where('id', '=', seatId)
    .executeTakeFirst();
}

/** One admission of a ticket, as its holder's view counts it (usage.ts). */
export interface TicketAdmissionRow {
  readonly ticket_id: string;
  readonly direction: 'entry' | 'exit';
  readonly scanned_at: number;
  /** Text on both databases: a stored value's units may pass 2^53. */
  readonly debit: string;
}

/**
 * The admissions that count for these tickets (any revision, online or uploaded), in scan order,
 * by ticket: one statement for a holder's whole list. An offline scan flagged a duplicate (the
 * entitlement no longer covered it when it was replayed in scan order) is kept for the record
 * but counts for nothing, as in the gates' own accounting (admission/uploads.ts).
 */
export async function admissionsOfTickets(
  db: Trx,
  ticketIds: readonly string[],
): Promise<Map<string, TicketAdmissionRow[]>> {
  const byTicket = new Map<string, TicketAdmissionRow[]>();
  if (ticketIds.length === 0) return byTicket;
  const rows = await db
    .selectFrom('admissions')
    .select(['ticket_id', 'direction', 'scanned_at', sql<string>`cast(debit as text)`.as('debit')])
    .where('ticket_id', 'in', ticketIds)
    .where('duplicate', '=', 0)
    .orderBy('scanned_at')
    .orderBy('seq')
    .execute();
  for (const row of rows) {
    if (row.direction !== 'entry' && row.direction !== 'exit') {
      throw new Error(`admission of ${row.ticket_id}: direction ${String(row.direction)}`);
    }
    const list = byTicket.get(row.ticket_id) ?? [];
    list.push({ ...row, scanned_at: Number(row.scanned_at) });
    byTicket.set(row.ticket_id, list);
  }
  return byTicket;
}
