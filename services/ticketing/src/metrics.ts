/**
 * The ticketing server's figures for GET /metrics, read from the database when scraped (at most
 * once per `collectorCacheMs`). Each query (db/figures.ts) is a count, over an index but for the
 * admissions by direction, so a scrape stays cheap during an on-sale.
 */
import type { MetricsRegistry } from '@tessera/service-kit/metrics';
import { openDashboards } from './checkin/live.ts';
import type { Ticketing } from './context.ts';
import {
  activeHoldCount,
  admissionCountsByDirection,
  creatingOrderCount,
  dueRefundCount,
  lapsedOrderCount,
  orderCountsByStatus,
  quietOrderCount,
} from './db/figures.ts';
import { orderStatuses } from './reports/sales.ts';
import { creatingGraceMs, pollAfterMs } from './workers/reconcile.ts';

export function registerTicketingMetrics(registry: MetricsRegistry, ticketing: Ticketing) {
  const activeHolds = registry.gauge(
    'tessera_ticketing_active_holds',
    'Holds in force: seats or quantities kept for a buyer who has not ordered yet',
  );
  const orders = registry.gauge('tessera_ticketing_orders', 'Orders by status', ['status']);
  const admissions = registry.counter(
    'tessera_ticketing_admissions_total',
    'Admissions recorded at the gates (online and uploaded offline), duplicates included, by direction: entry or exit',
    ['direction'],
  );
  const backlog = registry.gauge(
    'tessera_ticketing_reconcile_backlog',
    "Work waiting for the reconciliation worker, the ticketing side of the exchange's webhooks: " +
      'orders stuck creating their payment request (creating), orders whose payment window closed without a notice (lapsed), ' +
      'orders not heard of for a while whose webhook may be lost (quiet), refunds due (refunds)',
    ['step'],
  );

  const dashboards = registry.gauge(
    'tessera_ticketing_checkin_streams',
    'Check-in dashboard feeds open on this instance (each gets every admission of its performance)',
  );

  registry.collect('ticketing', async () => {
    dashboards.set({}, openDashboards(ticketing));
    const db = ticketing.database.db;
    const now = ticketing.clock.now();
    activeHolds.set({}, await activeHoldCount(db, now));
    const byStatus = await orderCountsByStatus(db);
    // Every status is reported, zeros too, so a dashboard's series do not come and go.
    for (const status of orderStatuses) orders.set({ status }, 0);
    for (const row of byStatus) orders.set({ status: row.status }, row.count);
    // Entries and exits apart: re-entry venues record an exit before each return, and a total of
    // both read as "people let in" doubled them. Both directions are reported, zeros too.
    const byDirection = await admissionCountsByDirection(db);
    for (const direction of ['entry', 'exit'] as const) {
      const row = byDirection.find((found) => found.direction === direction);
      admissions.set({ direction }, row?.count ?? 0);
    }
    backlog.set({ step: 'creating' }, await creatingOrderCount(db, now - creatingGraceMs));
    backlog.set({ step: 'lapsed' }, await lapsedOrderCount(db, now));
    backlog.set({ step: 'quiet' }, await quietOrderCount(db, now, now - pollAfterMs));
    backlog.set({ step: 'refunds' }, await dueRefundCount(db, now));
  });
}
