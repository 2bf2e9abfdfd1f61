/**
 * The ticketing server's figures for GET /metrics, read from the database when scraped (at most
 * once per `collectorCacheMs`). Each query is a count over an index, so a scrape stays cheap
 * during an on-sale.
 */
import type { MetricsRegistry } from '@tessera/service-kit/metrics';
import type { Ticketing } from './context.ts';
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
    'Admissions recorded at the gates (online and uploaded offline), duplicates included',
  );
  const backlog = registry.gauge(
    'tessera_ticketing_reconcile_backlog',
    "Work waiting for the reconciliation worker, the ticketing side of the exchange's webhooks: " +
      'orders stuck creating their payment request (creating), orders whose payment window closed without a notice (lapsed), ' +
      'orders not heard of for a while whose webhook may be lost (quiet), refunds due (refunds)',
    ['step'],
  );

  registry.collect('ticketing', async () => {
    const db = ticketing.database.db;
    const now = ticketing.clock.now();
    const count = async (query: Promise<{ n: number | string | bigint } | undefined>) =>
      Number((await query)?.n ?? 0);

    activeHolds.set(
      {},
      await count(
        db
          .selectFrom('holds')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('status', '=', 'active')
          .where('expires_at', '>', now)
          .executeTakeFirst(),
      ),
    );

    const byStatus = await db
      .selectFrom('orders')
      .select((eb) => ['status', eb.fn.countAll().as('n')])
      .groupBy('status')
      .execute();
    // Every status is reported, zeros too, so a dashboard's series do not come and go.
    for (const status of orderStatuses) orders.set({ status }, 0);
    for (const row of byStatus) orders.set({ status: row.status }, Number(row.n));

    admissions.set(
      {},
      await count(
        db
          .selectFrom('admissions')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirst(),
      ),
    );

    const awaiting = (where: 'lapsed' | 'quiet') =>
      count(
        db
          .selectFrom('orders')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('status', '=', 'awaiting_payment')
          .$if(where === 'lapsed', (q) => q.where('pay_expires_at', '<=', now))
          .$if(where === 'quiet', (q) =>
            q.where('pay_expires_at', '>', now).where('updated_at', '<=', now - pollAfterMs),
          )
          .executeTakeFirst(),
      );
    backlog.set(
      { step: 'creating' },
      await count(
        db
          .selectFrom('orders')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('status', '=', 'creating')
          .where('created_at', '<=', now - creatingGraceMs)
          .executeTakeFirst(),
      ),
    );
    backlog.set({ step: 'lapsed' }, await awaiting('lapsed'));
    backlog.set({ step: 'quiet' }, await awaiting('quiet'));
    backlog.set(
      { step: 'refunds' },
      await count(
        db
          .selectFrom('refunds')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('status', '=', 'pending')
          .where('next_attempt_at', '<=', now)
          .executeTakeFirst(),
      ),
    );
  });
}
