/**
 * One ticket (units 308 and 312): what it is for, and while it is valid on this device the live
 * barcode with the manual code under it, made from the stored credential and the device key with
 * no network. Online, the holder can offer it to another phone number, take that offer back, or
 * move a ticket that is on another device (or lost with an old key) to this one.
 */

import { serverNowMs } from '@tessera/web-kit/server-clock';
import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import { useApp } from '../app-state.tsx';
import { drawBarcode, rotationMs, ticketVisibleMark } from '../barcode.ts';
import { Field, Loading, Message, NeedsSession, ScreenTitle } from '../components.tsx';
import { useI18n } from '../i18n.ts';
import { type DeviceKey, deviceSigner } from '../identity.ts';
import { normalizePhone } from '../phone.ts';
import { Link } from '../router.tsx';
import { getTicket, isUsable, type StoredTicket, syncTickets } from '../tickets.ts';
import { entitlementText, seatText, statusText } from './ticket-text.ts';

export function TicketScreen({ ticketId }: { ticketId: string }) {
  return (
    <NeedsSession>
      <TicketView ticketId={ticketId} />
    </NeedsSession>
  );
}

function TicketView({ ticketId }: { ticketId: string }) {
  const { session, device, ticketing, online, failure } = useApp();
  const { t, formatDateTime, locale } = useI18n();
  const [ticket, setTicket] = useState<StoredTicket | null>();
  const [error, setError] = useState<string>();

  const reload = useCallback(async () => {
    const stored = await getTicket(ticketId);
    setTicket(stored && stored.userId === session?.userId ? stored : null);
  }, [ticketId, session?.userId]);

  useEffect(() => {
    reload().catch((e: unknown) => setError(failure(e)));
  }, [reload, failure]);

  const sync = useCallback(async () => {
    if (!session || !device?.deviceId || !ticketing) return;
    await syncTickets(ticketing, session, device);
    await reload();
  }, [session, device, ticketing, reload]);

  // Online, check with the server once on opening (a refund or transfer made elsewhere).
  useEffect(() => {
    if (online) sync().catch((e: unknown) => console.warn('ticket sync', e));
  }, [online, sync]);

  if (ticket === undefined) return <Loading />;
  if (ticket === null) {
    return (
      <>
        <ScreenTitle>{t('ticket.title')}</ScreenTitle>
        {error && <Message kind="error">{error}</Message>}
        <Message kind="warning">{t('ticket.notFound')}</Message>
        <Link className="button" to="/">
          {t('common.home')}
        </Link>
      </>
    );
  }

  const usable = isUsable(ticket) && device !== undefined;
  return (
    <article className="ticket">
      <ScreenTitle>{ticket.event.name}</ScreenTitle>
      {error && <Message kind="error">{error}</Message>}
      <p className={`badge badge-${isUsable(ticket) ? 'valid' : ticket.status}`}>
        {statusText(ticket, t)}
      </p>
      {usable && ticket.credential ? (
        <LiveBarcode credential={ticket.credential} device={device} eventName={ticket.event.name} />
      ) : (
        <Message kind="warning">
          {ticket.status === 'elsewhere' ? t('ticket.elsewhere') : t('ticket.noLongerValid')}
        </Message>
      )}
      {usable && ticket.manualCode && (
        <div className="manual-code">
          <p>{t('ticket.manualCode')}</p>
          <dl>
            <div>
              <dt>{t('ticket.number')}</dt>
              <dd className="digits">{groupDigits(ticket.manualCode.ticketNumber)}</dd>
            </div>
            <div>
              <dt>{t('ticket.pin')}</dt>
              <dd className="digits">{groupDigits(ticket.manualCode.pin)}</dd>
            </div>
          </dl>
        </div>
      )}

      <dl className="facts">
        <div>
          <dt>{t('ticket.when')}</dt>
          <dd>
            {formatDateTime(ticket.performance.startsAt)}
            <br />
            <span className="hint">
              {t('ticket.doors', { time: formatDateTime(ticket.performance.doorsAt) })}
            </span>
          </dd>
        </div>
        <div>
          <dt>{t('ticket.where')}</dt>
          <dd>
            {ticket.event.venue.name}
            <br />
            <span className="hint">{ticket.event.venue.address}</span>
          </dd>
        </div>
        <div>
          <dt>{t('ticket.what')}</dt>
          <dd>
            {seatText(ticket, t)}
            <br />
            <span className="hint">{entitlementText(ticket.entitlement, t, locale)}</span>
          </dd>
        </div>
      </dl>

      <TicketActions ticket={ticket} onChanged={sync} />
    </article>
  );
}

/** "1234567890" as "123 456 7890", easier to read out at a gate. */
function groupDigits(digits: string): string {
  return digits.length === 10
    ? `${digits.slice(0, 3)} ${digits.slice(3, 6)} ${digits.slice(6)}`
    : digits.replace(/(\d{3})(?=\d)/g, '$1 ');
}

/**
 * The barcode: made at once, then again every 15 s, and at once when the page becomes visible
 * after the period has passed (timers sleep in a hidden tab). The screen is kept awake while it
 * shows, where the browser allows.
 */
