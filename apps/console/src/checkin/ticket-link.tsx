/**
 * A ticket of the dashboard's flagged list, by its number: the admission log finds its id (the
 * live feed names tickets by number, as the gates do), then the ticket's history opens.
 */
import { Redirect, useParams } from 'wouter';
import { useI18n } from '../i18n.ts';
import { Loaded, Page } from '../ui/page.tsx';
import { useCheckinLog } from './api.ts';

export default function TicketByNumber() {
  const { t } = useI18n();
  const { performanceId, number } = useParams<{ performanceId: string; number: string }>();
  const log = useCheckinLog(performanceId, { q: number });
  return (
    <Page title={t('checkin.log.title')}>
      <Loaded query={log}>
        {(data) => {
          const found = data.pages
            .flatMap((page) => page.entries)
            .find((entry) => entry.ticketNumber === number && entry.ticketId);
          return found?.ticketId ? (
            <Redirect to={`/tickets/${found.ticketId}/history`} replace />
          ) : (
            <p>{t('checkin.log.none')}</p>
          );
        }}
      </Loaded>
    </Page>
  );
}
