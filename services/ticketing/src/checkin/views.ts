/**
 * How the dashboard shows what the repository read: a gate decision as an entry of the admission
 * log, and a ticket's sale, transfers, revocations and gate decisions as one history in time
 * order.
 */
import { iso } from '@tessera/service-kit/schemas';
import type { Trx } from '../context.ts';
import {
  acceptedTransfers,
  decisionsOfTicket,
  type HistoryTicket,
  type LogRow,
  revocationsOf,
} from './repository.ts';

/** Gate decisions listed in one ticket's history at most (a ticket is scanned a few times). */
export const historyScansMax = 5_000;

const isoOf = (ms: number) => iso(Number(ms)) as string;
const num = (value: unknown) => (value === null || value === undefined ? null : Number(value));
const maybeFlag = (value: unknown) =>
  value === null || value === undefined ? null : Number(value) === 1;

/** A gate decision as the admission log lists it. */
export function logEntryOf(row: LogRow) {
  return {
    id: String(row.seq),
    at: isoOf(row.scanned_at),
    recordedAt: isoOf(row.recorded_at),
    gate: row.gate,
    terminalId: row.terminal_id,
    terminalName: row.terminal_name,
    input: row.input,
    admitted: Number(row.admitted) === 1,
    reason: row.reason,
    ticketId: row.ticket_id,
    ticketNumber: row.ticket_number,
    holderPhone: row.holder_phone,
    source: row.source,
    direction: row.direction,
    duplicate: maybeFlag(row.duplicate) ?? false,
    outsideVenue: maybeFlag(row.outside_venue) ?? false,
    latitude: num(row.latitude),
    longitude: num(row.longitude),
  };
}

type Kind = 'sold' | 'transferred' | 'reissued' | 'refunded' | 'cancelled' | 'scan';

/** Every field of a history event, null unless its kind says otherwise. */
function historyEvent(at: number, kind: Kind, fields: Partial<ReturnType<typeof blank>> = {}) {
  return { ...blank(at, kind), ...fields };
}

function blank(at: number, kind: Kind) {
  return {
    at: isoOf(at),
    kind,
    revision: null as number | null,
    orderId: null as string | null,
    fromPhone: null as string | null,
    toPhone: null as string | null,
    gate: null as string | null,
    terminalId: null as string | null,
    terminalName: null as string | null,
    input: null as string | null,
    source: null as 'online' | 'offline' | null,
    direction: null as 'entry' | 'exit' | null,
    admitted: null as boolean | null,
    reason: null as string | null,
    duplicate: null as boolean | null,
    outsideVenue: null as boolean | null,
    latitude: null as number | null,
    longitude: null as number | null,
  };
}

/**
 * The ticket's history: its sale, then each revision revoked (a transfer with who sent it to
 * whom: the n-th accepted transfer is the n-th revision revoked as transferred), and every gate
 * decision about it; sorted by time, the sale first among equals.
 */
export async function historyEvents(db: Trx, ticket: HistoryTicket) {
  const revocations = await revocationsOf(db, ticket);
  const transfers = await acceptedTransfers(db, ticket.id);
  const firstRevision = revocations.length > 0 ? Number(revocations[0]?.through_revision) : null;
  const events = [
    historyEvent(Number(ticket.paid_at ?? ticket.created_at), 'sold', {
      orderId: ticket.order_id,
      revision: firstRevision ?? Number(ticket.revision),
      toPhone: ticket.deliver_to_phone,
    }),
  ];
  let transferred = 0;
  for (const revocation of revocations) {
    const fields = { revision: Number(revocation.through_revision) };
    if (revocation.reason !== 'transferred') {
      events.push(historyEvent(Number(revocation.created_at), revocation.reason, fields));
      continue;
    }
    const transfer = transfers[transferred++];
    events.push(
      historyEvent(Number(revocation.created_at), 'transferred', {
        ...fields,
        fromPhone: transfer?.from_phone ?? null,
        toPhone: transfer?.to_phone ?? null,
      }),
    );
  }
  for (const row of await decisionsOfTicket(db, ticket, historyScansMax)) {
    const entry = logEntryOf(row);
    events.push(
      historyEvent(Number(row.scanned_at), 'scan', {
        gate: entry.gate,
        terminalId: entry.terminalId,
        terminalName: entry.terminalName,
        input: entry.input,
        source: entry.source,
        direction: entry.direction,
        admitted: entry.admitted,
        reason: entry.reason,
        duplicate: maybeFlag(row.duplicate),
        outsideVenue: maybeFlag(row.outside_venue),
        latitude: entry.latitude,
        longitude: entry.longitude,
      }),
    );
  }
  // A stable sort: among events at the same moment, the order above stands.
  return events.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}
