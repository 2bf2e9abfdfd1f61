/**
 * Seat maps: a venue's numbered seats (section, row, seat, optional position and accessibility)
 * and its general-admission areas (a name and a capacity), read from JSON or CSV. This module is
 * pure: it checks and normalises, the catalogue stores.
 *
 * Order carries meaning. A row's place in the file gives its `rowIndex` (counted across the
 * whole map, so it orders rows within a section and sections by their first row) and a seat's
 * place in its row gives its `seatIndex`; "seats together" are consecutive seat indexes in one
 * row, so a file lists each row's seats in the order they stand.
 */
import { badRequest } from '@tessera/service-kit/errors';
import { normalizeText, textProblem } from '@tessera/service-kit/text';

/** Seats in one map at most: a large stadium, and what one request body can carry. */
export const seatMapSeatsMax = 100_000;
export const seatMapAreasMax = 100;
export const seatMapSectionsMax = 1_000;
export const sectionNameCharsMax = 40;
export const areaNameCharsMax = 40;
export const rowLabelCharsMax = 20;
export const seatNumberCharsMax = 20;
export const areaCapacityMax = 1_000_000;
/** Positions are drawing coordinates in any unit the organizer likes, within a sane range. */
const coordinateAbsMax = 1_000_000;

export interface SeatInput {
  number: string;
  x?: number | null;
  y?: number | null;
  accessible?: boolean;
}

export interface SeatMapInput {
  sections?: { name: string; rows: { label: string; seats: SeatInput[] }[] }[];
  areas?: { name: string; capacity: number }[];
}

export interface PlacedSeat {
  section: string;
  row: string;
  number: string;
  rowIndex: number;
  seatIndex: number;
  x: number | null;
  y: number | null;
  accessible: boolean;
}

export interface AreaSpec {
  name: string;
  capacity: number;
}

export interface SeatMap {
  seats: PlacedSeat[];
  areas: AreaSpec[];
}

/** The reference a category uses for one seat: `Section/Row/Number`. */
export const seatReference = (seat: { section: string; row: string; number: string }) =>
  `${seat.section}/${seat.row}/${seat.number}`;

function invalid(message: string, line?: number): never {
  throw badRequest(
    'invalid_seat_map',
    line === undefined ? message : `line ${line}: ${message}`,
    line === undefined ? undefined : { line },
  );
}

/**
 * A label is trimmed, in NFC, non-empty, bounded, single-line text (no control, line break,
 * bidirectional control or lone surrogate: service-kit/text.ts) and free of `/` (the separator
 * of seat references). CSV cells arrive here unchecked but for the file as a whole.
 */
function label(value: string, what: string, max: number, line?: number): string {
  const problem = textProblem(value, 'single-line');
  if (problem) invalid(`${what} ${JSON.stringify(value.slice(0, 30))} contains ${problem}`, line);
  const text = normalizeText(value.trim());
  if (text.length === 0) invalid(`${what} is empty`, line);
  if (text.length > max) invalid(`${what} "${text.slice(0, 30)}…" is longer than ${max}`, line);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
  if (/[\u0000-\u001f\u007f/]/.test(text)) {
    invalid(`${what} "${text}" contains "/" or a control character`, line);
  }
  return text;
}

function coordinate(value: number | null | undefined, what: string, line?: number) {
  if (value === null || value === undefined) return null;
  if (!Number.isFinite(value) || Math.abs(value) > coordinateAbsMax) {
    invalid(`${what} must be a number within ±${coordinateAbsMax}`, line);
  }
  return value;
}

function capacity(value: number, name: string, line?: number) {
  if (!Number.isInteger(value) || value < 1 || value > areaCapacityMax) {
    invalid(`area "${name}" capacity must be an integer in 1..${areaCapacityMax}`, line);
  }
  return value;
}

/** Collects seats and areas in file order and refuses duplicates and oversize maps. */
class Builder {
  readonly seats: PlacedSeat[] = [];
  readonly areas: AreaSpec[] = [];
  private readonly rows = new Map<string, { index: number; seats: number; line?: number }>();
  private readonly seatLines = new Map<string, number | undefined>();
  private readonly areaNames = new Set<string>();
  private readonly sections = new Set<string>();

  addSeat(
    section: string,
    row: string,
    seat: Omit<PlacedSeat, 'section' | 'row' | 'rowIndex' | 'seatIndex'>,
    line?: number,
  ) {
    const key = `${section}\u0000${row}\u0000${seat.number}`;
    if (this.seatLines.has(key)) {
      const first = this.seatLines.get(key);
      invalid(
        `seat ${seatReference({ section, row, number: seat.number })} appears twice${first === undefined ? '' : ` (first on line ${first})`}`,
        line,
      );
    }
    if (this.seats.length >= seatMapSeatsMax) invalid(`more than ${seatMapSeatsMax} seats`, line);
    this.sections.add(section);
    if (this.sections.size > seatMapSectionsMax) {
      invalid(`more than ${seatMapSectionsMax} sections`, line);
    }
    const rowKey = `${section}\u0000${row}`;
    let placed = this.rows.get(rowKey);
    if (!placed) {
      placed = { index: this.rows.size, seats: 0 };
      this.rows.set(rowKey, placed);
    }
    this.seatLines.set(key, line);
    this.seats.push({ section, row, ...seat, rowIndex: placed.index, seatIndex: placed.seats });
    placed.seats += 1;
  }

  hasRow(section: string, row: string) {
    return this.rows.has(`${section}\u0000${row}`);
  }

  hasSection(section: string) {
    return this.sections.has(section);
  }

