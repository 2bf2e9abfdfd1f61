/**
 * Live notices of the wallet (S140: both parties hear of every payment): the exchange's
 * server-sent event feed (services/exchange/docs/notifications.md). `EventSource` cannot send a
 * token, so a stream ticket (valid 60 s, checked only when the stream opens) goes in the URL. The
 * browser reconnects by itself with `Last-Event-ID`; when the server refuses a reconnect because
 * the ticket in the URL has expired, a new ticket is fetched and the feed resumes after the last
 * event seen, so nothing is missed. Events are deduplicated by id (the feed is at least once).
 *
 * An `event: reset` (docs/feeds.md: the resume point was unusable, and everything retained
 * follows) drops what the app derived from the feed (the resume point and the ids seen), opens
 * the feed anew for live events only, and then has every screen reload from the exchange: the
 * replay would otherwise show the whole history again as new notices.
 */
import { useEffect, useRef } from 'react';
import { useApp } from './app-state.tsx';
import { isMessageKey, useI18n } from './i18n.ts';
import { formatMoney } from './money.ts';
import { type FeedSource, followWalletFeed } from './wallet-feed-source.ts';

/** Other screens (the wallet, an order being paid) listen for this to re-read what changed. */
export const walletChangedEvent = 'tessera:wallet-changed';

export function useWalletFeed() {
  const { wallet, exchange, online, notify, failure } = useApp();
  const i18n = useI18n();
  // The notices speak the current language without reconnecting the feed when it changes.
  const words = useRef(i18n);
  words.current = i18n;
  const fail = useRef(failure);
  fail.current = failure;

  useEffect(() => {
    if (!wallet || !exchange || !online || typeof EventSource === 'undefined') return;
    return followWalletFeed({
      streamUrl: async () => (await exchange.streamTicket(wallet.token)).url,
      open: (url) => new EventSource(url) as FeedSource,
      onNotice: (notice) => {
        window.dispatchEvent(new CustomEvent(walletChangedEvent, { detail: notice }));
        const key = `notice.${notice.type}`;
        const amount = notice.data.amount;
        const asset = notice.data.asset;
        // Types the app does not know are skipped, as the exchange asks of every consumer.
        if (isMessageKey(key) && typeof amount === 'string' && typeof asset === 'string') {
          const { t, locale } = words.current;
          notify(t(key, { amount: formatMoney(amount, asset, locale) }));
        }
      },
      onReset: () => window.dispatchEvent(new CustomEvent(walletChangedEvent)),
      onFailure: (error) => console.warn('wallet feed', fail.current(error, 'exchange')),
    });
  }, [wallet, exchange, online, notify]);
}
