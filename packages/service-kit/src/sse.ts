/**
 * The live-feed convention both servers' server-sent event streams follow (docs/feeds.md): the
 * opening `retry:`, keep-alive comments, and where a stream resumes from `Last-Event-ID` (or the
 * feed's own query parameter). A resume point that cannot be used never gets an error status: a
 * browser's EventSource gives up for good on one. The stream opens anyway with a `reset` event
 * and replays everything retained.
 */

import type { ServerResponse } from 'node:http';

/** How long a client waits before reconnecting, sent as `retry:` when a stream opens. */
export const sseRetryMs = 3_000;
/** A comment this often keeps proxies from closing an idle stream. */
export const sseKeepAliveMs = 15_000;
/** The first lines of every stream: the reconnection wait, and a comment that says it is open. */
export const sseOpening = `retry: ${sseRetryMs}\n: connected\n\n`;
export const sseKeepAlive = ': keep-alive\n\n';

/**
 * Opens a stream on a reply the caller took over from Fastify (`reply.hijack()`): the stream's
 * headers, the CORS header for an allowed app origin (a hijacked reply skips Fastify's CORS
 * hook), then the opening lines.
 */
export function openEventStream(
  raw: ServerResponse,
  origin: string | undefined,
  allowedOrigins: readonly string[],
) {
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    ...(origin && allowedOrigins.includes(origin)
      ? { 'access-control-allow-origin': origin, vary: 'Origin' }
      : {}),
  });
  raw.write(sseOpening);
}

/** Where a stream starts: live events only, after a sequence number, or a reset and everything. */
export type ResumePoint =
  | { readonly kind: 'live' }
  | { readonly kind: 'after'; readonly after: number }
  | { readonly kind: 'reset'; readonly reason: ResetReason };

/**
 * Why a stream starts over: the resume point is not a sequence number, or it is one this feed
 * never sent (beyond its last event: another server's, or from before a database restore).
 */
export type ResetReason = 'malformed_last_event_id' | 'unknown_last_event_id';

const sequenceNumber = /^[0-9]{1,15}$/;

/**
 * The resume point of a stream request: the `Last-Event-ID` header wins (EventSource sends it by
 * itself on reconnect), else the feed's query parameter; without either, live events only.
 * Anything but a decimal sequence number is a reset, never an error.
 */
export function resumePoint(
  lastEventId: string | string[] | undefined,
  queryAfter: string | number | undefined,
): ResumePoint {
  // An empty header is no resume point (EventSource leaves it out then).
  const header = lastEventId === '' ? undefined : lastEventId;
  const given = header ?? (queryAfter === undefined ? undefined : String(queryAfter));
  if (given === undefined) return { kind: 'live' };
  if (typeof given === 'string' && sequenceNumber.test(given)) {
    return { kind: 'after', after: Number(given) };
  }
  return { kind: 'reset', reason: 'malformed_last_event_id' };
}

/**
 * The `reset` event: what the client holds from this feed may not match it, and everything
 * retained follows. Its empty `id:` clears the browser's last event id, so a reconnect before the
 * first replayed event does not send the unusable one again.
 */
export function sseReset(reason: ResetReason): string {
  return `id:\nevent: reset\ndata: ${JSON.stringify({ reason })}\n\n`;
}

/**
 * The resume point checked against the feed's last sequence number: one beyond it was never sent
 * by this feed, and resuming after it would skip the events that will take those numbers.
 */
export function checkedResumePoint(resume: ResumePoint, lastSeq: number): ResumePoint {
  return resume.kind === 'after' && resume.after > lastSeq
    ? { kind: 'reset', reason: 'unknown_last_event_id' }
    : resume;
}

/** How a live feed's 200 is declared in the OpenAPI document: a stream of events, not JSON. */
export const eventStreamAnswer = {
  description:
    'A stream of server-sent events that does not end (docs/feeds.md): `retry:`, then `id:`/`event:`/`data:` events and keep-alive comments',
  content: { 'text/event-stream': { schema: { type: 'string' } } },
};
