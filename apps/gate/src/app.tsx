/**
 * The shell: loads /config.json, boots the terminal from the device's storage, then shows the
 * enrolment screen or the gate screens (scan, door sale, log, end of event) under the status bar
 * that always says the mode, the gate, the event, the last sync and the uploads waiting. The
 * hardware scanner's keystrokes are listened for here, on the whole window.
 */
import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useRef,
  useState,
  useSyncExternalStore,
} from 'react';
import { isGateConfig } from './app-config.ts';
import { signal, unlockAudio } from './feedback.ts';
import { I18nProvider, useI18n } from './i18n.ts';
import { ResultScreen } from './result.tsx';
import { ScannerBurst } from './scanner.ts';
import { DoorSaleScreen } from './screens/door.tsx';
import { EndOfEventScreen } from './screens/end.tsx';
import { EnrolScreen } from './screens/enrol.tsx';
import { LogScreen } from './screens/log.tsx';
import { ScanScreen } from './screens/scan.tsx';
import { StatusBar } from './status-bar.tsx';
import { GateTerminal } from './terminal.ts';
import type { Decision, Direction, InputKind, Snapshot } from './terminal-types.ts';

/**
 * The same code read again within this time of its last read is the same showing, not a second
 * one: a code must leave the camera's view this long to be decided again.
 */
export const repeatQuietMs = 3_000;
/** How long a decision stays on screen unless the next ticket comes first. */
const resultShownMs = 4_000;
const configTimeoutMs = 5_000;

interface Shown extends Decision {
  /** When the frame reached the decoder, for the benchmark's timing; null for typed input. */
  frameAt: number | null;
}

/** What the benchmark and tests read: decode and decision timings, measured in the page. */
interface GateMetrics {
  decisions: { frameAt: number | null; shownAt: number; source: string; admitted: boolean }[];
  decodeMs: number[];
  framesPerSecond: number;
}

declare global {
  interface Window {
    __gateMetrics?: GateMetrics;
  }
}

interface GateContext {
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

const Context = createContext<GateContext | undefined>(undefined);

export function useGate(): GateContext {
  const value = useContext(Context);
  if (!value) throw new Error('useGate outside the gate app');
  return value;
}

export function App() {
  return (
    <I18nProvider>
      <Boot />
    </I18nProvider>
  );
}

function Boot() {
  const { t } = useI18n();
  const [terminal, setTerminal] = useState<GateTerminal>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let cancelled = false;
    (async () => {
      const response = await fetch('/config.json', {
        cache: 'no-store',
        signal: AbortSignal.timeout(configTimeoutMs),
      });
      const config: unknown = await response.json();
      if (!isGateConfig(config)) throw new Error('/config.json is not the gate configuration');
      const made = new GateTerminal(config.ticketingUrl, config.development);
      await made.boot();
      if (!cancelled) setTerminal(made);
    })().catch((failure: unknown) => {
      if (!cancelled) setError(failure instanceof Error ? failure.message : String(failure));
    });
    return () => {
      cancelled = true;
    };
  }, []);
  if (error) {
    return (
      <main className="boot" role="alert">
        {t('error.unexpected', { message: error })}
      </main>
    );
  }
  if (!terminal) return <main className="boot">{t('common.loading')}</main>;
  return <Gate terminal={terminal} />;
}

type Tab = 'scan' | 'door' | 'log' | 'end';

