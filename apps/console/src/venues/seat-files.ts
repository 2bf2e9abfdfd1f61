/**
 * The seat map's files, pure: the server's CSV (`section,row,seat,x,y,accessible,capacity`, one
 * line per seat and one per standing area) written and read, and a JSON map's shape checked, for
 * the editor's export and import (services/ticketing/docs/catalogue.md). The server checks every
 * rule again when the map is saved; these only make sure the editor can draw what it reads.
 */
import type { SeatJson, SeatMapJson } from './seat-model.ts';

/** Positions are written with at most this many decimals (the server reads up to 6). */
const positionDecimals = 3;

const round = (value: number) => {
  const scale = 10 ** positionDecimals;
  return Math.round(value * scale) / scale || 0;
};

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
