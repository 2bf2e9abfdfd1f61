/**
 * What the server refused about an event, in words. Codes only the catalogue answers are worded
 * once, in this feature's words, through the console's table (shell/error-codes.ts); the few
 * codes other screens meet too get an event's own sentence here (a wallet to link gets the link),
 * any other the console's general wording.
 */
import { isErrorCode } from '@tessera/api-client';
import { ApiError } from '@tessera/web-kit/http';
import { Link } from 'wouter';
import { type MessageKey, useI18n } from '../i18n.ts';
import { codeMessages } from '../shell/error-codes.ts';
import { FormFailure } from '../ui/form.tsx';

const eventCodes: Record<string, MessageKey> = {
  wallet_not_linked: 'events.error.wallet_not_linked',
  category_in_use: 'events.error.category_in_use',
  performance_in_use: 'events.error.performance_in_use',
  unknown_asset: 'events.error.unknown_asset',
};

/** The console's words for a code only the catalogue answers (they are this feature's). */
function catalogueKey(code: string): MessageKey | undefined {
  const key = isErrorCode(code) ? codeMessages[code] : null;
  return key?.startsWith('events.') ? key : undefined;
}

/** This feature's sentence for a refusal, or undefined for the general wording. */
export function eventRefusal(
  error: unknown,
  t: (key: MessageKey, params?: Record<string, string | number>) => string,
) {
  if (!(error instanceof ApiError)) return undefined;
  const key = eventCodes[error.code] ?? catalogueKey(error.code);
  return key ? t(key, { message: error.message }) : undefined;
}

export function EventFailure(props: { error: unknown }) {
  const { t } = useI18n();
  const sentence = eventRefusal(props.error, t);
  if (!sentence) return <FormFailure error={props.error} />;
  return (
    <p className="failure" role="alert">
      {sentence}
      {props.error instanceof ApiError && props.error.code === 'wallet_not_linked' ? (
        <>
          {' '}
          <Link href="/wallet">{t('events.error.walletLink')}</Link>
        </>
      ) : null}
    </p>
  );
}
