/**
 * Notifications (issue item 7): each subscriber's history, a live feed over server-sent events,
 * and for merchants a signed webhook with a delivery log and redelivery. The rows come from the
 * transactional outbox (service.ts); the webhook worker (worker.ts) sends them.
 */
import { eventStreamAnswer, resumePoint } from '@tessera/service-kit/sse';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { authenticate, requireSubscriber } from '../accounts/auth.ts';
import type { Exchange } from '../context.ts';
import type { App } from '../http.ts';
import { mutate, subscriberOf } from '../http.ts';
import { ErrorBody, errors, Id, IdempotencyHeaders, Page } from '../schemas.ts';
import { deliveryWithAttempts, listDeliveries, redeliver } from './deliveries.ts';
import { removeWebhook, setWebhook, webhookOf } from './endpoint.ts';
import { notificationPage } from './history.ts';
import { Attempt, Delivery, DeliveryStatus, Notification, Webhook } from './schemas.ts';
import { issueStreamTicket, LiveFeed } from './stream.ts';

export function notificationRoutes(app: App, exchange: Exchange) {
  webhookRoutes(app, exchange);
  deliveryRoutes(app, exchange);
  historyRoute(app, exchange);
  streamRoutes(app, exchange);
}

// ---- the webhook endpoint ----------------------------------------------------------------

function webhookRoutes(app: App, exchange: Exchange) {
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
    (request) => webhookOf(exchange, subscriberOf(request).id),
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
          'the new URL, signed with the new secret. In production the URL must be https. A URL ' +
          'aimed at a non-public address (loopback, private, link-local, metadata and the rest) is ' +
          'refused with 400 private_address; every delivery connection is checked again.',
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
                'whsec_<base64>, a Standard Webhooks secret: verify webhook-signature with it ' +
                '(for example `new Webhook(secret).verify(rawBody, headers)` of the ' +
                'standardwebhooks package). Shown only in this response.',
            }),
            secretSet: Type.Boolean(),
          }),
          ...errors,
        },
      },
    },
    (request) => setWebhook(exchange, subscriberOf(request).id, request.body.url),
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
      return mutate(exchange, request, reply, async (work) => ({
        status: 200,
        body: await removeWebhook(work, me.id),
      }));
    },
  );
}

// ---- the delivery log --------------------------------------------------------------------

function deliveryRoutes(app: App, exchange: Exchange) {
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
    (request) => listDeliveries(exchange, subscriberOf(request).id, request.query),
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
    (request) => deliveryWithAttempts(exchange, subscriberOf(request).id, request.params.id),
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
      const sent = await mutate(exchange, request, reply, async (work) => ({
        status: 200,
        body: await redeliver(work, me.id, request.params.id),
      }));
      // Nothing was published, so nothing else wakes the worker before its next poll.
      exchange.hub.onCommitted?.();
      return sent;
    },
  );
}

// ---- history -----------------------------------------------------------------------------

function historyRoute(app: App, exchange: Exchange) {
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
    (request) => notificationPage(exchange, subscriberOf(request).id, request.query),
  );
}

// ---- the live feed -----------------------------------------------------------------------

function streamRoutes(app: App, exchange: Exchange) {
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
    async (request, reply) =>
      reply.code(201).send(issueStreamTicket(exchange, subscriberOf(request).id)),
  );

  const feed = new LiveFeed(exchange);
  app.addHook('preClose', (done) => {
    feed.closeAll();
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
          'text/event-stream, following the live-feed convention of docs/feeds.md. Each event: ' +
          '`id: <seq>`, `event: <type>`, `data: <the event JSON>`; `retry:` first, a comment every ' +
          '15 s. With a Last-Event-ID header (sent by EventSource on reconnect) or `after`, the ' +
          'history after that seq is replayed first; a resume point that is not a seq opens the ' +
          'stream all the same, with an `event: reset` and the whole history. At most 5 streams ' +
          'per subscriber. At least once: dedupe by the event id. Authenticated by the ' +
          "subscriber's `Authorization: Bearer` token, or (for EventSource, which cannot send " +
          'one) a stream ticket in the URL; a header, when sent, is what counts.',
        security: [],
        querystring: Type.Object({
          ticket: Type.Optional(Type.String({ maxLength: 200 })),
          // Not checked here: an unusable resume point is a reset, never a 400 (docs/feeds.md).
          after: Type.Optional(Type.String({ description: 'Resume after this seq' })),
        }),
        headers: Type.Object({ 'last-event-id': Type.Optional(Type.String()) }),
        response: {
          200: eventStreamAnswer,
          400: ErrorBody,
          401: ErrorBody,
          403: ErrorBody,
          429: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      // A bearer token, when sent, is what counts (401 if not valid, 403 for the operator's).
      const { authorization } = request.headers;
      const subscriberId = await feed.admit(
        authorization === undefined
          ? { ticket: request.query.ticket }
          : { subscriberId: requireSubscriber(await authenticate(exchange, authorization)).id },
      );
      const resume = resumePoint(request.headers['last-event-id'], request.query.after);
      openEventStream(reply);
      void feed.stream(reply.raw, subscriberId, resume).catch((error: unknown) => {
        request.log.warn({ err: error }, 'notification stream ended with an error');
        reply.raw.destroy();
      });
    },
  );
}

/** Takes the response over from Fastify and sends the event stream's headers. */
function openEventStream(reply: FastifyReply) {
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
}
