/** Small pieces every screen uses: the heading that takes focus, messages, countdowns, guards. */
import {
  Component,
  type ErrorInfo,
  type ReactNode,
  useEffect,
  useId,
  useRef,
  useState,
} from 'react';
import type { Asset } from './api/exchange.ts';
import { useApp } from './app-state.tsx';
import { useI18n } from './i18n.ts';
import { Link } from './router.tsx';

/**
 * The screen's title. It takes the focus when the screen opens, so a screen-reader user hears
 * where they are and keyboard users start at the top, and it names the browser tab.
 */
export function ScreenTitle({ children }: { children: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${children} · Tessera`;
    ref.current?.focus({ preventScroll: true });
  }, [children]);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children}
    </h1>
  );
}

/** A message in the flow of the page; errors are announced at once, the rest politely. */
export function Message({
  kind = 'info',
  children,
}: {
  kind?: 'info' | 'error' | 'success' | 'warning';
  children: ReactNode;
}) {
  return (
    <div
      className={`message message-${kind}`}
      role={kind === 'error' ? 'alert' : 'status'}
      aria-live={kind === 'error' ? 'assertive' : 'polite'}
    >
      {children}
    </div>
  );
}

export function Loading() {
  const { t } = useI18n();
  return (
    <p className="loading" role="status">
      {t('common.loading')}
    </p>
  );
}

/** mm:ss to `until`, ticking each second; `onEnd` once when it reaches zero. */
export function Countdown({
  until,
  label,
  onEnd,
}: {
  until: string;
  label: string;
  onEnd?: () => void;
}) {
  const { fmt } = useI18n();
  const end = Date.parse(until);
  const [now, setNow] = useState(Date.now);
  const ended = useRef(false);
  useEffect(() => {
    ended.current = false;
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, []);
  const leftS = Math.max(0, Math.ceil((end - now) / 1000));
  useEffect(() => {
    if (leftS === 0 && !ended.current) {
      ended.current = true;
      onEnd?.();
    }
  }, [leftS, onEnd]);
  return (
    <p className={`countdown${leftS <= 60 ? ' countdown-urgent' : ''}`}>
      <span>{label}</span>{' '}
      {/* role=timer is not read out on every tick; the label says what it counts. */}
      <strong role="timer" aria-atomic="true">
        {fmt.countdown(leftS)}
      </strong>
    </p>
  );
}

/** For screens that need the servers: says why not when offline or not configured. */
export function NeedsOnline({ children }: { children: ReactNode }) {
  const { online, config } = useApp();
  const { t } = useI18n();
  if (!online) return <Message kind="warning">{t('common.needsOnline')}</Message>;
  if (!config) return <Message kind="warning">{t('error.config')}</Message>;
  return <>{children}</>;
}

/** For screens that need the buyer signed in. */
export function NeedsSession({ children, reason }: { children: ReactNode; reason?: string }) {
  const { session, booted } = useApp();
  const { t } = useI18n();
  if (!booted) return <Loading />;
  if (!session) {
    return (
      <div className="card">
        <p>{reason ?? t('common.signInFirst')}</p>
        <Link
          className="button button-primary"
          to={`/sign-in?next=${encodeURIComponent(location.pathname + location.search)}`}
        >
          {t('common.signIn')}
        </Link>
      </div>
    );
  }
  return <>{children}</>;
}

/** A labelled input with its hint and error tied to it for assistive technology. */
/**
 * For a fiat-priced sale: the crypto asset to pay in (the exchange converts the price at a quote
 * when the order is placed). Nothing until the exchange has listed its assets.
 */
export function PayWith({
  assets,
  value,
  onChange,
}: {
  assets: readonly Asset[] | undefined;
  value: string;
  onChange: (code: string) => void;
}) {
  const { t } = useI18n();
  const crypto = (assets ?? []).filter((asset) => asset.kind === 'crypto');
  if (crypto.length === 0) return null;
  return (
    <label className="field">
      <span>{t('perf.payWith')}</span>
      <select value={value} onChange={(event) => onChange(event.target.value)}>
        {crypto.map((asset) => (
          <option key={asset.code} value={asset.code}>
            {asset.code}
          </option>
        ))}
      </select>
    </label>
  );
}

export function Field({
  label,
  hint,
  error,
  children,
}: {
  label: string;
  hint?: string | undefined;
  error?: string | undefined;
  children: (props: {
    id: string;
    'aria-describedby'?: string;
    'aria-invalid'?: boolean;
  }) => ReactNode;
}) {
  const id = useId();
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : '']
    .filter(Boolean)
    .join(' ');
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({
        id,
        ...(described ? { 'aria-describedby': described } : {}),
        ...(error ? { 'aria-invalid': true } : {}),
      })}
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

interface BoundaryProps {
  children: ReactNode;
  fallback: (error: Error, reset: () => void) => ReactNode;
}

/** Never a blank screen: a render error shows what happened and a way on, not nothing. */
export class ErrorBoundary extends Component<BoundaryProps, { error: Error | undefined }> {
  override state: { error: Error | undefined } = { error: undefined };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo) {
    console.error('screen failed', error, info.componentStack);
  }

  override render() {
    if (this.state.error) {
      return this.props.fallback(this.state.error, () => this.setState({ error: undefined }));
    }
    return this.props.children;
  }
}

export function ScreenError({ error, reset }: { error: Error; reset: () => void }) {
  const { t } = useI18n();
  return (
    <div className="card">
      <h1>{t('error.title')}</h1>
      <Message kind="error">
        {t('error.screen')} {error.message}
      </Message>
      <div className="actions">
        <button type="button" className="button" onClick={reset}>
          {t('common.retry')}
        </button>
        <button type="button" className="button" onClick={() => location.reload()}>
          {t('error.reload')}
        </button>
      </div>
    </div>
  );
}

/**
 * The one confirmation before a step that moves money (paying, a refund). It takes the focus, so
 * a screen reader announces it and Enter does not confirm by accident from the button pressed
 * before.
 */
export function ConfirmDialog({
  title,
  text,
  confirm,
  dismiss,
  busy = false,
  onConfirm,
  onDismiss,
}: {
  title: string;
  text: string;
  confirm: string;
  dismiss: string;
  busy?: boolean;
  onConfirm(): void;
  onDismiss(): void;
}) {
  const heading = useRef<HTMLHeadingElement>(null);
  const id = useId();
  useEffect(() => heading.current?.focus(), []);
  return (
    <div
      className="confirm"
      role="alertdialog"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-text`}
    >
      <h3 id={`${id}-title`} ref={heading} tabIndex={-1}>
        {title}
      </h3>
      <p id={`${id}-text`}>{text}</p>
      <div className="actions">
        <button type="button" className="button button-primary" disabled={busy} onClick={onConfirm}>
          {confirm}
        </button>
        <button type="button" className="button" onClick={onDismiss}>
          {dismiss}
        </button>
      </div>
    </div>
  );
}
