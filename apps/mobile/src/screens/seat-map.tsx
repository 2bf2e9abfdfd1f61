/**
 * Choosing seats or places for one category: the seat map and the number of general-admission
 * places or best seats wanted. The map fits the phone's width at first and zooms and pans
 * (seat-map-zoom.ts); the row letters stay at its left edge whatever the zoom; a legend says what
 * the seats' looks mean; every seat is a button whose name says where it is, what it costs and
 * whether it can be had (issue 21, item 9).
 */
import { Fragment, memo, useMemo, useRef } from 'react';
import type { Availability } from '../api/ticketing.ts';
import { useI18n } from '../i18n.ts';
import { formatMoney } from '../money.ts';
import { rowSpoken, type SeatState, seatAccessibleName, seatWords } from '../seat-words.ts';
import { zoomStep } from './seat-map-view.ts';
import { seatPx, useMapZoom } from './seat-map-zoom.ts';

type Row = NonNullable<Availability['seats']>['rows'][number];

/** One row of the category's seats, where it sits on the map (at scale 1, in CSS px). */
interface PlacedRow {
  row: Row;
  /** Positions in the row's arrays of the seats of this category. */
  positions: number[];
  top: number;
  /** The section's name above its first row, when the category spans several sections. */
  sectionTitle: string | undefined;
}

const gapPx = 4;
const pitchPx = seatPx + gapPx;
const paddingPx = 8;
/** Room above a section's first row for its name, when the category has several. */
const sectionTitlePx = 40;

/** The category's rows in the map's order (front first), placed one under the other. */
export function layoutRows(
  seats: NonNullable<Availability['seats']>,
  categoryId: string,
): { rows: PlacedRow[]; width: number; height: number } {
  const index = seats.categoryIds.indexOf(categoryId);
  const chosen = seats.rows
    .map((row) => ({
      row,
      positions: row.ids.map((_, i) => i).filter((i) => row.categories[i] === index),
    }))
    .filter((row) => row.positions.length > 0);
  const severalSections = new Set(chosen.map(({ row }) => row.section)).size > 1;
  let top = paddingPx;
  let widest = 0;
  const rows = chosen.map((placed, i): PlacedRow => {
    const startsSection = i === 0 || chosen[i - 1]?.row.section !== placed.row.section;
    const sectionTitle = severalSections && startsSection ? placed.row.section : undefined;
    if (sectionTitle !== undefined) top += sectionTitlePx;
    const result = { ...placed, top, sectionTitle };
    top += pitchPx;
    widest = Math.max(widest, placed.positions.length);
    return result;
  });
  return {
    rows,
    width: widest * pitchPx - gapPx + 2 * paddingPx,
    height: top - gapPx + paddingPx,
  };
}

/**
 * The seats of one category, row by row. Taken seats are shown but cannot be pressed; the
 * accessible ones have a double border; chosen ones are filled.
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
  const names = new Map<string, string>();
  for (const row of seats.rows) {
    row.ids.forEach((id, i) => {
      names.set(
        id,
        seatWords({ section: row.section, row: row.row, number: row.numbers[i] ?? '' }, t),
      );
    });
  }
  return (
    <section className="seat-map" aria-labelledby="seat-map-title">
      <h2 id="seat-map-title">{t('perf.pickSeats')}</h2>
      <ZoomableMap
        // A new category is a new map: it starts fitted again.
        key={categoryId}
        availability={availability}
        seats={seats}
        categoryId={categoryId}
        selected={selected}
        onToggle={onToggle}
      />
      <Legend />
      <p aria-live="polite" className="seat-map-selected">
        {t('perf.selected', { count: selected.length, max })}
        {selected.length > 0 && (
          <>
            <br />
            <span className="hint">
              {selected.map((id, i) => (
                <Fragment key={id}>
                  {i > 0 && ', '}
                  <span className="seat-words">{names.get(id) ?? id}</span>
                </Fragment>
              ))}
            </span>
          </>
        )}
      </p>
    </section>
  );
}

function ZoomableMap({
  availability,
  seats,
  categoryId,
  selected,
  onToggle,
}: {
  availability: Availability;
  seats: NonNullable<Availability['seats']>;
  categoryId: string;
  selected: string[];
  onToggle(seatId: string): void;
}) {
  const { t } = useI18n();
  const frameRef = useRef<HTMLFieldSetElement>(null);
  const areaRef = useRef<HTMLDivElement>(null);
  const layout = useMemo(() => layoutRows(seats, categoryId), [seats, categoryId]);
  const zoom = useMapZoom(frameRef, areaRef, layout);
  const { view } = zoom;
  const coarse = typeof matchMedia === 'function' && matchMedia('(pointer: coarse)').matches;
  const hint = !coarse
    ? t('seatmap.hintPointer')
    : zoom.tooSmallToTouch
      ? t('seatmap.hintTapToZoom')
      : t('seatmap.hintTouch');
  return (
    <>
      <p className="hint">{hint}</p>
      <ZoomButtons zoom={zoom} />
      <div className="stage" aria-hidden="true">
        {t('perf.stage')}
      </div>
      <fieldset
        ref={frameRef}
        className="seat-frame"
        aria-label={t('seatmap.map')}
        data-scale={view.scale.toFixed(3)}
        data-pannable={zoom.pannable ? '' : undefined}
        style={{ height: zoom.height, touchAction: zoom.pannable ? 'none' : 'pan-y' }}
        onFocus={(event) => {
          if (event.target instanceof HTMLButtonElement) zoom.reveal(event.target);
        }}
        {...zoom.handlers}
      >
        <div ref={areaRef} className="seat-area">
          <div
            className={`seat-canvas${zoom.tooSmallToTouch ? ' seat-canvas-overview' : ''}`}
            style={{
              width: layout.width,
              height: layout.height,
              transform: `translate(${view.x}px, ${view.y}px) scale(${view.scale})`,
            }}
          >
            <SeatRows
              rows={layout.rows}
              availability={availability}
              categoryId={categoryId}
              selected={selected}
              onToggle={onToggle}
            />
          </div>
        </div>
        <RowLabels rows={layout.rows} scale={view.scale} y={view.y} />
      </fieldset>
    </>
  );
}

function ZoomButtons({ zoom }: { zoom: ReturnType<typeof useMapZoom> }) {
  const { t } = useI18n();
  return (
    <fieldset className="zoom-buttons" aria-label={t('seatmap.zoom')}>
      <button
        type="button"
        className="button"
        aria-label={t('seatmap.zoomOut')}
        disabled={zoom.fitted}
        onClick={() => zoom.zoomBy(1 / zoomStep)}
      >
        −
      </button>
      <button
        type="button"
        className="button"
        aria-label={t('seatmap.zoomIn')}
        disabled={zoom.atMax}
        onClick={() => zoom.zoomBy(zoomStep)}
      >
        +
      </button>
      <button type="button" className="button" disabled={zoom.fitted} onClick={zoom.fit}>
        {t('seatmap.fit')}
      </button>
    </fieldset>
  );
}

/**
 * The row letters (and section names), outside the zoomed canvas: they follow its vertical
 * position and scale but never its sideways one, so they stay at the frame's left edge.
 */
