/**
 * The seat-map editor's model, pure (no React, no DOM), so the benchmark can time it in Node and
 * the unit tests can pin it: the organizer draws **blocks** (a section's rectangle of rows and
 * seats, bent or staggered) and standing **areas**; this turns them into the seat map the
 * ticketing server takes (PUT /v1/venues/{id}/seat-map, services/ticketing/docs/catalogue.md),
 * as JSON or CSV, and turns a map the server or a file holds back into blocks.
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
    const x = all.length ? Math.min(...all.map((seat) => seat.x)) : 0;
    const y = all.length ? Math.min(...all.map((seat) => seat.y)) : bottom;
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
    const lowest = all.length ? Math.max(...all.map((seat) => seat.y)) : bottom;
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

/** The CSV columns the server reads, in this order. */
export const csvHeader = 'section,row,seat,x,y,accessible,capacity';

function csvField(value: string): string {
  return /[",\r\n]/.test(value) || value !== value.trim()
    ? `"${value.replaceAll('"', '""')}"`
    : value;
}

/** The map as the server's CSV: one line per seat, then one per standing area. */
export function toSeatMapCsv(map: SeatMapJson): string {
  const lines = [csvHeader];
  for (const section of map.sections) {
    for (const row of section.rows) {
      for (const seat of row.seats) {
        lines.push(
          [
            csvField(section.name),
            csvField(row.label),
            csvField(seat.number),
            seat.x === null || seat.x === undefined ? '' : String(round(seat.x)),
            seat.y === null || seat.y === undefined ? '' : String(round(seat.y)),
            seat.accessible ? 'yes' : '',
            '',
          ].join(','),
        );
      }
    }
  }
  for (const area of map.areas) lines.push(`${csvField(area.name)},,,,,,${area.capacity}`);
  return `${lines.join('\n')}\n`;
}

/** A file the editor cannot read: the message names the line or field. */
export class SeatFileError extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(line === undefined ? message : `line ${line}: ${message}`);
    this.name = 'SeatFileError';
  }
}

function splitCsvLine(text: string, line: number): string[] {
  const fields: string[] = [];
  let at = 0;
  for (;;) {
    if (text[at] === '"') {
      let value = '';
      at += 1;
      for (;;) {
        const quote = text.indexOf('"', at);
        if (quote < 0) throw new SeatFileError('a quoted field is not closed', line);
        value += text.slice(at, quote);
        if (text[quote + 1] === '"') {
          value += '"';
          at = quote + 2;
        } else {
          at = quote + 1;
          break;
        }
      }
      fields.push(value);
      if (at === text.length) return fields;
      if (text[at] !== ',') throw new SeatFileError('unexpected text after a quoted field', line);
      at += 1;
    } else {
      const comma = text.indexOf(',', at);
      if (comma < 0) {
        fields.push(text.slice(at));
        return fields;
      }
      fields.push(text.slice(at, comma));
      at = comma + 1;
    }
  }
}

const csvColumns = ['section', 'row', 'seat', 'x', 'y', 'accessible', 'capacity'] as const;
type CsvColumn = (typeof csvColumns)[number];

function csvPosition(text: string, what: string, line: number): number | null {
  if (text === '') return null;
  const value = Number(text);
  if (!Number.isFinite(value)) throw new SeatFileError(`${what} "${text}" is not a number`, line);
  return value;
}

function csvHeaderOf(fields: string[], line: number): Map<CsvColumn, number> {
  const header = new Map<CsvColumn, number>();
  for (const [position, name] of fields.entries()) {
    const column = name.toLowerCase() as CsvColumn;
    if (!csvColumns.includes(column)) {
      throw new SeatFileError(`unknown column "${name}"; use ${csvHeader}`, line);
    }
    header.set(column, position);
  }
  for (const required of ['section', 'row', 'seat'] as const) {
    if (!header.has(required)) throw new SeatFileError(`the header lacks "${required}"`, line);
  }
  return header;
}

/**
 * Reads the server's CSV (the same columns, quoting and area lines; the server checks the rest
 * again when the map is saved). Rows keep the order they first appear in.
 */
