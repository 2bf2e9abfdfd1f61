/**
 * The seat-map editor's model (src/venues/seat-model.ts): blocks become the seats the server
 * takes, in the order they stand, and the server's JSON and CSV come back as the same seats.
 */
import { describe, expect, it } from 'vitest';
import {
  parseSeatMapCsv,
  parseSeatMapFile,
  parseSeatMapJson,
  SeatFileError,
  toSeatMapCsv,
} from '../src/venues/seat-files.ts';
import {
  allSeats,
  type Block,
  blockSeats,
  fromSeatMapJson,
  type GridBlock,
  mapCounts,
  mapProblem,
  newGridBlock,
  rowLabel,
  rowPitch,
  toSeatMapJson,
} from '../src/venues/seat-model.ts';

const grid = (patch: Partial<GridBlock> = {}): GridBlock => ({
  ...newGridBlock('b1', 'Floor', []),
  rows: 3,
  seatsPerRow: 4,
  ...patch,
});

describe('a block of rows and seats', () => {
  it('has rows × seats seats, labelled from the first row and seat', () => {
    const seats = blockSeats(grid({ rows: 25, seatsPerRow: 40, firstRow: 'Y', firstSeat: 101 }));
    expect(seats).toHaveLength(1_000);
    expect(new Set(seats.map((seat) => seat.key)).size).toBe(1_000);
    expect(seats[0]).toMatchObject({ row: 'Y', number: '101', x: 0, y: 0 });
    expect(seats.at(-1)).toMatchObject({ row: 'AW', number: '140', x: 39, y: 24 * rowPitch });
  });

  it('counts row labels like spreadsheet columns, or by number', () => {
    expect([0, 1, 25, 26, 27].map((i) => rowLabel('A', i))).toEqual(['A', 'B', 'Z', 'AA', 'AB']);
    expect([0, 9].map((i) => rowLabel('1', i))).toEqual(['1', '10']);
    expect(rowLabel('c', 2)).toBe('E');
  });

  it('numbers seats left to right or right to left, listing them in the order they stand', () => {
    const ltr = blockSeats(grid({ rows: 1 }));
    const rtl = blockSeats(grid({ rows: 1, numbering: 'rtl' }));
    expect(ltr.map((seat) => seat.number)).toEqual(['1', '2', '3', '4']);
    expect(rtl.map((seat) => seat.number)).toEqual(['4', '3', '2', '1']);
    expect(rtl.map((seat) => seat.x)).toEqual([0, 1, 2, 3]);
  });

  it('bends rows into an arc without changing the seats’ order', () => {
    const seats = blockSeats(grid({ rows: 1, seatsPerRow: 9, curve: 2 }));
    const xs = seats.map((seat) => seat.x);
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
    expect(seats[0]?.y).toBe(-2);
    expect(seats[8]?.y).toBe(-2);
    expect(seats[4]?.y).toBe(0);
    expect(seats[2]?.y).toBeGreaterThan(-2);
    expect(seats[2]?.y).toBeLessThan(0);
  });

  it('shifts rows by the row offset and every second row by the stagger', () => {
    const seats = blockSeats(grid({ rowOffset: 1, stagger: 0.5, x: 10, y: 5 }));
    const firstOf = (row: string) => seats.find((seat) => seat.row === row && seat.number === '1');
    expect(firstOf('A')).toMatchObject({ x: 10, y: 5 });
    expect(firstOf('B')).toMatchObject({ x: 11.5, y: 5 + rowPitch });
    expect(firstOf('C')).toMatchObject({ x: 12, y: 5 + 2 * rowPitch });
  });

  it('leaves out removed seats and marks accessible ones', () => {
    const seats = blockSeats(grid({ removed: ['A/2'], accessible: ['B/3'] }));
    expect(seats).toHaveLength(11);
    expect(seats.some((seat) => seat.row === 'A' && seat.number === '2')).toBe(false);
    expect(seats.filter((seat) => seat.accessible).map((seat) => seat.key)).toEqual(['b1/B/3']);
  });

  it('computes a block once and again only when the block is replaced', () => {
    const block = grid();
    expect(blockSeats(block)).toBe(blockSeats(block));
    expect(blockSeats({ ...block })).not.toBe(blockSeats(block));
  });
});

