/**
 * The apps' formatting module (issue 21 items 8 and 11): counts, amounts and rates grouped for
 * the language with every digit kept, and a performance's times in its venue's zone, labelled
 * only when that zone is not the phone's.
 */
import { describe, expect, it } from 'vitest';
import { createFormats, formatDecimal } from '../src/format.ts';
import { fillPlaceholders } from '../src/i18n.ts';

// 19:00 in Seoul (UTC+9, no summer time) on a Saturday; 10:00 in London that day.
const concert = '2026-12-19T10:00:00.000Z';
const seoul = 'Asia/Seoul';

describe('the formatting module', () => {
  const en = createFormats('en-US', 'Europe/London');
  const ko = createFormats('ko-KR', 'Europe/London');

  it('groups counts in both languages: "40,000 left", never "40000"', () => {
    expect(en.count(40_000)).toBe('40,000');
    expect(ko.count(40_000)).toBe('40,000');
    expect(en.count(12_345_678_901_234_567_890n)).toBe('12,345,678,901,234,567,890');
    expect(fillPlaceholders('{count} left', { count: 40_000 }, 'en-US')).toBe('40,000 left');
    expect(fillPlaceholders('{count}석 남음', { count: 1_200 }, 'ko-KR')).toBe('1,200석 남음');
    // A string stays as it is: ticket numbers and seat numbers are not counts.
    expect(fillPlaceholders('#{n}', { n: '00012345' }, 'en-US')).toBe('#00012345');
  });

  it('keeps every digit of a big amount, grouped for the locale', () => {
    const wei = '123456789012345678.000000000000000001';
    expect(en.money(wei, 'ETH')).toBe('123,456,789,012,345,678.000000000000000001 ETH');
    expect(en.money('45000', 'KRW')).toBe('45,000 KRW');
    expect(ko.money('-1234.5', 'USDT')).toBe('-1,234.5 USDT');
    expect(formatDecimal('1234567.5', 'de-DE')).toBe('1.234.567,5');
    expect(en.decimal('not a number')).toBe('not a number');
  });

  it('writes a rate as "1 USDT = 1,407 KRW" in both languages', () => {
    expect(en.rate('USDT', '1407', 'KRW')).toBe('1 USDT = 1,407 KRW');
    expect(ko.rate('USDT', '1407.25', 'KRW')).toBe('1 USDT = 1,407.25 KRW');
  });

  it('shows a Seoul concert at 19:00 Seoul time, labelled, on a phone in London', () => {
    const text = en.dateTime(concert, seoul);
    expect(text).toContain('Sat');
    expect(text).toContain('Dec 19');
    expect(text).toContain('7:00 PM');
    expect(text).toContain('GMT+9');
    expect(en.time(concert, seoul)).toMatch(/^7:00 PM GMT\+9$/);
    const korean = ko.dateTime(concert, seoul);
    expect(korean).toContain('12월 19일');
    expect(korean).toContain('7:00');
    expect(korean).toContain('GMT+9');
  });

  it('leaves the label out when the phone is in the venue’s zone', () => {
    const atHome = createFormats('en-US', seoul);
    expect(atHome.time(concert, seoul)).toBe('7:00 PM');
    expect(atHome.dateTime(concert, seoul)).not.toMatch(/GMT|KST/);
    // No zone given: the phone's own, unlabelled (things that happen on the phone).
    expect(en.time(concert)).toBe('10:00 AM');
    // A zone the engine does not know: the phone's, unlabelled, rather than an exception.
    expect(en.time(concert, 'Mars/Olympus_Mons')).toBe('10:00 AM');
    // A date alone never carries a zone label.
    expect(en.date(concert, seoul)).not.toMatch(/GMT/);
  });

  it('names the year only when it is not this one', () => {
    const thisYear = new Date().getUTCFullYear();
    const now = new Date(Date.UTC(thisYear, 5, 15, 3)).toISOString();
    expect(en.date(now, seoul)).not.toContain(String(thisYear));
    expect(en.date('2031-03-01T03:00:00Z', seoul)).toContain('2031');
  });

  it('counts down in minutes and seconds, never below zero', () => {
    expect(en.countdown(245)).toBe('4:05');
    expect(en.countdown(3_723)).toBe('1:02:03');
    expect(en.countdown(-3)).toBe('0:00');
  });

  it('stamps a moment on this device with its day, in the language', () => {
    expect(en.stamp(concert)).toContain('2026');
    expect(en.stamp(concert)).not.toContain('/');
    expect(ko.stamp(concert)).toContain('2026. 12. 19.');
  });
});
