/**
 * The SQL of the event package: the terminal's performances, their categories, the venue and the
 * organizer's keys, the pages of revocations, admissions and manual-code records since a cursor,
 * and the manual-code records made off the purchase path.
 */

import type { TicketKind } from '@tessera/protocol';
import type { Trx } from '../../context.ts';
import type { DoorSaleSettingsTable, TicketStatus } from '../../db/schema.ts';

// ---------------------------------------------------------------------------------------------
// Manual-code records

export interface TicketWithoutRecord {
  id: string;
  number: string;
  manual_number: string;
  pin: string;
  revision: number;
  performance_id: string;
  category_id: string;
}

/**
 * Tickets in one of `statuses` without a manual-code record at their current revision, soonest
 * performance first: of the given performances, or of every scheduled performance not over by
 * `endsAfter` whose doors open by `doorsBy`.
 */
export async function ticketsWithoutRecord(
  db: Trx,
  statuses: readonly TicketStatus[],
  limit: number,
  scope: { performanceIds: readonly string[] } | { endsAfter: number; doorsBy: number },
): Promise<TicketWithoutRecord[]> {
  let query = db
    .selectFrom('tickets as t')
    .innerJoin('performances as p', 'p.id', 't.performance_id')
    .leftJoin('manual_code_records as m', 'm.ticket_id', 't.id')
    .select([
      't.id',
      't.number',
      't.manual_number',
      't.pin',
      't.revision',
      't.performance_id',
      't.category_id',
    ])
    .where('t.status', 'in', statuses)
    .where((eb) =>
      eb.or([eb('m.ticket_id', 'is', null), eb('m.revision', '<>', eb.ref('t.revision'))]),
    );
  if ('performanceIds' in scope) {
    if (scope.performanceIds.length === 0) return [];
    query = query.where('t.performance_id', 'in', scope.performanceIds);
  } else {
    query = query
      .where('p.status', '=', 'scheduled')
      .where('p.ends_at', '>', scope.endsAfter)
      .where('p.doors_at', '<=', scope.doorsBy);
  }
  return query.orderBy('p.starts_at').orderBy('t.id').limit(limit).execute();
}

export interface ManualCodeRecordRow {
  ticket_id: string;
  revision: number;
  /** Hex. */
  salt: string;
  iterations: number;
  /** Hex. */
  pin_hash: string;
}

/**
 * Upserts records in one statement. A ticket's record only ever moves forward in revision: a
 * filler that read the ticket before a transfer cannot put the old revision back.
 */
export async function upsertManualCodeRecords(
  db: Trx,
  records: readonly ManualCodeRecordRow[],
  createdAt: number,
) {
  if (records.length === 0) return;
  await db
    .insertInto('manual_code_records')
    .values(records.map((record) => ({ ...record, created_at: createdAt })))
    .onConflict((conflict) =>
      conflict
        .column('ticket_id')
        .doUpdateSet((eb) => ({
          revision: eb.ref('excluded.revision'),
          salt: eb.ref('excluded.salt'),
          iterations: eb.ref('excluded.iterations'),
          pin_hash: eb.ref('excluded.pin_hash'),
          created_at: eb.ref('excluded.created_at'),
        }))
        .where((eb) => eb('manual_code_records.revision', '<', eb.ref('excluded.revision'))),
    )
    .execute();
}

// ---------------------------------------------------------------------------------------------
// What is sent whole

/** The performances among `performanceIds` that belong to the organizer, by start. */
export async function organizerPerformances(
  db: Trx,
  organizerId: string,
  performanceIds: readonly string[],
) {
  if (performanceIds.length === 0) return [];
  return db
    .selectFrom('performances as p')
    .innerJoin('events as e', 'e.id', 'p.event_id')
    .select([
      'p.id',
      'p.code',
      'p.event_id',
      'e.name as event_name',
      'p.status',
      'p.doors_at',
      'p.starts_at',
      'p.ends_at',
      'p.closed_at',
      // The door-sale rules' default maximum (door-sales/settings.ts).
      'e.per_order_limit',
    ])
    .where('p.id', 'in', performanceIds)
    .where('e.organizer_id', '=', organizerId)
    .orderBy('p.starts_at')
    .orderBy('p.id')
    .execute();
}

export type PackagePerformanceRow = Awaited<ReturnType<typeof organizerPerformances>>[number];

export function venueById(db: Trx, venueId: string) {
  return db
    .selectFrom('venues')
    .select(['id', 'name', 'address', 'latitude', 'longitude', 'radius_m', 'time_zone'])
    .where('id', '=', venueId)
    .executeTakeFirstOrThrow();
}

