/**
 * The gate's main screen (unit 410): the camera reading continuously, entry or exit where the
 * tickets allow re-entry, the amount to debit where there are stored-value tickets, and manual
 * entry of a ticket number and PIN when a barcode cannot be read.
 */
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { CameraScanner, cameraErrorKey } from '../camera.ts';
import { useGate } from '../gate-context.ts';
import { type MessageKey, useI18n } from '../i18n.ts';
import { parseUnits } from '../measure.ts';
import { Alert, TextField } from '../widgets.tsx';

/** The frame rate shown is refreshed this often. */
const statsRefreshMs = 1_000;

export function ScanScreen() {
  const { t } = useI18n();
  const { terminal, state, direction, setDirection, setDebit, read, decideManual, metrics } =
    useGate();
  const video = useRef<HTMLVideoElement>(null);
  const [camera, setCamera] = useState(true);
  // The key of a known failure (see cameraErrorKey), or the browser's message inside a sentence.
  const [cameraError, setCameraError] = useState<{
    key: MessageKey | undefined;
    message: string;
  }>();
  const [fps, setFps] = useState(0);

  useEffect(() => {
    if (!camera || !video.current) return;
    const scanner = new CameraScanner(({ text, frameAt }) => read(text, 'camera', frameAt));
    metrics.decodeMs = scanner.stats.decodeMs;
    let stopped = false;
    scanner
      .start(video.current)
      .then(() => setCameraError(undefined))
      .catch((failure: unknown) => {
        if (stopped) return;
        setCameraError({
          key: cameraErrorKey(failure),
          message: failure instanceof Error ? failure.message : String(failure),
        });
        setCamera(false);
      });
    const stats = setInterval(() => {
      metrics.framesPerSecond = scanner.stats.framesPerSecond;
      setFps(Math.round(scanner.stats.framesPerSecond));
    }, statsRefreshMs);
    return () => {
      stopped = true;
      clearInterval(stats);
      scanner.stop();
    };
  }, [camera, read, metrics]);

  const categories = state.performances.flatMap((performance) => performance.categories);
  const reentry = categories.some((category) => category.reentryAllowed);
  const storedValue = categories.some((category) => category.kind === 'stored_value');
  const { scale, asset } = terminal.storedValueScale();

  return (
    <section className="screen scan" aria-labelledby="scan-title">
      <h1 id="scan-title" className="visually-hidden">
        {t('scan.title')}
      </h1>
      <div className="camera-box">
        {camera && <video ref={video} className="camera" muted playsInline tabIndex={-1} />}
        <button type="button" onClick={() => setCamera((on) => !on)}>
          {camera ? t('scan.stopCamera') : t('scan.startCamera')}
        </button>
        {camera && (
          <span className="fps" data-testid="fps" data-fps={fps}>
            {t('scan.fps', { fps })}
          </span>
        )}
        <Alert
          text={
            cameraError &&
            (cameraError.key
              ? t(cameraError.key)
              : t('scan.cameraError', { message: cameraError.message }))
          }
        />
      </div>
      <p className="hint">{t('scan.scannerHint')}</p>
      {reentry && (
        <fieldset className="direction">
          <legend>{t('scan.direction')}</legend>
          {(['entry', 'exit'] as const).map((way) => (
            <label key={way} className={direction === way ? 'chosen' : ''}>
              <input
                type="radio"
                name="direction"
                checked={direction === way}
                onChange={() => setDirection(way)}
              />
              {t(way === 'entry' ? 'scan.entry' : 'scan.exit')}
            </label>
          ))}
        </fieldset>
      )}
      {storedValue && <DebitField scale={scale} asset={asset} onChange={setDebit} />}
      <ManualEntry decide={decideManual} />
    </section>
  );
}

function DebitField({
  scale,
  asset,
  onChange,
}: {
  scale: number;
  asset: string | null;
  onChange(units: bigint): void;
}) {
  const { t } = useI18n();
  const [text, setText] = useState('');
  const unitsOf = (typed: string) => (typed.trim() === '' ? 0n : parseUnits(typed, scale));
  const units = unitsOf(text);
  return (
    <label className="debit">
      {t('scan.debit', { asset: asset ? ` (${asset})` : '' })}
      <input
        inputMode="decimal"
        value={text}
        onChange={(event) => {
          // At once, not after the next render: the very next scan debits this amount.
          const typed = event.target.value;
          setText(typed);
          const next = unitsOf(typed);
          if (next !== null) onChange(next);
        }}
        aria-invalid={units === null}
      />
      {units === null && <span className="error">{t('scan.debitInvalid')}</span>}
    </label>
  );
}

function ManualEntry({ decide }: { decide(ticketNumber: string, pin: string): Promise<void> }) {
  const { t } = useI18n();
  const [number, setNumber] = useState('');
  const [pin, setPin] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    try {
      await decide(number, pin);
      setNumber('');
      setPin('');
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="form manual" onSubmit={submit} aria-labelledby="manual-title">
      <h2 id="manual-title">{t('manual.title')}</h2>
      <TextField
        label={t('manual.number')}
        inputMode="numeric"
        value={number}
        onText={setNumber}
        placeholder="000-000-0000"
        maxLength={16}
        required
      />
      <TextField
        label={t('manual.pin')}
        inputMode="numeric"
        value={pin}
        onText={setPin}
        maxLength={6}
        required
      />
      <button type="submit" className="primary" disabled={busy}>
        {busy ? t('manual.checking') : t('manual.check')}
      </button>
    </form>
  );
}
