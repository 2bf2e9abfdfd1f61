/**
 * One event's sales (issue 19 item 6): pick a performance (times at the venue), see per category
 * what is sold, held, free and blocked, the revenue per asset with its KRW value, the refunds, the
 * seats coloured by status, and the orders; refund a ticket or an order, or cancel the
 * performance with its mass refund. Everything polls every 5 s (api.ts says why).
 */
import { useState } from 'react';
import { Link, useParams } from 'wouter';
import { closingPath } from '../closing/routes.ts';
import { doorSalesPath } from '../door-sales/routes.ts';
import { useI18n } from '../i18n.ts';
import { useOrganizer } from '../session.tsx';
import { Loaded, Page } from '../ui/page.tsx';
import {
  type EventDetail,
  type PerformanceSales,
  type SalesReport,
  useEventDetail,
  useSalesReport,
} from './api.ts';
import { CancelPerformance } from './cancel.tsx';
import { OrdersSection } from './orders.tsx';
import { Revenue } from './revenue.tsx';
import { SeatStatusMap } from './seat-status.tsx';
import { SalesOverTime } from './timeline.tsx';

export default function EventSales() {
  const { t } = useI18n();
  const { eventId } = useParams<{ eventId: string }>();
  const report = useSalesReport(eventId);
  const event = useEventDetail(eventId);
  return (
    <Page
      title={report.data ? t('sales.eventTitle', { name: report.data.name }) : t('sales.title')}
      actions={<Link href="/sales">{t('sales.allEvents')}</Link>}
    >
      <Loaded query={report}>
        {(sales) => (
          <Loaded query={event}>
            {(detail) => <EventSalesBody sales={sales} event={detail} />}
          </Loaded>
        )}
      </Loaded>
    </Page>
  );
}

function EventSalesBody(props: { sales: SalesReport; event: EventDetail }) {
  const { t, fmt } = useI18n();
  const { sales, event } = props;
  const organizer = useOrganizer();
  const [chosen, setChosen] = useState<string | undefined>(undefined);
  const performance =
    sales.performances.find((p) => p.id === chosen) ?? sales.performances[0] ?? undefined;
  const zone = event.venue.timeZone;
  if (!performance) return <p>{t('sales.noPerformances')}</p>;
  return (
    <div className="sales">
      <section aria-labelledby="sales-event-totals">
        <h2 id="sales-event-totals">{t('sales.eventTotals')}</h2>
        <p>
          {t('sales.soldOf', {
            sold: fmt.count(sales.totals.sold),
            capacity: fmt.count(sales.totals.capacity),
          })}
        </p>
        <Revenue lines={sales.totals.revenue} />
        <RefundCounts refunds={sales.refunds} />
      </section>
      <SalesOverTime eventId={sales.eventId} zone={zone} />
      <label className="sales-picker">
        {t('sales.performance')}
        <select value={performance.id} onChange={(e) => setChosen(e.currentTarget.value)}>
          {sales.performances.map((p) => (
            <option key={p.id} value={p.id}>
              {fmt.dateTime(p.startsAt, zone)} · {t(performanceStatusKey(p.status))}
            </option>
          ))}
        </select>
      </label>
      <nav className="sales-performance-links" aria-label={t('sales.performance')}>
        <Link href={closingPath(sales.eventId, performance.id)}>{t('closing.link')}</Link>
        <Link href={doorSalesPath(sales.eventId, performance.id)}>{t('doorSales.link')}</Link>
      </nav>
      <PerformanceInventory performance={performance} />
      <SeatStatusMap
        eventId={sales.eventId}
        performanceId={performance.id}
        venue={event.venue.name}
      />
      {organizer.can('refund') ? (
        <CancelPerformance
          // Siblings need distinct keys: the same key on two of them made React keep the old
          // performance's panel beside the new one's.
          key={`cancel-${performance.id}`}
          eventId={sales.eventId}
          performance={performance}
          when={fmt.dateTime(performance.startsAt, zone)}
        />
      ) : null}
      <OrdersSection
        key={`orders-${performance.id}`}
        eventId={sales.eventId}
        performanceId={performance.id}
      />
    </div>
  );
}

function performanceStatusKey(status: string) {
  if (status === 'cancelled') return 'sales.performanceCancelled' as const;
  if (status === 'closed') return 'sales.performanceClosed' as const;
  return 'sales.performanceScheduled' as const;
}

function PerformanceInventory(props: { performance: PerformanceSales }) {
  const { t, fmt } = useI18n();
  const { performance } = props;
  const lines = [
    ...performance.categories.map((c) => ({ key: c.id, name: c.name, cell: c })),
    { key: 'total', name: t('sales.total'), cell: performance.totals },
  ];
  return (
    <section aria-labelledby="sales-inventory">
      <h2 id="sales-inventory">{t('sales.inventory')}</h2>
      <table className="sales-table">
        <thead>
          <tr>
            <th scope="col">{t('sales.category')}</th>
            <th scope="col">{t('sales.capacity')}</th>
            <th scope="col">{t('sales.sold')}</th>
            <th scope="col">{t('sales.held')}</th>
            <th scope="col">{t('sales.free')}</th>
            <th scope="col">{t('sales.blocked')}</th>
            <th scope="col">{t('sales.revenue')}</th>
          </tr>
        </thead>
        <tbody>
          {lines.map(({ key, name, cell }) => (
            <tr key={key} data-category={name}>
              <th scope="row">{name}</th>
              <td>{fmt.count(cell.capacity)}</td>
              <td data-column="sold">{fmt.count(cell.sold)}</td>
              <td>{fmt.count(cell.held)}</td>
              <td>{fmt.count(cell.available)}</td>
              <td>{fmt.count(cell.blocked)}</td>
              <td>
                <Revenue lines={cell.revenue} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function RefundCounts(props: { refunds: SalesReport['refunds'] }) {
  const { t, fmt } = useI18n();
  const of = (status: string) => props.refunds.find((r) => r.status === status)?.count ?? 0;
  return (
    <p className="sales-refunds">
      {t('sales.refundCounts', {
        pending: fmt.count(of('pending')),
        done: fmt.count(of('done')),
        failed: fmt.count(of('failed')),
      })}
    </p>
  );
}
