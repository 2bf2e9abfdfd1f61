/**
 * The live feed over server-sent events: stream tickets (EventSource cannot send a token), the
 * per-subscriber limit, and each stream: the history after Last-Event-ID replayed first, then
 * live events from the hub, with none lost or repeated in between.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import {
  checkedResumePoint,
  type ResumePoint,
  sseKeepAlive,
  sseKeepAliveMs,
  sseOpening,
  sseReset,
} from '@tessera/service-kit/sse';
import type { Exchange } from '../context.ts';
import { ApiError } from '../errors.ts';
import { iso } from '../schemas.ts';
import { lastNotificationSeq, notificationsAfter, subscriberStatus } from './repository.ts';
import type { NotificationEvent } from './service.ts';

/** A stream ticket lives this long: long enough to open an EventSource, too short to leak. */
const ticketTtlMs = 60_000;
const maxStreamsPerSubscriber = 5;
/** A client this far behind is cut off; it reconnects with Last-Event-ID and replays from the table. */
const maxBufferedBytes = 1024 * 1024;
const replayPage = 200;

// EventSource cannot send an Authorization header, so a signed-in client trades its token for
// a short-lived ticket to put in the URL. The ticket is stateless: subscriber, expiry and an
// HMAC under the server key (with its own label, so no other MAC of that key can pass as one).
const ticketMac = (secretKey: Buffer, subscriberId: string, expiresAt: number) =>
  createHmac('sha256', secretKey)
    .update(`stream-ticket\n${subscriberId}\n${expiresAt}`)
    .digest('base64url');

/** A ticket for the subscriber's live feed, and the stream URL with it. */
export function issueStreamTicket(exchange: Exchange, subscriberId: string) {
  const { config } = exchange;
  const expiresAt = exchange.clock.now() + ticketTtlMs;
  const ticket = `${subscriberId}.${expiresAt}.${ticketMac(config.secretKey, subscriberId, expiresAt)}`;
  return {
    ticket,
    expiresAt: iso(expiresAt) as string,
    url: `${config.publicUrl}/v1/notifications/stream?ticket=${encodeURIComponent(ticket)}`,
  };
}

function ticketSubscriber(secretKey: Buffer, ticket: string, now: number): string | undefined {
  const match = /^([a-z]{2,5}_[0-9a-z]{8,40})\.([0-9]{1,15})\.([A-Za-z0-9_-]{43})$/.exec(ticket);
  if (!match) return undefined;
  const [, subscriberId, expires, given] = match as unknown as [string, string, string, string];
  const expected = Buffer.from(ticketMac(secretKey, subscriberId, Number(expires)), 'base64url');
  if (!timingSafeEqual(expected, Buffer.from(given, 'base64url'))) return undefined;
  return Number(expires) > now ? subscriberId : undefined;
}

/** The stream ticket of a request with no bearer token; with neither, 401 as on every route. */
function ticketOf(caller: { ticket: string | undefined }): string {
  if (caller.ticket === undefined) {
    throw new ApiError(
      401,
      'unauthenticated',
      'send Authorization: Bearer <token>, or a stream ticket as ?ticket=',
    );
  }
  return caller.ticket;
}

/** The live feeds of one app: its open streams, counted per subscriber (the limit is per process). */
export class LiveFeed {
  /** Open streams per subscriber in this process. */
  private readonly openStreams = new Map<string, number>();
  /** Ends every open stream: Fastify's close would otherwise wait for them forever. */
  private readonly closers = new Set<() => void>();

  constructor(private readonly exchange: Exchange) {}

  /**
   * The subscriber a stream opens for, with its stream counted from now on: the one the caller's
   * bearer token named (the route authenticated it), as on the ticketing server's feed
   * (docs/feeds.md), else the one of the ticket in the URL. 401 when there is neither, when the
   * ticket is invalid or expired, or when the subscriber is not active; 429 at the limit.
   */
  async admit(caller: { subscriberId: string } | { ticket: string | undefined }): Promise<string> {
    const { exchange } = this;
    const subscriberId =
      'subscriberId' in caller
        ? caller.subscriberId
        : ticketSubscriber(exchange.config.secretKey, ticketOf(caller), exchange.clock.now());
    const subscriber = subscriberId
      ? await subscriberStatus(exchange.database.db, subscriberId)
      : undefined;
    if (subscriber?.status !== 'active')
      throw new ApiError(401, 'invalid_ticket', 'the stream ticket is invalid or has expired');
    const open = this.openStreams.get(subscriber.id) ?? 0;
    if (open >= maxStreamsPerSubscriber) {
      throw new ApiError(429, 'too_many_streams', 'too many open streams for this subscriber', {
        max: maxStreamsPerSubscriber,
      });
    }
    this.openStreams.set(subscriber.id, open + 1);
    return subscriber.id;
  }

