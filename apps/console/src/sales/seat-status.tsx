/**
 * The performance's seats coloured by status (free, held, sold, blocked), from the staff view of
 * its availability. Where the venue's seat map placed a seat (x, y) it is drawn there; a seat
 * without a position is drawn by its row and its place in the row, sections one under another.
 */
import { useMemo } from 'react';
import { type MessageKey, useI18n } from '../i18n.ts';
import { type MapLabel, type MapSeat, SeatMapView } from '../ui/seat-map.tsx';
import { type Availability, useSeatStatus } from './api.ts';

type SeatRows = NonNullable<Availability['seats']>['rows'];

/** Colours that stay apart for most colour-blind people (Okabe–Ito), and their words. */
export const seatStatuses = {
  a: { colour: '#009E73', label: 'sales.seatFree' },
  h: { colour: '#E69F00', label: 'sales.seatHeld' },
  s: { colour: '#0072B2', label: 'sales.seatSold' },
  b: { colour: '#999999', label: 'sales.seatBlocked' },
} as const satisfies Record<string, { colour: string; label: MessageKey }>;

type StatusLetter = keyof typeof seatStatuses;

const letterOf = (letter: string): StatusLetter =>
  letter in seatStatuses ? (letter as StatusLetter) : 'b';

/** Gap between sections drawn without positions, in seat units. */
const sectionGapRows = 2;

export function placedSeats(
  rows: SeatRows,
  label: (status: StatusLetter, section: string, row: string, number: string) => string,
) {
  const seats: MapSeat[] = [];
  const labels: MapLabel[] = [];
  let line = 0;
  let section: string | undefined;
  for (const row of rows) {
    if (section !== undefined && row.section !== section) line += sectionGapRows;
    section = row.section;
    row.ids.forEach((id, index) => {
      const status = letterOf(row.status[index] ?? 'b');
      const number = row.numbers[index] ?? '';
      seats.push({
        key: id,
        x: row.x[index] ?? index,
        y: row.y[index] ?? line,
        label: label(status, row.section, row.row, number),
        colour: seatStatuses[status].colour,
        accessible: row.accessible.includes(index),
      });
    });
    const firstX = row.x[0];
    const firstY = row.y[0];
    labels.push({
      x: (firstX ?? 0) - 0.3,
      y: firstY ?? line,
      // The row alone: a section's name would run off the map's left edge (seats say it).
      text: row.row,
    });
    line += 1;
  }
  return { seats, labels };
}

export function SeatStatusMap(props: { eventId: string; performanceId: string; venue: string }) {
  const { t, fmt } = useI18n();
  const query = useSeatStatus(props.eventId, props.performanceId);
  const rows = query.data?.seats?.rows;
  const drawn = useMemo(
    () =>
      rows
        ? placedSeats(rows, (status, section, row, number) =>
            t('sales.seatLabel', { section, row, number, status: t(seatStatuses[status].label) }),
          )
        : undefined,
    [rows, t],
  );
  if (!drawn || drawn.seats.length === 0) return null;
  const counts = new Map<string, number>();
  for (const row of rows ?? []) {
    for (const letter of row.status) counts.set(letter, (counts.get(letter) ?? 0) + 1);
  }
  return (
    <section aria-labelledby="sales-seat-map">
      <h2 id="sales-seat-map">{t('sales.seatMap')}</h2>
      <SeatMapView
        label={t('sales.seatMapOf', { venue: props.venue })}
        seats={drawn.seats}
        labels={drawn.labels}
        legend={Object.entries(seatStatuses).map(([letter, entry]) => ({
          colour: entry.colour,
          label: `${t(entry.label)} (${fmt.count(counts.get(letter) ?? 0)})`,
        }))}
      />
    </section>
  );
}
