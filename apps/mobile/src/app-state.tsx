/**
 * What every screen shares: the servers (from /config.json), the buyer's ticketing session and
 * device key, the wallet session at the exchange, whether the browser is online, and short
 * notices. Sessions and the key are read from IndexedDB first, before any network, so a start
 * with no connection still knows who the buyer is and opens their tickets.
 */
import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { type ExchangeApi, exchangeApi } from './api/exchange.ts';
import { type TicketingApi, ticketingApi } from './api/ticketing.ts';
import type { AppConfig } from './app-config.ts';
import { loadConfig } from './config.ts';
import { describeError, isUnauthorized } from './errors.ts';
import { useI18n } from './i18n.ts';
import {
  type DeviceKey,
  ensureDevice,
  forgetSession,
  forgetWalletSession,
  loadDeviceKey,
  loadSession,
  loadWalletSession,
  type Session,
  saveSession,
  saveWalletSession,
  type WalletSession,
} from './identity.ts';
import { navigate } from './router.tsx';
import { requestPersistentStorage } from './storage.ts';

export interface Notice {
  id: number;
  text: string;
  kind: 'info' | 'error';
}

interface AppState {
  /** False until the stored sessions have been read (a few milliseconds). */
  booted: boolean;
  /** A storage failure at start: the app still runs, but cannot keep tickets. */
  bootError: string | undefined;
  config: AppConfig | undefined;
  ticketing: TicketingApi | undefined;
  exchange: ExchangeApi | undefined;
  session: Session | undefined;
  device: DeviceKey | undefined;
  wallet: WalletSession | undefined;
  online: boolean;
  notices: Notice[];
  notify(text: string, kind?: Notice['kind']): void;
  dismiss(id: number): void;
  /** After a sign-in: remembers the session and makes and registers the device key. */
  signedIn(session: Session): Promise<DeviceKey>;
  signOut(): Promise<void>;
  /** Registers this device's key if it is not yet (a sign-in made offline, a revoked key). */
  ensureDevice(): Promise<DeviceKey>;
  setWallet(wallet: WalletSession | undefined): Promise<void>;
  /**
   * The message for a failed call, and the side effect of an ended session (401): the session
   * is forgotten and, for the ticketing server, the buyer is sent to sign in.
   */
  failure(error: unknown, server?: 'ticketing' | 'exchange'): string;
}

const AppContext = createContext<AppState | undefined>(undefined);

const noticeLifetimeMs = 6_000;

/** Short notices, the last three at most, each gone after a few seconds. */
function useNotices() {
  const [notices, setNotices] = useState<Notice[]>([]);
  const nextNotice = useRef(1);
  const notify = useCallback((text: string, kind: Notice['kind'] = 'info') => {
    const id = nextNotice.current++;
    setNotices((current) => [...current.slice(-2), { id, text, kind }]);
    setTimeout(() => setNotices((current) => current.filter((n) => n.id !== id)), noticeLifetimeMs);
  }, []);
  const dismiss = useCallback(
    (id: number) => setNotices((current) => current.filter((n) => n.id !== id)),
    [],
  );
  return { notices, notify, dismiss };
}

/** The sessions and the device key as this device keeps them, read at start before any network. */
function useStoredIdentity() {
  const [booted, setBooted] = useState(false);
  const [bootFailure, setBootFailure] = useState<unknown>();
  const [session, setSession] = useState<Session>();
  const [device, setDevice] = useState<DeviceKey>();
  const [wallet, setWallet] = useState<WalletSession>();
  useEffect(() => {
    let cancelled = false;
    (async () => {
      try {
        const [stored, storedWallet] = await Promise.all([loadSession(), loadWalletSession()]);
        const key = stored ? await loadDeviceKey(stored.userId) : undefined;
        if (cancelled) return;
        setSession(stored);
        setDevice(key);
        setWallet(storedWallet);
      } catch (error) {
        console.error('reading the stored sessions failed', error);
        if (!cancelled) setBootFailure(error);
      } finally {
        if (!cancelled) setBooted(true);
      }
    })();
    void requestPersistentStorage();
    return () => {
      cancelled = true;
    };
  }, []);
  return { booted, bootFailure, session, setSession, device, setDevice, wallet, setWallet };
}

/** Whether the browser says it is online, as it changes. */
function useOnline() {
  const [online, setOnline] = useState(navigator.onLine);
  useEffect(() => {
    const up = () => setOnline(true);
    const down = () => setOnline(false);
    window.addEventListener('online', up);
    window.addEventListener('offline', down);
    return () => {
      window.removeEventListener('online', up);
      window.removeEventListener('offline', down);
    };
  }, []);
  return online;
}

/** The servers: asked for again whenever the browser comes back online and has none yet. */
function useConfig(online: boolean) {
  const [config, setConfig] = useState<AppConfig>();
  useEffect(() => {
    if (config || !online) return;
    let cancelled = false;
    loadConfig().then(
      (loaded) => {
        if (!cancelled) setConfig(loaded);
      },
      (error: unknown) => console.warn('no /config.json yet', error),
    );
    return () => {
      cancelled = true;
    };
  }, [config, online]);
  return config;
}

/** Connects or disconnects the wallet, kept on the device; disconnecting signs out there too. */
function useWalletSetter(
  wallet: WalletSession | undefined,
  setWalletState: (wallet: WalletSession | undefined) => void,
  exchange: ExchangeApi | undefined,
) {
  const walletNow = useRef(wallet);
  walletNow.current = wallet;
  return useCallback(
    async (next: WalletSession | undefined) => {
      const previous = walletNow.current;
      if (next) await saveWalletSession(next);
      else await forgetWalletSession();
      setWalletState(next);
      // Disconnecting ends the session at the exchange too (best effort: offline, it expires).
      if (!next && previous && exchange) {
        exchange.signOut(previous.token).catch((error: unknown) => console.warn(error));
      }
    },
    [exchange, setWalletState],
  );
}

