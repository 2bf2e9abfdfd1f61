/**
 * The reconciliation worker: everything that must happen even when nobody calls and no webhook
 * arrives. Each round
 * - releases holds whose time is up and that have no order;
 * - finishes orders stuck in `creating` (the exchange was down, or we crashed after asking it):
 *   adopts the request the exchange already has for the order, or asks again, or gives up once
 *   the payment window has closed;
 * - closes orders whose payment window has closed, after asking the exchange (a payment that
 *   landed is settled, never dropped);
 * - polls the exchange for open orders not heard of for a while, in case a webhook was lost;
 * - sends refunds that are due;
 * - makes the manual-code records (salted PIN hashes) of the terminals' event packages for
 *   tickets that lack one at their current revision, the soonest performance first, a few
 *   hundred a round (each is a deliberate PBKDF2, too slow for the purchase path).
 * Every step is a conditional update, so several instances (or a webhook racing the worker) may
 * run it at once without doing anything twice.
 */

import type { Worker } from '@tessera/service-kit/worker';
import type { FastifyBaseLogger } from 'fastify';
import { fillManualCodeRecords, workerFillMax } from '../admission/package/manual-code-records.ts';
import type { Ticketing } from '../context.ts';
import { releaseExpiredHolds } from '../holds/service.ts';
import {
  ordersLapsed,
  ordersLeftCreating,
  ordersQuiet,
  paymentRequestOfOrder,
  settleIfPaid,
} from '../orders/recovery.ts';
import { sendDueRefunds } from '../orders/refunds.ts';
import { closeUnpaidOrder, requestPayment } from '../orders/service.ts';

export interface ReconcileSummary {
  holdsReleased: number;
  ordersRecovered: number;
  ordersClosed: number;
  ordersPolled: number;
  refundsSent: number;
  manualCodesMade: number;
}

/** How long an open order may go without news before the worker asks the exchange. */
export const pollAfterMs = 30_000;
/** How long an order may sit in `creating` before the worker takes it over. */
export const creatingGraceMs = 10_000;

export async function reconcileOnce(
  ticketing: Ticketing,
  log?: FastifyBaseLogger,
): Promise<ReconcileSummary> {
  const now = ticketing.clock.now();
  const summary: ReconcileSummary = {
    holdsReleased: await releaseExpiredHolds(ticketing),
    ordersRecovered: 0,
    ordersClosed: 0,
    ordersPolled: 0,
    refundsSent: 0,
    manualCodesMade: 0,
  };
  const step = async (what: string, work: () => Promise<unknown>) => {
    try {
      await work();
    } catch (error) {
      log?.warn({ err: error }, `reconcile: ${what} failed; next round retries`);
    }
  };

  const creating = await ordersLeftCreating(ticketing, now - creatingGraceMs, 100);
  for (const order of creating) {
    await step(`order ${order.id}`, async () => {
      // Adopts the request the exchange already has for the order, or asks for one.
      await requestPayment(ticketing, order);
      summary.ordersRecovered += 1;
    });
  }

  const lapsed = await ordersLapsed(ticketing, now, 200);
  for (const order of lapsed) {
    await step(`closing order ${order.id}`, async () => {
      if ((await closeUnpaidOrder(ticketing, order, 'expired')) !== 'pending')
        summary.ordersClosed += 1;
    });
  }

  const quiet = await ordersQuiet(ticketing, now - pollAfterMs, 100);
  for (const order of quiet) {
    await step(`polling order ${order.id}`, async () => {
      const request = await paymentRequestOfOrder(ticketing, order);
      if (!request) return;
      summary.ordersPolled += 1;
      await settleIfPaid(ticketing, order, request);
    });
  }

  await step('refunds', async () => {
    summary.refundsSent = await sendDueRefunds(ticketing);
  });
  // Last: the slowest step, and the only one no buyer is waiting for.
  await step('manual-code records', async () => {
    summary.manualCodesMade = (await fillManualCodeRecords(ticketing, workerFillMax)).made;
  });
  return summary;
}

export function startReconciler(
  ticketing: Ticketing,
  log: FastifyBaseLogger,
  pollMs = 1_000,
): Worker {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    if (stopped) return;
    running = reconcileOnce(ticketing, log)
      .catch((error) => log.error({ err: error }, 'reconcile round failed'))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, pollMs);
      });
  };
  timer = setTimeout(tick, pollMs);
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
