/**
 * The gate's decision without a database: a ticket on record with its history, what the terminal
 * read, and the verdict, including the order in which refusals are answered.
 */
import { toBase64url } from '@tessera/protocol';
import { describe, expect, it } from 'vitest';
import type { TerminalPrincipal } from '../identity/service.ts';
import { ticketTerms } from '../tickets/issuance.ts';
import { decide, type Found, type GateInput, type PresentedBarcode } from './decide.ts';
import type { HistoryRow, TicketOnRecord } from './repository.ts';

const doorsAt = Date.UTC(2030, 0, 10, 18);
const endsAt = doorsAt + 4 * 3_600_000;
const inWindow = doorsAt + 60_000;
const credentialBytes = new Uint8Array([1, 2, 3, 4]);

const terminal: TerminalPrincipal = {
  type: 'terminal',
  id: 'trm_north',
  organizerId: 'org_1',
  venueId: 'ven_1',
  gate: 'North',
  name: 'North 1',
  performanceIds: ['perf_1'],
};
const eventIds = ['P1'];

function ticket(overrides: Partial<TicketOnRecord> = {}): TicketOnRecord {
  return {
    id: 'tkt_1',
    number: 'A-1-7',
    performance_id: 'perf_1',
    performance_code: 'P1',
    closed_at: null,
    doors_at: doorsAt,
    ends_at: endsAt,
    category_id: 'cat_1',
    category: 'Seated',
    kind: 'single',
    entries_allowed: 1,
    reentry_allowed: 0,
    valid_from: null,
    valid_until: null,
    stored_value: '0',
    reserved_hex: '',
    seat_id: 'seat_1',
    revision: 1,
    status: 'valid',
    credential: toBase64url(credentialBytes),
    holder_user_id: 'usr_1',
    section: 'A',
    row_label: '1',
    seat_number: '7',
    first_name: 'Minji',
    history: [],
    ...overrides,
  };
}

/** The barcode of the ticket as on record (or of another credential), made at `atMs`. */
function barcodeOf(onRecord: TicketOnRecord, atMs = inWindow, bytes = credentialBytes) {
  const presented: PresentedBarcode = {
    terms: ticketTerms(onRecord, onRecord.number, onRecord.revision),
    credentialBytes: bytes,
    timeS: Math.floor(atMs / 1000),
    ticketId: onRecord.number,
    performanceId: onRecord.performance_id,
  };
  return presented;
}

function entry(atMs: number, overrides: Partial<HistoryRow> = {}): HistoryRow {
  return {
    slot: 0,
    direction: 'entry',
    scanned_at: atMs,
    revision: 1,
    presentation_time: Math.floor(atMs / 1000),
    debit: '0',
    gate: 'South',
    terminal_id: 'trm_south',
    latitude: 37.5,
    longitude: 127,
    ...overrides,
  };
}

const input = (overrides: Partial<GateInput> = {}): GateInput => ({
  direction: 'entry',
  debit: 0n,
  scannedAt: inWindow,
  position: null,
  ...overrides,
});

/** The reason, and whether the answer describes the ticket. */
function outcome(found: Found, now = inWindow, scan: Partial<GateInput> = {}) {
  const verdict = decide(terminal, found, eventIds, input(scan), now);
  return [verdict.answer.reason, verdict.answer.ticket !== undefined];
}