  /** Ends every open stream (the server is closing). */
  closeAll() {
    for (const close of [...this.closers]) close();
  }

  /**
   * Streams to an admitted subscriber until the client goes or the server ends it: from a resume
   * point, the history after it first (after a `reset` event, all of it: the point was malformed
   * or beyond the last seq), live events arriving meanwhile held back until it is sent
   * (docs/feeds.md).
   */
  async stream(raw: ServerResponse, subscriberId: string, asked: ResumePoint) {
    const { closers, openStreams } = this;
    let closed = false;
    // Live events that arrive while history is replayed wait here, so none falls in the gap.
    let pending: NotificationEvent[] | undefined = asked.kind === 'live' ? undefined : [];

    const write = (chunk: string) => {
      if (closed) return;
      raw.write(chunk);
      if (raw.writableLength > maxBufferedBytes) close();
    };
    const send = (seq: number, type: string, payload: string) =>
      write(`id: ${seq}\nevent: ${type}\ndata: ${payload}\n\n`);
    const sendLive = (event: NotificationEvent) =>
      // The same text as the stored payload (service.ts builds it in this key order).
      send(
        event.seq,
        event.type,
        JSON.stringify({
          id: event.id,
          type: event.type,
          createdAt: event.createdAt,
          data: event.data,
        }),
      );

    const unsubscribe = this.exchange.hub.subscribe(subscriberId, (event) => {
      if (pending) pending.push(event);
      else sendLive(event);
    });
    const heartbeat = setInterval(() => write(sseKeepAlive), sseKeepAliveMs);
    heartbeat.unref();
    function close() {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      unsubscribe();
      closers.delete(close);
      const left = (openStreams.get(subscriberId) ?? 1) - 1;
      if (left > 0) openStreams.set(subscriberId, left);
      else openStreams.delete(subscriberId);
      raw.end();
    }
    closers.add(close);
    raw.on('close', close);
    // The client may have gone while the ticket was checked; then 'close' has already fired.
    if (raw.destroyed) close();

    // Headers and a first line at once, so the client knows it is connected.
    write(sseOpening);
    if (asked.kind === 'live') return;
    const resume =
      asked.kind === 'after'
        ? checkedResumePoint(asked, await lastNotificationSeq(this.exchange.database.db))
        : asked;
    if (resume.kind === 'reset') write(sseReset(resume.reason));
    const after = resume.kind === 'after' ? resume.after : 0;

    const replayed = await this.replay(raw, subscriberId, after, send, () => closed);
    const buffered = pending ?? [];
    pending = undefined;
    for (const event of buffered.sort((a, b) => a.seq - b.seq)) {
      if (!replayed.has(event.seq)) sendLive(event);
    }
  }

  /** Sends the history after `after`, page by page, waiting for a slow client; answers the seqs sent. */
  private async replay(
    raw: ServerResponse,
    subscriberId: string,
    after: number,
    send: (seq: number, type: string, payload: string) => void,
    isClosed: () => boolean,
  ) {
    const db = this.exchange.database.db;
    let cursor = after;
    const replayed = new Set<number>();
    while (!isClosed()) {
      const rows = await notificationsAfter(db, subscriberId, cursor, replayPage);
      for (const row of rows) {
        send(row.seq, row.type, row.payload);
        replayed.add(row.seq);
        cursor = row.seq;
      }
      // Wait for a slow client rather than queueing the whole history in memory.
      if (!isClosed() && raw.writableNeedDrain) {
        await new Promise<void>((resolve) => {
          raw.once('drain', resolve);
          raw.once('close', resolve);
        });
      }
      if (rows.length < replayPage) break;
    }
    return replayed;
  }
}
