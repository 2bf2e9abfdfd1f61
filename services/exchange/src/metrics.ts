/**
 * The exchange's figures for GET /metrics, read from the database when scraped (at most once per
 * `collectorCacheMs`): the outbox, that is the webhook deliveries the worker has yet to make.
 * The queries count over the (status, next_attempt_at) index.
 */
import type { MetricsRegistry } from '@tessera/service-kit/metrics';
import type { Exchange } from './context.ts';

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
    const db = exchange.database.db;
    const now = exchange.clock.now();
    const pendingRow = await db
      .selectFrom('webhook_deliveries')
      .select((eb) => [eb.fn.countAll().as('n'), eb.fn.min('created_at').as('oldest')])
      .where('status', '=', 'pending')
      .executeTakeFirst();
    pending.set({}, Number(pendingRow?.n ?? 0));
    const oldestAt = pendingRow?.oldest;
    oldest.set(
      {},
      oldestAt === null || oldestAt === undefined ? 0 : Math.max(0, now - Number(oldestAt)) / 1000,
    );
    const dueRow = await db
      .selectFrom('webhook_deliveries')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .where('locked_until', '<=', now)
      .executeTakeFirst();
    due.set({}, Number(dueRow?.n ?? 0));
    const failedRow = await db
      .selectFrom('webhook_deliveries')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('status', '=', 'failed')
      .executeTakeFirst();
    failed.set({}, Number(failedRow?.n ?? 0));
  });
}