function LiveBarcode({
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
    let wakeLock: WakeLockSentinel | undefined;
    navigator.wakeLock?.request('screen').then(
      (lock) => {
        if (stopped) void lock.release();
        else wakeLock = lock;
      },
      () => {
        // Not allowed here (no user gesture, or unsupported): the screen may dim; no harm.
      },
    );
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      document.body.classList.remove('showing-barcode');
      document.removeEventListener('visibilitychange', onVisible);
      void wakeLock?.release().catch(() => undefined);
    };
  }, [credential, device, t]);

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

function TicketActions({
  ticket,
  onChanged,
}: {
  ticket: StoredTicket;
  onChanged: () => Promise<void>;
}) {
  const { session, device, ticketing, online, failure, notify, config } = useApp();
  const { t } = useI18n();
  const [mode, setMode] = useState<'idle' | 'transfer' | 'confirm' | 'code'>('idle');
  const [phone, setPhone] = useState('');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  if (!online || !session || !ticketing || !device?.deviceId) return null;
  const token = session.token;
  const deviceId = device.deviceId;

  const run = async (work: () => Promise<unknown>, done: string) => {
    setBusy(true);
    setError(undefined);
    try {
      await work();
      notify(done);
      setMode('idle');
      setCode('');
      await onChanged();
    } catch (e) {
      setError(failure(e));
    } finally {
      setBusy(false);
    }
  };

  const target = normalizePhone(phone);
  const offer = (event: FormEvent) => {
    event.preventDefault();
    if (!target) {
      setError(t('signIn.badPhone'));
      return;
    }
    setError(undefined);
    setMode('confirm');
  };

  return (
    <section className="actions-panel" aria-label={t('ticket.title')}>
      {error && <Message kind="error">{error}</Message>}

      {ticket.status === 'awaiting_device' && (
        <button
          type="button"
          className="button button-primary"
          disabled={busy}
          onClick={() =>
            run(() => ticketing.claim(token, ticket.id, deviceId), t('tickets.claimed'))
          }
        >
          {t('tickets.addHere')}
        </button>
      )}

      {ticket.status === 'elsewhere' && mode !== 'code' && (
        <button
          type="button"
          className="button button-primary"
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            try {
              await ticketing.sendCode(session.phone);
              setMode('code');
            } catch (e) {
              setError(failure(e));
            } finally {
              setBusy(false);
            }
          }}
        >
          {t('ticket.moveHere')}
        </button>
      )}
      {ticket.status === 'elsewhere' && mode === 'code' && (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            void run(
              () => ticketing.reissue(token, ticket.id, deviceId, code.trim()),
              t('ticket.moved'),
            );
          }}
        >
          <p>{t('ticket.moveCode')}</p>
          {config?.development && (
            <p className="hint">
              <a href={`${config.ticketingUrl}/dev/sms?phone=${encodeURIComponent(session.phone)}`}>
                {t('signIn.devInbox')}
              </a>
            </p>
          )}
          <Field label={t('signIn.code')}>
            {(props) => (
              <input
                {...props}
                value={code}
                onChange={(event) => setCode(event.target.value)}
                inputMode="numeric"
                autoComplete="one-time-code"
                pattern="[0-9]{6}"
                maxLength={6}
                required
              />
            )}
          </Field>
          <button type="submit" className="button button-primary" disabled={busy}>
            {t('ticket.moveHere')}
          </button>
        </form>
      )}

      {ticket.status === 'valid' && ticket.pendingTransfer && (
        <>
          <Message>
            {t('ticket.transferPending', { phone: ticket.pendingTransfer.toPhone })}
          </Message>
          <button
            type="button"
            className="button"
            disabled={busy}
            onClick={() =>
              run(
                () => ticketing.cancelTransfer(token, ticket.pendingTransfer?.id ?? ''),
                t('ticket.transferCancelled'),
              )
            }
          >
            {t('ticket.transferCancel')}
          </button>
        </>
      )}

      {ticket.status === 'valid' && !ticket.pendingTransfer && mode === 'idle' && (
        <button type="button" className="button" onClick={() => setMode('transfer')}>
          {t('ticket.transfer')}
        </button>
      )}
      {ticket.status === 'valid' && mode === 'transfer' && (
        <form onSubmit={offer}>
          <Field label={t('ticket.transferTo')} hint={t('signIn.phoneHint')}>
            {(props) => (
              <input
                {...props}
                type="tel"
                autoComplete="off"
                value={phone}
                onChange={(event) => setPhone(event.target.value)}
                required
              />
            )}
          </Field>
          <div className="actions">
            <button type="submit" className="button button-primary">
              {t('ticket.transferSubmit')}
            </button>
            <button type="button" className="button" onClick={() => setMode('idle')}>
              {t('common.cancel')}
            </button>
          </div>
        </form>
      )}
      {ticket.status === 'valid' && mode === 'confirm' && target && (
        <div className="card">
          <p>{t('ticket.transferConfirm', { phone: target })}</p>
          <div className="actions">
            <button
              type="button"
              className="button button-primary"
              disabled={busy}
              onClick={() =>
                run(
                  () => ticketing.offerTransfer(token, ticket.id, target),
                  t('ticket.transferOffered'),
                )
              }
            >
              {t('common.confirm')}
            </button>
            <button type="button" className="button" onClick={() => setMode('transfer')}>
              {t('common.cancel')}
            </button>
          </div>
        </div>
      )}
    </section>
  );
}
