/** The event package's cursor: round trips, scope, and what is refused as not one of ours. */
import { describe, expect, it } from 'vitest';
import type { TerminalPrincipal } from '../../identity/service.ts';
import { cursorPattern, decodeCursor, encodeCursor, scopeOf, settledPosition } from './cursor.ts';

const terminal: TerminalPrincipal = {
  type: 'terminal',
  id: 'trm_1',
  organizerId: 'org_1',
  venueId: 'ven_1',
  gate: 'North',
  name: 'North 1',
  performanceIds: ['perf_b', 'perf_a'],
};

describe('the package cursor', () => {
  it('reads back what it wrote, and matches the pattern the route checks', () => {
    const state = {
      scope: scopeOf(terminal),
      revocationSeq: 12,
      admissionSeq: 3_400,
      manualCode: { at: 1_790_000_000_000, ticketId: 'tkt_0123456789ab' },
    };
    const text = encodeCursor(state);
    expect(text).toMatch(new RegExp(cursorPattern));
    expect(decodeCursor(text)).toEqual(state);
    expect(decodeCursor(encodeCursor({ ...state, manualCode: null }))).toEqual({
      ...state,
      manualCode: null,
    });
  });

  it('is scoped to the terminal and its set of performances, whatever their order', () => {
    const reordered = { ...terminal, performanceIds: ['perf_a', 'perf_b'] };
    expect(scopeOf(reordered)).toBe(scopeOf(terminal));
    expect(scopeOf({ ...terminal, performanceIds: ['perf_a'] })).not.toBe(scopeOf(terminal));
    expect(scopeOf({ ...terminal, id: 'trm_2' })).not.toBe(scopeOf(terminal));
  });

  it('refuses anything that is not one of its cursors (400 invalid_cursor)', () => {
    const encode = (value: unknown) =>
      `pk1.${Buffer.from(JSON.stringify(value)).toString('base64url')}`;
    for (const text of [
      'pk2.abc',
      'pk1.not-json',
      encode({ scope: 'x' }),
      encode(['x', -1, 0, null, null]),
      encode(['x', 0, 0, 5, null]),
      encode(['x', 0, 0, 5, 'ord_0123456789']),
      `pk1.${'A'.repeat(401)}`,
    ]) {
      expect(() => decodeCursor(text), text).toThrow(
        expect.objectContaining({ code: 'invalid_cursor' }),
      );
    }
  });

  it('moves only past rows that have settled, and says whether the whole page had', () => {
    const rows = [{ at: 1 }, { at: 2 }, { at: 9 }, { at: 3 }];
    expect(settledPosition(rows, (row) => row.at, 5)).toEqual({
      last: { at: 2 },
      complete: false,
    });
    expect(settledPosition(rows.slice(0, 2), (row) => row.at, 5)).toEqual({
      last: { at: 2 },
      complete: true,
    });
    expect(settledPosition([], (row: { at: number }) => row.at, 5)).toEqual({
      last: undefined,
      complete: true,
    });
  });
});
