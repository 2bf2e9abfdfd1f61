/**
 * What the gate's screens get from the shell (app.tsx) through `useGate()`: the terminal and its
 * snapshot, the direction and debit the next read uses, the way to decide a read, and the
 * timings the benchmark and the tests read. A module of its own, so that the shell imports the
 * screens and the screens import this, with no cycle between them.
 */
import { createContext, useContext } from 'react';
import type { GateTerminal } from './terminal.ts';
import type { Direction, InputKind, Snapshot } from './terminal-types.ts';

/** What the benchmark and tests read: decode and decision timings, measured in the page. */
export interface GateMetrics {
  decisions: { frameAt: number | null; shownAt: number; source: string; admitted: boolean }[];
  decodeMs: number[];
  framesPerSecond: number;
}

declare global {
  interface Window {
    __gateMetrics?: GateMetrics;
  }
}

export interface GateContextValue {
  terminal: GateTerminal;
  state: Snapshot;
  direction: Direction;
  setDirection(direction: Direction): void;
  debit: bigint;
  setDebit(debit: bigint): void;
  /** Decides on a code read by the camera or the scanner (ignoring repeats of the same showing). */
  read(text: string, input: InputKind, frameAt: number | null): void;
  decideManual(ticketNumber: string, pin: string): Promise<void>;
  /** Before enrolment, a scanned code goes to the enrolment screen instead. */
  enrolCode: { current: ((code: string) => void) | undefined };
  metrics: GateMetrics;
}

export const GateContext = createContext<GateContextValue | undefined>(undefined);

export function useGate(): GateContextValue {
  const value = useContext(GateContext);
  if (!value) throw new Error('useGate outside the gate app');
  return value;
}
