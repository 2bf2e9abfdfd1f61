/**
 * Enrolment (unit 416): the supervisor's one-time code, scanned (its QR says
 * `tessera-enrol:<code>`, by camera or hardware scanner) or typed, and a name for this terminal.
 * The server answers with the terminal's credential; the event package follows at once.
 */
import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, NetworkError } from '../api.ts';
import { CameraScanner } from '../camera.ts';
import { errorKey } from '../errors.ts';
import { useGate } from '../gate-context.ts';
import { useI18n } from '../i18n.ts';
import { Alert, TextField } from '../widgets.tsx';

const enrolPrefix = 'tessera-enrol:';

export function EnrolScreen() {
  const { t } = useI18n();
  const { terminal, enrolCode } = useGate();
  const [code, setCode] = useState('');
  const [name, setName] = useState(() => t('enrol.defaultName'));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [scanning, setScanning] = useState(false);
  const video = useRef<HTMLVideoElement>(null);
  const nameRef = useRef(name);
  nameRef.current = name;

  const enrol = useCallback(
    async (value: string) => {
      setBusy(true);
      setError(undefined);
      try {
        await terminal.enrol(value.replace(enrolPrefix, ''), nameRef.current);
      } catch (failure) {
        // A 429 names its wait in seconds (Retry-After, also in details.retryAfterS).
        const waitS = failure instanceof ApiError ? Number(failure.details.retryAfterS) : 0;
        const known = failure instanceof ApiError ? errorKey(failure.code) : undefined;
        setError(
          known
            ? t(known)
            : failure instanceof ApiError && failure.status === 429 && waitS > 0
              ? t('error.rate_limited', { seconds: Math.ceil(waitS) })
              : failure instanceof NetworkError
                ? t('error.network')
                : t('error.unexpected', {
                    message: failure instanceof Error ? failure.message : String(failure),
                  }),
        );
      } finally {
        setBusy(false);
      }
    },
    [terminal, t],
  );

  // A scanned code (camera or hardware scanner) enrols at once: nothing to retype.
  const scanned = useCallback(
    (text: string) => {
      if (!text.startsWith(enrolPrefix)) return;
      const value = text.slice(enrolPrefix.length);
      setCode(value);
      setScanning(false);
      void enrol(value);
    },
    [enrol],
  );
  useEffect(() => {
    enrolCode.current = scanned;
    return () => {
      enrolCode.current = undefined;
    };
  }, [enrolCode, scanned]);

  useEffect(() => {
    if (!scanning || !video.current) return;
    const camera = new CameraScanner((read) => scanned(read.text));
    camera.start(video.current).catch((failure: unknown) => {
      setScanning(false);
      setError(t('scan.cameraError', { message: failure instanceof Error ? failure.message : '' }));
    });
    return () => camera.stop();
  }, [scanning, scanned, t]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (code.trim()) void enrol(code);
  };

  return (
    <section className="screen" aria-labelledby="enrol-title">
      <h1 id="enrol-title">{t('enrol.title')}</h1>
      <p>{t('enrol.intro')}</p>
      <form onSubmit={submit} className="form">
        <TextField
          label={t('enrol.code')}
          value={code}
          onText={setCode}
          autoCapitalize="characters"
          spellCheck={false}
          required
        />
        <TextField label={t('enrol.name')} value={name} onText={setName} maxLength={80} required />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t('enrol.working') : t('enrol.submit')}
        </button>
      </form>
      <button type="button" onClick={() => setScanning((on) => !on)}>
        {scanning ? t('scan.stopCamera') : t('enrol.scan')}
      </button>
      {scanning && <video ref={video} className="camera" muted playsInline />}
      <Alert text={error} />
      {terminal.development && <p className="hint">{t('enrol.devHint')}</p>}
    </section>
  );
}
