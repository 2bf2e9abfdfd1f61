/**
 * Every event of the organizer with what it has sold against its capacity and what it earned,
 * each leading to the event's own sales screen.
 */
import { Link, useParams } from 'wouter';
import { useI18n } from '../i18n.ts';
import { Loaded, Page } from '../ui/page.tsx';
import { useOrganizerEvents, useSalesReport } from './api.ts';
import { Revenue } from './revenue.tsx';

export default function SalesHome() {
  const { t } = useI18n();
  const { organizerId } = useParams<{ organizerId: string }>();
  const events = useOrganizerEvents(organizerId);
  return (
    <Page title={t('sales.title')}>
      <Loaded query={events}>
        {({ events: list }) =>
          list.length === 0 ? (
            <p>{t('sales.noEvents')}</p>
          ) : (
            <table className="sales-table">
              <thead>
                <tr>
                  <th scope="col">{t('sales.event')}</th>
                  <th scope="col">{t('sales.soldOfCapacity')}</th>
                  <th scope="col">{t('sales.revenue')}</th>
                </tr>
              </thead>
              <tbody>
                {list.map((event) => (
                  <EventLine key={event.id} id={event.id} name={event.name} />
                ))}
              </tbody>
            </table>
          )
        }
      </Loaded>
    </Page>
  );
}

function EventLine(props: { id: string; name: string }) {
  const { t, fmt } = useI18n();
  const report = useSalesReport(props.id);
  const totals = report.data?.totals;
  return (
    <tr>
      <th scope="row">
        <Link href={`/events/${props.id}/sales`}>{props.name}</Link>
      </th>
      <td>
        {totals
          ? t('sales.soldOf', {
              sold: fmt.count(totals.sold),
              capacity: fmt.count(totals.capacity),
            })
          : report.isError
            ? t('sales.unavailable')
            : t('common.loading')}
      </td>
      <td>{totals ? <Revenue lines={totals.revenue} /> : null}</td>
    </tr>
  );
}
