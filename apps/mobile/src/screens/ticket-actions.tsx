/**
 * What the holder can do with a ticket while online: add a ticket waiting for a device to this
 * one, move a ticket that is on another device (or lost with an old key) here with a code sent
 * by SMS, offer it to another phone number, take that offer back, and give it back for a refund
 * where the event allows it (after one confirmation; the refund's amount is shown after).
 */

import { displayPhone, normalizePhone } from '@tessera/web-kit/phone';
import { type FormEvent, useEffect, useState } from 'react';
import type { Refunded, TicketingApi } from '../api/ticketing.ts';
import { useApp } from '../app-state.tsx';
import { ConfirmDialog, Field, Message } from '../components.tsx';
import { useI18n } from '../i18n.ts';
import type { Session } from '../identity.ts';
import { formatMoney } from '../money.ts';
import { type RefundPolicy, refundClosesAt, refundOpen } from '../refunds.ts';
import type { StoredTicket } from '../tickets.ts';

type Mode = 'idle' | 'transfer' | 'confirm' | 'code' | 'refund';

type RefundDone = NonNullable<Refunded['refund']>;

/** What the panel's parts share: the ticket, the server, and the panel's state. */
interface Panel {
  ticket: StoredTicket;
  ticketing: TicketingApi;
  session: Session;
  deviceId: string;
  mode: Mode;
  setMode(mode: Mode): void;
  busy: boolean;
  setBusy(busy: boolean): void;
  setError(error: string | undefined): void;
  /** Runs one change at the server, says `done`, and reloads the ticket. */
  run(work: () => Promise<unknown>, done: string): Promise<void>;
}

export function TicketActions({
  ticket,
  onChanged,
}: {
  ticket: StoredTicket;
  onChanged: () => Promise<void>;
}) {
  const { session, device, ticketing, online, failure, notify } = useApp();
  const { t } = useI18n();
  const [mode, setMode] = useState<Mode>('idle');
  const [phone, setPhone] = useState('');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [refunded, setRefunded] = useState<RefundDone>();

  if (!online || !session || !ticketing || !device?.deviceId) return null;
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
  const panel: Panel = {
    ticket,
    ticketing,
    session,
    deviceId,
    mode,
    setMode,
    busy,
    setBusy,
    setError,
    run,
  };

  return (
    <section className="actions-panel" aria-label={t('ticket.title')}>
      {error && <Message kind="error">{error}</Message>}
      {refunded && <RefundResult refund={refunded} />}
      {ticket.status === 'awaiting_device' && (
        <button
          type="button"
          className="button button-primary"
          disabled={busy}
          onClick={() =>
            run(() => ticketing.claim(session.token, ticket.id, deviceId), t('tickets.claimed'))
          }
        >
          {t('tickets.addHere')}
        </button>
      )}
      {ticket.status === 'elsewhere' && <MoveHere panel={panel} code={code} onCode={setCode} />}
      {ticket.status === 'valid' && mode !== 'refund' && (
        <Transfer panel={panel} phone={phone} onPhone={setPhone} />
      )}
      {(ticket.status === 'valid' || ticket.status === 'elsewhere') &&
        !ticket.pendingTransfer &&
        // A ticket a gate has already let in is not refunded (the server says ticket_used).
        !(ticket.usage && ticket.usage.entriesUsed > 0) &&
        (mode === 'idle' || mode === 'refund') && <Refund panel={panel} onRefunded={setRefunded} />}
    </section>
  );
}

/** A ticket on another device: a code by SMS to this buyer's number, then the reissue here. */
function MoveHere({
  panel,
  code,
  onCode,
}: {
  panel: Panel;
  code: string;
  onCode(code: string): void;
}) {
  const { failure, config } = useApp();
  const { t } = useI18n();
  const { ticket, ticketing, session, deviceId, busy, setBusy, setMode, setError, run } = panel;
  if (panel.mode !== 'code') {
    return (
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
    );
  }
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        void run(
          () => ticketing.reissue(session.token, ticket.id, deviceId, code.trim()),
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
            onChange={(event) => onCode(event.target.value)}
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
  );
}

