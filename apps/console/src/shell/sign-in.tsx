/**
 * Sign-in: the phone number, then the 6-digit code sent to it by SMS (the ticketing server's own
 * sign-in, as in the buyer's app). The first sign-in with a number creates the person; an
 * organizer is then made from the console (organizations/create.tsx).
 */
import { useMutation } from '@tanstack/react-query';
import { displayPhone, normalizePhone } from '@tessera/web-kit/phone';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { useApi } from '../api.tsx';
import { useI18n } from '../i18n.ts';
import { useSession } from '../session.tsx';
import { Field, FormFailure, Notice } from '../ui/form.tsx';
import { Page } from '../ui/page.tsx';
import { PhoneInput, SmsCodeInput } from '../ui/phone-inputs.tsx';

export default function SignIn() {
  const { t } = useI18n();
  const [phone, setPhone] = useState<string>();
  return (
    <main className="sign-in">
      <Page title={t('signIn.title')}>
        <p>{t('signIn.intro')}</p>
        {phone ? (
          <CodeForm phone={phone} onOtherNumber={() => setPhone(undefined)} />
        ) : (
          <PhoneForm onSent={setPhone} />
        )}
      </Page>
    </main>
  );
}

function PhoneForm(props: { onSent(phone: string): void }) {
  const { t } = useI18n();
  const api = useApi();
  const form = useForm<{ phone: string }>({ defaultValues: { phone: '' } });
  const send = useMutation({
    mutationFn: (phone: string) =>
      api.call((init) => api.ticketing.POST('/v1/auth/codes', { ...init, body: { phone } })),
  });
  const submit = form.handleSubmit(async ({ phone: typed }) => {
    const phone = normalizePhone(typed);
    if (!phone) {
      form.setError('phone', { message: t('signIn.badPhone') });
      return;
    }
    await send.mutateAsync(phone).then(
      () => props.onSent(phone),
      () => undefined,
    );
  });
  return (
    <form onSubmit={submit} noValidate>
      <Field label={t('signIn.phone')} error={form.formState.errors.phone}>
        <PhoneInput register={form.register} name="phone" />
      </Field>
      <FormFailure error={send.error} />
      <button type="submit" className="primary" disabled={send.isPending}>
        {t('signIn.send')}
      </button>
    </form>
  );
}

function CodeForm(props: { phone: string; onOtherNumber(): void }) {
  const { t } = useI18n();
  const api = useApi();
  const { signedIn } = useSession();
  const form = useForm<{ code: string }>({ defaultValues: { code: '' } });
  const signIn = useMutation({
    mutationFn: (code: string) =>
      api.call((init) =>
        api.ticketing.POST('/v1/auth/sessions', { ...init, body: { phone: props.phone, code } }),
      ),
    onSuccess: (answer) =>
      signedIn({ token: answer.token, expiresAt: answer.expiresAt, phone: answer.user.phone }),
  });
  const submit = form.handleSubmit(({ code }) => signIn.mutateAsync(code).catch(() => undefined));
  return (
    <form onSubmit={submit} noValidate>
      <Notice>{t('signIn.sentTo', { phone: displayPhone(props.phone) })}</Notice>
      {api.config.development ? (
        <p className="hint">
          {t('signIn.devInbox', {
            url: `${api.config.ticketingUrl}/dev/sms?phone=${encodeURIComponent(props.phone)}`,
          })}
        </p>
      ) : null}
      <Field label={t('signIn.code')} error={form.formState.errors.code}>
        <SmsCodeInput register={form.register} name="code" />
      </Field>
      <FormFailure error={signIn.error} />
      <div className="actions">
        <button type="submit" className="primary" disabled={signIn.isPending}>
          {t('signIn.signIn')}
        </button>
        <button type="button" onClick={props.onOtherNumber}>
          {t('signIn.otherNumber')}
        </button>
      </div>
    </form>
  );
}
