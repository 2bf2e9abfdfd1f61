/**
 * The gate report's pure steps: standings at the close, admissions by kind, per gate per period,
 * duplicates beside their first entry, scans outside the venue, money per asset, and how the
 * exchange's request disagrees with an order.
 */
import { describe, expect, it } from 'vitest';
import { mismatchOf } from './exchange.ts';
import type { AdmissionScan, VenueTerminal } from './repository.ts';
import {
  outsideList,
  pairDuplicates,
  perGatePeriod,
  scanView,
  standingOf,
  tallyAdmissions,
  tallyPaid,
  tallyRefunds,
} from './tally.ts';

const quarter = 15 * 60_000;

const terminal = (overrides: Partial<VenueTerminal> = {}): VenueTerminal => ({
  id: 'term_1',
  name: 'North 1',
  gate: 'N',
  performanceIds: ['perf_1'],
  lastSeenAt: 1_000,
  revokedAt: null,
  pendingUploads: 0,
  ...overrides,
});

const scan = (overrides: Partial<AdmissionScan> = {}): AdmissionScan => ({
  id: 'adm_1',
  ticket_id: 'tkt_1',
  scanned_at: 0,
  recorded_at: 1_000,
  gate: 'N',
  terminal_id: 'term_1',
  source: 'offline',
  direction: 'entry',
  latitude: null,
  longitude: null,
  accuracy_m: null,
  ...overrides,
});

describe('standingOf', () => {
  it('has a terminal delivered only once it was heard from after the close', () => {
    expect(standingOf(terminal(), null).outstanding).toBeNull();
    expect(standingOf(terminal({ lastSeenAt: 1_000 }), 2_000).outstanding).toBe(
      'not_seen_since_close',
    );
    expect(standingOf(terminal({ lastSeenAt: null }), 2_000).outstanding).toBe(
      'not_seen_since_close',
    );
    expect(standingOf(terminal({ lastSeenAt: 2_000 }), 2_000).outstanding).toBeNull();
  });

  it('puts a revocation before unsent admissions, and those before silence', () => {
    const revoked = terminal({ revokedAt: 500, pendingUploads: 3, lastSeenAt: null });
    expect(standingOf(revoked, 2_000)).toMatchObject({
      outstanding: 'revoked_with_unsent',
      revokedAt: new Date(500).toISOString(),
      pendingUploads: 3,
    });
    expect(standingOf(terminal({ pendingUploads: 1, lastSeenAt: 5_000 }), 2_000).outstanding).toBe(
      'pending_uploads',
    );
  });
});

describe('tallyAdmissions', () => {
  it('counts every admission once per direction, once per source, and per flag', () => {
    const kind = { duplicate: false, outsideVenue: false, revokedRevision: false };
    expect(
      tallyAdmissions([
        { ...kind, direction: 'entry', source: 'online', n: 5 },
        { ...kind, direction: 'entry', source: 'offline', duplicate: true, n: 2 },
        { ...kind, direction: 'exit', source: 'online', outsideVenue: true, n: 1 },
        { ...kind, direction: 'entry', source: 'offline', revokedRevision: true, n: 1 },
      ]),
    ).toEqual({
      entries: 8,
      exits: 1,
      online: 6,
      offline: 3,
      duplicates: 2,
      outsideVenue: 1,
      revokedRevisions: 1,
    });
  });
});

describe('perGatePeriod', () => {
  it('merges the rows of one gate and period, sorted by gate then period', () => {
    const row = { duplicate: false, n: 1 };
    expect(
      perGatePeriod([
        { ...row, gate: 'S', from: 0, direction: 'entry' },
        { ...row, gate: 'N', from: quarter, direction: 'entry', n: 4 },
        { ...row, gate: 'N', from: quarter, direction: 'entry', duplicate: true, n: 2 },
        { ...row, gate: 'N', from: 0, direction: 'exit', n: 3 },
      ]),
    ).toEqual([
      {
        gate: 'N',
        periodStart: new Date(0).toISOString(),
        entries: 0,
        exits: 3,
        duplicates: 0,
      },
      {
        gate: 'N',
        periodStart: new Date(quarter).toISOString(),
        entries: 6,
        exits: 0,
        duplicates: 2,
      },
      { gate: 'S', periodStart: new Date(0).toISOString(), entries: 1, exits: 0, duplicates: 0 },
    ]);
  });
});

