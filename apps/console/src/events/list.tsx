/**
 * The organizer's home: every event in any status, newest first, with its venue, how many
 * performances it has and the next one on the venue's clock; links to its editor and, for roles
 * that see sales, to its sales. "New event" only for roles that manage the catalogue.
 */
import { Link } from 'wouter';
import { useI18n } from '../i18n.ts';
import { useOrganizer } from '../session.tsx';
import { Loaded, Page } from '../ui/page.tsx';
import { type EventListItem, useOrganizerEvents } from './api.ts';
import { statusKey } from './labels.ts';

export default function EventList() {
  const { t } = useI18n();
  const organizer = useOrganizer();
  const events = useOrganizerEvents(organizer.id);
  return (
    <Page
      title={t('events.title')}
      actions={
        organizer.can('manage_catalogue') ? (
          <Link href="/events/new" className="button">
            {t('events.new')}
          </Link>
        ) : null
      }
    >
      <Loaded query={events}>
        {(data) => {
          const all = data.pages.flatMap((page) => page.events);
          if (all.length === 0) return <p>{t('events.empty')}</p>;
          return (
            <>
              <table className="events-table">
                <thead>
                  <tr>
                    <th scope="col">{t('events.column.name')}</th>
                    <th scope="col">{t('events.column.venue')}</th>
                    <th scope="col">{t('events.column.status')}</th>
                    <th scope="col">{t('events.column.performances')}</th>
                    <th scope="col">{t('events.column.next')}</th>
                    {organizer.can('view_sales') ? (
                      <th scope="col">
                        <span className="visually-hidden">{t('events.column.sales')}</span>
                      </th>
                    ) : null}
                  </tr>
                </thead>
                <tbody>
                  {all.map((event) => (
                    <EventRow key={event.id} event={event} sales={organizer.can('view_sales')} />
                  ))}
                </tbody>
              </table>
              {events.hasNextPage ? (
                <button
                  type="button"
                  disabled={events.isFetchingNextPage}
                  onClick={() => events.fetchNextPage()}
                >
                  {t('events.more')}
                </button>
              ) : null}
            </>
          );
        }}
      </Loaded>
    </Page>
  );
}

function EventRow(props: { event: EventListItem; sales: boolean }) {
  const { t, fmt } = useI18n();
  const { event } = props;
  return (
    <tr data-event={event.id}>
      <th scope="row">
        <Link href={`/events/${event.id}`}>{event.name}</Link>
        <small className="slug">{event.slug}</small>
      </th>
      <td>{event.venue.name}</td>
      <td>
        <span className={`status status-${event.status}`}>{t(statusKey(event.status))}</span>
      </td>
      <td>{fmt.count(event.performances)}</td>
      <td>
        <NextPerformance event={event} />
      </td>
      {props.sales ? (
        <td>
          <Link href={`/events/${event.id}/sales`}>{t('events.sales')}</Link>
        </td>
      ) : null}
    </tr>
  );
}

/** The next scheduled performance on the venue's clock, as the list gives it. */
function NextPerformance(props: { event: EventListItem }) {
  const { t, fmt } = useI18n();
  const { nextStartsAt, venue } = props.event;
  if (!nextStartsAt) return <span className="muted">{t('events.noneToCome')}</span>;
  return <time dateTime={nextStartsAt}>{fmt.dateTime(nextStartsAt, venue.timeZone)}</time>;
}
