/**
 * What the server refused about an event, in words: the refusals of this feature get their own
 * sentence (a wallet to link gets the link), any other the console's general wording.
 */
import { ApiError } from '@tessera/web-kit/http';
import { Link } from 'wouter';
import { type MessageKey, useI18n } from '../i18n.ts';
import { FormFailure } from '../ui/form.tsx';

const eventCodes: Record<string, MessageKey> = {
  slug_taken: 'events.error.slug_taken',
  wallet_not_linked: 'events.error.wallet_not_linked',
  no_categories: 'events.error.no_categories',
  no_performances: 'events.error.no_performances',
  seat_in_two_categories: 'events.error.seat_in_two_categories',
  quota_over_capacity: 'events.error.quota_over_capacity',
  duplicate_performance: 'events.error.duplicate_performance',
  category_in_use: 'events.error.category_in_use',
  performance_in_use: 'events.error.performance_in_use',
  venue_change: 'events.error.venue_change',
  unknown_asset: 'events.error.unknown_asset',
};

/** This feature's sentence for a refusal, or undefined for the general wording. */
export function eventRefusal(
  error: unknown,
  t: (key: MessageKey, params?: Record<string, string | number>) => string,
) {
  if (!(error instanceof ApiError)) return undefined;
  const key = eventCodes[error.code];
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
