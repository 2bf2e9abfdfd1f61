/**
 * The organizer's venues: where each is, its time zone and what its seat map holds, with the
 * ways to edit it and its seat map for roles that manage the catalogue.
 */
import { Link } from 'wouter';
import { useI18n } from '../i18n.ts';
import { useOrganizer } from '../session.tsx';
import { Loaded, Page } from '../ui/page.tsx';
import { useVenues } from './api.ts';

export default function VenueList() {
  const { t, fmt } = useI18n();
  const organizer = useOrganizer();
  const venues = useVenues(organizer.id);
  const editable = organizer.can('manage_catalogue');
  return (
    <Page
      title={t('venues.title')}
      actions={
        editable ? (
          <Link href="/venues/new" className="button primary">
            {t('venues.create')}
          </Link>
        ) : null
      }
    >
      <Loaded query={venues}>
        {({ venues: list }) =>
          list.length === 0 ? (
            <p>{t('venues.noneYet')}</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th>{t('venues.name')}</th>
                  <th>{t('venues.address')}</th>
                  <th>{t('venues.timeZone')}</th>
                  <th className="number">{t('venues.seats')}</th>
                  <th className="number">{t('venues.areas')}</th>
                  <th>{t('venues.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {list.map((venue) => (
                  <tr key={venue.id}>
                    <td>{venue.name}</td>
                    <td>{venue.address}</td>
                    <td>{venue.timeZone}</td>
                    <td className="number">{fmt.count(venue.seatCount)}</td>
                    <td className="number">{fmt.count(venue.areas.length)}</td>
                    <td>
                      <div className="actions">
                        <Link
                          href={`/venues/${encodeURIComponent(venue.id)}/seat-map`}
                          aria-label={t('venues.seatMapOf', { name: venue.name })}
                        >
                          {t('venues.seatMap')}
                        </Link>
                        {editable ? (
                          <Link
                            href={`/venues/${encodeURIComponent(venue.id)}`}
                            aria-label={t('venues.editOf', { name: venue.name })}
                          >
                            {t('venues.edit')}
                          </Link>
                        ) : null}
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Loaded>
    </Page>
  );
}