/** A valid ticket: the offer pending (and taking it back), or offering it to a phone number. */
function Transfer({
  panel,
  phone,
  onPhone,
}: {
  panel: Panel;
  phone: string;
  onPhone(phone: string): void;
}) {
  const { t } = useI18n();
  const { ticket, ticketing, session, mode, setMode, busy, setError, run } = panel;
  const target = normalizePhone(phone);
  const offer = (event: FormEvent) => {
    event.preventDefault();
    if (!target) {
      setError(t('signIn.badPhone'));
      return;
    }
    // Refused here, before the confirmation: the server would refuse it after.
    if (target === normalizePhone(session.phone)) {
      setError(t('error.self_transfer'));
      return;
    }
    setError(undefined);
    setMode('confirm');
  };
  return (
    <>
      {ticket.pendingTransfer && (
        <>
          <Message>
            {t('ticket.transferPending', { phone: displayPhone(ticket.pendingTransfer.toPhone) })}
          </Message>
          <button
            type="button"
            className="button"
            disabled={busy}
            onClick={() =>
              run(
                () => ticketing.cancelTransfer(session.token, ticket.pendingTransfer?.id ?? ''),
                t('ticket.transferCancelled'),
              )
            }
          >
            {t('ticket.transferCancel')}
          </button>
        </>
      )}
      {!ticket.pendingTransfer && mode === 'idle' && (
        <button type="button" className="button" onClick={() => setMode('transfer')}>
          {t('ticket.transfer')}
        </button>
      )}
      {mode === 'transfer' && (
        <TransferForm phone={phone} onPhone={onPhone} onSubmit={offer} onCancel={setMode} />
      )}
      {mode === 'confirm' && target && (
        <div className="card">
          <p>{t('ticket.transferConfirm', { phone: displayPhone(target) })}</p>
          <div className="actions">
            <button
              type="button"
              className="button button-primary"
              disabled={busy}
              onClick={() =>
                run(
                  () => ticketing.offerTransfer(session.token, ticket.id, target),
                  t('ticket.transferOffered'),
                )
              }
            >
              {t('common.confirm')}
            </button>
            <button type="button" className="button" onClick={() => setMode('transfer')}>
              {t('common.back')}
            </button>
          </div>
        </div>
      )}
    </>
  );
}

/** The phone number to offer the ticket to. */
function TransferForm({
  phone,
  onPhone,
  onSubmit,
  onCancel,
}: {
  phone: string;
  onPhone(phone: string): void;
  onSubmit(event: FormEvent): void;
  onCancel(mode: Mode): void;
}) {
  const { t } = useI18n();
  return (
    <form onSubmit={onSubmit}>
      <Field label={t('ticket.transferTo')} hint={t('signIn.phoneHint')}>
        {(props) => (
          <input
            {...props}
            type="tel"
            autoComplete="off"
            value={phone}
            onChange={(event) => onPhone(event.target.value)}
            required
          />
        )}
      </Field>
      <div className="actions">
        <button type="submit" className="button button-primary">
          {t('ticket.transferSubmit')}
        </button>
        <button type="button" className="button" onClick={() => onCancel('idle')}>
          {t('common.back')}
        </button>
      </div>
    </form>
  );
}

/**
 * Giving the ticket back, where the event's policy allows it now: the button with the time
 * refunds close, then one confirmation with the amount. The server revokes the ticket and sends
 * the price back to the wallet that paid; the caller shows the result and reloads the ticket.
 */
function Refund({ panel, onRefunded }: { panel: Panel; onRefunded(refund: RefundDone): void }) {
  const { t, locale, fmt } = useI18n();
  const { ticket, ticketing, session, mode, setMode, busy, setError, run } = panel;
  const [policy, setPolicy] = useState<RefundPolicy>();
  useEffect(() => {
    let current = true;
    ticketing.event(ticket.event.id).then(
      (event) => current && setPolicy(event),
      // Without the event's policy the app offers no refund; the rest of the screen still works.
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [ticketing, ticket.event.id]);
  if (!policy || !refundOpen(policy, ticket.performance.startsAt, Date.now())) return null;
  const amount = formatMoney(ticket.price.amount, ticket.price.asset, locale);

  if (mode !== 'refund') {
    return (
      <>
        <button
          type="button"
          className="button"
          disabled={busy}
          onClick={() => {
            setError(undefined);
            setMode('refund');
          }}
        >
          {t('ticket.refund')}
        </button>
        <p className="hint">
          {t('ticket.refundUntil', {
            time: fmt.dateTime(
              refundClosesAt(policy, ticket.performance.startsAt),
              ticket.event.venue.timeZone,
            ),
          })}
        </p>
      </>
    );
  }
  return (
    <ConfirmRefund
      amount={amount}
      busy={busy}
      onConfirm={() =>
        void run(async () => {
          const answer = await ticketing.refund(session.token, ticket.id);
          onRefunded(
            answer.refund ?? {
              id: '',
              status: 'pending',
              asset: ticket.price.asset,
              amount: ticket.price.amount,
              reason: '',
              createdAt: new Date().toISOString(),
              doneAt: null,
            },
          );
        }, t('ticket.refundNotice'))
      }
      onCancel={() => setMode('idle')}
    />
  );
}

/** The one confirmation before a refund. */
function ConfirmRefund({
  amount,
  busy,
  onConfirm,
  onCancel,
}: {
  amount: string;
  busy: boolean;
  onConfirm(): void;
  onCancel(): void;
}) {
  const { t } = useI18n();
  return (
    <ConfirmDialog
      title={t('ticket.refundConfirmTitle')}
      text={t('ticket.refundConfirm', { amount })}
      confirm={t('ticket.refundConfirmButton')}
      dismiss={t('ticket.refundKeep')}
      busy={busy}
      onConfirm={onConfirm}
      onDismiss={onCancel}
    />
  );
}

/** What the refund did: the amount, back in the wallet or on its way there. */
function RefundResult({ refund }: { refund: RefundDone }) {
  const { t, locale } = useI18n();
  const amount = formatMoney(refund.amount, refund.asset, locale);
  return (
    <Message kind="success">
      {t(refund.status === 'done' ? 'ticket.refundDone' : 'ticket.refundPending', { amount })}
    </Message>
  );
}
