/**
 * The live feed of admissions at every gate of the terminal's performances
 * (`GET /v1/terminal/feed`, server-sent events), read with fetch() and the terminal's token
 * through @tessera/web-kit/sse (shared with the console's check-in dashboard): a dropped stream
 * is reopened from the last event id seen, after the wait the server's `retry:` asks for, and the
 * server replays what was missed. The feed follows docs/feeds.md: a `reset` event (the resume
 * point was unusable) is followed by every admission, which the terminal remembers
 * idempotently, so only `admission` events matter here.
 */
import { followEventStream } from '@tessera/web-kit/sse';

export { type SseEvent, SseParser } from '@tessera/web-kit/sse';

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

export function followFeed(options: {
  url: string;
  token: string;
  lastEventId: () => string | undefined;
  onAdmission: (admission: FeedAdmission, id: string) => void;
  onState: (live: boolean) => void;
}): () => void {
  return followEventStream({
    url: options.url,
    token: options.token,
    lastEventId: options.lastEventId,
    onState: options.onState,
    onEvent: (event) => {
      if (event.event !== 'admission' || event.id === undefined) return;
      options.onAdmission(JSON.parse(event.data) as FeedAdmission, event.id);
    },
  });
}
