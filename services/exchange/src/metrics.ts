/**
 * The exchange's figures for GET /metrics, read from the database when scraped (at most once per
 * `collectorCacheMs`): the outbox, that is the webhook deliveries the worker has yet to make
 * (read by db/metrics.ts).
 */
import type { MetricsRegistry } from '@tessera/service-kit/metrics';
import type { Exchange } from './context.ts';
import { outboxFigures } from './db/metrics.ts';

export function registerExchangeMetrics(registry: MetricsRegistry, exchange: Exchange) {
  const pending = registry.gauge(
    'tessera_exchange_webhook_deliveries_pending',
    'Webhook deliveries not yet made (due now or waiting for their next retry)',
  );
  const due = registry.gauge(
    'tessera_exchange_outbox_backlog',
    'Webhook deliveries due now and not being sent: what the delivery worker is behind by',
  );
  const oldest = registry.gauge(
    'tessera_exchange_outbox_oldest_age_seconds',
    'Age of the oldest pending webhook delivery (0 when none): how late the slowest notice is',
  );
  const failed = registry.gauge(
    'tessera_exchange_webhook_deliveries_failed',
    'Webhook deliveries given up on after their last attempt; the merchant may redeliver them',
  );

  registry.collect('exchange', async () => {
    const now = exchange.clock.now();
    const figures = await outboxFigures(exchange.database.db, now);
    pending.set({}, figures.pending);
    oldest.set(
      {},
      figures.oldestPendingAt === null ? 0 : Math.max(0, now - figures.oldestPendingAt) / 1000,
    );
    due.set({}, figures.due);
    failed.set({}, figures.failed);
  });
}
