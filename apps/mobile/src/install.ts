/**
 * The browser's offer to install the app (Chromium's `beforeinstallprompt`). It fires once, early,
 * whichever screen is open, so it is caught here at start and kept for the account screen.
 */
import { useEffect, useState } from 'react';

/** Not in the DOM typings. */
export interface InstallPrompt extends Event {
  prompt(): Promise<void>;
}

let offered: InstallPrompt | undefined;
const listeners = new Set<(prompt: InstallPrompt | undefined) => void>();

window.addEventListener('beforeinstallprompt', (event) => {
  event.preventDefault(); // shown from the account screen instead of the browser's own bar
  offered = event as InstallPrompt;
  for (const listener of listeners) listener(offered);
});
window.addEventListener('appinstalled', () => {
  offered = undefined;
  for (const listener of listeners) listener(undefined);
});

export function useInstallPrompt(): InstallPrompt | undefined {
  const [prompt, setPrompt] = useState(offered);
  useEffect(() => {
    listeners.add(setPrompt);
    return () => {
      listeners.delete(setPrompt);
    };
  }, []);
  return prompt;
}
