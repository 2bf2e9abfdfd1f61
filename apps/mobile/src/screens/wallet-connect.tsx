/**
 * Connecting the buyer's wallet at the exchange (unit 304, S110): the exchange has its own
 * sign-in, with its own SMS code. One code opens a new wallet or signs in to an existing one:
 * opening is tried first, and the exchange refuses it for a number that has a wallet *before*
 * spending the code (409 account_exists), so the same code then signs in.
 */

import { ApiError } from '@tessera/web-kit/http';
import { normalizePhone } from '@tessera/web-kit/phone';
import { type FormEvent, useState } from 'react';
import type { ExchangeSession } from '../api/exchange.ts';
import { useApis, useApp } from '../app-state.tsx';
import { Field, Message } from '../components.tsx';
import { useI18n } from '../i18n.ts';

export function WalletConnect() {
  const { exchange } = useApis();
  const { session, setWallet, failure } = useApp();
  const { t } = useI18n();
  const [phoneInput, setPhoneInput] = useState(session?.phone ?? '');
  const [name, setName] = useState('');
  const [phone, setPhone] = useState<string>();
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const sendCode = async (event: FormEvent) => {
    event.preventDefault();
    const normalized = normalizePhone(phoneInput);
    if (!normalized) {
      setError(t('signIn.badPhone'));
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await exchange.sendCode(normalized);
      setPhone(normalized);
    } catch (e) {
      setError(failure(e, 'exchange'));
    } finally {
      setBusy(false);
    }
  };

  const connect = async (event: FormEvent) => {
    event.preventDefault();
    if (!phone) return;
    setBusy(true);
    setError(undefined);
    try {
      let answer: ExchangeSession;
      try {
        answer = await exchange.openWallet(phone, code.trim(), name.trim() || phone);
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 'account_exists')) throw e;
        answer = await exchange.signIn(phone, code.trim());
      }
      await setWallet({
        subscriberId: answer.subscriber.id,
        phone: answer.subscriber.phone,
        token: answer.token,
        expiresAt: answer.expiresAt,
      });
    } catch (e) {
      setError(failure(e, 'exchange'));
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="wallet-connect">
      <h2 id="wallet-connect">{t('wallet.connectTitle')}</h2>
      <p>{t('wallet.connectIntro')}</p>
      {error && <Message kind="error">{error}</Message>}
      {!phone ? (
        <WalletPhoneForm
          phone={phoneInput}
          onPhone={setPhoneInput}
          name={name}
          onName={setName}
          busy={busy}
          onSubmit={sendCode}
        />
      ) : (
        <WalletCodeForm
          phone={phone}
          code={code}
          onCode={setCode}
          busy={busy}
          onSubmit={connect}
          onOtherNumber={() => setPhone(undefined)}
        />
      )}
    </section>
  );
}

/** The number for the exchange's code, and a name for a wallet opened with it. */
function WalletPhoneForm({
  phone,
  onPhone,
  name,
  onName,
  busy,
  onSubmit,
}: {
  phone: string;
  onPhone(phone: string): void;
  name: string;
  onName(name: string): void;
  busy: boolean;
  onSubmit(event: FormEvent): void;
}) {
  const { t } = useI18n();
  return (
    <form onSubmit={onSubmit} noValidate>
      <Field label={t('signIn.phone')} hint={t('signIn.phoneHint')}>
        {(props) => (
          <input
            {...props}
            name="wallet-phone"
            type="tel"
            autoComplete="tel"
            value={phone}
            onChange={(event) => onPhone(event.target.value)}
            required
          />
        )}
      </Field>
      <Field label={t('wallet.name')}>
        {(props) => (
          <input
            {...props}
            name="wallet-name"
            autoComplete="name"
            maxLength={80}
            value={name}
            onChange={(event) => onName(event.target.value)}
          />
        )}
      </Field>
      <button type="submit" className="button button-primary" disabled={busy}>
        {t('signIn.sendCode')}
      </button>
    </form>
  );
}

/** The code the exchange sent (in development, a link to its inbox). */
function WalletCodeForm({
  phone,
  code,
  onCode,
  busy,
  onSubmit,
  onOtherNumber,
}: {
  phone: string;
  code: string;
  onCode(code: string): void;
  busy: boolean;
  onSubmit(event: FormEvent): void;
  onOtherNumber(): void;
}) {
  const { config } = useApp();
  const { t } = useI18n();
  return (
    <form onSubmit={onSubmit}>
      <p>{t('signIn.codeSent', { phone })}</p>
      {config?.development && (
        <p className="hint">
          <a
            href={`${config.exchangeUrl}/dev/sms?phone=${encodeURIComponent(phone)}`}
            target="_blank"
            rel="noreferrer"
          >
            {t('wallet.devInbox')}
          </a>
        </p>
      )}
      <Field label={t('signIn.code')}>
        {(props) => (
          <input
            {...props}
            name="wallet-code"
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
      <div className="actions">
        <button type="submit" className="button button-primary" disabled={busy}>
          {t('wallet.connect')}
        </button>
        <button type="button" className="button" onClick={onOtherNumber}>
          {t('signIn.otherNumber')}
        </button>
      </div>
    </form>
  );
}
