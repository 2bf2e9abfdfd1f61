/**
 * The live feed of admissions at every gate of the terminal's performances
 * (`GET /v1/terminal/feed`, server-sent events). EventSource cannot send the terminal's
 * Authorization header, so the stream is read with fetch() and parsed here; a dropped stream is
 * reopened from the last event id seen, after the wait the server's `retry:` asks for, and the
 * server replays what was missed. The feed follows
 * docs/feeds.md: a `reset` event (the resume point was unusable) is followed by every admission,
 * which the terminal remembers idempotently, so only `admission` events matter here.
 */

export interface FeedAdmission {
  seq: number;
  performanceId: string;
  performanceCode: string;
  ticketId: string;
  revision: number;
  direction: 'entry' | 'exit';
  debit: string;
  /** Scan time, ISO 8601 UTC (as in the event package). */
  scannedAt: string;
  presentationTimeS: number | null;
  gate: string;
  terminalId: string;
  duplicate: boolean;
}

export interface SseEvent {
  id: string | undefined;
  event: string;
  data: string;
}

/**
 * Reconnection waits start at what the server's `retry:` last said (1 s until it says anything)
 * and double up to 30 s while the server stays away, as a browser's EventSource would wait.
 */
const retryDefaultMs = 1_000;
const retryMaxMs = 30_000;
/** A line longer than this is not one the server sends; the stream is dropped and reopened. */
const lineCharsMax = 64 * 1024;

/**
 * Splits a server-sent event stream into events (the WHATWG rules the server uses: `id:`,
 * `event:`, `data:` lines, a blank line ends an event, `:` starts a comment). A `retry:` line of
 * digits only sets `retryMs`, the reconnection wait the server asks for.
 */
export class SseParser {
  retryMs: number | undefined;
  private buffer = '';
  private id: string | undefined;
  private event = '';
  private data: string[] = [];

  push(chunk: string): SseEvent[] {
    this.buffer += chunk;
    const events: SseEvent[] = [];
    for (;;) {
      const end = this.buffer.search(/\r\n|\r|\n/);
      if (end < 0) break;
      const line = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + (this.buffer.startsWith('\r\n', end) ? 2 : 1));
      if (line === '') {
        if (this.data.length > 0) {
          events.push({ id: this.id, event: this.event || 'message', data: this.data.join('\n') });
        }
        this.event = '';
        this.data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'id') this.id = value;
      else if (field === 'event') this.event = value;
      else if (field === 'data') this.data.push(value);
      else if (field === 'retry' && /^[0-9]+$/.test(value)) this.retryMs = Number(value);
    }
    if (this.buffer.length > lineCharsMax) throw new Error('the feed sent an overlong line');
    return events;
  }
}

export function followFeed(options: {
  url: string;
  token: string;
  lastEventId: () => string | undefined;
  onAdmission: (admission: FeedAdmission, id: string) => void;
  onState: (live: boolean) => void;
}): () => void {
  const stop = new AbortController();
  // What the server's `retry:` said (kept across connections), and the wait before the next try.
  let retryMs = retryDefaultMs;
  let waitMs = retryMs;
  const run = async () => {
    while (!stop.signal.aborted) {
      try {
        // The resume point goes as `since=`, which the server reads like Last-Event-ID: that
        // header is not among the ones the server's CORS answer allows a page to send.
        const lastId = options.lastEventId();
        const url = lastId ? `${options.url}?since=${encodeURIComponent(lastId)}` : options.url;
        const response = await fetch(url, {
          headers: { accept: 'text/event-stream', authorization: `Bearer ${options.token}` },
          signal: stop.signal,
          cache: 'no-store',
        });
        if (!response.ok || !response.body) throw new Error(`the feed answered ${response.status}`);
        options.onState(true);
        waitMs = retryMs;
        const parser = new SseParser();
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          const events = parser.push(value);
          if (parser.retryMs !== undefined && parser.retryMs !== retryMs) {
            retryMs = parser.retryMs;
            waitMs = retryMs;
          }
          for (const event of events) {
            if (event.event !== 'admission' || event.id === undefined) continue;
            options.onAdmission(JSON.parse(event.data) as FeedAdmission, event.id);
          }
        }
      } catch (error) {
        if (stop.signal.aborted) return;
        console.warn('the admission feed dropped', error);
      }
      options.onState(false);
      await new Promise((wake) => setTimeout(wake, waitMs));
      waitMs = Math.min(Math.max(retryMaxMs, retryMs), waitMs * 2);
    }
  };
  void run();
  return () => stop.abort();
}
