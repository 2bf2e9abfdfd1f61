/**
 * A seat map drawn in SVG, shared by the venue editor, the event's category assignment and the
 * sales screen (seats coloured by status). The features say where each seat is and its colour;
 * this draws them, the row labels, the standing areas and a legend, and reports clicks.
 *
 * Why SVG with one element per seat, and why it stays responsive at a thousand seats and well
 * beyond: the browser lays out and hit-tests SVG natively, so there is no drawing loop of ours;
 * the seats are memoized, so a change re-renders only the seats whose colour or position changed
 * (React compares the props of each `<Seat>`); one click listener on the `<svg>` finds the seat
 * from `data-seat`, instead of a listener per seat; and the view is scaled by its `viewBox`, so
 * zooming costs no re-render at all. Ten thousand rects is well within what Chromium and Safari
 * draw at 60 frames a second (the console benchmark measures a 1,000-seat map's render).
 */
import { type MouseEvent, memo, type PointerEvent } from 'react';

/** One seat where the feature wants it, in map units (a seat is 1 unit wide). */
export interface MapSeat {
  /** Unique in the map; what a click reports. */
  key: string;
  x: number;
  y: number;
  /** What a screen reader and a tooltip say: "Section A, row 3, seat 12". */
  label: string;
  colour: string;
  accessible?: boolean;
  selected?: boolean;
}

export interface MapLabel {
  x: number;
  y: number;
  text: string;
}

export interface MapArea {
  key: string;
  x: number;
  y: number;
  width: number;
  height: number;
  label: string;
  colour: string;
}

export interface LegendEntry {
  colour: string;
  label: string;
}

const seatSize = 0.8;
const margin = 1.5;

export function SeatMapView(props: {
  /** The map's accessible name: "Seat map of Seoul Arts Center". */
  label: string;
  seats: readonly MapSeat[];
  labels?: readonly MapLabel[];
  areas?: readonly MapArea[];
  legend?: readonly LegendEntry[];
  onSeatClick?(key: string, event: MouseEvent): void;
  /** A press on a seat, where a drag may start (the venue editor moves the seat's block). */
  onSeatPointerDown?(key: string, event: PointerEvent<SVGSVGElement>): void;
}) {
  const { seats, labels = [], areas = [] } = props;
  const xs = [...seats.map((s) => s.x), ...labels.map((l) => l.x), ...areas.map((a) => a.x)];
  const ys = [...seats.map((s) => s.y), ...labels.map((l) => l.y), ...areas.map((a) => a.y)];
  const right = Math.max(0, ...seats.map((s) => s.x + 1), ...areas.map((a) => a.x + a.width));
  const bottom = Math.max(0, ...seats.map((s) => s.y + 1), ...areas.map((a) => a.y + a.height));
  const left = Math.min(0, ...xs) - margin;
  const top = Math.min(0, ...ys) - margin;
  const width = right - left + margin;
  const height = bottom - top + margin;
  const click = (event: MouseEvent<SVGSVGElement>) => {
    const key = (event.target as Element).closest('[data-seat]')?.getAttribute('data-seat');
    if (key && props.onSeatClick) props.onSeatClick(key, event);
  };
  const pointerDown = (event: PointerEvent<SVGSVGElement>) => {
    const key = (event.target as Element).closest('[data-seat]')?.getAttribute('data-seat');
    if (key && props.onSeatPointerDown) props.onSeatPointerDown(key, event);
  };
  return (
    <figure className="seat-map">
      {/* biome-ignore lint/a11y/useKeyWithClickEvents: the features offer the same choices as forms beside the map (rows, blocks), for the keyboard */}
      <svg
        role="img"
        aria-label={props.label}
        viewBox={`${left} ${top} ${width} ${height}`}
        preserveAspectRatio="xMidYMin meet"
        onClick={props.onSeatClick ? click : undefined}
        onPointerDown={props.onSeatPointerDown ? pointerDown : undefined}
      >
        {areas.map((area) => (
          <g key={area.key} className="area">
            <rect
              x={area.x}
              y={area.y}
              width={area.width}
              height={area.height}
              rx={0.4}
              fill={area.colour}
            />
            <text x={area.x + area.width / 2} y={area.y + area.height / 2} textAnchor="middle">
              {area.label}
            </text>
          </g>
        ))}
        {labels.map((label) => (
          <text
            key={`${label.x},${label.y},${label.text}`}
            className="row-label"
            x={label.x}
            y={label.y + 0.65}
            textAnchor="end"
          >
            {label.text}
          </text>
        ))}
        {seats.map((seat) => (
          <Seat key={seat.key} seat={seat} />
        ))}
      </svg>
      {props.legend?.length ? (
        <figcaption className="legend">
          {props.legend.map((entry) => (
            <span key={entry.label}>
              <i style={{ background: entry.colour }} aria-hidden="true" />
              {entry.label}
            </span>
          ))}
        </figcaption>
      ) : null}
    </figure>
  );
}

const Seat = memo(function Seat(props: { seat: MapSeat }) {
  const { seat } = props;
  return (
    <rect
      data-seat={seat.key}
      aria-label={seat.label}
      className={seat.selected ? 'seat selected' : 'seat'}
      x={seat.x + (1 - seatSize) / 2}
      y={seat.y + (1 - seatSize) / 2}
      width={seatSize}
      height={seatSize}
      rx={seat.accessible ? 0.4 : 0.15}
      fill={seat.colour}
    >
      <title>{seat.label}</title>
    </rect>
  );
});
