import { ApiError } from '@tessera/service-kit/errors';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  seatMapFromCsv,
  seatMapFromJson,
  seatMapSeatsMax,
  seatReference,
  splitCsvLine,
} from './seat-map.ts';

/** The ApiError a call throws, or fails the test. */
function refusal(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('seat maps from JSON', () => {
  it('orders rows across the map and seats within their row by file order', () => {
    const map = seatMapFromJson({
      sections: [
        {
          name: 'Floor',
          rows: [
            { label: 'A', seats: [{ number: '3' }, { number: '1', x: 10, y: 2 }] },
            { label: 'B', seats: [{ number: '1', accessible: true }] },
          ],
        },
        { name: 'Balcony', rows: [{ label: 'A', seats: [{ number: '1' }] }] },
      ],
      areas: [{ name: 'Standing', capacity: 500 }],
    });
    expect(
      map.seats.map((seat) => [
        seatReference(seat),
        seat.rowIndex,
        seat.seatIndex,
        seat.accessible,
      ]),
    ).toEqual([
      ['Floor/A/3', 0, 0, false],
      ['Floor/A/1', 0, 1, false],
      ['Floor/B/1', 1, 0, true],
      ['Balcony/A/1', 2, 0, false],
    ]);
    expect(map.seats[1]).toMatchObject({ x: 10, y: 2 });
    expect(map.areas).toEqual([{ name: 'Standing', capacity: 500 }]);
  });

  it('refuses duplicates, empty maps, slashes and oversize labels', () => {
    const seat = (number: string) => ({ number });
    expect(
      refusal(() =>
        seatMapFromJson({
          sections: [{ name: 'A', rows: [{ label: '1', seats: [seat('1'), seat('1')] }] }],
        }),
      ).message,
    ).toContain('A/1/1 appears twice');
    expect(
      refusal(() =>
        seatMapFromJson({
          sections: [
            { name: 'A', rows: [{ label: '1', seats: [seat('1')] }] },
            { name: 'A', rows: [{ label: '2', seats: [seat('1')] }] },
          ],
        }),
      ).message,
    ).toContain('section "A" appears twice');
    expect(refusal(() => seatMapFromJson({})).code).toBe('invalid_seat_map');
    expect(
      refusal(() =>
        seatMapFromJson({
          sections: [{ name: 'A/B', rows: [{ label: '1', seats: [seat('1')] }] }],
        }),
      ).message,
    ).toContain('"/"');
    expect(
      refusal(() =>
        seatMapFromJson({
          sections: [{ name: 'A', rows: [{ label: 'x'.repeat(21), seats: [] }] }],
        }),
      ).message,
    ).toContain('longer than 20');
    expect(
      refusal(() =>
        seatMapFromJson({
          areas: [
            { name: 'Floor', capacity: 10 },
            { name: 'Floor', capacity: 20 },
          ],
        }),
      ).message,
    ).toContain('area "Floor" appears twice');
  });

  it(`refuses more than ${seatMapSeatsMax} seats`, () => {
    const seats = Array.from({ length: 1_001 }, (_, index) => ({ number: String(index) }));
    const rows = Array.from({ length: 100 }, (_, index) => ({ label: `R${index}`, seats }));
    expect(
      refusal(() => seatMapFromJson({ sections: [{ name: 'Huge', rows }] })).message,
    ).toContain(`more than ${seatMapSeatsMax} seats`);
  });
});

describe('seat maps from CSV', () => {
  it('reads seats and areas with optional columns in any order', () => {
    const map = seatMapFromCsv(
      [
        '\uFEFFrow,section,seat,accessible,x,y,capacity',
        'A,Stalls,1,yes,1.5,-2,',
        'A,Stalls,2,,2.5,-2,',
        '',
        'B,Stalls,1,0,,,',
        ',Standing,,,,,1200',
        'A,"Box, left",1,,,,',
      ].join('\r\n'),
    );
    expect(map.seats.map((seat) => [seatReference(seat), seat.rowIndex, seat.seatIndex])).toEqual([
      ['Stalls/A/1', 0, 0],
      ['Stalls/A/2', 0, 1],
      ['Stalls/B/1', 1, 0],
      ['Box, left/A/1', 2, 0],
    ]);
    expect(map.seats[0]).toMatchObject({ accessible: true, x: 1.5, y: -2 });
    expect(map.seats[2]).toMatchObject({ accessible: false, x: null, y: null });
    expect(map.areas).toEqual([{ name: 'Standing', capacity: 1200 }]);
  });

  it('names the line of a bad field and of the first copy of a duplicate', () => {
    const bad = refusal(() => seatMapFromCsv('section,row,seat,x\nA,1,1,0\nA,1,2,left\n'));
    expect(bad.message).toBe('line 3: x "left" is not a number');
    expect(bad.details).toEqual({ line: 3 });
    const duplicate = refusal(() => seatMapFromCsv('section,row,seat\nA,1,1\nA,1,2\n\nA,1,1\n'));
    expect(duplicate.message).toBe('line 5: seat A/1/1 appears twice (first on line 2)');
    expect(refusal(() => seatMapFromCsv('section,row\nA,1\n')).message).toContain(
      'lacks the "seat" column',
    );
    expect(refusal(() => seatMapFromCsv('section,row,seat,price\n')).message).toContain(
      'unknown column "price"',
    );
    expect(refusal(() => seatMapFromCsv('section,row,seat\nA,1\n')).message).toBe(
      'line 2: expected 3 fields, found 2',
    );
    expect(refusal(() => seatMapFromCsv('section,row,seat\nA,,1\n')).message).toBe(
      'line 2: row is empty',
    );
    expect(refusal(() => seatMapFromCsv('section,row,seat,capacity\nA,1,1,5\n')).message).toContain(
      'line 2: a seat line has no capacity',
    );
    expect(refusal(() => seatMapFromCsv('\n\n')).message).toContain('the CSV is empty');
    expect(refusal(() => seatMapFromCsv('section,row,seat\n')).message).toContain(
      'neither seats nor areas',
    );
  });

  it('splits quoted fields, doubled quotes included', () => {
    expect(splitCsvLine('"a ""b""",c,', 1)).toEqual(['a "b"', 'c', '']);
    expect(refusal(() => splitCsvLine('"open', 4)).message).toBe(
      'line 4: a quoted field is not closed',
    );
    expect(refusal(() => splitCsvLine('"a"b', 4)).message).toContain('after a quoted field');
  });

  it('reads back any map it is given as CSV, in the same order', () => {
    const label = fc
      .stringMatching(/^[A-Za-z0-9 ,"-]{1,8}$/)
      .filter((text) => text.trim() === text);
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(label, label, label), {
          minLength: 1,
          maxLength: 40,
          selector: ([section, row, number]) => `${section}\u0000${row}\u0000${number}`,
        }),
        (places) => {
          const quote = (text: string) => `"${text.replaceAll('"', '""')}"`;
          const csv = [
            'section,row,seat',
            ...places.map((place) => place.map(quote).join(',')),
          ].join('\n');
          const map = seatMapFromCsv(csv);
          expect(map.seats.map((seat) => [seat.section, seat.row, seat.number])).toEqual(places);
          // Seats of one row count up from 0 in file order.
          const perRow = new Map<number, number>();
          for (const seat of map.seats) {
            expect(seat.seatIndex).toBe(perRow.get(seat.rowIndex) ?? 0);
            perRow.set(seat.rowIndex, seat.seatIndex + 1);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('seat map labels are clean single-line text (issue 18, item 6)', () => {
  it('refuses a CSV cell with a bidi override, a control character or a quoted line break, and stores labels in NFC', () => {
    for (const cell of ['\u202eA', 'A\u0007', '"A\nB"', 'A\u2066', '\u200fA']) {
      const refused = refusal(() => seatMapFromCsv(`section,row,seat\n${cell},1,1\n`));
      expect(refused.code).toBe('invalid_seat_map');
      expect(refused.details).toEqual({ line: 2 });
    }
    const map = seatMapFromCsv('section,row,seat\nCafe\u0301,1,1\n');
    expect(map.seats[0]?.section).toBe('Caf\u00e9');
  });
});
