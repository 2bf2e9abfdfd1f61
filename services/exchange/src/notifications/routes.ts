/**
 * Notifications (issue item 7): each subscriber's history, a live feed over server-sent events,
 * and for merchants a signed webhook with a delivery log and redelivery. The rows come from the
 * transactional outbox (notifications.ts); the webhook worker (workers/webhooks.ts) sends them.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Kysely } from 'kysely';
import { Type } from 'typebox';
import type { Exchange } from '../context.ts';
import type { ExchangeDB, WebhookDeliveriesTable } from '../db/schema.ts';
import { ApiError, badRequest, conflict, notFound } from '../errors.ts';
import type { App } from '../http.ts';
import { mutate, subscriberOf } from '../http.ts';
import { ErrorBody, errors, Id, IdempotencyHeaders, iso, Page } from '../schemas.ts';
import type { NotificationEvent } from './service.ts';
import { encryptSecret, newWebhookSecret } from './webhooks.ts';

const Webhook = Type.Object({
  url: Type.Union([Type.String(), Type.Null()]),
  secretSet: Type.Boolean({
    description: 'Whether a signing secret exists (it is never shown again)',
  }),
});

const DeliveryStatus = Type.Union([
  Type.Literal('pending'),
  Type.Literal('delivered'),
  Type.Literal('failed'),
]);

const Delivery = Type.Object({
  id: Type.String(),
  eventId: Type.String(),
  eventType: Type.String(),
  eventSeq: Type.Integer(),
  url: Type.String({ description: 'Where the last attempt went (or will go)' }),
  status: DeliveryStatus,
  attempts: Type.Integer({
    description: 'Attempts since the event (or since the last redelivery)',
  }),
  lastStatus: Type.Union([Type.Integer(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
  nextAttemptAt: Type.Union([Type.String(), Type.Null()]),
  deliveredAt: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
});

const Attempt = Type.Object({
  attempt: Type.Integer(),
  at: Type.String(),
  statusCode: Type.Union([Type.Integer(), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
  durationMs: Type.Integer(),
});

const Notification = Type.Object({
  seq: Type.Integer({ description: 'Cursor: pass it as `after`, or as Last-Event-ID' }),
  id: Type.String({ description: 'Stable event id, the same in webhooks and the live feed' }),
  type: Type.String(),
  createdAt: Type.String(),
  data: Type.Record(Type.String(), Type.Unknown()),
});

/** A stream ticket lives this long: long enough to open an EventSource, too short to leak. */
const ticketTtlMs = 60_000;
const maxStreamsPerSubscriber = 5;
const heartbeatMs = 15_000;
/** A client this far behind is cut off; it reconnects with Last-Event-ID and replays from the table. */
const maxBufferedBytes = 1024 * 1024;
const replayPage = 200;