export function parseSeatMapCsv(text: string): SeatMapJson {
  const sections = new Map<string, Map<string, SeatJson[]>>();
  const areas: SeatMapJson['areas'] = [];
  let header: Map<CsvColumn, number> | undefined;
  text
    .replace(/^\uFEFF/, '')
    .split(/\r\n|\n|\r/)
    .forEach((raw, index) => {
      const line = index + 1;
      if (raw.trim() === '') return;
      const fields = splitCsvLine(raw, line).map((field) => field.trim());
      if (!header) {
        header = csvHeaderOf(fields, line);
        return;
      }
      const columns = header;
      if (fields.length !== columns.size) {
        throw new SeatFileError(`expected ${columns.size} fields, found ${fields.length}`, line);
      }
      const field = (name: CsvColumn) => fields[columns.get(name) ?? -1] ?? '';
      const section = field('section');
      if (section === '') throw new SeatFileError('the section is empty', line);
      if (field('row') === '' && field('seat') === '' && field('capacity') !== '') {
        const capacity = Number(field('capacity'));
        if (!Number.isInteger(capacity) || capacity < 1) {
          throw new SeatFileError(`capacity "${field('capacity')}" is not a whole number`, line);
        }
        areas.push({ name: section, capacity });
        return;
      }
      if (field('row') === '' || field('seat') === '') {
        throw new SeatFileError('a seat line needs a row and a seat', line);
      }
      let rows = sections.get(section);
      if (!rows) {
        rows = new Map();
        sections.set(section, rows);
      }
      let row = rows.get(field('row'));
      if (!row) {
        row = [];
        rows.set(field('row'), row);
      }
      const accessible = field('accessible').toLowerCase();
      if (!['', '0', '1', 'true', 'false', 'yes', 'no'].includes(accessible)) {
        throw new SeatFileError(`accessible "${field('accessible')}" must be yes or no`, line);
      }
      row.push({
        number: field('seat'),
        x: csvPosition(field('x'), 'x', line),
        y: csvPosition(field('y'), 'y', line),
        accessible: ['1', 'true', 'yes'].includes(accessible),
      });
    });
  if (!header) throw new SeatFileError(`the file is empty; start with the header ${csvHeader}`);
  return {
    sections: [...sections].map(([name, rows]) => ({
      name,
      rows: [...rows].map(([label, seats]) => ({ label, seats })),
    })),
    areas,
  };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function arrayAt(value: unknown, where: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new SeatFileError(`${where} must be a list`);
  return value;
}

function textAt(value: unknown, where: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new SeatFileError(`${where} must be a non-empty text`);
  }
  return value;
}

function positionAt(value: unknown, where: string): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new SeatFileError(`${where} must be a number`);
  }
  return value;
}

/** Checks the shape of a JSON seat map (the server's, or one it returned with seat ids). */
export function parseSeatMapJson(text: string): SeatMapJson {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SeatFileError(`not JSON: ${(error as Error).message}`);
  }
  if (!isRecord(value)) throw new SeatFileError('the file must hold an object with "sections"');
  const sections = arrayAt(value.sections, 'sections').map((section, i) => {
    if (!isRecord(section)) throw new SeatFileError(`sections[${i}] must be an object`);
    const name = textAt(section.name, `sections[${i}].name`);
    return {
      name,
      rows: arrayAt(section.rows, `${name}.rows`).map((row, r) => {
        if (!isRecord(row)) throw new SeatFileError(`${name}.rows[${r}] must be an object`);
        const label = textAt(row.label, `${name}.rows[${r}].label`);
        return {
          label,
          seats: arrayAt(row.seats, `${name}/${label}.seats`).map((seat, s) => {
            const where = `${name}/${label}.seats[${s}]`;
            if (!isRecord(seat)) throw new SeatFileError(`${where} must be an object`);
            const number = typeof seat.number === 'number' ? String(seat.number) : seat.number;
            return {
              number: textAt(number, `${where}.number`),
              x: positionAt(seat.x, `${where}.x`),
              y: positionAt(seat.y, `${where}.y`),
              accessible: seat.accessible === true,
            };
          }),
        };
      }),
    };
  });
  const areas = arrayAt(value.areas, 'areas').map((area, i) => {
    if (!isRecord(area)) throw new SeatFileError(`areas[${i}] must be an object`);
    const capacity = area.capacity;
    if (typeof capacity !== 'number' || !Number.isInteger(capacity) || capacity < 1) {
      throw new SeatFileError(`areas[${i}].capacity must be a whole number`);
    }
    return { name: textAt(area.name, `areas[${i}].name`), capacity };
  });
  return { sections, areas };
}

/** A file's text as a map: JSON when it starts with "{", else the server's CSV. */
export function parseSeatMapFile(text: string): SeatMapJson {
  return text.trimStart().startsWith('{') ? parseSeatMapJson(text) : parseSeatMapCsv(text);
}

/** A new block under everything drawn so far, so it never lands on another one. */
export function newGridBlock(
  id: string,
  section: string,
  blocks: readonly Block[],
  size: { rows: number; seatsPerRow: number } = { rows: 5, seatsPerRow: 10 },
): GridBlock {
  const seats = allSeats(blocks);
  const y = seats.length ? Math.ceil(Math.max(...seats.map((seat) => seat.y)) + 1 + sectionGap) : 0;
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