/** The message for a failed call, forgetting a session that ended (see `AppState.failure`). */
function useFailure(
  forgetTicketingSession: () => Promise<void>,
  setWallet: (wallet: WalletSession | undefined) => Promise<void>,
) {
  const { t } = useI18n();
  return useCallback(
    (error: unknown, server: 'ticketing' | 'exchange' = 'ticketing') => {
      console.error(error);
      if (isUnauthorized(error)) {
        if (server === 'ticketing') {
          void forgetTicketingSession();
          navigate(`/sign-in?next=${encodeURIComponent(location.pathname)}`);
          return t('error.sessionEnded');
        }
        void setWallet(undefined);
        return t('error.walletSessionEnded');
      }
      return describeError(error, t);
    },
    [forgetTicketingSession, setWallet, t],
  );
}

/**
 * Registers this device's key. One registration at a time: a sign-in and the provider's effect
 * may both ask, and two at once would each make a key.
 */
function useDeviceRegistration(
  ticketing: TicketingApi | undefined,
  setDevice: (device: DeviceKey) => void,
) {
  const { t } = useI18n();
  const registering = useRef<Promise<DeviceKey> | undefined>(undefined);
  return useCallback(
    (current: Session) => {
      if (!ticketing) return Promise.reject(new Error(t('error.config')));
      registering.current ??= ensureDevice(ticketing, current)
        .then((key) => {
          setDevice(key);
          return key;
        })
        .finally(() => {
          registering.current = undefined;
        });
      return registering.current;
    },
    [ticketing, t, setDevice],
  );
}

export function AppProvider({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  const { notices, notify, dismiss } = useNotices();
  const stored = useStoredIdentity();
  const { booted, session, setSession, device, setDevice, wallet } = stored;
  const online = useOnline();
  const config = useConfig(online);
  const bootError =
    stored.bootFailure === undefined ? undefined : describeError(stored.bootFailure, t);

  const ticketing = useMemo(
    () => (config ? ticketingApi(config.ticketingUrl) : undefined),
    [config],
  );
  const exchange = useMemo(() => (config ? exchangeApi(config.exchangeUrl) : undefined), [config]);

  const forgetTicketingSession = useCallback(async () => {
    await forgetSession();
    setSession(undefined);
    setDevice(undefined);
  }, [setSession, setDevice]);
  const setWallet = useWalletSetter(wallet, stored.setWallet, exchange);
  const failure = useFailure(forgetTicketingSession, setWallet);
  const registerDevice = useDeviceRegistration(ticketing, setDevice);

  // A stored session whose device is not registered yet (the sign-in was interrupted, or the
  // key was revoked elsewhere): register as soon as the servers can be reached.
  useEffect(() => {
    if (!booted || !session || !ticketing || !online || device?.deviceId) return;
    registerDevice(session).catch((error: unknown) => notify(failure(error), 'error'));
  }, [booted, session, ticketing, online, device, registerDevice, notify, failure]);

  const signedIn = useCallback(
    async (next: Session) => {
      await saveSession(next);
      setSession(next);
      setDevice(await loadDeviceKey(next.userId));
      return registerDevice(next);
    },
    [registerDevice, setSession, setDevice],
  );

  const ensureDeviceNow = useCallback(async () => {
    if (!session) throw new Error(t('common.signInFirst'));
    if (device?.deviceId) return device;
    return registerDevice(session);
  }, [device, registerDevice, session, t]);

  const signOut = useCallback(async () => {
    const token = session?.token;
    await forgetTicketingSession();
    if (token && ticketing) {
      // The token stops working at the server too; offline it simply expires.
      await ticketing.signOut(token).catch((error: unknown) => console.warn(error));
    }
  }, [forgetTicketingSession, session, ticketing]);

  const value = useMemo<AppState>(
    () => ({
      booted,
      bootError,
      config,
      ticketing,
      exchange,
      session,
      device,
      wallet,
      online,
      notices,
      notify,
      dismiss,
      signedIn,
      signOut,
      ensureDevice: ensureDeviceNow,
      setWallet,
      failure,
    }),
    [
      booted,
      bootError,
      config,
      ticketing,
      exchange,
      session,
      device,
      wallet,
      online,
      notices,
      notify,
      dismiss,
      signedIn,
      signOut,
      ensureDeviceNow,
      setWallet,
      failure,
    ],
  );
  return <AppContext.Provider value={value}>{children}</AppContext.Provider>;
}

export function useApp(): AppState {
  const value = useContext(AppContext);
  if (!value) throw new Error('useApp outside AppProvider');
  return value;
}

/** The servers, for screens inside `NeedsOnline` (which only renders once they are known). */
export function useApis(): { ticketing: TicketingApi; exchange: ExchangeApi } {
  const { ticketing, exchange } = useApp();
  if (!ticketing || !exchange) throw new Error('the servers are not known yet');
  return { ticketing, exchange };
}

let fiatCode: Promise<string> | undefined;

/**
 * The exchange's fiat currency (KRW by default), for showing fiat amounts that arrive without
 * their code. Asked once; until it answers, and if it cannot, the default stands.
 */
export function useFiat(): string {
  const { exchange } = useApp();
  const [fiat, setFiat] = useState('KRW');
  useEffect(() => {
    if (!exchange) return;
    fiatCode ??= exchange.assets().then(
      (answer) => answer.fiat,
      (error: unknown) => {
        fiatCode = undefined;
        throw error;
      },
    );
    let cancelled = false;
    fiatCode.then(
      (code) => !cancelled && setFiat(code),
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, [exchange]);
  return fiat;
}
