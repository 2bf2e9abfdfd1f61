/**
 * Sign-in (unit 310): the phone number, a 6-digit code sent to it by SMS, then this device's key
 * made and registered. The first sign-in with a number creates the buyer at the ticketing server.
 */

import { ApiError } from '@tessera/web-kit/http';
import { displayPhone, normalizePhone } from '@tessera/web-kit/phone';
import { type FormEvent, useEffect, useState } from 'react';
import { useApp } from '../app-state.tsx';
import { Field, Message, NeedsOnline, ScreenTitle } from '../components.tsx';
import { retryAfterS } from '../errors.ts';
import { useI18n } from '../i18n.ts';
import { navigate, useLocation } from '../router.tsx';

export default function SignInScreen() {
  const { t } = useI18n();
  return (
    <>
      <ScreenTitle>{t('signIn.title')}</ScreenTitle>
      <p>{t('signIn.intro')}</p>
      <NeedsOnline>
        <SignInForm />
      </NeedsOnline>
    </>
  );
}

function SignInForm() {
  const { ticketing, signedIn, failure } = useApp();
  const { t } = useI18n();
  const { search } = useLocation();
  const [phoneInput, setPhoneInput] = useState('');
  const [phone, setPhone] = useState<string>();
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<string>();
  const [phoneError, setPhoneError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const { waitUntil, resend } = useCodeResend(phone, {
    setError,
    setNotice,
    setBusy,
    clearCode: () => setCode(''),
  });

  if (!ticketing) return null;

  const sendCode = async (event: FormEvent) => {
    event.preventDefault();
    const normalized = normalizePhone(phoneInput);
    if (!normalized) {
      setPhoneError(t('signIn.badPhone'));
      return;
    }
    setPhoneError(undefined);
    setError(undefined);
    setBusy(t('common.loading'));
    try {
      await ticketing.sendCode(normalized);
      setPhone(normalized);
    } catch (e) {
      setError(failure(e));
    } finally {
      setBusy(undefined);
    }
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!phone) return;
    setError(undefined);
    setNotice(undefined);
    setBusy(t('common.loading'));
    try {
      const answer = await ticketing.signIn(phone, code.trim());
      setBusy(t('signIn.settingUp'));
      await signedIn({
        userId: answer.user.id,
        phone: answer.user.phone,
        token: answer.token,
        expiresAt: answer.expiresAt,
      });
      const next = search.get('next');
      // Only a path of this app: never a link to somewhere else.
      navigate(next?.startsWith('/') && !next.startsWith('//') ? next : '/', { replace: true });
    } catch (e) {
      setError(failure(e));
      setBusy(undefined);
    }
  };

  return (
    <div className="card">
      {error && <Message kind="error">{error}</Message>}
      {notice && <Message kind="success">{notice}</Message>}
      {busy && <Message>{busy}</Message>}
      {!phone ? (
        <PhoneForm
          phone={phoneInput}
          onPhone={setPhoneInput}
          error={phoneError}
          busy={busy !== undefined}
          onSubmit={sendCode}
        />
      ) : (
        <CodeForm
          phone={phone}
          code={code}
          onCode={setCode}
          busy={busy !== undefined}
          onSubmit={submit}
          waitUntil={waitUntil}
          onResend={() => void resend()}
          onOtherNumber={() => {
            setPhone(undefined);
            setCode('');
            setNotice(undefined);
            setError(undefined);
          }}
        />
      )}
    </div>
  );
}

/**
 * A new code to the same number: a 429 names the wait, and `waitUntil` (when the server's rate
 * limit lets a new code be asked for, ms since the epoch) lets the button count it down.
 */
function useCodeResend(
  phone: string | undefined,
  show: {
    setError(message: string | undefined): void;
    setNotice(message: string | undefined): void;
    setBusy(message: string | undefined): void;
    clearCode(): void;
  },
) {
  const { ticketing, failure } = useApp();
  const { t } = useI18n();
  const [waitUntil, setWaitUntil] = useState<number>();
  const resend = async () => {
    if (!phone || !ticketing) return;
    show.setError(undefined);
    show.setNotice(undefined);
    show.setBusy(t('common.loading'));
    try {
      await ticketing.sendCode(phone);
      show.clearCode();
      show.setNotice(t('signIn.codeResent', { phone: displayPhone(phone) }));
    } catch (e) {
      const wait = e instanceof ApiError && e.status === 429 ? retryAfterS(e) : undefined;
      if (wait !== undefined) setWaitUntil(Date.now() + wait * 1000);
      show.setError(failure(e));
    } finally {
      show.setBusy(undefined);
    }
  };
  return { waitUntil, resend };
}

/** The phone number to send the code to. */
function PhoneForm({
  phone,
  onPhone,
  error,
  busy,
  onSubmit,
}: {
  phone: string;
  onPhone(phone: string): void;
  error: string | undefined;
  busy: boolean;
  onSubmit(event: FormEvent): void;
}) {
  const { t } = useI18n();
  return (
    <form onSubmit={onSubmit} noValidate>
      <Field label={t('signIn.phone')} hint={t('signIn.phoneHint')} error={error}>
        {(props) => (
          <input
            {...props}
            name="phone"
            type="tel"
            autoComplete="tel"
            value={phone}
            onChange={(event) => onPhone(event.target.value)}
            required
          />
        )}
      </Field>
      <button type="submit" className="button button-primary" disabled={busy}>
        {t('signIn.sendCode')}
      </button>
    </form>
  );
}

/** The code the SMS brought (in development, a link to the server's inbox). */
function CodeForm({
  phone,
  code,
  onCode,
  busy,
  onSubmit,
  waitUntil,
  onResend,
  onOtherNumber,
}: {
  phone: string;
  code: string;
  onCode(code: string): void;
  busy: boolean;
  onSubmit(event: FormEvent): void;
  waitUntil: number | undefined;
  onResend(): void;
  onOtherNumber(): void;
}) {
  const { config } = useApp();
  const { t } = useI18n();
  const waitS = useSecondsLeft(waitUntil);
  return (
    <form onSubmit={onSubmit}>
      <p>{t('signIn.codeSent', { phone: displayPhone(phone) })}</p>
      {config?.development && (
        <p className="hint">
          <a
            href={`${config.ticketingUrl}/dev/sms?phone=${encodeURIComponent(phone)}`}
            target="_blank"
            rel="noreferrer"
          >
            {t('signIn.devInbox')}
          </a>
        </p>
      )}
      <Field label={t('signIn.code')}>
        {(props) => (
          <input
            {...props}
            name="code"
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
          {t('signIn.submit')}
        </button>
        <button type="button" className="button" disabled={busy || waitS > 0} onClick={onResend}>
          {waitS > 0 ? t('signIn.resendIn', { seconds: waitS }) : t('signIn.resend')}
        </button>
        <button type="button" className="button" onClick={onOtherNumber}>
          {t('signIn.otherNumber')}
        </button>
      </div>
    </form>
  );
}

/** Whole seconds until `until`, counting down once a second; 0 when none or passed. */
function useSecondsLeft(until: number | undefined): number {
  const left = () =>
    until === undefined ? 0 : Math.max(0, Math.ceil((until - Date.now()) / 1000));
  const [seconds, setSeconds] = useState(left);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `left` only reads `until`.
  useEffect(() => {
    setSeconds(left());
    if (until === undefined) return;
    const timer = setInterval(() => {
      const now = left();
      setSeconds(now);
      if (now === 0) clearInterval(timer);
    }, 1000);
    return () => clearInterval(timer);
  }, [until]);
  return seconds;
}
