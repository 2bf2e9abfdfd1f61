import { describe, expect, it } from 'vitest';
import { type MessageKey, type Params, translate } from '../i18n.ts';
import type { StoredTicket } from '../tickets.ts';
import { balanceText, seatText, stateText } from './ticket-text.ts';

const t = (key: MessageKey, params?: Params) => translate('en', key, params);
const format = { formatDateTime: (iso: string) => `<${iso}>`, locale: 'en-US' };
const unused = {
  state: 'unused',
  entriesUsed: 0,
  entriesLeft: null,
  firstEntryAt: null,
  lastEntryAt: null,
  lastExitAt: null,
  inside: false,
  balance: null,
} as const;

/** A stored ticket with just what the words read. */
function ticket(
  entitlement: Partial<StoredTicket['entitlement']>,
  usage: Partial<NonNullable<StoredTicket['usage']>> | undefined,
  status: StoredTicket['status'] = 'valid',
): StoredTicket {
  return {
    status,
    transferredTo: null,
    seat: null,
    category: '10 rides',
    entitlement: {
      kind: 'multi',
      entriesAllowed: 10,
      reentryAllowed: false,
      validFrom: '2026-12-07T00:00:00.000Z',
      validUntil: '2026-12-08T00:00:00.000Z',
      storedValue: null,
      ...entitlement,
    },
    usage: usage && { ...unused, ...usage },
  } as StoredTicket;
}

describe("a ticket's state in words", () => {
  it('says valid until a gate admits it, also for a ticket stored before usage existed', () => {
    expect(stateText(ticket({}, {}), t, format)).toMatchObject({ state: 'valid', text: 'Valid' });
    expect(stateText(ticket({}, undefined), t, format).text).toBe('Valid');
  });

  it('counts the rides left, and says used with the time once none is left', () => {
    const one = ticket({}, { state: 'partly_used', entriesUsed: 1, entriesLeft: 9 });
    expect(stateText(one, t, format)).toMatchObject({
      text: 'Partly used: 9 of 10 rides left',
      tone: 'valid',
    });
    const spent = ticket(
      { kind: 'single', entriesAllowed: 1 },
      { state: 'used_up', entriesLeft: 0, lastEntryAt: '2026-12-07T10:00:00.000Z' },
    );
    expect(stateText(spent, t, format)).toMatchObject({
      state: 'used',
      text: 'Used: admitted at <2026-12-07T10:00:00.000Z>',
      tone: 'used',
    });
  });

  it('says inside now, and outside again where re-entry is allowed', () => {
    const terms = { kind: 'single', entriesAllowed: 1, reentryAllowed: true };
    const inside = ticket(terms, { state: 'inside', inside: true, lastEntryAt: 'in' });
    expect(stateText(inside, t, format).text).toBe('Inside now: entered at <in>');
    const out = ticket(terms, { state: 'partly_used', entriesLeft: 0, lastExitAt: 'out' });
    expect(stateText(out, t, format).text).toBe('Scanned out at <out>: you can go back in');
  });

  it("shows a stored-value card's balance, before and after the debits", () => {
    const card = {
      kind: 'stored_value',
      entriesAllowed: 0,
      storedValue: { asset: 'KRW', amount: '20000' },
    };
    expect(balanceText(ticket(card, {}), t, 'en-US')).toBe('Balance 20,000 KRW');
    const debited = ticket(card, {
      state: 'partly_used',
      balance: { asset: 'KRW', amount: '7500' },
    });
    expect(stateText(debited, t, format).text).toBe('Partly used: 7,500 KRW left');
    const empty = ticket(card, { state: 'used_up', balance: { asset: 'KRW', amount: '0' } });
    expect(stateText(empty, t, format).text).toBe('Used up: 0 KRW left');
  });

  it('says why a ticket is no longer valid, whatever the gates did', () => {
    const refunded = ticket({}, { state: 'partly_used', entriesLeft: 3 }, 'refunded');
    expect(stateText(refunded, t, format)).toMatchObject({
      text: 'Refunded: no longer valid',
      tone: 'refunded',
    });
  });

  it('names a pass by its category alone: it has no admission area', () => {
    expect(seatText(ticket({}, {}), t)).toBe('10 rides');
    expect(seatText(ticket({ kind: 'single' }, {}), t)).toBe('10 rides · general admission');
  });
});