/** The organizer's active keys, oldest first. */
export function activeKeys(db: Trx, organizerId: string) {
  return db
    .selectFrom('organizer_keys')
    .select(['key_id', 'public_key', 'status'])
    .where('organizer_id', '=', organizerId)
    .where('status', '=', 'active')
    .orderBy('created_at')
    .execute();
}

export interface CategoryRow {
  id: string;
  event_id: string;
  name: string;
  kind: TicketKind;
  entries_allowed: number;
  reentry_allowed: number;
  valid_from: number | null;
  valid_until: number | null;
  stored_value: string;
  stored_value_asset: string | null;
}

/** The price categories of the events, in their order. */
export async function categoriesOfEvents(
  db: Trx,
  eventIds: readonly string[],
): Promise<CategoryRow[]> {
  if (eventIds.length === 0) return [];
  return db
    .selectFrom('categories')
    .select([
      'id',
      'event_id',
      'name',
      'kind',
      'entries_allowed',
      'reentry_allowed',
      'valid_from',
      'valid_until',
      'stored_value',
      'stored_value_asset',
    ])
    .where('event_id', 'in', eventIds)
    .orderBy('sort_order')
    .orderBy('id')
    .execute();
}

// ---------------------------------------------------------------------------------------------
// What is sent as changes since the cursor

/** Revocations of the performances after `seq`, a page in sequence order. */
export async function revocationsAfter(
  db: Trx,
  performanceIds: readonly string[],
  seq: number,
  limit: number,
) {
  if (performanceIds.length === 0) return [];
  return db
    .selectFrom('revocations')
    .select([
      'seq',
      'performance_code',
      'ticket_number',
      'through_revision',
      'reason',
      'created_at',
    ])
    .where('performance_id', 'in', performanceIds)
    .where('seq', '>', seq)
    .orderBy('seq')
    .limit(limit)
    .execute();
}

/** Admissions of the performances (by every gate) after `seq`, a page in sequence order. */
export async function admissionsAfter(
  db: Trx,
  performanceIds: readonly string[],
  seq: number,
  limit: number,
) {
  if (performanceIds.length === 0) return [];
  return db
    .selectFrom('admissions as a')
    .innerJoin('tickets as t', 't.id', 'a.ticket_id')
    .select([
      'a.seq',
      'a.id',
      'a.performance_id',
      't.number',
      'a.revision',
      'a.direction',
      'a.debit',
      'a.scanned_at',
      'a.recorded_at',
      'a.presentation_time',
      'a.gate',
      'a.terminal_id',
      'a.duplicate',
    ])
    .where('a.performance_id', 'in', performanceIds)
    .where('a.seq', '>', seq)
    .orderBy('a.seq')
    .limit(limit)
    .execute();
}

/**
 * Manual-code records of the performances' tickets in one of `statuses`, at their current
 * revision, made or remade after `after` (by time, then ticket id), a page in that order, with
 * the ticket's terms.
 */
export function manualCodeRecordsAfter(
  db: Trx,
  statuses: readonly TicketStatus[],
  performanceIds: readonly string[],
  after: { at: number; ticketId: string } | null,
  limit: number,
) {
  let query = db
    .selectFrom('manual_code_records as m')
    .innerJoin('tickets as t', 't.id', 'm.ticket_id')
    .innerJoin('categories as c', 'c.id', 't.category_id')
    .innerJoin('performances as p', 'p.id', 't.performance_id')
    .select([
      'm.ticket_id',
      'm.created_at',
      'm.salt',
      'm.iterations',
      'm.pin_hash',
      'm.revision',
      't.number',
      't.manual_number',
      't.category_id',
      'p.code as performance_code',
      'p.doors_at',
      'p.ends_at',
      'c.kind',
      'c.entries_allowed',
      'c.reentry_allowed',
      'c.valid_from',
      'c.valid_until',
      'c.stored_value',
    ])
    .where('t.performance_id', 'in', performanceIds.length > 0 ? performanceIds : [''])
    .where('t.status', 'in', statuses)
    .whereRef('m.revision', '=', 't.revision');
  if (after) {
    query = query.where((eb) =>
      eb.or([
        eb('m.created_at', '>', after.at),
        eb.and([eb('m.created_at', '=', after.at), eb('m.ticket_id', '>', after.ticketId)]),
      ]),
    );
  }
  return query.orderBy('m.created_at').orderBy('m.ticket_id').limit(limit).execute();
}

/** The door-sale settings of these performances, those that have some (door-sales.ts). */
export function doorSaleSettingsOf(
  db: Trx,
  performanceIds: readonly string[],
): Promise<DoorSaleSettingsTable[]> {
  if (performanceIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('door_sale_settings')
    .selectAll()
    .where('performance_id', 'in', performanceIds)
    .execute();
}
