/**
 * Live notices of the wallet (S140: both parties hear of every payment): the exchange's
 * server-sent event feed (services/exchange/docs/notifications.md). `EventSource` cannot send a
 * token, so a stream ticket (valid 60 s, checked only when the stream opens) goes in the URL. The
 * browser reconnects by itself with `Last-Event-ID`; when the server refuses a reconnect because
 * the ticket in the URL has expired, a new ticket is fetched and the feed resumes after the last
 * event seen, so nothing is missed. Events are deduplicated by id (the feed is at least once).
 */
import { useEffect, useRef } from 'react';
import type { Notice } from './api/exchange.ts';
import { useApp } from './app-state.tsx';
import { isMessageKey, useI18n } from './i18n.ts';
import { formatMoney } from './money.ts';

/** Other screens (the wallet, an order being paid) listen for this to re-read what changed. */
export const walletChangedEvent = 'tessera:wallet-changed';

const reconnectDelayMs = 3_000;
const seenIdsMax = 200;

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
    let source: EventSource | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    let lastSeq: number | undefined;
    const seen: string[] = [];

    const handle = (message: MessageEvent<string>) => {
      const seq = Number(message.lastEventId);
      if (Number.isInteger(seq)) lastSeq = Math.max(lastSeq ?? 0, seq);
      let event: Notice;
      try {
        event = JSON.parse(message.data) as Notice;
      } catch {
        return; // not an event of ours; the feed carries only JSON events
      }
      if (seen.includes(event.id)) return;
      seen.push(event.id);
      if (seen.length > seenIdsMax) seen.shift();
      window.dispatchEvent(new CustomEvent(walletChangedEvent, { detail: event }));
      const key = `notice.${event.type}`;
      const amount = event.data.amount;
      const asset = event.data.asset;
      // Types the app does not know are skipped, as the exchange asks of every consumer.
      if (isMessageKey(key) && typeof amount === 'string' && typeof asset === 'string') {
        const { t, locale } = words.current;
        notify(t(key, { amount: formatMoney(amount, asset, locale) }));
      }
    };

    const open = async () => {
      try {
        const { url } = await exchange.streamTicket(wallet.token);
        if (stopped) return;
        const feedUrl = new URL(url);
        if (lastSeq !== undefined) feedUrl.searchParams.set('after', String(lastSeq));
        source = new EventSource(feedUrl);
        for (const type of [
          'payment.sent',
          'refund.received',
          'deposit.succeeded',
          'deposit.refused',
          'transfer.received',
          'transfer.sent',
          'trade.executed',
        ]) {
          source.addEventListener(type, handle as EventListener);
        }
        source.onerror = () => {
          // CLOSED: the server refused the reconnect (the ticket expired); CONNECTING: the
          // browser is retrying by itself and needs nothing from us.
          if (source?.readyState === EventSource.CLOSED) {
            source.close();
            timer = setTimeout(() => void open(), reconnectDelayMs);
          }
        };
      } catch (error) {
        const message = fail.current(error, 'exchange');
        if (!stopped) {
          console.warn('wallet feed', message);
          timer = setTimeout(() => void open(), reconnectDelayMs * 5);
        }
      }
    };
    void open();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      source?.close();
    };
  }, [wallet, exchange, online, notify]);
}