describe('the map the server takes', () => {
  const blocks: Block[] = [
    grid({ accessible: ['A/1'], removed: ['C/4'] }),
    grid({ id: 'b2', section: 'Balcony', rows: 2, seatsPerRow: 5, curve: 1.5, y: 8 }),
  ];
  const areas = [{ id: 'a1', name: 'Standing', capacity: 300 }];

  it('groups seats by section and row, and says what it holds', () => {
    const map = toSeatMapJson(blocks, areas);
    expect(map.sections.map((section) => section.name)).toEqual(['Floor', 'Balcony']);
    expect(map.sections[0]?.rows.map((row) => row.seats.length)).toEqual([4, 4, 3]);
    expect(map.areas).toEqual([{ name: 'Standing', capacity: 300 }]);
    expect(mapCounts(blocks, areas)).toEqual({ seats: 21, sections: 2, accessible: 1, areas: 1 });
  });

  it('merges two blocks’ rows of one section into one row per label', () => {
    const sides = [grid({ rows: 1 }), grid({ id: 'b2', rows: 1, firstSeat: 5, x: 6 })];
    const map = toSeatMapJson(sides, []);
    expect(map.sections[0]?.rows).toHaveLength(1);
    expect(map.sections[0]?.rows[0]?.seats.map((seat) => seat.number)).toEqual([
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
      '7',
      '8',
    ]);
  });

  it('comes back from its JSON as the same seats', () => {
    const map = toSeatMapJson(blocks, areas);
    const back = fromSeatMapJson(parseSeatMapJson(JSON.stringify(map)));
    expect(toSeatMapJson(back.blocks, back.areas)).toEqual(map);
    expect(allSeats(back.blocks)).toHaveLength(21);
  });

  it('exports a CSV with the server’s header that reads back as the same map', () => {
    const map = toSeatMapJson(blocks, areas);
    const csv = toSeatMapCsv(map);
    expect(csv.split('\n')[0]).toBe('section,row,seat,x,y,accessible,capacity');
    expect(csv).toContain('\nStanding,,,,,,300\n');
    expect(csv).toContain('\nFloor,A,1,0,0,yes,\n');
    expect(parseSeatMapCsv(csv)).toEqual(map);
    expect(parseSeatMapFile(csv)).toEqual(parseSeatMapFile(JSON.stringify(map)));
  });

  it('quotes names with commas and quotes in the CSV', () => {
    const named = [grid({ section: 'Box, "left"', rows: 1, seatsPerRow: 1 })];
    const csv = toSeatMapCsv(toSeatMapJson(named, []));
    expect(csv).toContain('"Box, ""left"""');
    expect(parseSeatMapCsv(csv).sections[0]?.name).toBe('Box, "left"');
  });

  it('lays out a section without positions as rows under the ones before it', () => {
    const map = parseSeatMapCsv('section,row,seat\nFloor,A,1\nFloor,A,2\nFloor,B,1\n');
    const seats = allSeats(fromSeatMapJson(map).blocks);
    expect(seats.map((seat) => [seat.row, seat.number, seat.x, seat.y])).toEqual([
      ['A', '1', 0, 0],
      ['A', '2', 1, 0],
      ['B', '1', 0, rowPitch],
    ]);
  });

  it('reads a map of the server’s largest size, 100,000 seats', () => {
    const rows = Array.from({ length: 100 }, (_, r) => ({
      label: String(r + 1),
      seats: Array.from({ length: 1_000 }, (_, s) => ({ number: String(s + 1), x: s, y: r })),
    }));
    const { blocks } = fromSeatMapJson({ sections: [{ name: 'Stadium', rows }], areas: [] });
    expect(allSeats(blocks)).toHaveLength(100_000);
    expect(mapProblem(blocks, [])).toBeUndefined();
    expect(newGridBlock('b9', 'Extra', blocks).y).toBe(99 + 1 + 2);
  });

  it('refuses an empty map, duplicate seats and areas, and bad names before sending', () => {
    expect(mapProblem([], [])).toEqual({ kind: 'empty' });
    expect(mapProblem([grid({ removed: [] }), grid({ id: 'b2', y: 9 })], [])).toEqual({
      kind: 'duplicateSeat',
      section: 'Floor',
      row: 'A',
      number: '1',
    });
    const twice = [...areas, { id: 'a2', name: 'Standing', capacity: 5 }];
    expect(mapProblem([], twice)).toEqual({ kind: 'duplicateArea', name: 'Standing' });
    expect(mapProblem([grid({ section: 'A/B' })], [])).toEqual({ kind: 'badName', name: 'A/B' });
    expect(mapProblem(blocks, areas)).toBeUndefined();
  });

  it('names the line or field of a file it cannot read', () => {
    expect(() => parseSeatMapCsv('section,row,seat\nFloor,A')).toThrow(
      new SeatFileError('expected 3 fields, found 2', 2),
    );
    expect(() => parseSeatMapCsv('section,place\n')).toThrow(/unknown column "place"/);
    expect(() => parseSeatMapCsv('')).toThrow(/the file is empty/);
    expect(() =>
      parseSeatMapJson('{"sections":[{"name":"A","rows":[{"label":"1"}]}]}'),
    ).not.toThrow();
    expect(() => parseSeatMapJson('{"sections":[{"rows":[]}]}')).toThrow(/sections\[0\]\.name/);
    expect(() => parseSeatMapJson('[1')).toThrow(/not JSON/);
  });
});
