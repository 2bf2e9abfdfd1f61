/**
 * The two inputs every phone sign-in and invitation uses (the console's sign-in, the exchange's
 * sign-in for the wallet, inviting staff): a phone number typed as people type it, and the
 * 6-digit SMS code, each with its rules, so the forms cannot drift apart. Wrap them in `<Field>`,
 * whose id and aria attributes they pass on to the input (that is what ties the label to it).
 */

/** What `<Field>` adds to its input. */
type FieldProps = Pick<
  InputHTMLAttributes<HTMLInputElement>,
  'id' | 'aria-invalid' | 'aria-describedby'
>;

import type { InputHTMLAttributes } from 'react';
import type { FieldValues, Path, UseFormRegister } from 'react-hook-form';
import { useI18n } from '../i18n.ts';

export function PhoneInput<Values extends FieldValues>({
  register,
  name,
  autoComplete,
  ...field
}: FieldProps & {
  register: UseFormRegister<Values>;
  name: Path<Values>;
  /** `off` for someone else's number (an invitation), so the browser does not offer one's own. */
  autoComplete?: 'tel' | 'off';
}) {
  const { t } = useI18n();
  return (
    <input
      {...field}
      type="tel"
      autoComplete={autoComplete ?? 'tel'}
      inputMode="tel"
      {...register(name, { required: t('common.required') })}
    />
  );
}

export function SmsCodeInput<Values extends FieldValues>({
  register,
  name,
  ...field
}: FieldProps & { register: UseFormRegister<Values>; name: Path<Values> }) {
  const { t } = useI18n();
  return (
    <input
      {...field}
      inputMode="numeric"
      autoComplete="one-time-code"
      maxLength={6}
      {...register(name, {
        required: t('common.required'),
        pattern: { value: /^\d{6}$/, message: t('signIn.badCode') },
      })}
    />
  );
}
