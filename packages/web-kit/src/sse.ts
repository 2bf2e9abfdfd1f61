/**
 * Reading a server-sent event stream with fetch(), as the gate terminal (its admissions feed) and
 * the console (the check-in dashboard's feed) do: EventSource cannot send an Authorization header,
 * so both read the stream themselves and follow docs/feeds.md. A dropped stream is reopened from
 * the last event id seen (sent as the feed's resume parameter: the `Last-Event-ID` header is not
 * among those the servers' CORS answer lets a page send), after the wait the server's `retry:`
 * asks for, doubling while the server stays away, as a browser's EventSource would wait.
 */

export interface SseEvent {
  id: string | undefined;
  event: string;
  data: string;
}

/** Until the server's `retry:` says otherwise, the first reconnection waits this long. */
const retryDefaultMs = 1_000;
/** The doubling wait stops growing here (or at what the server asks, if that is longer). */
const retryMaxMs = 30_000;
/** A line longer than this is not one the servers send; the stream is dropped and reopened. */
const lineCharsMax = 64 * 1024;

/**
 * Splits a server-sent event stream into events (the WHATWG rules the servers use: `id:`,
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

/** A feed's answer that was not a stream (401, 404, 429 too_many_streams, ...). */
export class FeedRefused extends Error {
  constructor(readonly status: number) {
    super(`the feed answered ${status}`);
    this.name = 'FeedRefused';
  }
}

export interface FollowOptions {
  url: string;
  token: string;
  /** The feed's resume parameter (`since` on the ticketing server's feeds). */
  resumeParam?: string;
  /** The id to resume after, read at each (re)connection. */
  lastEventId: () => string | undefined;
  onEvent: (event: SseEvent) => void;
  /** True once a stream is open, false when it drops (before the wait to reconnect). */
  onState: (live: boolean) => void;
  /**
   * Told when the feed refuses to open; answering true stops following (a session that is no
   * longer valid will not become valid by asking again). Without it every refusal is retried.
   */
  onRefused?: (status: number) => boolean;
}

/** Follows the feed until the returned function is called. */
export function followEventStream(options: FollowOptions): () => void {
  const stop = new AbortController();
  const resumeParam = options.resumeParam ?? 'since';
  // What the server's `retry:` said (kept across connections), and the wait before the next try.
  let retryMs = retryDefaultMs;
  let waitMs = retryMs;
  const run = async () => {
    while (!stop.signal.aborted) {
      try {
        const lastId = options.lastEventId();
        const separator = options.url.includes('?') ? '&' : '?';
        const url = lastId
          ? `${options.url}${separator}${resumeParam}=${encodeURIComponent(lastId)}`
          : options.url;
        const response = await fetch(url, {
          headers: { accept: 'text/event-stream', authorization: `Bearer ${options.token}` },
          signal: stop.signal,
          cache: 'no-store',
        });
        if (!response.ok || !response.body) throw new FeedRefused(response.status);
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
          for (const event of events) options.onEvent(event);
        }
      } catch (error) {
        if (stop.signal.aborted) return;
        if (error instanceof FeedRefused && options.onRefused?.(error.status)) {
          options.onState(false);
          return;
        }
        console.warn('the feed dropped', error);
      }
      options.onState(false);
      await new Promise((wake) => setTimeout(wake, waitMs));
      waitMs = Math.min(Math.max(retryMaxMs, retryMs), waitMs * 2);
    }
  };
  void run();
  return () => stop.abort();
}
