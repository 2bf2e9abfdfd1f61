/** A ticket's state in words: what it is (valid, refunded…) and, while valid, what the gates used. */
import type { MessageKey } from '../i18n.ts';
import type { OrderTicket } from './api.ts';

/** A ticket that can still be refunded: issued to a device, or waiting for its holder's. */
export const isLive = (ticket: Pick<OrderTicket, 'status'>) =>
  ticket.status === 'valid' || ticket.status === 'awaiting_device';

export function ticketStateKey(ticket: OrderTicket): MessageKey {
  switch (ticket.status) {
    case 'refunded':
      return 'sales.ticketRefunded';
    case 'cancelled':
      return 'sales.ticketCancelled';
    case 'awaiting_device':
      return 'sales.ticketAwaiting';
  }
  switch (ticket.usage.state) {
    case 'used_up':
      return 'sales.ticketUsed';
    case 'partly_used':
      return 'sales.ticketPartlyUsed';
    case 'inside':
      return 'sales.ticketInside';
    default:
      return 'sales.ticketValid';
  }
}

export function refundStateKey(status: string): MessageKey {
  if (status === 'done') return 'sales.refundDone';
  if (status === 'failed') return 'sales.refundFailed';
  return 'sales.refundPending';
}

/** Ten digits grouped 3-3-4, as the ticket shows them (packages/protocol formatTicketNumber). */
export const formatTicketNumber = (n: string) => `${n.slice(0, 3)}-${n.slice(3, 6)}-${n.slice(6)}`;
