/**
 * Signing in at the exchange from the console, with the exchange's own SMS code, as the buyer's
 * app connects its wallet (apps/mobile/src/screens/wallet-connect.tsx): one code opens a merchant
 * account or signs in to the existing one. Opening is tried first, and the exchange refuses it
 * for a number that has a merchant account *before* spending the code (409 account_exists), so
 * the same code then signs in.
 *
 * To link (S100, unit 114), the console then makes a merchant API key at the exchange and hands
 * it straight to the ticketing server (PUT /v1/organizers/{id}/wallet), which checks it, points
 * the merchant's webhook at itself and keeps the key sealed. The key lives in this function's
 * variables only: it is never shown, stored or cached. If the ticketing server refuses it, the
 * key is revoked at the exchange again, so no unused key stays live.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ExchangeAnswer } from '@tessera/api-client';
import { ApiError } from '@tessera/web-kit/http';
import { displayPhone, normalizePhone } from '@tessera/web-kit/phone';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { type Api, useApi } from '../api.tsx';
import { useI18n } from '../i18n.ts';
import { useOrganizer, useSession } from '../session.tsx';
import { Field, FormFailure, Notice } from '../ui/form.tsx';
import { PhoneInput, SmsCodeInput } from '../ui/phone-inputs.tsx';
import { organizerKey } from './api.ts';
import type { ExchangeSession } from './exchange-session.ts';

/** The exchange's limit on a merchant account's name and on an API key's label. */
const exchangeNameMax = 80;

type SignedIn = ExchangeAnswer<'post', '/v1/auth/sessions'>;

/** `link`: sign in (or open an account) and link the wallet; `balances`: only sign in. */
export type ExchangeSignInPurpose = 'link' | 'balances';

export function ExchangeSignIn(props: {
  purpose: ExchangeSignInPurpose;
  onDone(session: ExchangeSession): void;
  onCancel(): void;
}) {
  const [sent, setSent] = useState<{ phone: string; name: string }>();
  return sent ? (
    <CodeForm
      purpose={props.purpose}
      phone={sent.phone}
      name={sent.name}
      onDone={props.onDone}
      onOtherNumber={() => setSent(undefined)}
    />
  ) : (
    <PhoneForm purpose={props.purpose} onSent={setSent} onCancel={props.onCancel} />
  );
}

