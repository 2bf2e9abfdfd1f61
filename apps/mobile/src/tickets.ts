/**
 * Ticket storage (unit 308): the buyer's tickets kept on the device, so they open with no
 * network, brought up to date from the ticketing server whenever the app is online.
 *
 * The server's `GET /v1/me/tickets` lists the tickets this user holds (with the credential for
 * the device each is bound to) and those waiting for this phone number. The local status says
 * what the buyer can do with a stored ticket:
 *
 * - `valid`: bound to this device's key; the barcode is made here.
 * - `elsewhere`: valid, but bound to another device of this user (moved there, or this device's
 *   key was lost): no barcode here; it can be reissued to this device.
 * - `awaiting_device`: sent to this number, not yet on any device: claim it here.
 * - `refunded`, `cancelled`: no longer valid (the server revoked it).
 * - `transferred`: accepted by someone else; the server no longer lists it for this user, and
 *   the gates refuse its old revision. Its credential and manual code are dropped here.
 */
import type { Ticket, TicketingApi, Transfer } from './api/ticketing.ts';
import type { DeviceKey, Session } from './identity.ts';
import { getAllByIndex, getItem, putMany } from './storage.ts';

export type LocalStatus =
  | 'valid'
  | 'elsewhere'
  | 'awaiting_device'
  | 'refunded'
  | 'cancelled'
  | 'transferred';

export interface StoredTicket extends Omit<Ticket, 'status' | 'usage'> {
  userId: string;
  status: LocalStatus;
  /** What the gates used of it, as of `syncedAt`; absent on tickets stored before it existed. */
  usage?: Ticket['usage'];
  /** The phone number it went to, once a transfer was accepted. */
  transferredTo: string | null;
  /** An offer to another number that is still open: the ticket stays valid until accepted. */
  pendingTransfer: { id: string; toPhone: string } | null;
  /** When the server last confirmed this record (ms). */
  syncedAt: number;
}

/**
 * What the buyer is told of a ticket: its local status, or, for a valid one, what the gates used
 * of it (issue 21, item 6): `used` (a gate would refuse it now), `partly_used` (rides, value or
 * re-entry left), `inside` (scanned in and not out, where re-entry is allowed).
 */
export type TicketState = LocalStatus | 'used' | 'partly_used' | 'inside';

export function ticketState(ticket: StoredTicket): TicketState {
  if (ticket.status !== 'valid' && ticket.status !== 'elsewhere') return ticket.status;
  switch (ticket.usage?.state) {
    case 'used_up':
      return 'used';
    case 'partly_used':
    case 'inside':
      return ticket.usage.state;
    default:
      return ticket.status;
  }
}

/** Whether this device can show the ticket's barcode: valid here, and not used up. */
export function isUsable(ticket: StoredTicket): boolean {
  return (
    ticket.status === 'valid' && ticket.credential !== null && ticket.usage?.state !== 'used_up'
  );
}

/** A ticket still to use (here or on another device of this buyer). */
export function isActive(ticket: StoredTicket): boolean {
  return (
    (ticket.status === 'valid' || ticket.status === 'elsewhere') &&
    ticket.usage?.state !== 'used_up'
  );
}

/** A transit pass or card (any ticket that is not one admission to a show): its own words. */
export function isPass(ticket: Pick<StoredTicket, 'entitlement'>): boolean {
  return ticket.entitlement.kind !== 'single';
}

export function getTicket(ticketId: string) {
  return getItem<StoredTicket>('tickets', ticketId);
}

export async function listTickets(userId: string): Promise<StoredTicket[]> {
  const tickets = await getAllByIndex<StoredTicket>('tickets', 'userId', userId);
  return tickets.sort(
    (a, b) =>
      Date.parse(a.performance.startsAt) - Date.parse(b.performance.startsAt) ||
      a.id.localeCompare(b.id),
  );
}

export interface SyncResult {
  tickets: StoredTicket[];
  /** Offers of tickets to this number, to accept or decline. */
  incoming: Transfer[];
}

/** Brings the stored tickets in line with the server; the stored ones stay if the call fails. */
export async function syncTickets(
  api: TicketingApi,
  session: Session,
  device: DeviceKey,
): Promise<SyncResult> {
  const [{ tickets }, transfers, stored] = await Promise.all([
    api.tickets(session.token),
    api.transfers(session.token),
    listTickets(session.userId),
  ]);
  const now = Date.now();
  const seen = new Set<string>();
  const updated: StoredTicket[] = [];
  for (const ticket of tickets) {
    seen.add(ticket.id);
    const pending = transfers.outgoing.find(
      (transfer) => transfer.ticketId === ticket.id && transfer.status === 'pending',
    );
    updated.push({
      ...ticket,
      userId: session.userId,
      status:
        ticket.status === 'valid' && ticket.deviceId !== device.deviceId
          ? 'elsewhere'
          : ticket.status,
      transferredTo: null,
      pendingTransfer: pending ? { id: pending.id, toPhone: pending.toPhone } : null,
      syncedAt: now,
    });
  }
  for (const ticket of stored) {
    if (seen.has(ticket.id) || ticket.status === 'transferred') continue;
    // Only a transfer takes a ticket off its holder's list.
    const accepted = transfers.outgoing.find(
      (transfer) => transfer.ticketId === ticket.id && transfer.status === 'accepted',
    );
    updated.push({
      ...ticket,
      status: 'transferred',
      transferredTo: accepted?.toPhone ?? null,
      pendingTransfer: null,
      credential: null,
      manualCode: null,
      syncedAt: now,
    });
  }
  await putMany('tickets', updated);
  return {
    tickets: await listTickets(session.userId),
    incoming: transfers.incoming.filter((transfer) => transfer.status === 'pending'),
  };
}