describe('the gate decision', () => {
  it('admits a barcode carrying the credential on record, once', () => {
    const onRecord = ticket();
    const verdict = decide(
      terminal,
      { ticket: onRecord, barcode: barcodeOf(onRecord) },
      eventIds,
      input(),
      inWindow,
    );
    expect(verdict).toEqual({
      admit: true,
      debit: 0n,
      answer: {
        admitted: true,
        reason: 'valid',
        detail: 'admit',
        ticket: {
          id: 'tkt_1',
          number: 'A-1-7',
          performanceCode: 'P1',
          seat: 'A 1-7',
          category: 'Seated',
          holderFirstName: 'Minji',
          kind: 'single',
          usesRemaining: 0,
          valueRemaining: null,
        },
      },
    });
  });

  it('refuses a used ticket with where and when it was first admitted', () => {
    const first = entry(inWindow - 30_000);
    const onRecord = ticket({ history: [first] });
    const verdict = decide(
      terminal,
      { ticket: onRecord, barcode: barcodeOf(onRecord) },
      eventIds,
      input(),
      inWindow,
    );
    expect(verdict.admit).toBe(false);
    expect(verdict.answer).toMatchObject({
      reason: 'already_used',
      firstAdmission: {
        at: new Date(first.scanned_at).toISOString(),
        gate: 'South',
        terminalId: 'trm_south',
        latitude: 37.5,
        longitude: 127,
      },
    });
  });

  it("answers a barcode's own event and window first, without the ticket's details", () => {
    const closedAndRefunded = ticket({ closed_at: inWindow, status: 'refunded' });
    const before = doorsAt - 60_000;
    const after = endsAt + 60_000;
    expect(
      outcome({ ticket: closedAndRefunded, barcode: barcodeOf(closedAndRefunded, before) }, before),
    ).toEqual(['not_yet_valid', false]);
    expect(
      outcome({ ticket: closedAndRefunded, barcode: barcodeOf(closedAndRefunded, after) }, after),
    ).toEqual(['expired', false]);
    // An old revision past its window, and an exit past it.
    const old = ticket({ history: [entry(inWindow)] });
    const copy = barcodeOf(old, after, new Uint8Array([9, 9]));
    expect(outcome({ ticket: old, barcode: copy }, after)).toEqual(['expired', false]);
    expect(
      outcome({ ticket: old, barcode: barcodeOf(old, after) }, after, { direction: 'exit' }),
    ).toEqual(['expired', false]);
    // A barcode of another performance is for another event.
    const elsewhere = { ...barcodeOf(old), terms: { ...barcodeOf(old).terms, eventId: 'P9' } };
    expect(outcome({ ticket: undefined, barcode: elsewhere })).toEqual(['wrong_event', false]);
  });

  it('then what the database says: not on record, closed, no longer valid, an earlier revision', () => {
    const onRecord = ticket();
    const verdict = decide(
      terminal,
      { ticket: undefined, barcode: barcodeOf(onRecord) },
      eventIds,
      input(),
      inWindow,
    );
    expect(verdict.answer).toEqual({
      admitted: false,
      reason: 'revoked',
      detail: 'no such ticket is on record',
    });
    // Closed comes before the ticket's status and its history.
    const closed = ticket({ closed_at: inWindow, status: 'refunded', history: [entry(inWindow)] });
    expect(outcome({ ticket: closed, barcode: barcodeOf(closed) })).toEqual(['closed', true]);
    const refunded = ticket({ status: 'refunded', history: [entry(inWindow)] });
    const refusal = decide(
      terminal,
      { ticket: refunded, barcode: barcodeOf(refunded) },
      eventIds,
      input(),
      inWindow,
    );
    expect(refusal.answer).toMatchObject({ reason: 'revoked', detail: 'the ticket is refunded' });
    const used = ticket({ history: [entry(inWindow - 1000)] });
    const older = barcodeOf(used, inWindow, new Uint8Array([9, 9]));
    const earlier = decide(terminal, { ticket: used, barcode: older }, eventIds, input(), inWindow);
    expect(earlier.answer).toMatchObject({
      reason: 'revoked',
      detail: 'an earlier revision of this ticket (transferred, reissued or refunded)',
    });
  });

  it('looks a manual code up first: the database answers before its window', () => {
    const closed = ticket({ closed_at: endsAt });
    const after = endsAt + 60_000;
    expect(outcome({ ticket: closed }, after)).toEqual(['closed', true]);
    expect(outcome({ ticket: ticket({ status: 'cancelled' }) }, after)).toEqual(['revoked', true]);
    expect(outcome({ ticket: ticket() }, after)).toEqual(['expired', true]);
    expect(outcome({ ticket: ticket() })).toEqual(['valid', true]);
    expect(outcome({ ticket: undefined })).toEqual(['wrong_event', false]);
  });

  it('scans out only a holder who is inside, where re-entry is allowed, and back in once', () => {
    const exit = { direction: 'exit' as const };
    expect(outcome({ ticket: ticket({ history: [entry(inWindow)] }) }, inWindow, exit)).toEqual([
      'no_reentry',
      true,
    ]);
    const reentry = { kind: 'timed' as const, entries_allowed: 0, reentry_allowed: 1 };
    expect(outcome({ ticket: ticket(reentry) }, inWindow, exit)).toEqual(['not_inside', true]);
    const inside = ticket({ ...reentry, history: [entry(inWindow - 60_000)] });
    const out = decide(
      terminal,
      { ticket: inside, barcode: barcodeOf(inside) },
      eventIds,
      input(exit),
      inWindow,
    );
    expect(out).toMatchObject({
      admit: true,
      debit: 0n,
      answer: { reason: 'exit', detail: 'scanned out' },
    });
    const outside = ticket({
      ...reentry,
      history: [entry(inWindow - 60_000), entry(inWindow - 30_000, { slot: 1, direction: 'exit' })],
    });
    const back = decide(
      terminal,
      { ticket: outside, barcode: barcodeOf(outside) },
      eventIds,
      input(),
      inWindow,
    );
    expect(back).toMatchObject({
      admit: true,
      answer: { reason: 'reentry', detail: 'welcome back' },
    });
  });

  it('debits a stored-value ticket within what is left, and never below zero', () => {
    const card = ticket({
      kind: 'stored_value',
      entries_allowed: 0,
      stored_value: '1000',
      history: [entry(inWindow - 60_000, { debit: '700' })],
    });
    const paid = decide(
      terminal,
      { ticket: card, barcode: barcodeOf(card) },
      eventIds,
      input({ debit: 300n }),
      inWindow,
    );
    expect(paid).toMatchObject({
      admit: true,
      debit: 300n,
      answer: { ticket: { valueRemaining: '0' } },
    });
    const short = decide(
      terminal,
      { ticket: card, barcode: barcodeOf(card) },
      eventIds,
      input({ debit: 301n }),
      inWindow,
    );
    expect(short.answer).toMatchObject({
      reason: 'entitlement_exhausted',
      detail: 'stored value left is 300',
      ticket: { valueRemaining: '300' },
    });
  });
});