function Gate({ terminal }: { terminal: GateTerminal }) {
  const { t, lang, setLang } = useI18n();
  const state = useSyncExternalStore(terminal.subscribe, terminal.snapshot);
  const [tab, setTab] = useState<Tab>('scan');
  const [direction, setDirectionState] = useState<Direction>('entry');
  const [debit, setDebitState] = useState(0n);
  const [shown, setShown] = useState<Shown>();
  const metrics = useRef<GateMetrics>({ decisions: [], decodeMs: [], framesPerSecond: 0 }).current;
  window.__gateMetrics = metrics;
  // The code being decided, and the one read meanwhile (the latest only) that comes next.
  const deciding = useRef<string | null>(null);
  const waiting = useRef<{ text: string; input: InputKind; frameAt: number | null }>(undefined);
  const last = useRef<{ text: string; at: number }>({ text: '', at: 0 });
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

  useEffect(() => {
    terminal.onDecision = (decision) => signal(decision.admitted);
    return () => {
      terminal.onDecision = undefined;
    };
  }, [terminal]);

  // Unit 414: the position, watched while the app is open.
  const enrolled = state.credential !== undefined;
  useEffect(() => {
    if (!enrolled || !('geolocation' in navigator)) return;
    const watch = navigator.geolocation.watchPosition(
      (position) =>
        terminal.setPosition({
          latitude: position.coords.latitude,
          longitude: position.coords.longitude,
          accuracyM: Math.min(100_000, Math.max(0, position.coords.accuracy)),
        }),
      () => terminal.setPosition(null),
      { enableHighAccuracy: true, maximumAge: 10_000, timeout: 30_000 },
    );
    return () => navigator.geolocation.clearWatch(watch);
  }, [enrolled, terminal]);

  const show = useCallback((decision: Decision, frameAt: number | null) => {
    setShown({ ...decision, frameAt });
  }, []);

  const read = useCallback(
    (text: string, input: InputKind, frameAt: number | null) => {
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
    [terminal, show],
  );

  const decideManual = useCallback(
    async (ticketNumber: string, pin: string) => {
      const { direction: way, debit: amount } = settings.current;
      show(await terminal.decideManual(ticketNumber, pin, way, amount), null);
    },
    [terminal, show],
  );

  // A hardware scanner types the code and Enter, wherever the focus is.
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

  // The decision is on screen once the browser has painted it: that is when the clock stops.
  useEffect(() => {
    if (!shown) return;
    const frame = requestAnimationFrame(() => {
      metrics.decisions.push({
        frameAt: shown.frameAt,
        shownAt: performance.timeOrigin + performance.now(),
        source: shown.source,
        admitted: shown.admitted,
      });
    });
    const hide = setTimeout(() => setShown(undefined), resultShownMs);
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(hide);
    };
  }, [shown, metrics]);

  const gate: GateContext = {
    terminal,
    state,
    direction,
    setDirection,
    debit,
    setDebit,
    read,
    decideManual,
    enrolCode,
    metrics,
  };

  return (
    <Context.Provider value={gate}>
      {/* biome-ignore lint/a11y/noStaticElementInteractions: the first tap anywhere unlocks sound. */}
      <div className="gate" onPointerDown={unlockAudio} onKeyDown={unlockAudio}>
        <header className="top">
          <span className="brand">{t('app.name')}</span>
          <button
            type="button"
            className="lang"
            onClick={() => setLang(lang === 'en' ? 'ko' : 'en')}
          >
            <span lang={lang === 'en' ? 'ko' : 'en'}>{t('lang.toggle')}</span>{' '}
            <span className="visually-hidden">{t('lang.toggleLabel')}</span>
          </button>
        </header>
        {!enrolled ? (
          <main id="main">
            <EnrolScreen />
          </main>
        ) : (
          <>
            <StatusBar />
            <nav aria-label={t('nav.label')} className="tabs">
              {(['scan', 'door', 'log', 'end'] as const).map((name) => (
                <button
                  key={name}
                  type="button"
                  aria-pressed={tab === name}
                  onClick={() => setTab(name)}
                >
                  {t(`nav.${name}`)}
                </button>
              ))}
            </nav>
            <main id="main">
              <Screen tab={tab} />
            </main>
          </>
        )}
        {shown && <ResultScreen decision={shown} onClose={() => setShown(undefined)} />}
      </div>
    </Context.Provider>
  );
}

function Screen({ tab }: { tab: Tab }): ReactNode {
  switch (tab) {
    case 'scan':
      return <ScanScreen />;
    case 'door':
      return <DoorSaleScreen />;
    case 'log':
      return <LogScreen />;
    case 'end':
      return <EndOfEventScreen />;
  }
}
