/**
 * What else there is when the tickets asked for are gone (seed 001): the best seats left in the
 * category, other categories, and other dates of the event.
 */
import { Fragment } from 'react';
import type { Alternatives } from '../api/ticketing.ts';
import { useI18n } from '../i18n.ts';
import { Link } from '../router.tsx';
import { referenceWords } from '../seat-words.ts';

/** The alternatives the server offers; taking one chooses it on the performance screen. */
export function AlternativesView({
  alternatives,
  performance,
  onCategory,
  onSeats,
}: {
  alternatives: Alternatives;
  /** The performance asked for; its venue's zone is the other dates' too (the same venue). */
  performance: { id: string; venue: { timeZone: string } };
  onCategory(categoryId: string): void;
  onSeats(categoryId: string, seatIds: string[]): void;
}) {
  const { t, fmt } = useI18n();
  const timeZone = performance.venue.timeZone;
  const dates = alternatives.performances.filter((p) => p.id !== performance.id);
  const nothing =
    dates.length === 0 && alternatives.categories.length === 0 && !alternatives.bestAvailable;
  return (
    <section className="card alternatives" aria-labelledby="alternatives-title">
      <h2 id="alternatives-title">{t('perf.alternatives')}</h2>
      {nothing && <p>{t('perf.noAlternatives')}</p>}
      {alternatives.bestAvailable && (
        <>
          <p>
            {t('perf.altSeats')}{' '}
            {alternatives.bestAvailable.labels.map((label, i) => (
              <Fragment key={label}>
                {i > 0 && ', '}
                <span className="seat-words">{referenceWords(label, t)}</span>
              </Fragment>
            ))}
          </p>
          <button
            type="button"
            className="button"
            onClick={() => {
              const best = alternatives.bestAvailable;
              if (best) onSeats(best.categoryId, best.seatIds);
            }}
          >
            {t('perf.altTake')}
          </button>
        </>
      )}
      {alternatives.categories.length > 0 && (
        <>
          <h3>{t('perf.altCategories')}</h3>
          <ul className="list plain">
            {alternatives.categories.map((c) => (
              <li key={c.id}>
                <button type="button" className="button" onClick={() => onCategory(c.id)}>
                  {c.name} · {fmt.money(c.price, c.asset)} ·{' '}
                  {t('perf.left', { count: c.available })}
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
      {dates.length > 0 && (
        <>
          <h3>{t('perf.altDates')}</h3>
          <ul className="list plain">
            {dates.map((p) => (
              <li key={p.id}>
                <Link className="button" to={`/performances/${p.id}`}>
                  {fmt.dateTime(p.startsAt, timeZone)} · {t('perf.left', { count: p.available })}
                </Link>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