export function notificationRoutes(app: App, exchange: Exchange) {
  const db = exchange.database.db;
  const { config } = exchange;

  // ---- the webhook endpoint --------------------------------------------------------------

  function checkUrl(raw: string): string {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw badRequest('invalid_url', 'url must be an absolute http(s) URL');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw badRequest('invalid_url', 'url must be an absolute http(s) URL');
    if (config.environment === 'production' && url.protocol !== 'https:')
      throw badRequest('https_required', 'webhook URLs must use https in production');
    // Credentials in the URL would be shown back by GET and end up in logs.
    if (url.username || url.password)
      throw badRequest('invalid_url', 'url must not contain a user name or password');
    url.hash = '';
    if (url.href.length > 500)
      throw badRequest('invalid_url', 'url must be at most 500 characters');
    return url.href;
  }

  app.get(
    '/v1/merchant/webhook',
    {
      config: { access: 'merchant' },
      schema: {
        tags: ['webhooks'],
        summary: 'The webhook URL, and whether a signing secret is set (never the secret)',
        response: { 200: Webhook, ...errors },
      },
    },
    async (request) => {
      const me = subscriberOf(request);
      const row = await db
        .selectFrom('subscribers')
        .select(['webhook_url', 'webhook_secret'])
        .where('id', '=', me.id)
        .executeTakeFirstOrThrow();
      return { url: row.webhook_url, secretSet: row.webhook_secret !== null };
    },
  );

  app.put(
    '/v1/merchant/webhook',
    {
      config: { access: 'merchant' },
      schema: {
        tags: ['webhooks'],
        summary: 'Set the webhook URL and get a new signing secret (shown once)',
        description:
          'Not idempotent by key, on purpose: an Idempotency-Key would store the response, and so ' +
          'the plaintext secret, in the idempotency table. It is safe to retry instead: every PUT ' +
          'sets the URL and rotates the secret, and the latest one wins. Pending deliveries go to ' +
          'the new URL, signed with the new secret. In production the URL must be https.',
        body: Type.Object(
          {
            url: Type.String({
              minLength: 8,
              maxLength: 500,
              pattern: '^[Hh][Tt][Tt][Pp][Ss]?://',
            }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            url: Type.String(),
            secret: Type.String({
              description:
                'whsec_…: verify Tessera-Signature with it. Shown only in this response.',
            }),
            secretSet: Type.Boolean(),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const me = subscriberOf(request);
      const url = checkUrl(request.body.url);
      const secret = newWebhookSecret();
      await db
        .updateTable('subscribers')
        .set({ webhook_url: url, webhook_secret: encryptSecret(config.secretKey, secret, me.id) })
        .where('id', '=', me.id)
        .execute();
      return { url, secret, secretSet: true };
    },
  );

  app.delete(
    '/v1/merchant/webhook',
    {
      config: { access: 'merchant' },
      schema: {
        tags: ['webhooks'],
        summary: 'Remove the webhook; pending deliveries are marked failed',
        description:
          'Deliveries still pending become failed ("webhook removed"); after setting a URL again ' +
          'they can be redelivered. Removing when none is set is not an error.',
        headers: IdempotencyHeaders,
        response: { 200: Webhook, ...errors },
      },
    },
    (request, reply) => {
      const me = subscriberOf(request);
      return mutate(exchange, request, reply, async ({ trx }) => {
        await trx
          .updateTable('subscribers')
          .set({ webhook_url: null, webhook_secret: null })
          .where('id', '=', me.id)
          .execute();
        await trx
          .updateTable('webhook_deliveries')
          .set({ status: 'failed', last_error: 'webhook removed' })
          .where('subscriber_id', '=', me.id)
          .where('status', '=', 'pending')
          .execute();
        return { status: 200, body: { url: null, secretSet: false } };
      });
    },
  );

  // ---- the delivery log ------------------------------------------------------------------

  type DeliveryRow = WebhookDeliveriesTable & { seq: number; type: string };

  const deliveryBody = (row: DeliveryRow) => ({
    id: row.id,
    eventId: row.notification_id,
    eventType: row.type,
    eventSeq: row.seq,
    url: row.url,
    status: row.status,
    attempts: row.attempts,
    lastStatus: row.last_status,
    lastError: row.last_error,
    nextAttemptAt: row.status === 'pending' ? iso(row.next_attempt_at) : null,
    deliveredAt: iso(row.delivered_at),
    createdAt: iso(row.created_at) as string,
  });

  // Inside a transaction, queries must go through `trx`: on SQLite `db` waits for the one
  // connection that the transaction holds.
  const deliveries = (executor: Kysely<ExchangeDB> = db) =>
    executor
      .selectFrom('webhook_deliveries as d')
      .innerJoin('notifications as n', 'n.id', 'd.notification_id')
      .selectAll('d')
      .select(['n.seq', 'n.type']);

  /** The caller's delivery, or 404: another merchant's deliveries do not exist for it. */
  async function ownDelivery(subscriberId: string, id: string, executor = db) {
    const row = await deliveries(executor)
      .where('d.id', '=', id)
      .where('d.subscriber_id', '=', subscriberId)
      .executeTakeFirst();
    if (!row) throw notFound('webhook delivery');
    return row;
  }

  app.get(
    '/v1/merchant/webhook/deliveries',
    {
      config: { access: 'merchant' },
      schema: {
        tags: ['webhooks'],
        summary: 'Webhook deliveries, newest event first',
        querystring: Type.Object({
          status: Type.Optional(DeliveryStatus),
          before: Type.Optional(
            Type.Integer({
              minimum: 1,
              description: 'eventSeq cursor: deliveries of older events',
            }),
          ),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
        }),
        response: {
          200: Type.Object({
            deliveries: Type.Array(Delivery),
            nextBefore: Type.Union([Type.Integer(), Type.Null()]),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const me = subscriberOf(request);
      const limit = request.query.limit ?? 50;
      let query = deliveries()
        .where('d.subscriber_id', '=', me.id)
        .orderBy('n.seq', 'desc')
        .limit(limit + 1);
      if (request.query.status) query = query.where('d.status', '=', request.query.status);
      if (request.query.before) query = query.where('n.seq', '<', request.query.before);
      const rows = await query.execute();
      const page = rows.slice(0, limit);
      return {
        deliveries: page.map(deliveryBody),
        nextBefore: rows.length > limit ? (page.at(-1)?.seq ?? null) : null,
      };
    },
  );

  app.get(
    '/v1/merchant/webhook/deliveries/:id',
    {
      config: { access: 'merchant' },
      schema: {
        tags: ['webhooks'],
        summary: 'One delivery with every attempt made for it',
        params: Type.Object({ id: Id('whd') }),
        response: {
          200: Type.Object({ ...Delivery.properties, attemptLog: Type.Array(Attempt) }),
          ...errors,
        },
      },
    },
    async (request) => {
      const me = subscriberOf(request);
      const row = await ownDelivery(me.id, request.params.id);
      const attempts = await db
        .selectFrom('webhook_attempts')
        .selectAll()
        .where('delivery_id', '=', row.id)
        .orderBy('seq')
        .execute();
      return {
        ...deliveryBody(row),
        attemptLog: attempts.map((attempt) => ({
          attempt: attempt.attempt,
          at: iso(attempt.at) as string,
          statusCode: attempt.status_code,
          error: attempt.error,
          durationMs: attempt.duration_ms,
        })),
      };
    },
  );

  app.post(
    '/v1/merchant/webhook/deliveries/:id/redeliver',
    {
      config: { access: 'merchant' },
      schema: {
        tags: ['webhooks'],
        summary: 'Send a delivery again now (delivered, failed or still pending)',
        description:
          'A delivered or failed delivery becomes pending with its attempt count reset to 0, so ' +
          'it gets the whole retry schedule again; its attempt log keeps every earlier attempt. ' +
          'A pending one is just made due now. It goes to the current URL with the current secret.',
        headers: IdempotencyHeaders,
        params: Type.Object({ id: Id('whd') }),
        response: { 200: Delivery, ...errors },
      },
    },
    async (request, reply) => {
      const me = subscriberOf(request);
      const sent = await mutate(exchange, request, reply, async ({ trx, now }) => {
        const row = await ownDelivery(me.id, request.params.id, trx);
        const hook = await trx
          .selectFrom('subscribers')
          .select('webhook_url')
          .where('id', '=', me.id)
          .executeTakeFirstOrThrow();
        if (!hook.webhook_url)
          throw conflict('no_webhook', 'set a webhook URL before redelivering');
        const changes =
          row.status === 'pending'
            ? { next_attempt_at: now }
            : {
                status: 'pending' as const,
                attempts: 0,
                next_attempt_at: now,
                locked_until: 0,
                delivered_at: null,
              };
        await trx.updateTable('webhook_deliveries').set(changes).where('id', '=', row.id).execute();
        return { status: 200, body: deliveryBody({ ...row, ...changes }) };
      });
      // Nothing was published, so nothing else wakes the worker before its next poll.
      exchange.hub.onCommitted?.();
      return sent;
    },
  );

  // ---- history ---------------------------------------------------------------------------

  const notificationBody = (row: { seq: number; payload: string }) => {
    const payload = JSON.parse(row.payload) as {
      id: string;
      type: string;
      createdAt: string;
      data: Record<string, unknown>;
    };
    return {
      seq: row.seq,
      id: payload.id,
      type: payload.type,
      createdAt: payload.createdAt,
      data: payload.data,
    };
  };

  const history = (subscriberId: string, after: number, limit: number) =>
    db
      .selectFrom('notifications')
      .select(['seq', 'type', 'payload'])
      .where('subscriber_id', '=', subscriberId)
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(limit)
      .execute();

  app.get(
    '/v1/notifications',
    {
      config: { access: 'subscriber' },
      schema: {
        tags: ['notifications'],
        summary: 'Notification history, oldest first after the `after` cursor',
        querystring: Page,
        response: {
          200: Type.Object({
            notifications: Type.Array(Notification),
            nextAfter: Type.Integer({
              description: 'Pass as `after` for the next page (or to poll for new ones)',
            }),
            hasMore: Type.Boolean(),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const me = subscriberOf(request);
      const after = request.query.after ?? 0;
      const limit = request.query.limit ?? 50;
      const rows = await history(me.id, after, limit + 1);
      const page = rows.slice(0, limit);
      return {
        notifications: page.map(notificationBody),
        nextAfter: page.at(-1)?.seq ?? after,
        hasMore: rows.length > limit,
      };
    },
  );

  // ---- the live feed ---------------------------------------------------------------------

  // EventSource cannot send an Authorization header, so a signed-in client trades its token for
  // a short-lived ticket to put in the URL. The ticket is stateless: subscriber, expiry and an
  // HMAC under the server key (with its own label, so no other MAC of that key can pass as one).
  const ticketMac = (subscriberId: string, expiresAt: number) =>
    createHmac('sha256', config.secretKey)
      .update(`stream-ticket\n${subscriberId}\n${expiresAt}`)
      .digest('base64url');

  function ticketSubscriber(ticket: string, now: number): string | undefined {
    const match = /^([a-z]{2,5}_[0-9a-z]{8,40})\.([0-9]{1,15})\.([A-Za-z0-9_-]{43})$/.exec(ticket);
    if (!match) return undefined;
    const [, subscriberId, expires, given] = match as unknown as [string, string, string, string];
    const expected = Buffer.from(ticketMac(subscriberId, Number(expires)), 'base64url');
    if (!timingSafeEqual(expected, Buffer.from(given, 'base64url'))) return undefined;
    return Number(expires) > now ? subscriberId : undefined;
  }

  app.post(
    '/v1/notifications/stream-tickets',
    {
      config: { access: 'subscriber' },
      schema: {
        tags: ['notifications'],
        summary: 'A ticket to open the live feed with EventSource (valid 60 s)',
        description:
          'Not idempotent by key: nothing is stored, so asking twice just gives two tickets.',
        response: {
          201: Type.Object({
            ticket: Type.String(),
            expiresAt: Type.String(),
            url: Type.String({ description: 'The stream URL with the ticket in it' }),
          }),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const me = subscriberOf(request);
      const expiresAt = exchange.clock.now() + ticketTtlMs;
      const ticket = `${me.id}.${expiresAt}.${ticketMac(me.id, expiresAt)}`;
      return reply.code(201).send({
        ticket,
        expiresAt: iso(expiresAt) as string,
        url: `${config.publicUrl}/v1/notifications/stream?ticket=${encodeURIComponent(ticket)}`,
      });
    },
  );

  /** Open streams per subscriber in this process; the limit is per process. */
  const openStreams = new Map<string, number>();
  /** Ends every open stream: Fastify's close would otherwise wait for them forever. */
  const closers = new Set<() => void>();
  app.addHook('preClose', (done) => {
    for (const close of [...closers]) close();
    done();
  });

  app.get(
    '/v1/notifications/stream',
    {
      config: { access: 'public' },
      schema: {
        tags: ['notifications'],
        summary: 'Live feed (server-sent events): history after Last-Event-ID, then live events',
        description:
          'text/event-stream. Each event: `id: <seq>`, `event: <type>`, `data: <the event JSON>`. ' +
          'With a Last-Event-ID header (sent by EventSource on reconnect) or `after`, the history ' +
          'after that seq is replayed first. A comment line every 15 s keeps proxies from closing ' +
          'it. At most 5 streams per subscriber. At least once: dedupe by the event id.',
        security: [],
        querystring: Type.Object({
          ticket: Type.String({ maxLength: 200 }),
          after: Type.Optional(Type.Integer({ minimum: 0 })),
        }),
        headers: Type.Object({
          'last-event-id': Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$' })),
        }),
        response: { 400: ErrorBody, 401: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      const subscriberId = ticketSubscriber(request.query.ticket, exchange.clock.now());
      const subscriber = subscriberId
        ? await db
            .selectFrom('subscribers')
            .select(['id', 'status'])
            .where('id', '=', subscriberId)
            .executeTakeFirst()
        : undefined;
      if (subscriber?.status !== 'active')
        throw new ApiError(401, 'invalid_ticket', 'the stream ticket is invalid or has expired');
      const open = openStreams.get(subscriber.id) ?? 0;
      if (open >= maxStreamsPerSubscriber) {
        throw new ApiError(429, 'too_many_streams', 'too many open streams for this subscriber', {
          max: maxStreamsPerSubscriber,
        });
      }
      const lastEventId = request.headers['last-event-id'];
      const after = lastEventId !== undefined ? Number(lastEventId) : request.query.after;
      openStreams.set(subscriber.id, open + 1);

      reply.hijack();
      const headers: Record<string, string | number | string[]> = {};
      // Hijacking skips Fastify's send, so carry over what hooks set (CORS) by hand.
      for (const [name, value] of Object.entries(reply.getHeaders())) {
        if (value !== undefined) headers[name] = value;
      }
      reply.raw.writeHead(200, {
        ...headers,
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        // The response only ends when the server ends it (shutdown, a client too far behind):
        // then the socket should go too, not idle in keep-alive holding up the server's close.
        connection: 'close',
        'x-accel-buffering': 'no',
      });
      void streamTo(reply.raw, subscriber.id, after).catch((error: unknown) => {
        request.log.warn({ err: error }, 'notification stream ended with an error');
        reply.raw.destroy();
      });
    },
  );

  async function streamTo(raw: ServerResponse, subscriberId: string, after: number | undefined) {
    let closed = false;
    // Live events that arrive while history is replayed wait here, so none falls in the gap.
    let pending: NotificationEvent[] | undefined = after === undefined ? undefined : [];

    const write = (chunk: string) => {
      if (closed) return;
      raw.write(chunk);
      if (raw.writableLength > maxBufferedBytes) close();
    };
    const send = (seq: number, type: string, payload: string) =>
      write(`id: ${seq}\nevent: ${type}\ndata: ${payload}\n\n`);
    const sendLive = (event: NotificationEvent) =>
      // The same text as the stored payload (notifications.ts builds it in this key order).
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

    const unsubscribe = exchange.hub.subscribe(subscriberId, (event) => {
      if (pending) pending.push(event);
      else sendLive(event);
    });
    const heartbeat = setInterval(() => write(': keep-alive\n\n'), heartbeatMs);
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
    write('retry: 3000\n: connected\n\n');
    if (after === undefined) return;

    let cursor = after;
    const replayed = new Set<number>();
    while (!closed) {
      const rows = await history(subscriberId, cursor, replayPage);
      for (const row of rows) {
        send(row.seq, row.type, row.payload);
        replayed.add(row.seq);
        cursor = row.seq;
      }
      // Wait for a slow client rather than queueing the whole history in memory.
      if (!closed && raw.writableNeedDrain) {
        await new Promise<void>((resolve) => {
          raw.once('drain', resolve);
          raw.once('close', resolve);
        });
      }
      if (rows.length < replayPage) break;
    }
    const buffered = pending ?? [];
    pending = undefined;
    for (const event of buffered.sort((a, b) => a.seq - b.seq)) {
      if (!replayed.has(event.seq)) sendLive(event);
    }
  }
}
