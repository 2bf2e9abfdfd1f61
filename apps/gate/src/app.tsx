/**
 * The shell: loads /config.json, boots the terminal from the device's storage, then shows the
 * enrolment screen or the gate screens (scan, door sale, log, end of event) under the status bar
 * that always says the mode, the gate, the event, the last sync and the uploads waiting. The
 * hardware scanner's keystrokes are listened for here, on the whole window (reading.ts).
 */
import {
  type ReactNode,
  useCallback,
  useEffect,
  useRef,
  useState,
  useSyncExternalStore,
} from 'react';
import { isGateConfig } from './app-config.ts';
import { signal, unlockAudio } from './feedback.ts';
import { GateContext, type GateContextValue, type GateMetrics } from './gate-context.ts';
import { I18nProvider, useI18n } from './i18n.ts';
import { useReading, useScannerKeys } from './reading.ts';
import { ResultScreen } from './result.tsx';
import { DoorSaleScreen } from './screens/door.tsx';
import { EndOfEventScreen } from './screens/end.tsx';
import { EnrolScreen } from './screens/enrol.tsx';
import { LogScreen } from './screens/log.tsx';
import { ScanScreen } from './screens/scan.tsx';
import { StatusBar } from './status-bar.tsx';
import { GateTerminal } from './terminal.ts';
import type { Decision } from './terminal-types.ts';

/** How long a decision stays on screen unless the next ticket comes first. */
const resultShownMs = 4_000;
const configTimeoutMs = 5_000;

interface Shown extends Decision {
  /** When the frame reached the decoder, for the benchmark's timing; null for typed input. */
  frameAt: number | null;
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

/** Unit 414: the position, watched while the app is open and the terminal enrolled. */
function usePosition(terminal: GateTerminal, enrolled: boolean) {
  useEffect(() => {
    if (!enrolled || !('geolocation' in navigator)) return;
    const watch = navigator.geolocation.watchPosition(
      (position) =>
        terminal.setPosition(
          {
            latitude: position.coords.latitude,
            longitude: position.coords.longitude,
            accuracyM: Math.min(100_000, Math.max(0, position.coords.accuracy)),
          },
          position.timestamp,
        ),
      () => terminal.setPosition(null),
      { enableHighAccuracy: true, maximumAge: 10_000, timeout: 30_000 },
    );
    return () => navigator.geolocation.clearWatch(watch);
  }, [enrolled, terminal]);
}

/**
 * The decision on screen, for a few seconds or until the next; the time it was painted goes to
 * the metrics.
 */
function useShown(metrics: GateMetrics) {
  const [shown, setShown] = useState<Shown>();
  const show = useCallback((decision: Decision, frameAt: number | null) => {
    setShown({ ...decision, frameAt });
  }, []);
  const hide = useCallback(() => setShown(undefined), []);
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
    const expiry = setTimeout(() => setShown(undefined), resultShownMs);
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(expiry);
    };
  }, [shown, metrics]);
  return { shown, show, hide };
}

function Gate({ terminal }: { terminal: GateTerminal }) {
  const state = useSyncExternalStore(terminal.subscribe, terminal.snapshot);
  // Kept here, not in the screens below, so a terminal enrolled again opens where it was left.
  const [tab, setTab] = useState<Tab>('scan');
  const metrics = useRef<GateMetrics>({ decisions: [], decodeMs: [], framesPerSecond: 0 }).current;
  window.__gateMetrics = metrics;
  const { shown, show, hide } = useShown(metrics);
  const reading = useReading(terminal, show);

  useEffect(() => {
    terminal.onDecision = (decision) => signal(decision.admitted);
    return () => {
      terminal.onDecision = undefined;
    };
  }, [terminal]);

  const enrolled = state.credential !== undefined;
  usePosition(terminal, enrolled);
  const enrolCode = useScannerKeys(reading.read, enrolled);

  const gate: GateContextValue = { terminal, state, ...reading, enrolCode, metrics };
  return (
    <GateContext.Provider value={gate}>
      {/* biome-ignore lint/a11y/noStaticElementInteractions: the first tap anywhere unlocks sound. */}
      <div className="gate" onPointerDown={unlockAudio} onKeyDown={unlockAudio}>
        <TopBar />
        {!enrolled ? (
          <main id="main">
            <EnrolScreen />
          </main>
        ) : (
          <GateScreens tab={tab} setTab={setTab} />
        )}
        {shown && <ResultScreen decision={shown} onClose={hide} />}
      </div>
    </GateContext.Provider>
  );
}

/** The app's name and the language switch. */
function TopBar() {
  const { t, lang, setLang } = useI18n();
  return (
    <header className="top">
      <span className="brand">{t('app.name')}</span>
      <button type="button" className="lang" onClick={() => setLang(lang === 'en' ? 'ko' : 'en')}>
        <span lang={lang === 'en' ? 'ko' : 'en'}>{t('lang.toggle')}</span>{' '}
        <span className="visually-hidden">{t('lang.toggleLabel')}</span>
      </button>
    </header>
  );
}

type Tab = 'scan' | 'door' | 'log' | 'end';

/** Once enrolled: the status bar, the tabs and the chosen screen. */
function GateScreens({ tab, setTab }: { tab: Tab; setTab(tab: Tab): void }) {
  const { t } = useI18n();
  return (
    <>
      <StatusBar />
      <nav aria-label={t('nav.label')} className="tabs">
        {(['scan', 'door', 'log', 'end'] as const).map((name) => (
          <button key={name} type="button" aria-pressed={tab === name} onClick={() => setTab(name)}>
            {t(`nav.${name}`)}
          </button>
        ))}
      </nav>
      <main id="main">
        <Screen tab={tab} />
      </main>
    </>
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
