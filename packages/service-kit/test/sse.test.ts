import { describe, expect, it } from 'vitest';
import { checkedResumePoint, resumePoint, sseOpening, sseReset } from '../src/sse.ts';

describe('the live-feed convention', () => {
  it('resumes from Last-Event-ID over the query parameter, and never refuses a resume point', () => {
    expect(resumePoint(undefined, undefined)).toEqual({ kind: 'live' });
    expect(resumePoint('41', '7')).toEqual({ kind: 'after', after: 41 });
    expect(resumePoint(undefined, '7')).toEqual({ kind: 'after', after: 7 });
    expect(resumePoint(undefined, 7)).toEqual({ kind: 'after', after: 7 });
    // EventSource leaves an empty id out; a proxy that sends it empty means nothing either.
    expect(resumePoint('', '7')).toEqual({ kind: 'after', after: 7 });
    const reset = { kind: 'reset', reason: 'malformed_last_event_id' };
    for (const bad of ['garbage', '-1', '1.5', ' 3', '1234567890123456', '0x10']) {
      expect(resumePoint(bad, '7')).toEqual(reset);
      expect(resumePoint(undefined, bad)).toEqual(reset);
    }
    expect(resumePoint(['1', '2'], undefined)).toEqual(reset);
  });

  it('starts over from a resume point beyond the last event, and keeps the others', () => {
    expect(checkedResumePoint({ kind: 'after', after: 10 }, 9)).toEqual({
      kind: 'reset',
      reason: 'unknown_last_event_id',
    });
    expect(checkedResumePoint({ kind: 'after', after: 9 }, 9)).toEqual({ kind: 'after', after: 9 });
    expect(checkedResumePoint({ kind: 'live' }, 0)).toEqual({ kind: 'live' });
  });

  it('opens with retry: and resets with an empty id', () => {
    expect(sseOpening).toMatch(/^retry: 3000\n/);
    expect(sseReset('malformed_last_event_id')).toBe(
      'id:\nevent: reset\ndata: {"reason":"malformed_last_event_id"}\n\n',
    );
  });
});
