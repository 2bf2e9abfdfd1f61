/**
 * The one cache facility of both servers (ARCHITECTURE §5: caches are invalidated across
 * instances). Each service context owns a `Caches`; every cache is made there, with a name, a
 * time to live, a size bound and the loader that fills it.
 *
 * Built on `lru-cache` (isaacs, the cache under npm itself): bounded by `max`, expiring by
 * `ttl`, and its `fetch` runs one load per key however many callers ask at once, and discards a
 * load that an invalidation overtook, so a value read before a change never lands after it.
 * Time is the service's injected clock (`perf`), so tests move expiry with the rest of time.
 *
 * Invalidation is local and then, through the instance bus, on every other instance of the
 * service sharing the database. `invalidate` resolves once the others have been told (the bus
 * confirms it), so a caller that answers after it (a key retired, a terminal revoked, a session
 * ended) is refused by every instance from that answer on.
 */
import { LRUCache } from 'lru-cache';
import type { Clock } from './clock.ts';

export interface CacheOptions {
  /** How long a loaded value is trusted without an invalidation reaching this instance. */
  readonly ttlMs: number;
  /** Entries kept at most; the least recently used goes first. */
  readonly max: number;
}

/** What crosses the instance bus when cached values go stale: one key, or all (`key: null`). */
export interface CacheInvalidation {
  readonly cache: string;
  readonly key: string | null;
}

/** Where invalidations go to reach the other instances; resolves once they have them. */
export interface InvalidationRelay {
  send(invalidation: CacheInvalidation): Promise<void>;
}

/** A load that an invalidation overtook is run again this many times before giving up. */
const overtakenLoadsMax = 3;

/**
 * `C` is what a caller may pass to the loader with `get`: the transaction a load must read in,
 * for one (on SQLite a read outside the transaction that holds the connection would wait for it).
 */
export class Cache<V extends NonNullable<unknown>, C = undefined> {
  private readonly lru: LRUCache<string, V, C | undefined>;
  /** Bumped by every invalidation, so a caller can tell its load was overtaken. */
  private generation = 0;

  constructor(
    readonly name: string,
    options: CacheOptions,
    clock: Clock,
    private readonly load: (key: string, context: C | undefined) => Promise<V | undefined>,
    private readonly owner: Caches,
  ) {
    this.lru = new LRUCache<string, V, C | undefined>({
      max: options.max,
      ttl: options.ttlMs,
      // Read the clock on every check: a cached "now" would hide a test's clock moving.
      ttlResolution: 0,
      perf: { now: () => clock.now() },
      // A missing value (unknown session, no such key) is not cached: it is looked up again.
      fetchMethod: (key) => load(key, undefined),
    });
  }

  /**
   * The value for `key`, loaded once however many ask at once; undefined when there is none.
   * With a `context` (a transaction to read in) the load is this caller's own: sharing another
   * caller's load could wait on a connection that this caller's transaction holds.
   */
  async get(key: string, context?: C): Promise<V | undefined> {
    if (context !== undefined) return this.getIn(key, context);
    for (let attempt = 1; ; attempt++) {
      const started = this.generation;
      try {
        return await this.lru.fetch(key);
      } catch (error) {
        // Overtaken by an invalidation: what was read may predate the change, so read again.
        if (this.generation === started || attempt >= overtakenLoadsMax) throw error;
      }
    }
  }

  private async getIn(key: string, context: C): Promise<V | undefined> {
    const hit = this.lru.get(key);
    if (hit !== undefined) return hit;
    const started = this.generation;
    const value = await this.load(key, context);
    // An invalidation during the load: the value may predate the change, so it is not kept.
    if (value !== undefined && this.generation === started) this.lru.set(key, value);
    return value;
  }

  /** Forgets `key` here and on every other instance; resolves once they have been told. */
  invalidate(key: string): Promise<void> {
    this.forgetHere(key);
    return this.owner.relayed({ cache: this.name, key });
  }

  /** Forgets every entry here and on every other instance. */
  invalidateAll(): Promise<void> {
    this.forgetHere(null);
    return this.owner.relayed({ cache: this.name, key: null });
  }

  /** Forgets `key` (or everything, for null) in this process only. */
  forgetHere(key: string | null) {
    this.generation++;
    if (key === null) this.lru.clear();
    else this.lru.delete(key);
    this.owner.forgotten({ cache: this.name, key });
  }

  get size() {
    return this.lru.size;
  }
}

/** Every cache of one service instance, by name. */
export class Caches {
  // biome-ignore lint/suspicious/noExplicitAny: each cache has its own value and context types.
  private readonly caches = new Map<string, Cache<any, any>>();
  /** Set by the instance bus when the service runs on a shared database. */
  relay: InvalidationRelay | undefined;
  private readonly watchers = new Set<(invalidation: CacheInvalidation) => void>();

  constructor(private readonly clock: Clock) {}

  /**
   * The cache named `name`, made on first use: each feature defines its caches where it uses
   * them (one function per cache, so the name, bounds and loader are written once), and this
   * registry, which the service context creates, holds them, so one invalidation on the bus
   * finds its cache by name.
   */
  cache<V extends NonNullable<unknown>, C = undefined>(
    name: string,
    options: CacheOptions,
    load: (key: string, context: C | undefined) => Promise<V | undefined>,
  ): Cache<V, C> {
    let cache = this.caches.get(name);
    if (!cache) {
      cache = new Cache<V, C>(name, options, this.clock, load, this);
      this.caches.set(name, cache);
    }
    return cache;
  }

  /**
   * Calls `watcher` for every invalidation from now on, made here or heard from another instance
   * (what was cached changed: a session ended, a terminal was revoked), so that what holds on to
   * it beyond a request, such as an open stream, can react at once; returns what stops it.
   */
  watch(watcher: (invalidation: CacheInvalidation) => void): () => void {
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }

  /** @internal A cache forgot `key` (or everything, for null). */
  forgotten(invalidation: CacheInvalidation) {
    for (const watcher of this.watchers) watcher(invalidation);
  }

  /** An invalidation another instance sent. */
  invalidateHere(invalidation: CacheInvalidation) {
    this.caches.get(invalidation.cache)?.forgetHere(invalidation.key);
  }

  /** @internal Sends an invalidation on, if there is anywhere to send it. */
  relayed(invalidation: CacheInvalidation): Promise<void> {
    return this.relay ? this.relay.send(invalidation) : Promise.resolve();
  }
}
