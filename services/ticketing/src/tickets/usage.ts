/**
 * What a ticket's holder has used of it (issue 21, item 6): entries counted, entries left, when
 * it was last scanned in and out, whether the holder is inside now, and a stored-value card's
 * balance after the gates' debits. Pure: the admissions are read by the repository
 * (`admissionsOfTickets`), replayed here.
 *
 * The replay follows the gate's own rule (the protocol's `evaluateEntitlement`): in time order,
 * an exit leaves; an entry after an exit, where the ticket allows re-entry, does not use it up;
 * every other entry counts as one use. So the app says "used" exactly when a gate would refuse
 * the ticket for its history, and says nothing a gate would contradict.
 */

/** One admission of a ticket, as the usage counts it. */
export interface UsageAdmission {
  direction: 'entry' | 'exit';
  /** When the terminal scanned (ms). */
  scannedAt: number;
  /** Debited from a stored-value ticket, in its units. */
  debit: bigint;
}

/** The ticket's terms that say how much of it there is. */
export interface UsageTerms {
  kind: string;
  /** 0: unlimited. */
  entriesAllowed: number;
  reentryAllowed: boolean;
  /** In its units; 0 unless a stored-value ticket. */
  storedValue: bigint;
}

/**
 * - `unused`: no entry yet;
 * - `inside`: entered and not scanned out, on a ticket that allows leaving and coming back;
 * - `partly_used`: used, and a gate would still admit it (rides or value left, unlimited, or
 *   re-entry after an exit);
 * - `used_up`: a gate refuses it for its history (its entries spent, or no value left).
 */
export type UsageState = 'unused' | 'inside' | 'partly_used' | 'used_up';

export interface Usage {
  state: UsageState;
  entriesUsed: number;
  /** Null when the entries are unlimited. */
  entriesLeft: number | null;
  firstEntryAt: number | null;
  lastEntryAt: number | null;
  lastExitAt: number | null;
  inside: boolean;
  /** Stored value left (its units); null unless a stored-value ticket. */
  valueLeft: bigint | null;
}

/** Replays the admissions (any order) against the terms. */
export function usageOf(terms: UsageTerms, admissions: readonly UsageAdmission[]): Usage {
  // A stable sort by scan time, as the gate replays them.
  const records = [...admissions].sort((a, b) => a.scannedAt - b.scannedAt);
  let uses = 0;
  let inside = false;
  let debited = 0n;
  let firstEntryAt: number | null = null;
  let lastEntryAt: number | null = null;
  let lastExitAt: number | null = null;
  for (const record of records) {
    if (record.direction === 'exit') {
      inside = false;
      lastExitAt = record.scannedAt;
      continue;
    }
    const reentry = terms.reentryAllowed && uses > 0 && !inside;
    if (!reentry) uses += 1;
    inside = true;
    debited += record.debit;
    firstEntryAt ??= record.scannedAt;
    lastEntryAt = record.scannedAt;
  }
  const entriesLeft = terms.entriesAllowed === 0 ? null : Math.max(0, terms.entriesAllowed - uses);
  const debitedLeft = terms.kind === 'stored_value' ? terms.storedValue - debited : null;
  // Neither the gates nor the uploads' replay count a debit past the balance (a scan that would
  // go past it is refused, or flagged a duplicate and not read), so a negative balance means a
  // corrupt history. The holder's view must not fail for it (their whole ticket list would
  // answer 500): the card reads empty, as a gate would treat it; the reconciliation report is
  // where staff see the history itself.
  const valueLeft = debitedLeft !== null && debitedLeft < 0n ? 0n : debitedLeft;
  return {
    state: stateOf(terms, uses, inside, entriesLeft, valueLeft),
    entriesUsed: uses,
    entriesLeft,
    firstEntryAt,
    lastEntryAt,
    lastExitAt,
    inside: terms.reentryAllowed && inside,
    valueLeft,
  };
}

function stateOf(
  terms: UsageTerms,
  uses: number,
  inside: boolean,
  entriesLeft: number | null,
  valueLeft: bigint | null,
): UsageState {
  if (uses === 0) return 'unused';
  if (terms.reentryAllowed) return inside ? 'inside' : 'partly_used';
  if (entriesLeft === 0 || (valueLeft !== null && valueLeft <= 0n)) return 'used_up';
  return 'partly_used';
}