describe('duplicates and scans outside the venue', () => {
  const scanOf = scanView(new Map([['term_1', 'North 1']]));

  it('shows a scan with its terminal name, or none for a terminal it does not know', () => {
    expect(scanOf(scan({ terminal_id: 'term_9' })).terminalName).toBeNull();
    expect(scanOf(scan())).toMatchObject({
      admissionId: 'adm_1',
      at: new Date(0).toISOString(),
      recordedAt: new Date(1_000).toISOString(),
      terminalName: 'North 1',
    });
  });

  it('pairs each duplicate with its ticket’s first entry and names the seat', () => {
    const duplicate = {
      ...scan({ id: 'adm_2', scanned_at: 60_000 }),
      number: 'AB12CD34',
      category: 'Stalls',
      section: 'A',
      row_label: '3',
      seat_number: '14',
    };
    const [paired, alone] = pairDuplicates(
      [duplicate, { ...duplicate, ticket_id: 'tkt_2', section: null }],
      new Map([['tkt_1', scan()]]),
      scanOf,
    );
    expect(paired).toMatchObject({
      ticketNumber: 'AB12CD34',
      seat: 'A 3-14',
      first: { admissionId: 'adm_1' },
      duplicate: { admissionId: 'adm_2' },
    });
    expect(alone).toMatchObject({ seat: null, first: null });
  });

  it('gives the distance from the venue in whole metres, none without a position', () => {
    const venue = { latitude: 52.52, longitude: 13.405 };
    const [far, unknown] = outsideList(
      [
        { ...scan({ latitude: 52.53, longitude: 13.405 }), number: 'T1' },
        { ...scan(), number: 'T2' },
      ],
      venue,
      scanOf,
    );
    expect(far?.distanceM).toBe(1112);
    expect(unknown?.distanceM).toBeNull();
  });
});

describe('money', () => {
  it('sums paid orders per asset, the amount of each times how many', () => {
    const paid = tallyPaid([
      { asset: 'USDC', amount: 2_500_000n, n: 3 },
      { asset: 'USDC', amount: 1_000_000n, n: 1 },
      { asset: 'ETH', amount: 10n ** 18n, n: 2 },
    ]);
    expect(paid.assets()).toEqual(['ETH', 'USDC']);
    expect(paid.units('USDC')).toBe(8_500_000n);
    expect(paid.countOf('USDC')).toBe(4);
    expect(paid.units('ETH')).toBe(2n * 10n ** 18n);
  });

  it('splits refunds into done and owed, and counts the remainders apart', () => {
    const refunds = tallyRefunds([
      { asset: 'USDC', amount: 100n, status: 'done', remainder: false, n: 2 },
      { asset: 'USDC', amount: 50n, status: 'pending', remainder: true, n: 1 },
      { asset: 'USDC', amount: 30n, status: 'failed', remainder: false, n: 1 },
      { asset: 'USDC', amount: 20n, status: 'done', remainder: true, n: 1 },
    ]);
    expect(refunds.done.units('USDC')).toBe(220n);
    expect(refunds.owed.units('USDC')).toBe(80n);
    expect(refunds.remainders.units('USDC')).toBe(70n);
    expect(refunds.remainders.countOf('USDC')).toBe(2);
    expect(refunds.remaindersDone.countOf('USDC')).toBe(1);
  });

  it('names how an exchange request disagrees with the order here', () => {
    const order = { asset: 'USDC', amount: 100n, paid_at: 1 };
    const request = { status: 'paid' as const, asset: 'USDC', amount: 100n };
    expect(mismatchOf(order, request)).toBeNull();
    expect(mismatchOf(order, { ...request, status: 'expired' })).toBe(
      'paid here, expired at the exchange',
    );
    expect(mismatchOf({ ...order, paid_at: null }, request)).toBe('paid at the exchange, not here');
    expect(mismatchOf(order, { ...request, amount: 99n })).toBe('another amount at the exchange');
    expect(mismatchOf({ ...order, paid_at: null }, { ...request, status: 'open' })).toBeNull();
  });
});
