/**
 * The seat-map editor's model, pure (no React, no DOM), so the benchmark can time it in Node and
 * the unit tests can pin it: the organizer draws **blocks** (a section's rectangle of rows and
 * seats, bent or staggered) and standing **areas**; this turns them into the seat map the
 * ticketing server takes (PUT /v1/venues/{id}/seat-map, services/ticketing/docs/catalogue.md),
 * as JSON (seat-files.ts writes and reads the CSV), and turns a map the server or a file holds
 * back into blocks.
 *
 * Order is meaning at the server: a row's seats are listed in the order they stand, so "seats
 * together" are neighbours. A block lists each row's seats left to right on the map, whatever
 * way they are numbered.
 */

/** A block of R rows × S seats whose positions are computed from a few numbers. */
export interface GridBlock {
  kind: 'grid';
  /** Unique in the editor; part of each seat's key. Never contains "/". */
  id: string;
  section: string;
  /** The top-left seat's position, in map units (one unit per seat). */
  x: number;
  y: number;
  rows: number;
  seatsPerRow: number;
  /** The first row's label: a letter ("A" → B, C, … Z, AA) or a number ("1" → 2, 3). */
  firstRow: string;
  firstSeat: number;
  /** Seat numbers grow left to right, or right to left (the house-left convention). */
  numbering: 'ltr' | 'rtl';
  /**
   * How far, in seat units, a row's ends come forward (up, towards a stage at the top) from its
   * middle: the rows bend into an arc. Negative bends them the other way. Seats keep their
   * left-to-right order because only `y` changes.
   */
  curve: number;
  /** Each row is shifted right by this much more than the one before (a slanted block). */
  rowOffset: number;
  /** Every second row is shifted right by this much (staggered seats see between heads). */
  stagger: number;
  /** Seats removed from the rectangle, as `row/number`. */
  removed: readonly string[];
  /** Accessible seats, as `row/number`. */
  accessible: readonly string[];
}

/** Seats as a file or the server gave them: kept as they are, and can still be moved. */
export interface SeatsBlock {
  kind: 'seats';
  id: string;
  section: string;
  x: number;
  y: number;
  /** Positions relative to the block's `x, y`. */
  seatRows: readonly {
    label: string;
    seats: readonly { number: string; x: number; y: number }[];
  }[];
  removed: readonly string[];
  accessible: readonly string[];
}

export type Block = GridBlock | SeatsBlock;

export interface StandingArea {
  id: string;
  name: string;
  capacity: number;
}

export interface EditorSeat {
  /** `blockId/row/number`: unique in the editor (labels never contain "/"). */
  key: string;
  blockId: string;
  section: string;
  row: string;
  number: string;
  x: number;
  y: number;
  accessible: boolean;
}

/** The body of PUT /v1/venues/{id}/seat-map. */
export interface SeatMapJson {
  sections: { name: string; rows: { label: string; seats: SeatJson[] }[] }[];
  areas: { name: string; capacity: number }[];
}

export interface SeatJson {
  number: string;
  x?: number | null;
  y?: number | null;
  accessible?: boolean;
}

/** The server's limits (services/ticketing/src/venues/seat-map.ts), checked before sending. */
export const seatMapLimits = {
  seatsMax: 100_000,
  sectionsMax: 1_000,
  areasMax: 100,
  sectionNameCharsMax: 40,
  areaNameCharsMax: 40,
  rowLabelCharsMax: 20,
  seatNumberCharsMax: 20,
  areaCapacityMax: 1_000_000,
} as const;

/** Row pitch in seat units: rows a little further apart than seats, as in a hall. */
export const rowPitch = 1.25;
/** Positions are rounded to this many decimals: enough for drawing, and the CSV allows 6. */
const positionDecimals = 3;

const round = (value: number) => {
  const scale = 10 ** positionDecimals;
  return Math.round(value * scale) / scale || 0;
};

/** The `index`th label after `first`: letters count like spreadsheet columns, numbers by one. */
export function rowLabel(first: string, index: number): string {
  if (/^[0-9]+$/.test(first)) return String(Number(first) + index);
  const upper = first.toUpperCase();
  let value = 0;
  for (const letter of upper) value = value * 26 + (letter.charCodeAt(0) - 64);
  value += index;
  let label = '';
  while (value > 0) {
    const digit = (value - 1) % 26;
    label = String.fromCharCode(65 + digit) + label;
    value = Math.floor((value - 1) / 26);
  }
  return label;
}

/** A row label the blocks accept as the first one: one or two letters, or a whole number. */
export const firstRowPattern = /^([A-Za-z]{1,2}|[0-9]{1,4})$/;

export const seatReference = (row: string, number: string) => `${row}/${number}`;