  addArea(name: string, size: number, line?: number) {
    if (this.areaNames.has(name)) invalid(`area "${name}" appears twice`, line);
    if (this.areas.length >= seatMapAreasMax) invalid(`more than ${seatMapAreasMax} areas`, line);
    this.areaNames.add(name);
    this.areas.push({ name, capacity: capacity(size, name, line) });
  }

  finish(): SeatMap {
    if (this.seats.length === 0 && this.areas.length === 0) {
      invalid('the seat map has neither seats nor areas');
    }
    return { seats: this.seats, areas: this.areas };
  }
}

/** Checks a JSON seat map (its shape already validated by the route schema). */
export function seatMapFromJson(input: SeatMapInput): SeatMap {
  const builder = new Builder();
  for (const section of input.sections ?? []) {
    const name = label(section.name, 'section name', sectionNameCharsMax);
    if (builder.hasSection(name)) invalid(`section "${name}" appears twice`);
    if (section.rows.length === 0) invalid(`section "${name}" has no rows`);
    for (const row of section.rows) {
      const rowLabel = label(row.label, `row label in section "${name}"`, rowLabelCharsMax);
      if (builder.hasRow(name, rowLabel)) invalid(`row "${rowLabel}" of "${name}" appears twice`);
      if (row.seats.length === 0) invalid(`row "${rowLabel}" of "${name}" has no seats`);
      for (const seat of row.seats) {
        const where = `${name}/${rowLabel}`;
        builder.addSeat(name, rowLabel, {
          number: label(seat.number, `seat number in ${where}`, seatNumberCharsMax),
          x: coordinate(seat.x, `x of ${where}/${seat.number}`),
          y: coordinate(seat.y, `y of ${where}/${seat.number}`),
          accessible: seat.accessible === true,
        });
      }
    }
  }
  for (const area of input.areas ?? []) {
    builder.addArea(label(area.name, 'area name', areaNameCharsMax), area.capacity);
  }
  return builder.finish();
}

const csvColumns = ['section', 'row', 'seat', 'x', 'y', 'accessible', 'capacity'] as const;
type CsvColumn = (typeof csvColumns)[number];

/** One CSV line's fields: comma separated, optionally double-quoted with `""` for a quote. */
export function splitCsvLine(text: string, line: number): string[] {
  const fields: string[] = [];
  let at = 0;
  for (;;) {
    if (text[at] === '"') {
      let value = '';
      at += 1;
      for (;;) {
        const quote = text.indexOf('"', at);
        if (quote < 0) invalid('a quoted field is not closed', line);
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
      if (text[at] !== ',') invalid('unexpected text after a quoted field', line);
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

function csvNumber(text: string, what: string, line: number): number | null {
  if (text === '') return null;
  if (!/^-?[0-9]{1,7}(\.[0-9]{1,6})?$/.test(text))
    invalid(`${what} "${text}" is not a number`, line);
  return coordinate(Number(text), what, line);
}

function csvBoolean(text: string, line: number): boolean {
  const value = text.toLowerCase();
  if (value === '' || value === '0' || value === 'false' || value === 'no') return false;
  if (value === '1' || value === 'true' || value === 'yes') return true;
  return invalid(`accessible "${text}" must be true/false, yes/no or 1/0`, line);
}

/**
 * Reads a CSV seat map. The first non-blank line is the header: `section,row,seat` are required,
 * `x`, `y`, `accessible` and `capacity` optional, in any order. A line with a row and a seat is
 * a seat; a line with only a section and a capacity is a general-admission area of that name.
 * Line numbers in errors count from 1, the header included.
 */
export function seatMapFromCsv(text: string): SeatMap {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  let header: Map<CsvColumn, number> | undefined;
  const builder = new Builder();
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    const fields = splitCsvLine(raw, line).map((field) => field.trim());
    if (!header) {
      header = new Map();
      for (const [position, name] of fields.entries()) {
        const column = name.toLowerCase() as CsvColumn;
        if (!csvColumns.includes(column)) {
          invalid(`unknown column "${name}"; use ${csvColumns.join(', ')}`, line);
        }
        if (header.has(column)) invalid(`column "${name}" appears twice`, line);
        header.set(column, position);
      }
      for (const required of ['section', 'row', 'seat'] as const) {
        if (!header.has(required)) invalid(`the header lacks the "${required}" column`, line);
      }
      return;
    }
    const columns = header;
    if (fields.length !== columns.size) {
      invalid(`expected ${columns.size} fields, found ${fields.length}`, line);
    }
    const field = (name: CsvColumn) => {
      const position = columns.get(name);
      return position === undefined ? '' : (fields[position] ?? '');
    };
    const section = label(field('section'), 'section', sectionNameCharsMax, line);
    if (field('row') === '' && field('seat') === '' && field('capacity') !== '') {
      if (!/^[0-9]{1,7}$/.test(field('capacity'))) {
        invalid(`capacity "${field('capacity')}" is not a whole number`, line);
      }
      builder.addArea(section, Number(field('capacity')), line);
      return;
    }
    if (field('capacity') !== '') {
      invalid('a seat line has no capacity; an area line has no row and seat', line);
    }
    const row = label(field('row'), 'row', rowLabelCharsMax, line);
    builder.addSeat(
      section,
      row,
      {
        number: label(field('seat'), 'seat', seatNumberCharsMax, line),
        x: csvNumber(field('x'), 'x', line),
        y: csvNumber(field('y'), 'y', line),
        accessible: csvBoolean(field('accessible'), line),
      },
      line,
    );
  });
  if (!header) invalid('the CSV is empty; start with a header line such as section,row,seat');
  return builder.finish();
}
