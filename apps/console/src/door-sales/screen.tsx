/**
 * One performance's door sales (issue 20 item 5): what the gates may sell (settings.tsx) and the
 * sales made at the gates, live, with their totals (list.tsx). Times are the venue's.
 */
import { Link, useParams } from 'wouter';
import { useEvent } from '../events/api.ts';
import { useI18n } from '../i18n.ts';
import { Loaded, Page } from '../ui/page.tsx';
import { DoorSalesList } from './list.tsx';
import { DoorSaleSettingsForm } from './settings.tsx';

export default function DoorSalesScreen() {
  const { t, fmt } = useI18n();
  const { eventId, performanceId } = useParams<{ eventId: string; performanceId: string }>();
  const event = useEvent(eventId);
  const performance = event.data?.performances.find((p) => p.id === performanceId);
  const zone = event.data?.venue.timeZone;
  return (
    <Page
      title={
        event.data && performance
          ? t('doorSales.titleOf', {
              event: event.data.name,
              when: fmt.dateTime(performance.startsAt, zone),
            })
          : t('doorSales.title')
      }
      actions={
        <Link href={`/events/${encodeURIComponent(eventId)}/sales`}>{t('doorSales.back')}</Link>
      }
    >
      <Loaded query={event}>
        {(detail) => (
          <div className="door-sales">
            <DoorSaleSettingsForm performanceId={performanceId} categories={detail.categories} />
            <DoorSalesList performanceId={performanceId} zone={detail.venue.timeZone} />
          </div>
        )}
      </Loaded>
    </Page>
  );
}