function gridSeats(block: GridBlock): EditorSeat[] {
  const removed = new Set(block.removed);
  const accessible = new Set(block.accessible);
  const seats: EditorSeat[] = [];
  const half = (block.seatsPerRow - 1) / 2;
  for (let r = 0; r < block.rows; r += 1) {
    const row = rowLabel(block.firstRow, r);
    const shift = r * block.rowOffset + (r % 2 === 1 ? block.stagger : 0);
    for (let s = 0; s < block.seatsPerRow; s += 1) {
      const index = block.numbering === 'ltr' ? s : block.seatsPerRow - 1 - s;
      const number = String(block.firstSeat + index);
      const reference = seatReference(row, number);
      if (removed.has(reference)) continue;
      // A parabola through the row's middle and ends: the ends come forward by `curve`.
      const along = half === 0 ? 0 : (s - half) / half;
      seats.push({
        key: `${block.id}/${reference}`,
        blockId: block.id,
        section: block.section,
        row,
        number,
        x: round(block.x + s + shift),
        y: round(block.y + r * rowPitch - block.curve * along * along),
        accessible: accessible.has(reference),
      });
    }
  }
  return seats;
}

function listedSeats(block: SeatsBlock): EditorSeat[] {
  const removed = new Set(block.removed);
  const accessible = new Set(block.accessible);
  const seats: EditorSeat[] = [];
  for (const row of block.seatRows) {
    for (const seat of row.seats) {
      const reference = seatReference(row.label, seat.number);
      if (removed.has(reference)) continue;
      seats.push({
        key: `${block.id}/${reference}`,
        blockId: block.id,
        section: block.section,
        row: row.label,
        number: seat.number,
        x: round(block.x + seat.x),
        y: round(block.y + seat.y),
        accessible: accessible.has(reference),
      });
    }
  }
  return seats;
}

/**
 * Why a cache keyed by the block object: the editor never changes a block in place, it replaces
 * the one block being edited, so every other block is the same object and its seats come from
 * here without being computed again. Editing one block of a 1,000-seat map recomputes only that
 * block's seats, and the unchanged seat objects let the view skip re-rendering them
 * (ui/seat-map.tsx memoizes each seat). A WeakMap lets replaced blocks be collected.
 */
const seatsCache = new WeakMap<Block, readonly EditorSeat[]>();

/** The seats of one block, left to right in each row; memoized per block object. */
export function blockSeats(block: Block): readonly EditorSeat[] {
  let seats = seatsCache.get(block);
  if (!seats) {
    seats = block.kind === 'grid' ? gridSeats(block) : listedSeats(block);
    seatsCache.set(block, seats);
  }
  return seats;
}

/** Every seat of the map, block by block. */
export function allSeats(blocks: readonly Block[]): EditorSeat[] {
  return blocks.flatMap((block) => blockSeats(block));
}

/**
 * The server's JSON: sections in the order they first appear, each row's seats in the order
 * they stand. Two blocks of one section with the same row label (the two sides of an aisle)
 * make one row, the first block's seats first, as the server keeps one row per label.
 */
export function toSeatMapJson(
  blocks: readonly Block[],
  areas: readonly StandingArea[],
): SeatMapJson {
  const sections = new Map<string, Map<string, SeatJson[]>>();
  for (const seat of allSeats(blocks)) {
    let rows = sections.get(seat.section);
    if (!rows) {
      rows = new Map();
      sections.set(seat.section, rows);
    }
    let row = rows.get(seat.row);
    if (!row) {
      row = [];
      rows.set(seat.row, row);
    }
    row.push({ number: seat.number, x: seat.x, y: seat.y, accessible: seat.accessible });
  }
  return {
    sections: [...sections].map(([name, rows]) => ({
      name,
      rows: [...rows].map(([label, seats]) => ({ label, seats })),
    })),
    areas: areas.map((area) => ({ name: area.name, capacity: area.capacity })),
  };
}

/** Why a map cannot be saved yet, for a message before sending (the server also refuses). */
export type MapProblem =
  | { kind: 'empty' }
  | { kind: 'duplicateSeat'; section: string; row: string; number: string }
  | { kind: 'duplicateArea'; name: string }
  | { kind: 'badName'; name: string }
  | { kind: 'tooManySeats'; max: number }
  | { kind: 'tooManyAreas'; max: number };

// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point (the server does too).
const badCharacters = /[\u0000-\u001f\u007f/]/;

function nameProblem(name: string, max: number): MapProblem | undefined {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > max || badCharacters.test(trimmed)) {
    return { kind: 'badName', name };
  }
  return undefined;
}

