/**
 * Choosing seats or places for one category: the seat map (each seat a button that says its row,
 * number and state) and the number of general-admission places or best seats wanted.
 */
import type { Availability } from '../api/ticketing.ts';
import { useI18n } from '../i18n.ts';

/**
 * The seats of one category, row by row, in the map's order (front first). Each seat is a
 * button that says its row, number and state; taken seats are shown but cannot be pressed.
 */
export function SeatMap({
  availability,
  categoryId,
  selected,
  onToggle,
  max,
}: {
  availability: Availability;
  categoryId: string;
  selected: string[];
  onToggle(seatId: string): void;
  max: number;
}) {
  const { t } = useI18n();
  const seats = availability.seats;
  if (!seats) return null;
  const index = seats.categoryIds.indexOf(categoryId);
  const rows = seats.rows
    .map((row) => ({
      ...row,
      positions: row.ids.map((_, i) => i).filter((i) => row.categories[i] === index),
    }))
    .filter((row) => row.positions.length > 0);
  return (
    <section className="seat-map" aria-labelledby="seat-map-title">
      <h2 id="seat-map-title">{t('perf.pickSeats')}</h2>
      <p className="hint">{t('perf.mapHint')}</p>
      <p aria-live="polite">{t('perf.selected', { count: selected.length, max })}</p>
      <div className="stage" aria-hidden="true">
        {t('perf.stage')}
      </div>
      <div className="seat-rows">
        {rows.map((row) => (
          <fieldset key={`${row.section}/${row.row}`} className="seat-row">
            <legend className="visually-hidden">
              {`${row.section} ${t('perf.row', { row: row.row })}`}
            </legend>
            <span className="row-label" aria-hidden="true">
              {row.row}
            </span>
            {row.positions.map((i) => {
              const id = row.ids[i] as string;
              const free = row.status[i] === 'a';
              const isSelected = selected.includes(id);
              const accessible = row.accessible.includes(i);
              const state = isSelected
                ? t('perf.seatSelected')
                : free
                  ? t('perf.seatAvailable')
                  : t('perf.seatTaken');
              return (
                <button
                  key={id}
                  type="button"
                  className={`seat${isSelected ? ' seat-selected' : ''}${free ? '' : ' seat-taken'}${accessible ? ' seat-accessible' : ''}`}
                  aria-pressed={isSelected}
                  disabled={!free && !isSelected}
                  aria-label={t('perf.seatLabel', {
                    row: row.row,
                    number: row.numbers[i] ?? '',
                    accessible: accessible ? t('perf.seatAccessible') : '',
                    state,
                  })}
                  data-seat={`${row.section}/${row.row}/${row.numbers[i]}`}
                  onClick={() => onToggle(id)}
                >
                  {row.numbers[i]}
                </button>
              );
            })}
          </fieldset>
        ))}
      </div>
    </section>
  );
}

export function Quantity({
  value,
  max,
  onChange,
}: {
  value: number;
  max: number;
  onChange(value: number): void;
}) {
  const { t } = useI18n();
  const clamp = (n: number) => Math.max(1, Math.min(max, n));
  return (
    <fieldset className="quantity">
      <legend>{t('perf.quantity')}</legend>
      <button
        type="button"
        className="button"
        aria-label={t('perf.fewer')}
        disabled={value <= 1}
        onClick={() => onChange(clamp(value - 1))}
      >
        −
      </button>
      <output aria-live="polite">{value}</output>
      <button
        type="button"
        className="button"
        aria-label={t('perf.more')}
        disabled={value >= max}
        onClick={() => onChange(clamp(value + 1))}
      >
        +
      </button>
    </fieldset>
  );
}