function RowLabels({ rows, scale, y }: { rows: PlacedRow[]; scale: number; y: number }) {
  return (
    <div className="row-labels" aria-hidden="true">
      {rows.map(({ row, top, sectionTitle }) => (
        <div key={`${row.section}\u0000${row.row}`}>
          {sectionTitle !== undefined && (
            <span className="section-title" style={{ top: y + (top - sectionTitlePx / 2) * scale }}>
              {sectionTitle}
            </span>
          )}
          <span className="row-label" style={{ top: y + (top + seatPx / 2) * scale }}>
            {row.row}
          </span>
        </div>
      ))}
    </div>
  );
}

/** The seat buttons; kept apart so a pan or a pinch does not redraw every seat. */
const SeatRows = memo(function SeatRows({
  rows,
  availability,
  categoryId,
  selected,
  onToggle,
}: {
  rows: PlacedRow[];
  availability: Availability;
  categoryId: string;
  selected: string[];
  onToggle(seatId: string): void;
}) {
  const { t, locale } = useI18n();
  const category = availability.categories.find((c) => c.id === categoryId);
  const price = category ? formatMoney(category.price, category.asset, locale) : '';
  return rows.map(({ row, positions, top }) => (
    <fieldset
      key={`${row.section}\u0000${row.row}`}
      className="seat-row"
      aria-label={rowSpoken(row, t)}
      style={{ top }}
    >
      {positions.map((i) => {
        const id = row.ids[i] as string;
        const free = row.status[i] === 'a';
        const isSelected = selected.includes(id);
        const accessible = row.accessible.includes(i);
        const state: SeatState = isSelected ? 'selected' : free ? 'available' : 'unavailable';
        const place = { section: row.section, row: row.row, number: row.numbers[i] ?? '' };
        return (
          <button
            key={id}
            type="button"
            className={`seat${isSelected ? ' seat-selected' : ''}${free ? '' : ' seat-taken'}${accessible ? ' seat-accessible' : ''}`}
            aria-pressed={isSelected}
            disabled={!free && !isSelected}
            aria-label={seatAccessibleName(place, { price, accessible, state }, t)}
            data-seat={`${row.section}/${row.row}/${row.numbers[i]}`}
            onClick={() => onToggle(id)}
          >
            {row.numbers[i]}
          </button>
        );
      })}
    </fieldset>
  ));
});

/** What the seats' looks mean, drawn with the seats' own styles. */
function Legend() {
  const { t } = useI18n();
  const items = [
    ['seat', 'seatmap.legendAvailable'],
    ['seat seat-selected', 'seatmap.legendSelected'],
    ['seat seat-taken', 'seatmap.legendUnavailable'],
    ['seat seat-accessible', 'seatmap.legendAccessible'],
  ] as const;
  return (
    <ul className="seat-legend" aria-label={t('perf.legend')}>
      {items.map(([className, key]) => (
        <li key={key}>
          <span className={`${className} seat-swatch`} aria-hidden="true" />
          {t(key)}
        </li>
      ))}
    </ul>
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
