/**
 * One ticket's whole history (issue 20 item 3): sold, transferred, reissued, refunded or
 * cancelled, and every scan, online or offline, with gate, terminal, time, position and the
 * decision in words. Times on the clock of the performance's venue (from its check-in snapshot),
 * in this browser's until that is in.
 */
import { useParams } from 'wouter';
import { useI18n } from '../i18n.ts';
import { Loaded, Page } from '../ui/page.tsx';
import { type HistoryEvent, useCheckinSnapshot, useTicketHistory } from './api.ts';
import { scanWords, type Translate } from './describe.ts';

export default function TicketHistoryScreen() {
  const { t, fmt } = useI18n();
  const { ticketId } = useParams<{ ticketId: string }>();
  const history = useTicketHistory(ticketId);
  const number = history.data?.ticket.number;
  // The venue's zone comes with the performance's check-in snapshot (cached when the person came
  // from the dashboard or the log); until then, times read in this browser's zone.
  const snapshot = useCheckinSnapshot(history.data?.ticket.performanceId, false);
  const zone = snapshot.data?.performance.venue.timeZone;
  return (
    <Page title={number ? t('checkin.history.title', { number }) : t('checkin.history.events')}>
      <Loaded query={history}>
        {({ ticket, events }) => (
          <>
            <p>
              {t('checkin.history.summary', {
                event: ticket.eventName,
                category: ticket.category,
                status: ticket.status,
              })}
              {ticket.seat ? ` · ${t('checkin.history.seat', { seat: ticket.seat })}` : ''}
              {ticket.holderPhone
                ? ` · ${t('checkin.history.holder', { phone: ticket.holderPhone })}`
                : ''}
            </p>
            <section aria-labelledby="history-events">
              <h2 id="history-events">{t('checkin.history.events')}</h2>
              {events.length === 0 ? (
                <p>{t('checkin.history.none')}</p>
              ) : (
                <ol className="ticket-history" data-events={events.length}>
                  {events.map((event, index) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: the history is read-only and in time order; two events may share a time.
                    <li key={`${event.at}-${index}`} data-kind={event.kind}>
                      <time dateTime={event.at}>
                        {zone ? fmt.dateTime(event.at, zone) : fmt.stamp(event.at)}
                      </time>{' '}
                      <span>{eventWords(event, t)}</span>
                      {event.kind === 'scan' ? (
                        <span className="hint"> {positionWords(event, t)}</span>
                      ) : null}
                    </li>
                  ))}
                </ol>
              )}
            </section>
          </>
        )}
      </Loaded>
    </Page>
  );
}

/** One line of the history in words. */
export function eventWords(event: HistoryEvent, t: Translate): string {
  switch (event.kind) {
    case 'sold':
      return t('checkin.history.sold', { order: event.orderId ?? '' });
    case 'transferred':
      return t('checkin.history.transferred', {
        from: event.fromPhone ?? '',
        to: event.toPhone ?? '',
      });
    case 'reissued':
      return t('checkin.history.reissued', { revision: event.revision ?? 0 });
    case 'refunded':
      return t('checkin.history.refunded');
    case 'cancelled':
      return t('checkin.history.cancelled');
    case 'scan': {
      const where = t('checkin.history.scan', {
        gate: event.gate ?? '',
        terminal: event.terminalName ?? event.terminalId ?? '',
        source:
          event.source === 'offline' ? t('checkin.source.offline') : t('checkin.source.online'),
      });
      return `${where}: ${scanWords(event, t)}`;
    }
  }
}

function positionWords(event: HistoryEvent, t: Translate): string {
  if (event.latitude === null || event.longitude === null) return t('checkin.history.noPosition');
  return t('checkin.history.position', {
    latitude: event.latitude.toFixed(5),
    longitude: event.longitude.toFixed(5),
  });
}
