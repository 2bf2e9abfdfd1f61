/**
 * The exchange's signed notifications for an organizer's wallet (`POST
 * /v1/exchange/webhooks/:organizerId`). Verified with the organizer's webhook secret (Standard
 * Webhooks: service-kit's webhook-signature.ts); each event id (`webhook-id`) is handled once.
 * `payment_request.paid` settles the order it names (S150); the other events are our own doing,
 * recorded when we made them, and only acknowledged.
 */
import { parseAmount } from '@tessera/service-kit/amounts';
import { ApiError } from '@tessera/service-kit/errors';
import { idHeader, verifyWebhook } from '@tessera/service-kit/webhook-signature';
import type { Ticketing } from '../context.ts';
import { walletOf } from '../organizers/wallet.ts';
import { recordWebhookEvent } from './repository.ts';
import { type Settlement, settle } from './settle.ts';

interface ExchangeEvent {
  id: string;
  type: string;
  data: Record<string, unknown>;
}

/** A delivery as it arrived: the exact body the signature covers, its headers, the parsed body. */
export interface WebhookDelivery {
  readonly raw: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: unknown;
  /** What the route's schema found wrong with the body or headers, checked once it verifies. */
  readonly invalid?: Error | undefined;
}

/** Checks a delivery's signature and shape, then handles its event once; answers the outcome. */
export async function receiveExchangeEvent(
  ticketing: Ticketing,
  organizerId: string,
  delivery: WebhookDelivery,
): Promise<string> {
  const wallet = await walletOf(ticketing, organizerId).catch(() => null);
  const nowS = Math.floor(ticketing.clock.now() / 1000);
  // Standard Webhooks, checked as the reference library checks it but against our clock.
  if (!wallet || !verifyWebhook(wallet.webhookSecret, delivery.headers, delivery.raw, nowS)) {
    throw new ApiError(401, 'invalid_signature', 'the webhook signature does not verify');
  }
  // Only now, signed, is the body's shape worth an answer that says what is wrong with it.
  if (delivery.invalid) throw delivery.invalid;
  const event = delivery.body as ExchangeEvent;
  if (
    typeof event?.id !== 'string' ||
    typeof event.type !== 'string' ||
    typeof event.data !== 'object'
  ) {
    throw new ApiError(400, 'invalid_event', 'the body is not an exchange event');
  }
  // The signed webhook-id is the event id: a body that names another event is refused.
  if (delivery.headers[idHeader] !== event.id) {
    throw new ApiError(400, 'invalid_event', 'the event id header and body disagree');
  }
  return handleEvent(ticketing, organizerId, event);
}

async function handleEvent(
  ticketing: Ticketing,
  organizerId: string,
  event: ExchangeEvent,
): Promise<string> {
  if (event.type !== 'payment_request.paid') {
    // Refunds and others are our own doing and recorded when we make them; acknowledge.
    await recordWebhookEvent(ticketing.database.db, {
      event_id: event.id,
      type: event.type,
      received_at: ticketing.clock.now(),
    });
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
    ({ trx, now }) =>
      recordWebhookEvent(trx, { event_id: event.id, type: event.type, received_at: now }),
    organizerId,
  );
  return settlement.outcome;
}

/** Parses a whole-unit decimal amount of a webhook body into the asset's smallest units. */
async function unitsOf(ticketing: Ticketing, assetCode: string, amount: string) {
  return parseAmount(amount, await ticketing.exchange.asset(assetCode));
}
