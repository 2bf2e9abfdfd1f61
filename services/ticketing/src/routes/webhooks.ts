/**
 * The exchange's webhooks (S140 → S150). The body is verified byte for byte against
 * `Tessera-Signature` with the organizer's webhook secret before anything is parsed, stale
 * timestamps are refused, and each event id is handled once: the id is recorded in the same
 * transaction as the tickets it issues, so a redelivery, a replay or a race of two deliveries
 * cannot issue twice, and a crash mid-way leaves nothing half done (the exchange retries).
 */

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ApiError } from '@tessera/service-kit/errors';
import {
  eventIdHeader,
  signatureHeader,
  verifyWebhookSignature,
} from '@tessera/service-kit/webhook-signature';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { App } from '../app.ts';
import type { Ticketing } from '../context.ts';
import { type Settlement, settle, unitsOf } from '../orders.ts';
import { walletOf } from '../wallet.ts';
import { ErrorBody, Id } from './schemas.ts';

interface ExchangeEvent {
  id: string;
  type: string;
  data: Record<string, unknown>;
}

const rawBodies = new WeakMap<FastifyRequest, string>();

export function webhookRoutes(app: App, ticketing: Ticketing) {
  // A scope of its own, so that only this route keeps the raw body (the signature covers it).
  app.register(async (plain) => {
    const scope = plain.withTypeProvider<TypeBoxTypeProvider>();
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
      rawBodies.set(request, body as string);
      try {
        done(null, JSON.parse(body as string));
      } catch {
        done(new ApiError(400, 'invalid_json', 'the body is not JSON'), undefined);
      }
    });

    scope.post(
      '/v1/exchange/webhooks/:organizerId',
      {
        config: { access: 'public' },
        schema: {
          tags: ['exchange'],
          summary: "The exchange's signed notifications for an organizer's wallet",
          description:
            "Verified with the organizer's webhook secret (Tessera-Signature, 5 minutes tolerance); each event id is handled once. payment_request.paid issues the order's tickets.",
          params: Type.Object({ organizerId: Id('org') }),
          response: {
            200: Type.Object({ received: Type.Boolean(), outcome: Type.String() }),
            400: ErrorBody,
            401: ErrorBody,
          },
        },
      },
      async (request) => {
        const raw = rawBodies.get(request) ?? '';
        const { organizerId } = request.params;
        const wallet = await walletOf(ticketing, organizerId).catch(() => null);
        const header = request.headers[signatureHeader.toLowerCase()];
        const nowS = Math.floor(ticketing.clock.now() / 1000);
        if (
          !wallet ||
          typeof header !== 'string' ||
          !verifyWebhookSignature(wallet.webhookSecret, header, raw, nowS)
        ) {
          throw new ApiError(401, 'invalid_signature', 'the webhook signature does not verify');
        }
        const event = request.body as ExchangeEvent;
        if (
          typeof event?.id !== 'string' ||
          typeof event.type !== 'string' ||
          typeof event.data !== 'object'
        ) {
          throw new ApiError(400, 'invalid_event', 'the body is not an exchange event');
        }
        const headerId = request.headers[eventIdHeader.toLowerCase()];
        if (typeof headerId === 'string' && headerId !== event.id) {
          throw new ApiError(400, 'invalid_event', 'the event id header and body disagree');
        }
        const outcome = await handleEvent(ticketing, organizerId, event);
        return { received: true, outcome };
      },
    );
  });
}

async function handleEvent(
  ticketing: Ticketing,
  organizerId: string,
  event: ExchangeEvent,
): Promise<string> {
  const db = ticketing.database.db;
  if (event.type !== 'payment_request.paid') {
    // Refunds and others are our own doing and recorded when we make them; acknowledge.
    await db
      .insertInto('webhook_events')
      .values({ event_id: event.id, type: event.type, received_at: ticketing.clock.now() })
      .onConflict((c) => c.column('event_id').doNothing())
      .execute();
    return 'ignored';
  }
  const data = event.data as {
    paymentRequestId?: string;
    reference?: string;
    asset?: string;
    amount?: string;
    paidAt?: string;
    payerId?: string;
  };
  if (!data.paymentRequestId || !data.reference || !data.asset || !data.amount) {
    throw new ApiError(400, 'invalid_event', 'payment_request.paid lacks its fields');
  }
  const amount = await unitsOf(ticketing, data.asset, data.amount);
  // The order is the request's reference; settle checks it belongs to this organizer.
  const settlement: Settlement = await settle(
    ticketing,
    data.reference,
    {
      id: data.paymentRequestId,
      status: 'paid',
      asset: data.asset,
      amount,
      reference: data.reference,
      expiresAt: 0,
      paidAt: data.paidAt ? Date.parse(data.paidAt) : null,
      payerId: data.payerId ?? null,
      refundedAmount: 0n,
    },
    // Recorded in the settlement's own transaction: handled once, never half.
    async ({ trx, now }) => {
      const inserted = await trx
        .insertInto('webhook_events')
        .values({ event_id: event.id, type: event.type, received_at: now })
        .onConflict((c) => c.column('event_id').doNothing())
        .executeTakeFirst();
      return Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1;
    },
    organizerId,
  );
  return settlement.outcome;
}
