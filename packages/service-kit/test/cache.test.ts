import { describe, expect, it } from 'vitest';
import { type CacheInvalidation, Caches } from '../src/cache.ts';
import { ManualClock } from '../src/clock.ts';

/** A loader that counts its calls and can be held open until released. */
function loader() {
  let calls = 0;
  let gate: Promise<void> | undefined;
  let open: () => void = () => {};
  let version = 1;
  return {
    load: async (key: string) => {
      calls++;
      const seen = version;
      if (gate) await gate;
      return key === 'missing' ? undefined : `${key}@${seen}`;
    },
    hold() {
      gate = new Promise((resolve) => {
        open = resolve;
      });
    },
    release() {
      gate = undefined;
      open();
    },
    change() {
      version++;
    },
    get calls() {
      return calls;
    },
  };
}

describe('the cache facility', () => {
  it('keeps a value for its time to live by the service clock, not the wall clock', async () => {
    const clock = new ManualClock();
    const source = loader();
    const cache = new Caches(clock).cache('things', { ttlMs: 1_000, max: 10 }, source.load);
    expect(await cache.get('a')).toBe('a@1');
    source.change();
    expect(await cache.get('a')).toBe('a@1');
    clock.advance(1_000);
    expect(await cache.get('a')).toBe('a@1');
    clock.advance(1);
    expect(await cache.get('a')).toBe('a@2');
    expect(source.calls).toBe(2);
  });

  it('loads a key once however many ask at once, and does not keep a missing value', async () => {
    const source = loader();
    const cache = new Caches(new ManualClock()).cache(
      'things',
      { ttlMs: 60_000, max: 10 },
      source.load,
    );
    source.hold();
    const asks = Promise.all([cache.get('a'), cache.get('a'), cache.get('a')]);
    source.release();
    expect(await asks).toEqual(['a@1', 'a@1', 'a@1']);
    expect(source.calls).toBe(1);
    expect(await cache.get('missing')).toBeUndefined();
    expect(await cache.get('missing')).toBeUndefined();
    expect(source.calls).toBe(3);
  });

  it('drops the least recently used entry beyond its bound', async () => {
    const source = loader();
    const cache = new Caches(new ManualClock()).cache(
      'things',
      { ttlMs: 60_000, max: 2 },
      source.load,
    );
    await cache.get('a');
    await cache.get('b');
    await cache.get('a');
    await cache.get('c');
    expect(cache.size).toBe(2);
    expect(source.calls).toBe(3);
    await cache.get('a');
    expect(source.calls).toBe(3);
    await cache.get('b');
    expect(source.calls).toBe(4);
  });

  it('never keeps a load that an invalidation overtook: it reads again', async () => {
    const source = loader();
    const cache = new Caches(new ManualClock()).cache(
      'things',
      { ttlMs: 60_000, max: 10 },
      source.load,
    );
    source.hold();
    const pending = cache.get('a');
    // The change commits and is invalidated while the first read is still out.
    source.change();
    const invalidated = cache.invalidate('a');
    source.release();
    await invalidated;
    expect(await pending).toBe('a@2');
    expect(await cache.get('a')).toBe('a@2');
  });

  it('loads with a caller context on its own, and keeps the value', async () => {
    const contexts: (string | undefined)[] = [];
    const cache = new Caches(new ManualClock()).cache<string, string>(
      'things',
      { ttlMs: 60_000, max: 10 },
      async (key, context) => {
        contexts.push(context);
        return `${key} via ${context ?? 'pool'}`;
      },
    );
    expect(await cache.get('a', 'trx')).toBe('a via trx');
    expect(await cache.get('a')).toBe('a via trx');
    expect(contexts).toEqual(['trx']);
  });

  it('sends invalidations to the other instances and applies theirs by name', async () => {
    const clock = new ManualClock();
    const here = new Caches(clock);
    const there = new Caches(clock);
    const sent: CacheInvalidation[] = [];
    here.relay = {
      send: async (invalidation) => {
        sent.push(invalidation);
        there.invalidateHere(invalidation);
      },
    };
    const source = loader();
    const mine = here.cache('keys', { ttlMs: 60_000, max: 10 }, source.load);
    const theirs = there.cache('keys', { ttlMs: 60_000, max: 10 }, source.load);
    await mine.get('org');
    await theirs.get('org');
    source.change();
    await mine.invalidate('org');
    expect(sent).toEqual([{ cache: 'keys', key: 'org' }]);
    expect(await theirs.get('org')).toBe('org@2');
    await mine.invalidateAll();
    expect(sent.at(-1)).toEqual({ cache: 'keys', key: null });
  });

  it('tells its watchers of every invalidation, made here or heard from another instance', async () => {
    const clock = new ManualClock();
    const here = new Caches(clock);
    const there = new Caches(clock);
    here.relay = { send: async (invalidation) => there.invalidateHere(invalidation) };
    const source = loader();
    const mine = here.cache('sessions', { ttlMs: 60_000, max: 10 }, source.load);
    there.cache('sessions', { ttlMs: 60_000, max: 10 }, source.load);
    const seenHere: CacheInvalidation[] = [];
    const seenThere: CacheInvalidation[] = [];
    const stop = here.watch((invalidation) => seenHere.push(invalidation));
    there.watch((invalidation) => seenThere.push(invalidation));
    await mine.invalidate('abc');
    expect(seenHere).toEqual([{ cache: 'sessions', key: 'abc' }]);
    expect(seenThere).toEqual([{ cache: 'sessions', key: 'abc' }]);
    // An invalidation for a cache the other instance never made is not applied, nor told.
    there.invalidateHere({ cache: 'unknown', key: 'x' });
    expect(seenThere).toHaveLength(1);
    stop();
    await mine.invalidateAll();
    expect(seenHere).toHaveLength(1);
    expect(seenThere.at(-1)).toEqual({ cache: 'sessions', key: null });
  });
});
