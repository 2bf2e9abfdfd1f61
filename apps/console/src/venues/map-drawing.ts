/**
 * What the editor hands to the shared seat-map view (ui/seat-map.tsx): each seat coloured by
 * its section, the row labels and the standing areas as rectangles under the seats. The view
 * re-renders a seat only when its props object changes, so the objects here are cached: a seat
 * whose block, colour and selection did not change keeps the very same object.
 */
import type { LegendEntry, MapArea, MapLabel, MapSeat } from '../ui/seat-map.tsx';
import {
  type Block,
  blockSeats,
  type EditorSeat,
  extent,
  type StandingArea,
} from './seat-model.ts';

/** Distinct colours for sections, in order; they repeat after the last. */
export const sectionColours = [
  '#4f7cac',
  '#c0504d',
  '#9bbb59',
  '#8064a2',
  '#4bacc6',
  '#f79646',
  '#2c4d75',
  '#a5a5a5',
] as const;
export const areaColour = '#d9c89e';

export type SeatLabel = (seat: EditorSeat) => string;

const drawn = new WeakMap<EditorSeat, MapSeat>();

function mapSeat(seat: EditorSeat, colour: string, selected: boolean, label: SeatLabel) {
  const cached = drawn.get(seat);
  const text = label(seat);
  if (
    cached &&
    cached.colour === colour &&
    cached.label === text &&
    Boolean(cached.selected) === selected
  ) {
    return cached;
  }
  const next: MapSeat = {
    key: seat.key,
    x: seat.x,
    y: seat.y,
    label: text,
    colour,
    accessible: seat.accessible,
    selected,
  };
  drawn.set(seat, next);
  return next;
}

/** Each section's colour, by the order sections first appear. */
export function colourOfSections(blocks: readonly Block[]): Map<string, string> {
  const colours = new Map<string, string>();
  for (const block of blocks) {
    if (!colours.has(block.section)) {
      colours.set(block.section, sectionColours[colours.size % sectionColours.length] as string);
    }
  }
  return colours;
}

export function drawSeats(
  blocks: readonly Block[],
  colours: Map<string, string>,
  selected: ReadonlySet<string>,
  label: SeatLabel,
): MapSeat[] {
  return blocks.flatMap((block) => {
    const colour = colours.get(block.section) ?? (sectionColours[0] as string);
    return blockSeats(block).map((seat) => mapSeat(seat, colour, selected.has(seat.key), label));
  });
}

/** One label left of each row's first seat. */
export function drawRowLabels(blocks: readonly Block[]): MapLabel[] {
  return blocks.flatMap((block) => {
    const first = new Map<string, EditorSeat>();
    for (const seat of blockSeats(block)) {
      const known = first.get(seat.row);
      if (!known || seat.x < known.x) first.set(seat.row, seat);
    }
    return [...first.values()].map((seat) => ({ x: seat.x - 0.15, y: seat.y, text: seat.row }));
  });
}

/** Areas have no position at the server: the editor lays them out side by side under the seats. */
const areaWidthMin = 8;
/** About the width of one character of the area's label, in map units (its font is 1 unit). */
const labelCharWidth = 0.6;
const areaHeight = 4;
const areaGap = 1;

export function drawAreas(
  seats: readonly MapSeat[],
  areas: readonly StandingArea[],
  label: (area: StandingArea) => string,
): MapArea[] {
  const box = extent(seats);
  const left = box?.left ?? 0;
  const top = box ? box.bottom + 1 + 2 * areaGap : 0;
  let x = left;
  return areas.map((area) => {
    const text = label(area);
    const width = Math.max(areaWidthMin, Math.ceil(text.length * labelCharWidth) + 2);
    const drawn = {
      key: area.id,
      x,
      y: top,
      width,
      height: areaHeight,
      label: text,
      colour: areaColour,
    };
    x += width + areaGap;
    return drawn;
  });
}

export function legendOf(colours: Map<string, string>, areaLabel?: string): LegendEntry[] {
  const entries = [...colours].map(([section, colour]) => ({ colour, label: section }));
  return areaLabel ? [...entries, { colour: areaColour, label: areaLabel }] : entries;
}
