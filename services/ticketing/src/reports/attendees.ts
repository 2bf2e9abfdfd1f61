/**
 * An event's attendee list: one line per ticket that admits someone (valid, or awaiting its
 * device), by performance start and then ticket number, in JSON pages or as a streamed CSV.
 *
 * The list is read in keyset pages (performance by start, then ticket number, the
 * tickets_number index), so an export of 50,000 attendees holds one page of rows at a time.
 */
import { formatAmount } from '@tessera/service-kit/amounts';
import { badRequest, notFound } from '@tessera/service-kit/errors';
import type { Ticketing } from '../context.ts';
import type { TicketStatus } from '../db/schema.ts';
import { csvLine } from './csv.ts';
import {
  type AttendeeRow,
  attendeePerformances,
  attendeeRows,
  liveTicketCount,
} from './repository.ts';
import { assetScales, type ScaleOf } from './totals.ts';

export const attendeePageMax = 1_000;

export interface Attendee {
  ticketId: string;
  performanceId: string;
  performanceCode: string;
  performanceStart: string;
  category: string;
  section: string | null;
  row: string | null;
  seat: string | null;
  area: string | null;
  ticketNumber: string;
  holderPhone: string;
  holderFirstName: string | null;
  status: TicketStatus;
  revision: number;
  orderId: string;
  price: string;
  asset: string;
}

/** Where a page of attendees ends: the performance and the last ticket number in it. */
export interface AttendeeCursor {
  performanceId: string;
  number: string;
}

export const attendeeCursorPattern = '^perf_[0-9a-z]{8,40}:[0-9a-z]{1,20}$';

export const encodeAttendeeCursor = (cursor: AttendeeCursor) =>
  `${cursor.performanceId}:${cursor.number}`;

export function decodeAttendeeCursor(text: string): AttendeeCursor {
  if (!new RegExp(attendeeCursorPattern).test(text)) {
    throw badRequest('invalid_cursor', 'after must be a cursor from a previous page');
  }
  const at = text.indexOf(':');
  return { performanceId: text.slice(0, at), number: text.slice(at + 1) };
}

/** The event's performances in report order (by start), optionally only one of them. */
async function performancesListed(
  ticketing: Ticketing,
  eventId: string,
  performanceId: string | undefined,
) {
  const rows = await attendeePerformances(ticketing.database.db, eventId, performanceId);
  if (performanceId !== undefined && rows.length === 0) throw notFound('performance');
  return rows;
}

/** How many attendees the list will have (for a progress bar; the list itself may move on). */
export async function countAttendees(
  ticketing: Ticketing,
  eventId: string,
  performanceId?: string,
) {
  const performances = await performancesListed(ticketing, eventId, performanceId);
  if (performances.length === 0) return 0;
  return liveTicketCount(
    ticketing.database.db,
    performances.map((performance) => performance.id),
  );
}

/**
 * One keyset page of attendees after `after` (or from the start): at most `limit` rows, and the
 * cursor of the next page, null after the last.
 */
export async function attendeePage(
  ticketing: Ticketing,
  eventId: string,
  options: { performanceId?: string; after?: AttendeeCursor; limit?: number } = {},
): Promise<{ attendees: Attendee[]; next: AttendeeCursor | null }> {
  const limit = Math.max(1, Math.min(options.limit ?? attendeePageMax, attendeePageMax));
  const performances = await performancesListed(ticketing, eventId, options.performanceId);
  let start = 0;
  if (options.after) {
    const after = options.after;
    start = performances.findIndex((performance) => performance.id === after.performanceId);
    if (start < 0) throw badRequest('invalid_cursor', 'the cursor is not of this list');
  }
  const scaleOf = assetScales(ticketing);
  const attendees: Attendee[] = [];
  for (let index = start; index < performances.length; index++) {
    const performance = performances[index] as (typeof performances)[number];
    const afterNumber = index === start && options.after ? options.after.number : undefined;
    const rows = await attendeeRows(
      ticketing.database.db,
      performance.id,
      afterNumber,
      limit - attendees.length,
    );
    for (const row of rows) attendees.push(await attendeeOf(row, performance, scaleOf));
    if (attendees.length >= limit) {
      const last = attendees[attendees.length - 1] as Attendee;
      return {
        attendees,
        next: { performanceId: last.performanceId, number: last.ticketNumber },
      };
    }
  }
  return { attendees, next: null };
}

async function attendeeOf(
  row: AttendeeRow,
  performance: { id: string; code: string; starts_at: number },
  scaleOf: ScaleOf,
): Promise<Attendee> {
  return {
    ticketId: row.id,
    performanceId: performance.id,
    performanceCode: performance.code,
    performanceStart: new Date(Number(performance.starts_at)).toISOString(),
    category: row.category,
    section: row.section,
    row: row.row_label,
    seat: row.seat_number,
    area: row.seat_id === null ? row.area : null,
    ticketNumber: row.number,
    holderPhone: row.holder_phone,
    holderFirstName: row.first_name,
    status: row.status,
    revision: Number(row.revision),
    orderId: row.order_id,
    price: formatAmount(BigInt(String(row.amount)), await scaleOf(row.asset)),
    asset: row.asset,
  };
}

/** Every attendee, page by page: what the CSV export streams. */
async function* allAttendees(
  ticketing: Ticketing,
  eventId: string,
  options: { performanceId?: string; pageSize?: number } = {},
): AsyncGenerator<Attendee[]> {
  let after: AttendeeCursor | undefined;
  for (;;) {
    const page = await attendeePage(ticketing, eventId, {
      ...(options.performanceId !== undefined ? { performanceId: options.performanceId } : {}),
      ...(after ? { after } : {}),
      limit: options.pageSize ?? attendeePageMax,
    });
    if (page.attendees.length > 0) yield page.attendees;
    if (!page.next) return;
    after = page.next;
  }
}

const attendeeCsvColumns = [
  'performance_start',
  'performance_code',
  'category',
  'section',
  'row',
  'seat',
  'area',
  'ticket_number',
  'holder_phone',
  'holder_first_name',
  'status',
  'revision',
  'order_id',
  'price',
  'asset',
] as const;

function attendeeCsvLine(attendee: Attendee) {
  return csvLine([
    attendee.performanceStart,
    attendee.performanceCode,
    attendee.category,
    attendee.section,
    attendee.row,
    attendee.seat,
    attendee.area,
    attendee.ticketNumber,
    attendee.holderPhone,
    attendee.holderFirstName,
    attendee.status,
    attendee.revision,
    attendee.orderId,
    attendee.price,
    attendee.asset,
  ]);
}

/** The whole attendee CSV as text chunks, one per page (a header first). */
export async function* attendeeCsv(
  ticketing: Ticketing,
  eventId: string,
  options: { performanceId?: string; pageSize?: number } = {},
): AsyncGenerator<string> {
  yield csvLine(attendeeCsvColumns);
  for await (const page of allAttendees(ticketing, eventId, options)) {
    yield page.map(attendeeCsvLine).join('');
  }
}
