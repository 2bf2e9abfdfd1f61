/**
 * When the ticket screens read the buyer's tickets again from the server (issue 21, item 6), so
 * a ticket a gate admitted says so: on opening and when the browser comes back online (the
 * screens' own effects, with `online` among their dependencies), when the buyer comes back to
 * the app (the page visible again, or the window focused), and every few seconds while a barcode
 * is on screen (the holder is at a gate: the admission shows as soon as it is made).
 */
import { useEffect, useRef } from 'react';

/** How often a ticket showing its barcode asks whether a gate has admitted it. */
export const barcodeCheckMs = 5_000;

/**
 * Calls `refresh` when the buyer comes back to the app, and with `everyMs` also every so often
 * while the page is visible; nothing while `enabled` is false (offline, signed out).
 */
export function useTicketRefresh(refresh: () => unknown, enabled: boolean, everyMs?: number): void {
  // The latest function, so a new one (each render's) does not restart the timer.
  const latest = useRef(refresh);
  latest.current = refresh;
  useEffect(() => {
    if (!enabled) return;
    // One at a time: on a slow network the checks must not pile up behind each other.
    let running = false;
    const again = () => {
      if (running || document.visibilityState !== 'visible') return;
      running = true;
      Promise.resolve()
        .then(() => latest.current())
        .catch((e: unknown) => console.warn('ticket refresh', e))
        .finally(() => {
          running = false;
        });
    };
    document.addEventListener('visibilitychange', again);
    window.addEventListener('focus', again);
    const timer = everyMs === undefined ? undefined : setInterval(again, everyMs);
    return () => {
      document.removeEventListener('visibilitychange', again);
      window.removeEventListener('focus', again);
      if (timer !== undefined) clearInterval(timer);
    };
  }, [enabled, everyMs]);
}
