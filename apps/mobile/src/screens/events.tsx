/** Browse (S120's start): the published events with performances to come, soonest first. */
import { useCallback } from 'react';
import { useApis } from '../app-state.tsx';
import { Loading, Message, NeedsOnline, ScreenTitle } from '../components.tsx';
import { useI18n } from '../i18n.ts';
import { Link } from '../router.tsx';
import { useLoad } from '../use-load.ts';

export default function EventsScreen() {
  const { t } = useI18n();
  return (
    <>
      <ScreenTitle>{t('events.title')}</ScreenTitle>
      <NeedsOnline>
        <EventList />
      </NeedsOnline>
    </>
  );
}

function EventList() {
  const { ticketing } = useApis();
  const { t, fmt } = useI18n();
  const load = useCallback(() => ticketing.events(), [ticketing]);
  const { value, error, reload } = useLoad(load);
  if (error) {
    return (
      <Message kind="error">
        {error}{' '}
        <button type="button" className="button" onClick={() => void reload()}>
          {t('common.retry')}
        </button>
      </Message>
    );
  }
  if (!value) return <Loading />;
  if (value.events.length === 0) return <p>{t('events.empty')}</p>;
  return (
    <ul className="list">
      {value.events.map((event) => (
        <li key={event.id}>
          <Link className="card card-link" to={`/events/${event.id}`}>
            <h2>{event.name}</h2>
            <p>{event.venue.name}</p>
            <p>
              {t('events.next', { time: fmt.dateTime(event.nextStartsAt, event.venue.timeZone) })}
            </p>
            {event.performances > 1 && (
              <p className="hint">{t('events.performances', { count: event.performances })}</p>
            )}
          </Link>
        </li>
      ))}
    </ul>
  );
}
