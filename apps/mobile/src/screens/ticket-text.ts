/** How a ticket reads: its seat or place, its status, what it entitles to. */

import { displayPhone } from '@tessera/web-kit/phone';
import type { Seat } from '../api/ticketing.ts';
import type { MessageKey, Params } from '../i18n.ts';
import { formatMoney } from '../money.ts';
import { seatWords } from '../seat-words.ts';
import {
  isPass,
  type LocalStatus,
  type StoredTicket,
  type TicketState,
  ticketState,
} from '../tickets.ts';

type Translate = (key: MessageKey, params?: Params) => string;

export function seatLabel(seat: Seat | null, category: string, t: Translate): string {
  return seat ? seatWords(seat, t) : t('ticket.ga', { category });
}

/** The seat, or the place: a pass is just its category ("10 rides"), with no admission area. */
export function seatText(
  ticket: Pick<StoredTicket, 'seat' | 'category' | 'entitlement'>,
  t: Translate,
): string {
  return !ticket.seat && isPass(ticket)
    ? ticket.category
    : seatLabel(ticket.seat, ticket.category, t);
}

/** How the state reads: its words, and its tone (the badge's colour class). */
export interface StateText {
  state: TicketState;
  text: string;
  tone: 'valid' | 'used' | LocalStatus;
}

/**
 * The ticket's state in words (issue 21, item 6): valid, used and when, partly used with what is
 * left (rides, value), inside now, or no longer valid and why.
 */
export function stateText(
  ticket: StoredTicket,
  t: Translate,
  format: { formatDateTime(iso: string): string; locale: string },
): StateText {
  const state = ticketState(ticket);
  const usage = ticket.usage;
  const at = (iso: string | null | undefined) => (iso ? format.formatDateTime(iso) : '');
  const balance = usage?.balance
    ? formatMoney(usage.balance.amount, usage.balance.asset, format.locale)
    : undefined;
  switch (state) {
    case 'used': {
      const text = balance
        ? t('state.usedUpValue', { amount: balance })
        : t('state.used', { time: at(usage?.lastEntryAt) });
      return { state, text, tone: 'used' };
    }
    case 'inside':
      return {
        state,
        text: t('state.inside', { time: at(usage?.lastEntryAt) }),
        tone: 'valid',
      };
    case 'partly_used':
      return { state, text: partlyUsedText(ticket, t, at, balance), tone: 'valid' };
    case 'transferred':
      return {
        state,
        text: ticket.transferredTo
          ? t('status.transferredTo', { phone: displayPhone(ticket.transferredTo) })
          : t('status.transferred'),
        tone: state,
      };
    default:
      return { state, text: t(`status.${state}`), tone: state };
  }
}

/** What is left of a partly used ticket: rides, value, re-entry, or unlimited until it ends. */
function partlyUsedText(
  ticket: StoredTicket,
  t: Translate,
  at: (iso: string | null | undefined) => string,
  balance: string | undefined,
): string {
  const usage = ticket.usage;
  // Outside again on a ticket allowing re-entry: its one use is spent, yet it admits.
  if (ticket.entitlement.reentryAllowed && usage?.lastExitAt) {
    return t('state.outside', { time: at(usage.lastExitAt) });
  }
  if (balance) return t('state.valueLeft', { amount: balance });
  if (typeof usage?.entriesLeft === 'number') {
    return t('state.ridesLeft', {
      left: usage.entriesLeft,
      total: ticket.entitlement.entriesAllowed,
    });
  }
  return t('state.lastEntry', { time: at(usage?.lastEntryAt) });
}

/** A stored-value card's balance as of the last sync; undefined for other tickets. */
export function balanceText(ticket: StoredTicket, t: Translate, locale: string) {
  const balance = ticket.usage?.balance ?? ticket.entitlement.storedValue;
  return ticket.entitlement.kind === 'stored_value' && balance
    ? t('ticket.balance', { amount: formatMoney(balance.amount, balance.asset, locale) })
    : undefined;
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
