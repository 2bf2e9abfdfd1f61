/**
 * One performance's close and reconciliation (issue 20 item 4): its state (closed when, by whom,
 * with what reason if forced), the close itself (close.tsx) while it is open or terminals are
 * still outstanding, then the report (report.tsx), printable and exported as CSV.
 */
import { Link, useParams } from 'wouter';
import { useEvent } from '../events/api.ts';
import { useI18n } from '../i18n.ts';
import { useOrganizer } from '../session.tsx';
import { Loaded, Page } from '../ui/page.tsx';
import { type GateReport, useGateReport } from './api.ts';
import { ClosePanel, outstandingOf } from './close.tsx';
import { Report } from './report.tsx';

export default function ClosingScreen() {
  const { t, fmt } = useI18n();
  const { eventId, performanceId } = useParams<{ eventId: string; performanceId: string }>();
  const report = useGateReport(performanceId);
  const event = useEvent(eventId);
  const zone = event.data?.venue.timeZone;
  const performance = report.data?.performance;
  return (
    <Page
      title={
        performance
          ? t('closing.titleOf', {
              event: performance.eventName,
              when: fmt.dateTime(performance.startsAt, zone),
            })
          : t('closing.title')
      }
      actions={
        <Link href={`/events/${encodeURIComponent(eventId)}/sales`}>{t('closing.back')}</Link>
      }
    >
      <Loaded query={report}>{(data) => <ClosingBody report={data} zone={zone} />}</Loaded>
    </Page>
  );
}

function ClosingBody(props: { report: GateReport; zone: string | undefined }) {
  const { t, fmt } = useI18n();
  const organizer = useOrganizer();
  const { report, zone } = props;
  const { performance } = report;
  const canClose =
    organizer.can('manage_catalogue') &&
    performance.status !== 'cancelled' &&
    // Once closed, only forcing is left to do, and only while terminals are outstanding.
    (performance.status !== 'closed' ||
      (outstandingOf(report).length > 0 && performance.forcedAt === null));
  return (
    <div className="closing">
      <p className="closing-state" data-testid="closing-state">
        {performance.status === 'closed' && performance.closedAt
          ? t('closing.status.closed', { when: fmt.dateTime(performance.closedAt, zone) })
          : performance.status === 'cancelled'
            ? t('closing.status.cancelled')
            : t('closing.status.scheduled')}
        {performance.closedBy ? ` ${t('closing.closedBy', { who: performance.closedBy })}` : null}
      </p>
      {performance.forcedReason ? (
        <p className="closing-forced">
          {t('closing.forcedReason', { reason: performance.forcedReason })}
        </p>
      ) : performance.closeReason ? (
        <p>{t('closing.closeReason', { reason: performance.closeReason })}</p>
      ) : null}
      {canClose ? <ClosePanel report={report} zone={zone} /> : null}
      <Report report={report} zone={zone} />
    </div>
  );
}
