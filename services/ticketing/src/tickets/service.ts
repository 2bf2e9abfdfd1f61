/**
 * Tickets as their holders see them (S150 delivery, unit 308's source): the signed credential
 * for the device it is bound to, the manual code (ticket number and PIN) for the holder only,
 * and what the ticket is for. Tickets bought for another phone number wait as
 * `awaiting_device` until that number signs in and claims them onto one of its devices.
 */
import { fromBase64url } from '@tessera/protocol';
import { formatAmount } from '@tessera/service-kit/amounts';
import { conflict, notFound } from '@tessera/service-kit/errors';
import type { Ticketing } from '../context.ts';
import { inTransaction } from '../context.ts';
import type { TicketStatus } from '../db/schema.ts';
import { liveDevice } from '../identity/devices.ts';
import type { Principal } from '../identity/service.ts';
import { openPin } from '../organizers/keys.ts';
import { requireStaff } from '../organizers/staff.ts';
import { signCredential } from './issuance.ts';
import {
  admissionsOfTickets,
  bindAwaitingTicket,
  seatLabel,
  type TicketAdmissionRow,
  type TicketRecord,
  type TicketSetting,
  termsSource,
  ticketById,
  ticketSetting,
  ticketsHeldBy,
  ticketWithId,
} from './repository.ts';
import { usageOf } from './usage.ts';

/** A ticket that can still be used: issued to a device, or waiting for its holder's. */
export const liveTicketStatuses: readonly TicketStatus[] = ['valid', 'awaiting_device'];

/** The user's tickets, and those waiting for its phone number, as their holder sees them. */
export async function holderTickets(ticketing: Ticketing, user: { id: string; phone: string }) {
  const db = ticketing.database.db;
  const rows = await ticketsHeldBy(db, user);
  // One statement for the whole list's admissions, not one per ticket.
  const admissions = await admissionsOfTickets(
    db,
    rows.map((row) => row.id),
  );
  return Promise.all(
    rows.map((row) => ticketView(ticketing, row, true, admissions.get(row.id) ?? [])),
  );
}

/**
 * A ticket as `caller` may see it: its holder (the user it is bound to, or the phone it waits
 * for) sees it all; staff of its organizer who may view sales see it without the credential and
 * the manual code; anyone else learns that it does not exist.
 */
export async function ticketSeenBy(
  ticketing: Ticketing,
  caller: Principal | undefined,
  ticketId: string,
) {
  const ticket = await ticketById(ticketing.database.db, ticketId);
  if (!ticket) throw notFound('ticket');
  const holder =
    caller?.type === 'user' &&
    (ticket.holder_user_id === caller.id ||
      (ticket.status === 'awaiting_device' && ticket.holder_phone === caller.phone));
  if (!holder) {
    await requireStaff(ticketing, caller, ticket.organizer_id, 'view_sales').catch(() => {
      throw notFound('ticket');
    });
  }
  return ticketView(ticketing, ticket, holder);
}

/**
 * The ticket as the API shows it. `admissions`: the ticket's, when the caller has read them with
 * others' (a holder's list); otherwise they are read here.
 */
