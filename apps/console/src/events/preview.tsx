/**
 * How the buyer's app will show the event: its name, venue, dates on the venue's clock, each
 * category's price in words and what the ticket is (the app's own wording of the product: one
 * entry, a number of entries, a time pass, a stored value), and whether the app sells it as
 * tickets to a show or as a pass. Once published, a link opens it in the buyer's app.
 */
import { useApi } from '../api.tsx';
import { useI18n } from '../i18n.ts';
import type { EventCategory, EventView } from './api.ts';

export function EventPreview(props: { event: EventView }) {
  const { t, fmt } = useI18n();
  const api = useApi();
  const { event } = props;
  const zone = event.venue.timeZone;
  // As the buyer's app decides (apps/mobile/src/product-words.ts): a pass when nothing is single.
  const pass = event.categories.length > 0 && event.categories.every((c) => c.kind !== 'single');
  return (
    <aside className="event-preview" aria-labelledby="event-preview-title">
      <h2 id="event-preview-title">{t('events.preview.title')}</h2>
      <div className="phone">
        <h3>{event.name}</h3>
        <p className="muted">
          {event.venue.name} · {event.venue.address}
        </p>
        {event.description ? <p>{event.description}</p> : null}
        <h4>{t('events.preview.dates')}</h4>
        <ul>
          {event.performances
            .filter((performance) => performance.status === 'scheduled')
            .map((performance) => (
              <li key={performance.id}>
                <time dateTime={performance.startsAt}>
                  {fmt.dateTime(performance.startsAt, zone)}
                </time>{' '}
                <small>
                  {performance.onSale ? t('events.preview.onSale') : t('events.preview.notOnSale')}
                </small>
              </li>
            ))}
        </ul>
        <h4>{t('events.preview.prices')}</h4>
        <ul className="preview-prices">
          {event.categories.map((category) => (
            <li key={category.id}>
              <strong>{category.name}</strong>: {priceWords(category, t, fmt.money)}
              <br />
              <small>{productWords(category, zone, t, fmt)}</small>
            </li>
          ))}
        </ul>
        <p className="muted">{pass ? t('events.words.pass') : t('events.words.show')}</p>
      </div>
      {event.status === 'published' ? (
        <a href={`${api.config.mobileAppUrl}/events/${event.id}`} target="_blank" rel="noreferrer">
          {t('events.preview.open')}
        </a>
      ) : (
        <p className="muted">{t('events.preview.notPublished')}</p>
      )}
    </aside>
  );
}

type Translate = ReturnType<typeof useI18n>['t'];
type Formats = ReturnType<typeof useI18n>['fmt'];

export function priceWords(
  category: EventCategory,
  t: Translate,
  money: (amount: string, asset: string) => string,
): string {
  const price = money(category.price, category.priceAsset);
  return category.pricing === 'fiat' ? t('events.preview.priceFiat', { price }) : price;
}

/** What the ticket is, as the buyer's app words it (`ticket.kind.*` there). */
export function productWords(
  category: EventCategory,
  timeZone: string,
  t: Translate,
  fmt: Formats,
): string {
  const valid =
    category.validFrom && category.validUntil
      ? ` · ${t('events.words.valid', {
          from: fmt.dateTime(category.validFrom, timeZone),
          until: fmt.dateTime(category.validUntil, timeZone),
        })}`
      : '';
  switch (category.kind) {
    case 'multi':
      return t('events.words.multi', { count: fmt.count(category.entriesAllowed) }) + valid;
    case 'timed':
      return t('events.words.timed') + valid;
    case 'stored_value':
      return (
        t('events.words.storedValue', {
          amount: fmt.money(
            category.storedValue ?? '0',
            category.storedValueAsset ?? category.priceAsset,
          ),
        }) + valid
      );
    default:
      return (
        (category.reentryAllowed ? t('events.words.singleReentry') : t('events.words.single')) +
        valid
      );
  }
}
