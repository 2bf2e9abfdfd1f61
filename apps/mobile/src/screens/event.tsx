/** An event: what it is, where, its dates (each on sale or not) and its prices. */
import { useCallback } from 'react';
import { useApis } from '../app-state.tsx';
import { Loading, Message, NeedsOnline, ScreenTitle } from '../components.tsx';
import { useI18n } from '../i18n.ts';
import { isPassProduct, productWord } from '../product-words.ts';
import { Link } from '../router.tsx';
import { useLoad } from '../use-load.ts';

export default function EventScreen({ eventId }: { eventId: string }) {
  return (
    <NeedsOnline>
      <EventView eventId={eventId} />
    </NeedsOnline>
  );
}

function EventView({ eventId }: { eventId: string }) {
  const { ticketing } = useApis();
  const { t, fmt } = useI18n();
  const load = useCallback(() => ticketing.event(eventId), [ticketing, eventId]);
  const { value: event, error } = useLoad(load);
  if (error) return <Message kind="error">{error}</Message>;
  if (!event) return <Loading />;
  return (
    <>
      <ScreenTitle>{event.name}</ScreenTitle>
      {event.description && <p>{event.description}</p>}
      <p>
        {event.venue.name}
        <br />
        <span className="hint">{event.venue.address}</span>
      </p>
      <section aria-labelledby="dates">
        <h2 id="dates">{t('event.dates')}</h2>
        <ul className="list">
          {event.performances.map((performance) => (
            <li key={performance.id} className="card row-card">
              <span>{fmt.dateTime(performance.startsAt, event.venue.timeZone)}</span>
              {performance.onSale ? (
                <Link className="button button-primary" to={`/performances/${performance.id}`}>
                  {t(productWord('event.onSale', isPassProduct(event.categories)))}
                </Link>
              ) : (
                <span className="hint">{t('event.notOnSale')}</span>
              )}
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="prices">
        <h2 id="prices">{t('event.prices')}</h2>
        <ul className="list plain">
          {event.categories.map((category) => {
            const price = fmt.money(category.price, category.priceAsset);
            return (
              <li key={category.id}>
                <strong>{category.name}</strong>:{' '}
                {category.pricing === 'fiat' ? t('event.priceFiat', { price }) : price}
              </li>
            );
          })}
        </ul>
      </section>
    </>
  );
}
