/**
 * How reads become decisions in the shell (app.tsx): one code decided at a time with the next
 * kept rather than lost, a code still in view not decided twice, the direction and debit the
 * next read uses, and the hardware scanner's keystrokes listened for on the whole window.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { ScannerBurst } from './scanner.ts';
import type { GateTerminal } from './terminal.ts';
import type { Decision, Direction, InputKind } from './terminal-types.ts';

/**
 * The same code read again within this time of its last read is the same showing, not a second
 * one: a code must leave the camera's view this long to be decided again.
 */
export const repeatQuietMs = 3_000;

type Show = (decision: Decision, frameAt: number | null) => void;
type Read = (text: string, input: InputKind, frameAt: number | null) => void;

/** The direction and debit the next read uses, changed at once by the controls. */
function useSettings() {
  const [direction, setDirectionState] = useState<Direction>('entry');
  const [debit, setDebitState] = useState(0n);
  // What the next read uses, changed at once by the controls (a scan may come before a render).
  const settings = useRef({ direction, debit });
  const setDirection = useCallback((next: Direction) => {
    settings.current = { ...settings.current, direction: next };
    setDirectionState(next);
  }, []);
  const setDebit = useCallback((next: bigint) => {
    settings.current = { ...settings.current, debit: next };
    setDebitState(next);
  }, []);
  return { direction, setDirection, debit, setDebit, settings };
}

/** Deciding reads: `read` for the camera and the scanner, `decideManual` for typed codes. */
export function useReading(terminal: GateTerminal, show: Show) {
  const { settings, ...controls } = useSettings();
  // The code being decided, and the one read meanwhile (the latest only) that comes next.
  const deciding = useRef<string | null>(null);
  const waiting = useRef<{ text: string; input: InputKind; frameAt: number | null }>(undefined);
  const last = useRef<{ text: string; at: number }>({ text: '', at: 0 });

  const read: Read = useCallback(
    (text, input, frameAt) => {
      // An enrolment code in view (the supervisor's sheet) is not a ticket.
      if (text.startsWith('tessera-enrol:')) return;
      if (deciding.current !== null) {
        // Another code while one is being decided (the next holder's, from the scanner or
        // the camera) is decided right after it, not lost; the one being decided, still in
        // view, is the same showing.
        if (text !== deciding.current) waiting.current = { text, input, frameAt };
        return;
      }
      const now = Date.now();
      if (text === last.current.text && now - last.current.at < repeatQuietMs) {
        // Still in view: the same showing, however long the holder keeps the phone there.
        last.current = { text, at: now };
        return;
      }
      last.current = { text, at: now };
      deciding.current = text;
      const { direction: way, debit: amount } = settings.current;
      terminal
        .decideBarcode(text, input, way, amount)
        .then((decision) => show(decision, frameAt))
        .catch((error: unknown) => console.error('deciding failed', error))
        .finally(() => {
          deciding.current = null;
          // The quiet time counts from the answer, so a slow online check does not eat it.
          last.current = { text, at: Date.now() };
          const next = waiting.current;
          waiting.current = undefined;
          if (next) read(next.text, next.input, next.frameAt);
        });
    },
    [terminal, show, settings],
  );

  const decideManual = useCallback(
    async (ticketNumber: string, pin: string) => {
      const { direction: way, debit: amount } = settings.current;
      show(await terminal.decideManual(ticketNumber, pin, way, amount), null);
    },
    [terminal, show, settings],
  );

  return { ...controls, read, decideManual };
}

/**
 * A hardware scanner types the code and Enter, wherever the focus is: enrolled, it is a ticket
 * read; before enrolment it goes to the enrolment screen (the returned ref).
 */
export function useScannerKeys(read: Read, enrolled: boolean) {
  const enrolCode = useRef<(code: string) => void>(undefined);
  const enrolledRef = useRef(enrolled);
  enrolledRef.current = enrolled;
  useEffect(() => {
    const burst = new ScannerBurst();
    const onKey = (event: KeyboardEvent) => {
      const code = burst.key(event.key, event.timeStamp, event.target);
      // Inside a burst the keys are the scanner's: they must not type or press anything.
      if (burst.active) event.preventDefault();
      if (code === undefined) return;
      event.preventDefault();
      event.stopPropagation();
      if (enrolledRef.current) read(code, 'scanner', null);
      else enrolCode.current?.(code);
    };
    window.addEventListener('keydown', onKey, { capture: true });
    return () => window.removeEventListener('keydown', onKey, { capture: true });
  }, [read]);
  return enrolCode;
}
