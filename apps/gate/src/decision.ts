/**
 * What the online check (claim 12) and the offline one (claim 11) share when they turn a read
 * into a decision for the screen and an entry for the log: the entry begun for each read, a
 * refusal, and stored value shown in its asset.
 */
import type { PackagePerformance, Position } from './api.ts';
import { formatUnits } from './measure.ts';
import type { Decision, Direction, InputKind, LogEntry, Mode } from './terminal-types.ts';

function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `n${Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}

/** The log entry of one read before it is decided: a fresh nonce, refused until decided. */
export function beginEntry(
  input: InputKind,
  direction: Direction,
  scannedAt: Date,
  source: Mode,
  position: Position | null,
): LogEntry {
  return {
    nonce: newNonce(),
    at: scannedAt.toISOString(),
    source,
    input,
    admitted: false,
    reason: '',
    detail: '',
    direction,
    performanceCode: null,
    ticketId: null,
    revision: null,
    presentationTimeS: null,
    debit: '0',
    position,
    pending: 0,
    uploaded: null,
    flaggedDuplicate: false,
    seat: null,
    category: null,
  };
}

/** A refusal that knows nothing of the ticket (no package, too many wrong codes, a bad call). */
export function refusal(
  reason: string,
  detail: string,
  source: Mode,
  direction: Direction,
  outsideVenue: boolean,
): Decision {
  return {
    admitted: false,
    reason,
    detail,
    source,
    direction,
    ticketId: null,
    kind: null,
    seat: null,
    category: null,
    holder: null,
    usesRemaining: null,
    valueRemaining: null,
    firstAdmission: null,
    validFrom: null,
    outsideVenue,
    decidedAt: Date.now(),
  };
}

/** The debit typed at the gate in the smallest unit of the stored-value categories' scale. */
export function storedValueScale(performances: readonly PackagePerformance[]): {
  scale: number;
  asset: string | null;
} {
  for (const performance of performances) {
    for (const category of performance.categories) {
      if (category.kind === 'stored_value' && category.storedValueScale !== null) {
        return { scale: category.storedValueScale, asset: category.storedValueAsset };
      }
    }
  }
  return { scale: 0, asset: null };
}

/** Stored value left, in the categories' scale and with their asset ("4.5 USDT"). */
export function valueText(units: bigint, performances: readonly PackagePerformance[]): string {
  const { scale, asset } = storedValueScale(performances);
  return `${formatUnits(units, scale)}${asset ? ` ${asset}` : ''}`;
}
