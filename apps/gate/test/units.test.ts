/**
 * The gate app's pure parts, in Node: telling a scanner's burst from typing, reading the live
 * feed's server-sent events however the stream is cut, amounts typed at the gate, and the
 * distance behind the outside-the-venue warning.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cameraErrorKey } from '../src/camera.ts';
import { followFeed, SseParser } from '../src/feed.ts';
import { translate } from '../src/i18n.ts';
import { distanceM, formatUnits, parseUnits } from '../src/measure.ts';
import { ScannerBurst, scannerCodeCharsMin } from '../src/scanner.ts';
import { renamedLogEntry } from '../src/store.ts';

/** Feeds `text` then Enter, one key every `gapMs` (or per gap from the list). */
function type(burst: ScannerBurst, text: string, gapMs: number | number[], startAt = 1_000) {
  let at = startAt;
  const gaps = typeof gapMs === 'number' ? [] : gapMs;
  for (const [index, char] of [...text].entries()) {
    at += typeof gapMs === 'number' ? gapMs : (gaps[index] ?? 5);
    burst.key(char, at);
  }
  return burst.key('Enter', at + 5);
}

describe('a hardware scanner burst', () => {
  const code = 'NCFOXN%TSMAHN-H3ZSUZK5';

  it('is taken when the keys come fast and end with Enter', () => {
    expect(type(new ScannerBurst(), code, 4)).toBe(code);
  });

  it('is not taken from someone typing', () => {
    expect(type(new ScannerBurst(), code, 120)).toBeUndefined();
  });

  it('is not taken when shorter than a barcode', () => {
    expect(type(new ScannerBurst(), code.slice(0, scannerCodeCharsMin - 1), 4)).toBeUndefined();
  });

  it('survives one late key on a busy device, since the pace is averaged', () => {
    const gaps = [...code].map((_, index) => (index === 7 ? 90 : 3));
    expect(type(new ScannerBurst(), code, gaps)).toBe(code);
  });

  it('starts again after a pause, keeping only what came after it', () => {
    const burst = new ScannerBurst();
    for (const [index, char] of [...'typed by hand'].entries()) burst.key(char, index * 150);
    expect(type(burst, code, 4, 10_000)).toBe(code);
  });

  it('starts a new burst right after an Enter, keeping the field each one typed into', () => {
    const burst = new ScannerBurst();
    expect(type(burst, code, 4, 1_000)).toBe(code);
    expect(type(burst, `${code}X`, 4, 1_200)).toBe(`${code}X`);
  });

  it('ignores keys that are not characters', () => {
    const burst = new ScannerBurst();
    burst.key('Shift', 1);
    expect(type(burst, code, 4, 2)).toBe(code);
  });
});

describe('the live feed parser', () => {
  const admission = '{"seq":7,"ticketId":"0311jfmq"}';

  it('reads an event split anywhere across chunks, with CRLF lines and comments', () => {
    const parser = new SseParser();
    const stream = `: live\r\n\r\nid: 7\r\nevent: admission\r\ndata: ${admission}\r\n\r\n`;
    const events = [];
    for (let i = 0; i < stream.length; i += 5) events.push(...parser.push(stream.slice(i, i + 5)));
    expect(events).toEqual([{ id: '7', event: 'admission', data: admission }]);
  });

  it('joins multi-line data and keeps the last id for later events', () => {
    const parser = new SseParser();
    expect(parser.push('id: 3\ndata: a\ndata: b\n\ndata: c\n\n')).toEqual([
      { id: '3', event: 'message', data: 'a\nb' },
      { id: '3', event: 'message', data: 'c' },
    ]);
  });

  it('gives up on a line no server sends', () => {
    expect(() => new SseParser().push('x'.repeat(70_000))).toThrow(/overlong/);
  });

  it("takes the server's retry: when it is digits only", () => {
    const parser = new SseParser();
    expect(parser.retryMs).toBeUndefined();
    parser.push('retry: 3000\n: connected\n\n');
    expect(parser.retryMs).toBe(3000);
    parser.push('retry: soon\nretry: 12.5\n\n');
    expect(parser.retryMs).toBe(3000);
  });
});

describe('following the live feed', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  /** A feed server that answers each request with `body` and ends the stream at once. */
  function endingFeed(body: string) {
    const requests: string[] = [];
    vi.stubGlobal('fetch', async (url: string) => {
      requests.push(url);
      return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
    });
    return requests;
  }

  async function follow(requests: string[]) {
    const stop = followFeed({
      url: 'https://ticketing.test/v1/terminal/feed',
      token: 'tt_test',
      lastEventId: () => '9',
      onAdmission: () => undefined,
      onState: () => undefined,
    });
    await vi.waitFor(() => expect(requests).toHaveLength(1));
    return stop;
  }

  it("waits what the server's retry: asks before it reconnects, from the last id seen", async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const requests = endingFeed('retry: 5000\n: connected\n\n');
    const stop = await follow(requests);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await vi.waitFor(() => expect(requests).toHaveLength(2));
    expect(requests[1]).toBe('https://ticketing.test/v1/terminal/feed?since=9');
    stop();
  });

  it('waits 1 s when the server names no wait', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const requests = endingFeed(': connected\n\n');
    const stop = await follow(requests);
    await vi.advanceTimersByTimeAsync(1_000);
    await vi.waitFor(() => expect(requests).toHaveLength(2));
    stop();
  });
});

