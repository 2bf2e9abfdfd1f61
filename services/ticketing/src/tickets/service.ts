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
import type { TicketStatus, TicketsTable } from '../db/schema.ts';
import { liveDevice } from '../identity/devices.ts';
import { openPin } from '../organizers/keys.ts';
import { signCredential, termsSource } from './issuance.ts';

/** A ticket that can still be used: issued to a device, or waiting for its holder's. */
export const liveTicketStatuses: readonly TicketStatus[] = ['valid', 'awaiting_device'];

export async function ticketsOfHolder(ticketing: Ticketing, user: { id: string; phone: string }) {
  return ticketing.database.db
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

export async function ticketView(ticketing: Ticketing, ticket: TicketsTable, forHolder: boolean) {
  const db = ticketing.database.db;
  const info = await db
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
      'c.name as category_name',
      'c.kind',
      'c.entries_allowed',
      'c.reentry_allowed',
      'c.valid_from',
      'c.valid_until',
      'c.stored_value',
      'c.stored_value_asset',
    ])
    .where('p.id', '=', ticket.performance_id)
    .where('c.id', '=', ticket.category_id)
    .executeTakeFirstOrThrow();
  const seat = ticket.seat_id
    ? await db
        .selectFrom('seats')
        .select(['section', 'row_label', 'number'])
        .where('id', '=', ticket.seat_id)
        .executeTakeFirst()
    : undefined;
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
  const ticket = await db
    .selectFrom('tickets')
    .selectAll()
    .where('id', '=', ticketId)
    .executeTakeFirst();
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
    const bound = await trx
      .updateTable('tickets')
      .set({
        status: 'valid',
        holder_user_id: user.id,
        device_id: device.id,
        credential: signed.credential,
        key_id: signed.keyId,
        updated_at: now,
      })
      .where('id', '=', ticket.id)
      .where('status', '=', 'awaiting_device')
      .where('revision', '=', ticket.revision)
      .executeTakeFirst();
    if (Number(bound.numUpdatedRows) !== 1)
      throw conflict('not_claimable', 'this ticket changed; look again');
    return trx
      .selectFrom('tickets')
      .selectAll()
      .where('id', '=', ticket.id)
      .executeTakeFirstOrThrow();
  });
}