export async function ticketView(
  ticketing: Ticketing,
  ticket: TicketRecord,
  forHolder: boolean,
  admissions?: readonly TicketAdmissionRow[],
) {
  const db = ticketing.database.db;
  const info = await ticketSetting(db, ticket.performance_id, ticket.category_id);
  const history = admissions ?? (await admissionsOfTickets(db, [ticket.id])).get(ticket.id) ?? [];
  const seat = ticket.seat_id ? await seatLabel(db, ticket.seat_id) : undefined;
  const asset = await ticketing.exchange.asset(ticket.asset);
  const storedAsset = info.stored_value_asset
    ? await ticketing.exchange.asset(info.stored_value_asset)
    : null;
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    id: ticket.id,
    number: ticket.number,
    status: ticket.status,
    revision: ticket.revision,
    orderId: ticket.order_id,
    deviceId: ticket.device_id,
    holderPhone: ticket.holder_phone,
    // Useless without the device key, but only the holder gets it all the same.
    credential: forHolder ? ticket.credential : null,
    keyId: ticket.key_id,
    manualCode: forHolder
      ? { ticketNumber: ticket.manual_number, pin: openPin(ticketing, ticket.id, ticket.pin) }
      : null,
    event: {
      id: ticket.event_id,
      name: info.event_name,
      organizer: info.organizer_name,
      venue: {
        name: info.venue_name,
        address: info.address,
        latitude: info.latitude,
        longitude: info.longitude,
        timeZone: info.time_zone,
      },
    },
    performance: {
      id: ticket.performance_id,
      code: info.code,
      startsAt: iso(info.starts_at),
      doorsAt: iso(info.doors_at),
      endsAt: iso(info.ends_at),
      status: info.performance_status,
    },
    category: info.category_name,
    seat: seat ? { section: seat.section, row: seat.row_label, number: seat.number } : null,
    entitlement: {
      kind: info.kind,
      entriesAllowed: info.entries_allowed,
      reentryAllowed: info.reentry_allowed === 1,
      validFrom: iso(info.valid_from ?? info.doors_at),
      validUntil: iso(info.valid_until ?? info.ends_at),
      storedValue:
        storedAsset && info.kind === 'stored_value'
          ? {
              asset: storedAsset.code,
              amount: formatAmount(BigInt(info.stored_value), storedAsset.scale),
            }
          : null,
    },
    price: { asset: ticket.asset, amount: formatAmount(BigInt(ticket.amount), asset.scale) },
    usage: usageView(info, history, storedAsset),
  };
}

/**
 * The usage block of the view: the admissions replayed (usage.ts), times and amounts as text.
 * Also what the organizer's orders list (reports/orders.ts) shows of each ticket.
 */
export function usageView(
  info: TicketSetting,
  history: readonly TicketAdmissionRow[],
  storedAsset: { code: string; scale: number } | null,
) {
  const usage = usageOf(
    {
      kind: info.kind,
      entriesAllowed: info.entries_allowed,
      reentryAllowed: info.reentry_allowed === 1,
      storedValue: BigInt(info.stored_value),
    },
    history.map((row) => ({
      direction: row.direction,
      scannedAt: row.scanned_at,
      debit: BigInt(row.debit),
    })),
  );
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    state: usage.state,
    entriesUsed: usage.entriesUsed,
    entriesLeft: usage.entriesLeft,
    firstEntryAt: iso(usage.firstEntryAt),
    lastEntryAt: iso(usage.lastEntryAt),
    lastExitAt: iso(usage.lastExitAt),
    inside: usage.inside,
    balance:
      usage.valueLeft !== null && storedAsset
        ? { asset: storedAsset.code, amount: formatAmount(usage.valueLeft, storedAsset.scale) }
        : null,
  };
}

/**
 * Binds a ticket waiting for this phone number to one of the caller's devices (seed 001: bought
 * on a PC for this phone). The credential is signed now, for that device's key.
 */
export async function claimTicket(
  ticketing: Ticketing,
  user: { id: string; phone: string },
  ticketId: string,
  deviceId: string,
) {
  const db = ticketing.database.db;
  const device = await liveDevice(ticketing, user.id, deviceId);
  const ticket = await ticketById(db, ticketId);
  if (!ticket || ticket.holder_phone !== user.phone) throw notFound('ticket');
  if (ticket.status !== 'awaiting_device') {
    throw conflict('not_claimable', `this ticket is ${ticket.status}`);
  }
  const source = await termsSource(db, ticket.performance_id, ticket.category_id);
  const signed = await signCredential(
    ticketing,
    ticket,
    source,
    ticket.revision,
    fromBase64url(device.public_key),
  );
  return inTransaction(ticketing, async ({ trx, now }) => {
    const bound = await bindAwaitingTicket(trx, {
      ticketId: ticket.id,
      revision: ticket.revision,
      userId: user.id,
      deviceId: device.id,
      credential: signed.credential,
      keyId: signed.keyId,
      now,
    });
    if (!bound) throw conflict('not_claimable', 'this ticket changed; look again');
    return ticketWithId(trx, ticket.id);
  });
}
