/**
 * The dashboard's live feed (`GET /v1/performances/{id}/checkin/feed`, server-sent events, the
 * conventions of docs/feeds.md), read with fetch() and the organizer's session through
 * @tessera/web-kit/sse: resumed after the last admission seq this page holds when the stream drops,
 * after the server's `retry:` wait, doubling while it stays away. Events:
 * - `admission` (id: its seq): one admission, online as it is recorded or offline as it arrives;
 * - `refusal` (no id): one refused scan, live only;
 * - `reset`: the resume point was unusable; everything retained follows, so the page starts again
 *   from a fresh snapshot.
 */
import { followEventStream, type SseEvent } from '@tessera/web-kit/sse';
import type { LiveAdmission, LiveRefusal, Pending } from './figures.ts';

export type FeedMessage = Pending | { kind: 'reset' };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

/**
 * One event of the stream as the page uses it, or undefined for one it does not know (a newer
 * server's). A known event whose data is not what the contract says throws, naming the field:
 * the stream is dropped and reopened rather than a wrong figure shown.
 */
export function readFeedEvent(event: SseEvent): FeedMessage | undefined {
  if (event.event === 'reset') return { kind: 'reset' };
  if (event.event !== 'admission' && event.event !== 'refusal') return undefined;
  const data: unknown = JSON.parse(event.data);
  if (!isRecord(data)) throw new Error(`the feed's ${event.event} is not an object`);
  if (event.event === 'refusal') {
    for (const field of ['gate', 'reason', 'at'] as const) {
      if (typeof data[field] !== 'string') throw new Error(`the feed's refusal has no ${field}`);
    }
    return { kind: 'refusal', refusal: data as unknown as LiveRefusal };
  }
  if (!Number.isSafeInteger(data.seq)) throw new Error("the feed's admission has no seq");
  for (const field of ['ticketNumber', 'gate', 'terminalId', 'scannedAt', 'recordedAt'] as const) {
    if (typeof data[field] !== 'string') throw new Error(`the feed's admission has no ${field}`);
  }
  return { kind: 'admission', admission: data as unknown as LiveAdmission };
}

/** Follows the feed until the returned function is called. */
export function followCheckinFeed(options: {
  url: string;
  token: string;
  lastSeq: () => number | undefined;
  onMessage: (message: FeedMessage) => void;
  onState: (live: boolean) => void;
}): () => void {
  return followEventStream({
    url: options.url,
    token: options.token,
    lastEventId: () => {
      const seq = options.lastSeq();
      return seq === undefined ? undefined : String(seq);
    },
    onState: options.onState,
    // A session that ended, or a performance this person may no longer see, stays refused.
    onRefused: (status) => status === 401 || status === 403 || status === 404,
    onEvent: (event) => {
      const message = readFeedEvent(event);
      if (message) options.onMessage(message);
    },
  });
}