describe('amounts typed at the gate', () => {
  it('turns a decimal into the smallest unit of its scale, exactly', () => {
    expect(parseUnits('4.5', 2)).toBe(450n);
    expect(parseUnits('1250', 0)).toBe(1250n);
    expect(parseUnits(' 0.000001 ', 6)).toBe(1n);
    expect(parseUnits('123456789012345.12', 2)).toBe(12345678901234512n);
  });

  it('refuses what is not an amount of that scale', () => {
    for (const text of ['', '4.567', '-1', '1e3', '4,5', 'abc', '1.']) {
      expect(parseUnits(text, 2), text).toBeNull();
    }
  });

  it('formats back without trailing zeros', () => {
    expect(formatUnits(450n, 2)).toBe('4.5');
    expect(formatUnits(5n, 3)).toBe('0.005');
    expect(formatUnits(20000n, 0)).toBe('20000');
    for (const units of [0n, 1n, 99n, 100n, 123456789n]) {
      expect(parseUnits(formatUnits(units, 4), 4)).toBe(units);
    }
  });
});

describe('the distance from the venue', () => {
  const hall = { latitude: 37.4786, longitude: 127.0115 };

  it('is zero at the venue and about 2.2 km for 0.02 degrees of latitude', () => {
    expect(distanceM(hall, hall)).toBe(0);
    expect(distanceM(hall, { ...hall, latitude: 37.4986 })).toBeCloseTo(2_224, -1);
  });

  it('is the same both ways across the date line', () => {
    const east = { latitude: 0, longitude: 179.9 };
    const west = { latitude: 0, longitude: -179.9 };
    expect(distanceM(east, west)).toBeCloseTo(22_239, -1);
    expect(distanceM(west, east)).toBeCloseTo(distanceM(east, west), 6);
  });
});

describe("the terminal's storage, version 2", () => {
  it("rewrites a version 1 log entry under the protocol's names, keeping everything else", () => {
    const pending = {
      nonce: 'n-1',
      pending: 1,
      performanceCode: 'PRF1',
      ticketNumber: '0311jfmq',
      presentationTime: 1_790_000_000,
      revision: 0,
    };
    expect(renamedLogEntry(pending)).toEqual({
      nonce: 'n-1',
      pending: 1,
      performanceCode: 'PRF1',
      ticketId: '0311jfmq',
      presentationTimeS: 1_790_000_000,
      revision: 0,
    });
    // A refusal that named no ticket, and an entry already under the new names, stay as they are.
    expect(renamedLogEntry({ nonce: 'n-2', ticketNumber: null, presentationTime: null })).toEqual({
      nonce: 'n-2',
      ticketId: null,
      presentationTimeS: null,
    });
    const current = { nonce: 'n-3', ticketId: 'x', presentationTimeS: 5 };
    expect(renamedLogEntry(current)).toEqual(current);
  });
});

describe('the camera failing to start', () => {
  it("is told in the gate's words, not the browser's 'Requested device not found'", () => {
    const failure = (name: string) => new DOMException('Requested device not found', name);
    expect(cameraErrorKey(failure('NotFoundError'))).toBe('scan.cameraNone');
    expect(cameraErrorKey(failure('OverconstrainedError'))).toBe('scan.cameraNone');
    expect(cameraErrorKey(failure('NotAllowedError'))).toBe('scan.cameraDenied');
    expect(cameraErrorKey(failure('SecurityError'))).toBe('scan.cameraDenied');
    expect(cameraErrorKey(failure('NotReadableError'))).toBe('scan.cameraBusy');
    expect(cameraErrorKey(failure('AbortError'))).toBe('scan.cameraBusy');
    for (const lang of ['en', 'ko'] as const) {
      const text = translate(lang, cameraErrorKey(failure('NotFoundError')) ?? 'scan.cameraError');
      expect(text).not.toContain('Requested device not found');
      expect(text).not.toContain('{');
    }
    expect(translate('en', 'scan.cameraNone')).toMatch(/^No camera found on this device\./);
  });

  it('keeps an unknown failure for the general sentence with the browser message', () => {
    expect(cameraErrorKey(new Error('boom'))).toBeUndefined();
  });
});
