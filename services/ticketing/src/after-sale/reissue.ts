/**
 * Reissue: the holder's phone was lost or replaced, so the ticket moves to another of the
 * holder's devices at its next revision, after the holder proves the phone number again.
 */
import { conflict, notFound } from '@tessera/service-kit/errors';
import type { Ticketing } from '../context.ts';
import { inTransaction } from '../context.ts';
import type { TicketsTable } from '../db/schema.ts';
import { liveDevice } from '../identity/devices.ts';
import { consumeCode } from '../identity/service.ts';
import { ticketById, ticketOnRecord } from './repository.ts';
import { nextCredential, rebind } from './revision.ts';

type User = { readonly id: string; readonly phone: string };

/**
 * After proving the phone number again with a fresh SMS code, the ticket is signed for a new
 * device at revision + 1 and the old revision revoked ('reissued'). Asking again for the device
 * it is already bound to answers the ticket as it is (a retry after the code was spent).
 */
export async function reissueTicket(
  ticketing: Ticketing,
  user: User,
  ticketId: string,
  deviceId: string,
  code: string,
): Promise<TicketsTable> {
  const ticket = await ticketById(ticketing.database.db, ticketId);
  if (!ticket || ticket.holder_user_id !== user.id) throw notFound('ticket');
  if (ticket.status === 'valid' && ticket.device_id === deviceId) return ticket;
  if (ticket.status === 'awaiting_device') {
    throw conflict('not_bound', 'this ticket is not bound to a device yet; claim it instead');
  }
  if (ticket.status !== 'valid') {
    throw conflict('not_reissuable', `this ticket is ${ticket.status}`);
  }
  const device = await liveDevice(ticketing, user.id, deviceId);
  // Last, so a request refused for another reason does not spend the code.
  await consumeCode(ticketing, user.phone, code);
  const signed = await nextCredential(ticketing, ticket, ticket.holder_phone, device.public_key);
  const to = { userId: user.id, phone: ticket.holder_phone, deviceId: device.id };
  return inTransaction(ticketing, async (work) => {
    await rebind(work, ticket, { to, signed }, 'reissued');
    return ticketOnRecord(work.trx, ticket.id);
  });
}
