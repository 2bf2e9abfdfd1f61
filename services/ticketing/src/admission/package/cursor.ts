/**
 * The event package's cursor: where a terminal's package stands, as an opaque string it sends
 * back (`since`). It holds the last change of each list the terminal has for good, and the scope
 * it was made for: a cursor is only good for the terminal and the performances it was made for.
 *
 * The cursor only moves past a change once it is `packageSettleMs` old (see `service.ts`).
 */

import { createHash } from 'node:crypto';
import { badRequest } from '@tessera/service-kit/errors';
import type { TerminalPrincipal } from '../../identity/service.ts';

/** Where a terminal's package stands: the last change of each list it has for good. */
export interface CursorState {
  /** The terminal and the performances the positions are about. */
  scope: string;
  revocationSeq: number;
  admissionSeq: number;
  manualCode: { at: number; ticketId: string } | null;
}

const cursorPrefix = 'pk1.';
const cursorCharsMax = 400;
export const cursorPattern = `^${cursorPrefix.replace('.', '\\.')}[A-Za-z0-9_-]{1,${cursorCharsMax}}$`;

/** A cursor is only good for the terminal and the performances it was made for. */
export function scopeOf(terminal: TerminalPrincipal) {
  return createHash('sha256')
    .update(`${terminal.id}\n${[...terminal.performanceIds].sort().join(',')}`)
    .digest('base64url')
    .slice(0, 16);
}

export function encodeCursor(state: CursorState) {
  const compact = [
    state.scope,
    state.revocationSeq,
    state.admissionSeq,
    state.manualCode ? state.manualCode.at : null,
    state.manualCode ? state.manualCode.ticketId : null,
  ];
  return cursorPrefix + Buffer.from(JSON.stringify(compact)).toString('base64url');
}

const invalidCursor = () =>
  badRequest('invalid_cursor', 'since must be the cursor of an earlier package, as it was given');

/** Reads a cursor back; anything that is not one of ours is refused (400). */
export function decodeCursor(text: string): CursorState {
  if (text.length > cursorPrefix.length + cursorCharsMax || !text.startsWith(cursorPrefix)) {
    throw invalidCursor();
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text.slice(cursorPrefix.length), 'base64url').toString());
  } catch {
    throw invalidCursor();
  }
  const isSeq = (value: unknown): value is number =>
    typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
  if (!Array.isArray(parsed) || parsed.length !== 5) throw invalidCursor();
  const [scope, revocationSeq, admissionSeq, at, ticketId] = parsed as unknown[];
  if (typeof scope !== 'string' || !isSeq(revocationSeq) || !isSeq(admissionSeq)) {
    throw invalidCursor();
  }
  let manualCode: CursorState['manualCode'] = null;
  if (at !== null || ticketId !== null) {
    if (!isSeq(at) || typeof ticketId !== 'string' || !/^tkt_[0-9a-z]{8,40}$/.test(ticketId)) {
      throw invalidCursor();
    }
    manualCode = { at, ticketId };
  }
  return { scope, revocationSeq, admissionSeq, manualCode };
}

/**
 * The position a list's cursor may move to: the last row of the page before the first one that
 * is younger than `horizon` (the rows after it come again next time), and whether the whole page
 * had settled.
 */
export function settledPosition<T>(
  rows: readonly T[],
  timeOf: (row: T) => number,
  horizon: number,
) {
  let last: T | undefined;
  for (const row of rows) {
    if (timeOf(row) > horizon) return { last, complete: false };
    last = row;
  }
  return { last, complete: true };
}
