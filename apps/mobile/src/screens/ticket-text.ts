/** How a ticket reads: its seat or place, its status, what it entitles to. */
import type { Seat } from '../api/ticketing.ts';
import type { MessageKey, Params } from '../i18n.ts';
import { formatMoney } from '../money.ts';
import { seatWords } from '../seat-words.ts';
import type { StoredTicket } from '../tickets.ts';

type Translate = (key: MessageKey, params?: Params) => string;

export function seatLabel(seat: Seat | null, category: string, t: Translate): string {
  return seat ? seatWords(seat, t) : t('ticket.ga', { category });
}

export function seatText(ticket: Pick<StoredTicket, 'seat' | 'category'>, t: Translate): string {
  return seatLabel(ticket.seat, ticket.category, t);
}

export function statusText(ticket: StoredTicket, t: Translate): string {
  if (ticket.status === 'transferred' && ticket.transferredTo) {
    return t('status.transferredTo', { phone: ticket.transferredTo });
  }
  return t(`status.${ticket.status}`);
}

export function entitlementText(
  entitlement: StoredTicket['entitlement'],
  t: Translate,
  locale: string,
): string {
  switch (entitlement.kind) {
    case 'single':
      return t(entitlement.reentryAllowed ? 'ticket.kind.singleReentry' : 'ticket.kind.single');
    case 'multi':
      return t('ticket.kind.multi', { count: entitlement.entriesAllowed });
    case 'timed':
      return t('ticket.kind.timed');
    case 'stored_value':
      return entitlement.storedValue
        ? t('ticket.kind.stored_value', {
            amount: formatMoney(
              entitlement.storedValue.amount,
              entitlement.storedValue.asset,
              locale,
            ),
          })
        : t('ticket.kind.timed');
    default:
      return entitlement.kind;
  }
}