function PhoneForm(props: {
  purpose: ExchangeSignInPurpose;
  onSent(sent: { phone: string; name: string }): void;
  onCancel(): void;
}) {
  const { t } = useI18n();
  const api = useApi();
  const organizer = useOrganizer();
  const { session } = useSession();
  const form = useForm<{ phone: string; name: string }>({
    defaultValues: {
      phone: session ? displayPhone(session.phone) : '',
      name: organizer.name.slice(0, exchangeNameMax),
    },
  });
  const send = useMutation({
    mutationFn: (phone: string) =>
      api.call((init) => api.exchange.POST('/v1/auth/codes', { ...init, body: { phone } }), {
        token: undefined,
      }),
  });
  const submit = form.handleSubmit(async ({ phone: typed, name }) => {
    const phone = normalizePhone(typed);
    if (!phone) {
      form.setError('phone', { message: t('signIn.badPhone') });
      return;
    }
    await send.mutateAsync(phone).then(
      () => props.onSent({ phone, name: name.trim() }),
      () => undefined,
    );
  });
  const linking = props.purpose === 'link';
  return (
    <form onSubmit={submit} noValidate aria-label={t('organizations.wallet.exchangeSignIn')}>
      <Field
        label={t('organizations.wallet.merchantPhone')}
        error={form.formState.errors.phone}
        hint={t('organizations.wallet.merchantPhoneHint')}
      >
        <PhoneInput register={form.register} name="phone" />
      </Field>
      {linking ? (
        <Field
          label={t('organizations.wallet.merchantName')}
          error={form.formState.errors.name}
          hint={t('organizations.wallet.merchantNameHint')}
        >
          <input
            autoComplete="organization"
            {...form.register('name', {
              validate: (value) => value.trim().length > 0 || t('common.required'),
              maxLength: {
                value: exchangeNameMax,
                message: t('organizations.wallet.nameTooLong', { max: exchangeNameMax }),
              },
            })}
          />
        </Field>
      ) : null}
      <FormFailure error={send.error} />
      <div className="actions">
        <button type="submit" className="primary" disabled={send.isPending}>
          {t('organizations.wallet.sendCode')}
        </button>
        <button type="button" onClick={props.onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}

function CodeForm(props: {
  purpose: ExchangeSignInPurpose;
  phone: string;
  name: string;
  onDone(session: ExchangeSession): void;
  onOtherNumber(): void;
}) {
  const { t } = useI18n();
  const api = useApi();
  const organizer = useOrganizer();
  const queryClient = useQueryClient();
  const form = useForm<{ code: string }>({ defaultValues: { code: '' } });
  const { phone, name, purpose } = props;
  const signIn = useMutation({
    mutationFn: async (code: string): Promise<ExchangeSession> => {
      const answer =
        purpose === 'link'
          ? await openOrSignIn(api, { phone, code, name })
          : await signInAsMerchant(api, { phone, code });
      if (purpose === 'link') {
        const label = `Tessera console ${organizer.name}`.slice(0, exchangeNameMax);
        await linkWithNewKey(api, organizer.id, answer.token, label);
      }
      return {
        token: answer.token,
        expiresAt: answer.expiresAt,
        merchantId: answer.subscriber.id,
        phone: answer.subscriber.phone,
      };
    },
    onSuccess: async (session) => {
      await queryClient.invalidateQueries({ queryKey: organizerKey(organizer.id) });
      props.onDone(session);
    },
  });
  const submit = form.handleSubmit(({ code }) => signIn.mutateAsync(code).catch(() => undefined));
  const noAccount =
    signIn.error instanceof ApiError && signIn.error.status === 404 && purpose === 'balances';
  return (
    <form onSubmit={submit} noValidate aria-label={t('organizations.wallet.exchangeSignIn')}>
      <Notice>{t('organizations.wallet.codeSent', { phone: displayPhone(phone) })}</Notice>
      {api.config.development ? (
        <p className="hint">
          {t('organizations.wallet.devInbox', {
            url: `${api.config.exchangeUrl}/dev/sms?phone=${encodeURIComponent(phone)}`,
          })}
        </p>
      ) : null}
      <p>
        {purpose === 'link'
          ? t('organizations.wallet.linkSteps', { name, organization: organizer.name })
          : t('organizations.wallet.balancesSteps')}
      </p>
      <Field label={t('signIn.code')} error={form.formState.errors.code}>
        <SmsCodeInput register={form.register} name="code" />
      </Field>
      {noAccount ? (
        <p className="failure" role="alert">
          {t('organizations.wallet.noMerchantAccount')}
        </p>
      ) : (
        <FormFailure error={signIn.error} />
      )}
      <div className="actions">
        <button type="submit" className="primary" disabled={signIn.isPending}>
          {purpose === 'link'
            ? t('organizations.wallet.signInAndLink')
            : t('organizations.wallet.signIn')}
        </button>
        <button type="button" onClick={props.onOtherNumber}>
          {t('signIn.otherNumber')}
        </button>
      </div>
    </form>
  );
}

/** Opens a merchant account with the code, or signs in to the number's existing one. */
async function openOrSignIn(
  api: Api,
  input: { phone: string; code: string; name: string },
): Promise<SignedIn> {
  try {
    return await api.call(
      (init) =>
        api.exchange.POST('/v1/subscribers', {
          ...init,
          body: { phone: input.phone, code: input.code, kind: 'merchant', displayName: input.name },
        }),
      { token: undefined },
    );
  } catch (error) {
    if (!(error instanceof ApiError && error.code === 'account_exists')) throw error;
    return signInAsMerchant(api, input);
  }
}

function signInAsMerchant(api: Api, input: { phone: string; code: string }): Promise<SignedIn> {
  return api.call(
    (init) =>
      api.exchange.POST('/v1/auth/sessions', {
        ...init,
        body: { phone: input.phone, code: input.code, kind: 'merchant' },
      }),
    { token: undefined },
  );
}

/**
 * A new merchant API key, handed straight to the ticketing server; revoked again if the ticketing
 * server refuses it, so no unused key stays live at the exchange.
 */
async function linkWithNewKey(api: Api, organizerId: string, exchangeToken: string, label: string) {
  const made = await api.call(
    (init) => api.exchange.POST('/v1/merchant/api-keys', { ...init, body: { label } }),
    { token: exchangeToken },
  );
  try {
    await api.call((init) =>
      api.ticketing.PUT('/v1/organizers/{organizerId}/wallet', {
        ...init,
        params: { path: { organizerId } },
        body: { apiKey: made.key },
      }),
    );
  } catch (error) {
    await api
      .call(
        (init) =>
          api.exchange.DELETE('/v1/merchant/api-keys/{id}', {
            ...init,
            params: { path: { id: made.id } },
          }),
        { token: exchangeToken },
      )
      .catch(() => undefined);
    throw error;
  }
}
