/**
 * Following the exchange's live feed for the wallet, apart from React and the page so that it can
 * be tested with a stand-in EventSource: reconnection with a fresh ticket, deduplication, and the
 * `reset` event of the live-feed convention (docs/feeds.md). wallet-feed.ts wires it to the app.
 */
import type { Notice } from './api/exchange.ts';

const reconnectDelayMs = 3_000;
const seenIdsMax = 200;

/** The notice types the wallet listens for. */
export const walletNoticeTypes = [
  'payment.sent',
  'refund.received',
  'deposit.succeeded',
  'deposit.refused',
  'transfer.received',
  'transfer.sent',
  'trade.executed',
] as const;

/** What the feed needs of an EventSource (a stand-in in tests). */
export interface FeedSource {
  readyState: number;
  onerror: ((event: Event) => void) | null;
  onopen: ((event: Event) => void) | null;
  addEventListener(type: string, listener: (message: MessageEvent<string>) => void): void;
  close(): void;
}

/** EventSource's CLOSED: the browser gave up and will not reconnect by itself. */
const sourceClosed = 2;

export interface WalletFeedOptions {
  /** A fresh stream URL (with its ticket) for the subscriber. */
  streamUrl(): Promise<string>;
  open(url: string): FeedSource;
  /** A new notice (deduplicated by id). */
  onNotice(notice: Notice): void;
  /** The feed was reset: forget what came from it and reload from the exchange. */
  onReset(): void;
  onFailure(error: unknown): void;
}

/** Follows the wallet's live feed until the returned function is called. */
export function followWalletFeed(options: WalletFeedOptions): () => void {
  let source: FeedSource | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let lastSeq: number | undefined;
  const seen: string[] = [];

  const handle = (message: MessageEvent<string>) => {
    const seq = Number(message.lastEventId);
    if (message.lastEventId !== '' && Number.isInteger(seq)) {
      lastSeq = Math.max(lastSeq ?? 0, seq);
    }
    let notice: Notice;
    try {
      notice = JSON.parse(message.data) as Notice;
    } catch {
      return; // not an event of ours; the feed carries only JSON events
    }
    if (seen.includes(notice.id)) return;
    seen.push(notice.id);
    if (seen.length > seenIdsMax) seen.shift();
    options.onNotice(notice);
  };

  const reset = () => {
    lastSeq = undefined;
    seen.length = 0;
    source?.close();
    // Live events only from here; the reload once that stream is open covers everything before.
    void open(options.onReset);
  };

  const open = async (opened?: () => void) => {
    try {
      const url = new URL(await options.streamUrl());
      if (stopped) return;
      if (lastSeq !== undefined) url.searchParams.set('after', String(lastSeq));
      const current = options.open(url.toString());
      source = current;
      for (const type of walletNoticeTypes) current.addEventListener(type, handle);
      current.addEventListener('reset', reset);
      if (opened) current.onopen = () => opened();
      current.onerror = () => {
        // CLOSED: the server refused the reconnect (the ticket expired); CONNECTING: the
        // browser is retrying by itself and needs nothing from us.
        if (current.readyState === sourceClosed) {
          current.close();
          timer = setTimeout(() => void open(opened), reconnectDelayMs);
        }
      };
    } catch (error) {
      options.onFailure(error);
      if (!stopped) timer = setTimeout(() => void open(opened), reconnectDelayMs * 5);
    }
  };

  void open();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    source?.close();
  };
}
