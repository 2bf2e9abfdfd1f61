/**
 * The organizer's session at the exchange, made by the exchange's own sign-in (exchange-sign-in
 * .tsx) and used only to read the merchant wallet's balances after linking.
 *
 * Kept in this tab's sessionStorage, never in localStorage: the token can do everything the
 * merchant account can at the exchange (move its money, make API keys), far more than showing
 * balances needs, so it must not outlive the tab nor reach other tabs; a reload of the same tab
 * keeps it, so the balances do not ask for a new SMS code each time. It is keyed by the
 * organization and the console's signed-in phone, so another person signing in to this tab does
 * not find it. The API key made while linking is never stored at all.
 */
import { useCallback, useState } from 'react';
import { useSession } from '../session.tsx';

export interface ExchangeSession {
  token: string;
  expiresAt: string;
  /** The merchant account signed in to (`mer_…`), compared with the linked wallet's. */
  merchantId: string;
  phone: string;
}

const storageKey = (organizerId: string, consolePhone: string) =>
  `tessera.console.exchange.${organizerId}.${consolePhone}`;

function readStored(key: string): ExchangeSession | undefined {
  try {
    const stored = JSON.parse(sessionStorage.getItem(key) ?? 'null') as ExchangeSession | null;
    if (!stored || typeof stored.token !== 'string' || typeof stored.merchantId !== 'string') {
      return undefined;
    }
    return Date.parse(stored.expiresAt) > Date.now() ? stored : undefined;
  } catch {
    return undefined;
  }
}

/** The stored exchange session for this organization, and setting or forgetting it. */
export function useExchangeSession(organizerId: string) {
  const { session } = useSession();
  const key = storageKey(organizerId, session?.phone ?? '');
  const [stored, setStored] = useState(() => readStored(key));
  const remember = useCallback(
    (next: ExchangeSession) => {
      sessionStorage.setItem(key, JSON.stringify(next));
      setStored(next);
    },
    [key],
  );
  const forget = useCallback(() => {
    sessionStorage.removeItem(key);
    setStored(undefined);
  }, [key]);
  return { exchangeSession: stored, remember, forget };
}
