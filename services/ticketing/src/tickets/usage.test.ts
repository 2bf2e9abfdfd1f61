import { describe, expect, it } from 'vitest';
import { type UsageAdmission, usageOf } from './usage.ts';

const entry = (scannedAt: number, debit = 0n): UsageAdmission => ({
  direction: 'entry',
  scannedAt,
  debit,
});
const exit = (scannedAt: number): UsageAdmission => ({ direction: 'exit', scannedAt, debit: 0n });
const single = { kind: 'single', entriesAllowed: 1, reentryAllowed: false, storedValue: 0n };

describe('ticket usage', () => {
  it('replays admissions in scan order, whatever order they were uploaded in', () => {
    const pass = { ...single, kind: 'timed', entriesAllowed: 0, reentryAllowed: true };
    // Uploaded late: the exit at 2 came in after the entry at 3.
    const usage = usageOf(pass, [entry(1), entry(3), exit(2)]);
    expect(usage).toMatchObject({ state: 'inside', entriesUsed: 1, entriesLeft: null });
    expect(usage).toMatchObject({ firstEntryAt: 1, lastEntryAt: 3, lastExitAt: 2 });
  });

  it('counts every entry it is given as a use where re-entry is not allowed', () => {
    const usage = usageOf({ ...single, entriesAllowed: 2, kind: 'multi' }, [entry(1), entry(1)]);
    expect(usage).toMatchObject({ state: 'used_up', entriesUsed: 2, entriesLeft: 0 });
  });

  it('reads a stored value debited past its balance (a corrupt history) as empty, not an error', () => {
    const card = { ...single, kind: 'stored_value', entriesAllowed: 0, storedValue: 100n };
    expect(usageOf(card, [entry(1, 100n)])).toMatchObject({ state: 'used_up', valueLeft: 0n });
    expect(usageOf(card, [entry(1, 60n), entry(2, 60n)])).toMatchObject({
      state: 'used_up',
      entriesUsed: 2,
      valueLeft: 0n,
    });
  });
});