/** The first reason the server would refuse these blocks and areas, or undefined. */
export function mapProblem(
  blocks: readonly Block[],
  areas: readonly StandingArea[],
): MapProblem | undefined {
  const seats = allSeats(blocks);
  if (seats.length === 0 && areas.length === 0) return { kind: 'empty' };
  if (seats.length > seatMapLimits.seatsMax) {
    return { kind: 'tooManySeats', max: seatMapLimits.seatsMax };
  }
  if (areas.length > seatMapLimits.areasMax) {
    return { kind: 'tooManyAreas', max: seatMapLimits.areasMax };
  }
  const seen = new Set<string>();
  const checked = new Set<string>();
  for (const seat of seats) {
    for (const [name, max] of [
      [seat.section, seatMapLimits.sectionNameCharsMax],
      [seat.row, seatMapLimits.rowLabelCharsMax],
      [seat.number, seatMapLimits.seatNumberCharsMax],
    ] as const) {
      if (checked.has(name)) continue;
      const problem = nameProblem(name, max);
      if (problem) return problem;
      checked.add(name);
    }
    const key = `${seat.section}\u0000${seat.row}\u0000${seat.number}`;
    if (seen.has(key)) {
      return { kind: 'duplicateSeat', section: seat.section, row: seat.row, number: seat.number };
    }
    seen.add(key);
  }
  const areaNames = new Set<string>();
  for (const area of areas) {
    const problem = nameProblem(area.name, seatMapLimits.areaNameCharsMax);
    if (problem) return problem;
    if (areaNames.has(area.name.trim())) return { kind: 'duplicateArea', name: area.name };
    areaNames.add(area.name.trim());
  }
  return undefined;
}

/** What a save holds: "1,024 seats in 3 sections and 1 standing area". */
export function mapCounts(blocks: readonly Block[], areas: readonly StandingArea[]) {
  const seats = allSeats(blocks);
  return {
    seats: seats.length,
    sections: new Set(seats.map((seat) => seat.section)).size,
    accessible: seats.filter((seat) => seat.accessible).length,
    areas: areas.length,
  };
}

/**
 * The smallest and largest x and y of some seats, by a loop: spreading 100,000 positions into
 * `Math.min(...)` would exceed the engine's argument limit.
 */
export function extent(seats: readonly { x: number; y: number }[]) {
  let left = Number.POSITIVE_INFINITY;
  let top = Number.POSITIVE_INFINITY;
  let right = Number.NEGATIVE_INFINITY;
  let bottom = Number.NEGATIVE_INFINITY;
  for (const seat of seats) {
    if (seat.x < left) left = seat.x;
    if (seat.x > right) right = seat.x;
    if (seat.y < top) top = seat.y;
    if (seat.y > bottom) bottom = seat.y;
  }
  return seats.length ? { left, top, right, bottom } : undefined;
}

/** Space between sections laid out one under the other when a map has no positions. */
const sectionGap = 2;

/**
 * A map from the server (GET /v1/venues/{id}/seat-map) or a file, as blocks: one block of
 * "imported seats" per section, which can be moved and whose seats can be deleted or marked.
 * A section whose seats have no positions (the server allows that) is laid out as rows under
 * the sections before it, one unit per seat.
 */
export function fromSeatMapJson(map: SeatMapJson): { blocks: SeatsBlock[]; areas: StandingArea[] } {
  const blocks: SeatsBlock[] = [];
  let bottom = 0;
  map.sections.forEach((section, sectionIndex) => {
    const positioned = section.rows.every((row) =>
      row.seats.every((seat) => typeof seat.x === 'number' && typeof seat.y === 'number'),
    );
    const placed = section.rows.map((row, r) => ({
      label: row.label,
      seats: row.seats.map((seat, s) => ({
        number: seat.number,
        x: positioned ? (seat.x as number) : s,
        y: positioned ? (seat.y as number) : bottom + r * rowPitch,
      })),
    }));
    const all = placed.flatMap((row) => row.seats);
    const box = extent(all);
    const x = box?.left ?? 0;
    const y = box?.top ?? bottom;
    blocks.push({
      kind: 'seats',
      id: `s${sectionIndex + 1}`,
      section: section.name,
      x,
      y,
      seatRows: placed.map((row) => ({
        label: row.label,
        seats: row.seats.map((seat) => ({
          number: seat.number,
          x: round(seat.x - x),
          y: round(seat.y - y),
        })),
      })),
      removed: [],
      accessible: section.rows.flatMap((row) =>
        row.seats
          .filter((seat) => seat.accessible === true)
          .map((seat) => seatReference(row.label, seat.number)),
      ),
    });
    const lowest = box?.bottom ?? bottom;
    bottom = Math.max(bottom, lowest + 1 + sectionGap);
  });
  return {
    blocks,
    areas: map.areas.map((area, index) => ({
      id: `a${index + 1}`,
      name: area.name,
      capacity: area.capacity,
    })),
  };
}

/** A new block under everything drawn so far, so it never lands on another one. */
export function newGridBlock(
  id: string,
  section: string,
  blocks: readonly Block[],
  size: { rows: number; seatsPerRow: number } = { rows: 5, seatsPerRow: 10 },
): GridBlock {
  const seats = allSeats(blocks);
  const box = extent(seats);
  const y = box ? Math.ceil(box.bottom + 1 + sectionGap) : 0;
  return {
    kind: 'grid',
    id,
    section,
    x: 0,
    y,
    rows: size.rows,
    seatsPerRow: size.seatsPerRow,
    firstRow: 'A',
    firstSeat: 1,
    numbering: 'ltr',
    curve: 0,
    rowOffset: 0,
    stagger: 0,
    removed: [],
    accessible: [],
  };
}
