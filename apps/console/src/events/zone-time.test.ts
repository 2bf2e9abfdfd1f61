import { describe, expect, it } from 'vitest';
import { shiftLocalDays, utcToZoned, zonedToUtc } from './zone-time.ts';

describe('the venue-zone time helper', () => {
  it('reads 19:00 in Seoul as 10:00 UTC, whatever zone the process runs in', () => {
    expect(zonedToUtc('2026-12-24T19:00', 'Asia/Seoul')).toBe('2026-12-24T10:00:00.000Z');
    expect(utcToZoned('2026-12-24T10:00:00Z', 'Asia/Seoul')).toBe('2026-12-24T19:00');
  });

  it('follows London across summer time', () => {
    expect(zonedToUtc('2026-01-15T19:30', 'Europe/London')).toBe('2026-01-15T19:30:00.000Z');
    expect(zonedToUtc('2026-07-15T19:30', 'Europe/London')).toBe('2026-07-15T18:30:00.000Z');
    expect(utcToZoned('2026-07-15T18:30:00Z', 'Europe/London')).toBe('2026-07-15T19:30');
  });

  it('refuses the hour skipped when clocks go forward, and takes the first of a repeated hour', () => {
    // 29 March 2026: London goes from 01:00 GMT to 02:00 BST.
    expect(zonedToUtc('2026-03-29T01:30', 'Europe/London')).toBeUndefined();
    expect(zonedToUtc('2026-03-29T02:30', 'Europe/London')).toBe('2026-03-29T01:30:00.000Z');
    // 25 October 2026: 01:30 happens twice, first in BST (00:30Z).
    expect(zonedToUtc('2026-10-25T01:30', 'Europe/London')).toBe('2026-10-25T00:30:00.000Z');
  });

  it('crosses the date line both ways', () => {
    expect(zonedToUtc('2027-01-01T08:00', 'Asia/Seoul')).toBe('2026-12-31T23:00:00.000Z');
    expect(utcToZoned('2026-12-31T23:00:00Z', 'Asia/Seoul')).toBe('2027-01-01T08:00');
    expect(zonedToUtc('2026-12-31T20:00', 'America/New_York')).toBe('2027-01-01T01:00:00.000Z');
  });

  it('round-trips every hour of a year in a summer-time zone', () => {
    const start = Date.UTC(2026, 0, 1);
    for (let hour = 0; hour < 365 * 24; hour += 7) {
      const instant = new Date(start + hour * 3_600_000).toISOString();
      const local = utcToZoned(instant, 'Europe/London');
      const back = zonedToUtc(local, 'Europe/London');
      // A repeated hour reads back as its first instant, one hour earlier.
      expect([instant, new Date(Date.parse(instant) - 3_600_000).toISOString()]).toContain(back);
    }
  });

  it('refuses what is not a date and time', () => {
    expect(zonedToUtc('', 'Asia/Seoul')).toBeUndefined();
    expect(zonedToUtc('2026-13-01T10:00', 'Asia/Seoul')).toBeUndefined();
    expect(zonedToUtc('tomorrow', 'Asia/Seoul')).toBeUndefined();
    expect(zonedToUtc('2026-02-31T10:00', 'Asia/Seoul')).toBeUndefined();
    expect(() => utcToZoned('abc', 'Asia/Seoul')).toThrow(RangeError);
  });

  it('moves a wall-clock time by whole days, across month ends', () => {
    expect(shiftLocalDays('2026-12-28T19:00', 7)).toBe('2027-01-04T19:00');
    expect(shiftLocalDays('2026-03-01T10:00', -1)).toBe('2026-02-28T10:00');
  });
});
