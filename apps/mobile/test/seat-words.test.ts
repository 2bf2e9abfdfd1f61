/**
 * How seats read (issue 21, item 9): words, not "Orchestra/A/11", in both languages; and the seat
 * map's zoom arithmetic (fitted at first, kept in its frame, zooming around a point).
 */
import { describe, expect, it } from 'vitest';
import { type MessageKey, type Params, translate } from '../src/i18n.ts';
import { layoutRows } from '../src/screens/seat-map.tsx';
import {
  canPan,
  clampView,
  fitScale,
  fittedView,
  frameHeight,
  type MapFrame,
  pinchView,
  revealBox,
  zoomAround,
  zoomMax,
} from '../src/screens/seat-map-view.ts';
import {
  referenceWords,
  rowSpoken,
  seatAccessibleName,
  seatFromReference,
  seatSpoken,
  seatWords,
} from '../src/seat-words.ts';

const en = (key: MessageKey, params?: Params) => translate('en', key, params);
const ko = (key: MessageKey, params?: Params) => translate('ko', key, params);
const orchestra = { section: 'Orchestra', row: 'A', number: '11' };

describe('seat words', () => {
  it('reads a seat as words in English and Korean, never with slashes', () => {
    expect(seatWords(orchestra, en)).toBe('Orchestra · Row A · Seat 11');
    expect(seatWords(orchestra, ko)).toBe('Orchestra A열 11번');
    expect(seatWords({ section: '오케스트라', row: 'A', number: '11' }, ko)).toBe(
      '오케스트라 A열 11번',
    );
    expect(seatSpoken(orchestra, en)).toBe('Orchestra, row A, seat 11');
    expect(rowSpoken(orchestra, en)).toBe('Orchestra, row A');
    expect(rowSpoken(orchestra, ko)).toBe('Orchestra A열');
  });

  it('names a section called only by a letter or a number as a section', () => {
    const code = { section: '101', row: 'C', number: '4' };
    expect(seatWords(code, en)).toBe('Section 101 · Row C · Seat 4');
    expect(seatWords(code, ko)).toBe('101구역 C열 4번');
    expect(seatWords({ section: 'B', row: '2', number: '9' }, en)).toBe(
      'Section B · Row 2 · Seat 9',
    );
    expect(seatWords({ section: 'VIP', row: '2', number: '9' }, en)).toBe('VIP · Row 2 · Seat 9');
    expect(seatSpoken(code, en)).toBe('Section 101, row C, seat 4');
  });

  it('gives each seat on the map a name with its place, price and state', () => {
    expect(
      seatAccessibleName(
        orchestra,
        { price: '45,000 KRW', accessible: false, state: 'available' },
        en,
      ),
    ).toBe('Orchestra, row A, seat 11, 45,000 KRW, available');
    expect(
      seatAccessibleName(orchestra, { price: '55 USDT', accessible: true, state: 'selected' }, en),
    ).toBe('Orchestra, row A, seat 11, accessible seat, 55 USDT, selected');
    expect(
      seatAccessibleName(
        orchestra,
        { price: '45,000 KRW', accessible: true, state: 'unavailable' },
        ko,
      ),
    ).toBe('Orchestra A열 11번, 장애인석, 45,000 KRW, 선택 불가');
  });

  it("reads the server's seat references as words and leaves anything else as it is", () => {
    expect(seatFromReference('Orchestra/A/11')).toEqual(orchestra);
    expect(referenceWords('Orchestra/A/11', en)).toBe('Orchestra · Row A · Seat 11');
    expect(referenceWords('Balcony/2/7', ko)).toBe('Balcony 2열 7번');
    expect(seatFromReference('seat_01HZX')).toBeUndefined();
    expect(seatFromReference('a/b')).toBeUndefined();
    expect(seatFromReference('a//c')).toBeUndefined();
    expect(referenceWords('seat_01HZX', en)).toBe('seat_01HZX');
  });
});

