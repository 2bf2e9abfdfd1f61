/**
 * The live barcode of a ticket on this device (unit 312): made from the stored credential and
 * the device key with no network, at the servers' time, again every 15 s, and at once when the
 * page becomes visible after the period has passed (timers sleep in a hidden tab). The screen is
 * kept awake while it shows, where the browser allows.
 */
import { serverNowMs } from '@tessera/web-kit/server-clock';
import { type RefObject, useEffect, useRef, useState } from 'react';
import { drawBarcode, rotationMs, ticketVisibleMark } from '../barcode.ts';
import { Message } from '../components.tsx';
import { useI18n } from '../i18n.ts';
import { type DeviceKey, deviceSigner } from '../identity.ts';

export function LiveBarcode({
  credential,
  device,
  eventName,
}: {
  credential: string;
  device: DeviceKey;
  eventName: string;
}) {
  const { t } = useI18n();
  const canvas = useRef<HTMLCanvasElement>(null);
  const box = useRef<HTMLDivElement>(null);
  const { timeS, error, redraw } = useBarcodeDrawing(canvas, box, credential, device);
  return (
    <div className="barcode" ref={box}>
      <canvas
        ref={canvas}
        role="img"
        aria-label={t('ticket.barcodeLabel', { event: eventName })}
        data-testid="barcode"
      />
      {error ? (
        <Message kind="error">{error}</Message>
      ) : (
        <>
          {/* A bar that empties over the 15 s; restarted by the key on every new code. */}
          <div className="rotation" aria-hidden="true">
            <div
              key={timeS}
              className="rotation-bar"
              style={{ animationDuration: `${rotationMs}ms` }}
            />
          </div>
          <p className="hint">{t('ticket.refreshes')}</p>
          {/* A gate that calls the code too old gets a new one at once. */}
          <button type="button" className="button" onClick={() => redraw.current?.()}>
            {t('ticket.refreshNow')}
          </button>
        </>
      )}
    </div>
  );
}

/**
 * Draws the barcode into the canvas now and every rotation; `redraw` draws a new one at once.
 * While it runs, notices move to the top and the screen is kept awake.
 */
function useBarcodeDrawing(
  canvas: RefObject<HTMLCanvasElement | null>,
  box: RefObject<HTMLDivElement | null>,
  credential: string,
  device: DeviceKey,
) {
  const { t } = useI18n();
  const [timeS, setTimeS] = useState<number>();
  const [error, setError] = useState<string>();
  const redraw = useRef<() => void>(undefined);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    let first = true;
    let lastDrawMs = 0;
    const signer = deviceSigner(device);
    const draw = async () => {
      if (timer) clearTimeout(timer);
      const element = canvas.current;
      if (!element || stopped) return;
      const width = Math.min(box.current?.clientWidth ?? 320, 420);
      lastDrawMs = Date.now();
      try {
        const drawn = await drawBarcode(
          element,
          credential,
          signer,
          // The servers' time, which the gates keep too: a phone clock that is off does not
          // make a genuine barcode look stale.
          Math.floor(serverNowMs() / 1000),
          width,
        );
        if (stopped) return;
        if (first) {
          performance.mark(ticketVisibleMark);
          first = false;
        }
        element.dataset.timeS = String(drawn.timeS);
        setTimeS(drawn.timeS);
        setError(undefined);
      } catch (e) {
        console.error('barcode', e);
        setError(t('ticket.keyMismatch'));
      }
      if (!stopped) timer = setTimeout(() => void draw(), rotationMs);
    };
    void draw();
    redraw.current = () => void draw();
    // Notices move to the top of the screen while a barcode shows, so none covers it.
    document.body.classList.add('showing-barcode');
    const onVisible = () => {
      if (document.visibilityState === 'visible' && Date.now() - lastDrawMs >= rotationMs)
        void draw();
    };
    document.addEventListener('visibilitychange', onVisible);
    const releaseWakeLock = keepAwake(() => stopped);
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      document.body.classList.remove('showing-barcode');
      document.removeEventListener('visibilitychange', onVisible);
      releaseWakeLock();
    };
  }, [credential, device, t, canvas, box]);
  return { timeS, error, redraw };
}

/** Asks to keep the screen on; the returned function lets it dim again. */
function keepAwake(stopped: () => boolean): () => void {
  let wakeLock: WakeLockSentinel | undefined;
  navigator.wakeLock?.request('screen').then(
    (lock) => {
      if (stopped()) void lock.release();
      else wakeLock = lock;
    },
    () => {
      // Not allowed here (no user gesture, or unsupported): the screen may dim; no harm.
    },
  );
  return () => void wakeLock?.release().catch(() => undefined);
}