describe('seat map zoom', () => {
  // A row of 20 seats (732 px at scale 1) in a 375 px phone's frame (315 px for the seats).
  const phone: MapFrame = {
    areaWidth: 315,
    maxHeight: 444,
    contentWidth: 732,
    contentHeight: 300,
  };

  it('starts with the widest row fitting the frame, centred, the whole map in sight', () => {
    const view = fittedView(phone);
    expect(view.scale).toBeCloseTo(315 / 732);
    expect(view.x).toBeCloseTo(0);
    expect(view.y).toBe(0);
    expect(frameHeight(phone, view.scale)).toBeCloseTo(300 * (315 / 732));
    expect(canPan(phone, view)).toBe(false);
    // A wide screen does not blow small maps up beyond their size.
    const wide = { ...phone, areaWidth: 1000 };
    expect(fitScale(wide)).toBe(1);
    expect(fittedView(wide).x).toBe((1000 - 732) / 2);
  });

  it('zooms around a point, within its limits, and keeps the map covering the frame', () => {
    const fitted = fittedView(phone);
    const zoomed = zoomAround(phone, fitted, 1, { x: 300, y: 60 });
    expect(zoomed.scale).toBe(1);
    // The point under the finger stays under it (as far as the edges allow).
    const mapX = (300 - fitted.x) / fitted.scale;
    expect(zoomed.x + mapX * zoomed.scale).toBeCloseTo(300);
    expect(canPan(phone, zoomed)).toBe(true);
    expect(frameHeight(phone, 1)).toBe(300);
    expect(zoomAround(phone, zoomed, 10, { x: 0, y: 0 }).scale).toBe(zoomMax);
    expect(zoomAround(phone, zoomed, 0.01, { x: 0, y: 0 })).toEqual(fitted);
    // Dragged far right, the map's left edge stops at the frame's left edge; and likewise.
    expect(clampView(phone, { scale: 1, x: 500, y: 50 })).toEqual({ scale: 1, x: 0, y: 0 });
    expect(clampView(phone, { scale: 1.5, x: -5000, y: -5000 })).toEqual({
      scale: 1.5,
      x: 315 - 732 * 1.5,
      y: 444 - 450,
    });
  });

  it('pinches: the fingers apart twice as far doubles the scale about their midpoint', () => {
    const start = { scale: 0.5, x: -20, y: 0 };
    const pinched = pinchView(
      phone,
      start,
      { distance: 100, x: 150, y: 50 },
      { distance: 200, x: 150, y: 50 },
    );
    expect(pinched.scale).toBe(1);
    expect(pinched.x).toBeCloseTo(150 - (150 + 20) * 2);
    expect(pinched.y).toBe(0);
  });

  it('moves just enough to show a focused seat', () => {
    const view = { scale: 1, x: -100, y: 0 };
    expect(revealBox(phone, view, { left: 10, right: 42, top: 10, bottom: 42 })).toBe(view);
    expect(revealBox(phone, view, { left: 320, right: 352, top: 10, bottom: 42 }).x).toBe(
      -100 - (352 - (315 - 8)),
    );
  });

  it('lays the rows of a category out one under the other, the widest setting the width', () => {
    const row = (section: string, label: string, count: number, category = 0) => ({
      section,
      row: label,
      ids: Array.from({ length: count }, (_, i) => `${section}-${label}-${i}`),
      numbers: Array.from({ length: count }, (_, i) => String(i + 1)),
      x: [],
      y: [],
      categories: Array.from({ length: count }, () => category),
      accessible: [],
      status: 'a'.repeat(count),
    });
    const seats = {
      categoryIds: ['orchestra', 'balcony'],
      rows: [row('Orchestra', 'A', 20), row('Orchestra', 'B', 18), row('Balcony', '1', 16, 1)],
    };
    const orchestraRows = layoutRows(seats, 'orchestra');
    expect(orchestraRows.rows.map((r) => r.row.row)).toEqual(['A', 'B']);
    expect(orchestraRows.width).toBe(732);
    expect(orchestraRows.rows.map((r) => r.top)).toEqual([8, 44]);
    expect(orchestraRows.rows[0]?.sectionTitle).toBeUndefined();
    // A category over two sections names each above its first row.
    const spanning = {
      categoryIds: ['all'],
      rows: [row('Orchestra', 'A', 20), row('Orchestra', 'B', 18), row('Balcony', '1', 16)],
    };
    const both = layoutRows(spanning, 'all');
    expect(both.rows.map((r) => r.row.row)).toEqual(['A', 'B', '1']);
    expect(both.rows.map((r) => r.sectionTitle)).toEqual(['Orchestra', undefined, 'Balcony']);
  });
});
