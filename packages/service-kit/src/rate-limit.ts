/**
 * Where @fastify/rate-limit keeps its buckets, so that every instance of a server counts in the
 * same ones: Redis when `REDIS_URL` is set (the plugin's own Redis store, on ioredis, the client
 * the plugin is written and tested against), otherwise the server's own database (a
 * `rate_limits` table; `DatabaseRateLimitStore` below implements the plugin's store interface).
 * An in-process store would give each instance its own buckets: N instances, N times the limit.
 */
import type { RateLimitPluginOptions } from '@fastify/rate-limit';
import { Redis } from 'ioredis';
import type { Clock } from './clock.ts';
import { countHit, pruneBuckets, type RateLimitsDb } from './rate-limit/repository.ts';

export type { RateLimitsDb, RateLimitsTable } from './rate-limit/repository.ts';

export interface RateLimitStorage {
  /** The server's database, with a `rate_limits` table. */
  readonly db: RateLimitsDb;
  /** The server's clock (tests move it by hand). */
  readonly clock: Clock;
  /** Redis instead of the database, when set. */
  readonly redisUrl?: string | undefined;
  /** Prefix of this server's keys in Redis (two servers, or two tests, may share one Redis). */
  readonly redisPrefix?: string;
}

/** How often (at most) an instance deletes the buckets whose window has ended. */
export const pruneEveryMs = 60_000;

const lastPrunes = new WeakMap<object, number>();

/** Deletes ended buckets, at most once a `pruneEveryMs` per database handle in this process. */
export async function pruneNowAndThen(db: RateLimitsDb, now: number) {
  const last = lastPrunes.get(db);
  if (last !== undefined && now >= last && now - last < pruneEveryMs) return;
  lastPrunes.set(db, now);
  await pruneBuckets(db, now);
}

type IncrCallback = (error: Error | null, result?: { current: number; ttl: number }) => void;

interface StoreShape {
  incr(key: string, callback: IncrCallback, timeWindow: number, max: number): void;
  child(routeOptions: { routeInfo?: { method?: string; url?: string } }): StoreShape;
}

/**
 * The plugin's store interface on the database: one fixed window per key, counted with one
 * atomic upsert (repository.ts), and the ended buckets pruned at most once a minute.
 */
export class DatabaseRateLimitStore implements StoreShape {
  constructor(
    private readonly storage: RateLimitStorage,
    private readonly prefix = 'route:',
  ) {}

  incr(key: string, callback: IncrCallback, timeWindow: number) {
    this.hit(key, timeWindow).then(
      (result) => callback(null, result),
      (error: Error) => callback(error),
    );
  }

  async hit(key: string, timeWindow: number) {
    const now = this.storage.clock.now();
    const { count, resetAt } = await countHit(
      this.storage.db,
      `${this.prefix}${key}`,
      now,
      timeWindow,
    );
    await pruneNowAndThen(this.storage.db, now);
    return { current: count, ttl: Math.max(0, resetAt - now) };
  }

  child(routeOptions: { routeInfo?: { method?: string; url?: string } }) {
    const route = routeOptions.routeInfo;
    const prefix = route?.url ? `route:${route.method ?? ''} ${route.url}|` : this.prefix;
    return new DatabaseRateLimitStore(this.storage, prefix);
  }
}

/**
 * The plugin's storage options: Redis when `redisUrl` is set, otherwise the database. `close`
 * ends the Redis connection (the server calls it when closing).
 */
export function rateLimitStorage(storage: RateLimitStorage): {
  options: Pick<RateLimitPluginOptions, 'redis' | 'nameSpace' | 'store'>;
  close(): Promise<void>;
} {
  if (storage.redisUrl) {
    const redis = new Redis(storage.redisUrl, {
      // A request waits for at most one reconnection rather than queue while Redis is away.
      maxRetriesPerRequest: 1,
      connectTimeout: 2_000,
    });
    // Errors reach the requests that use the connection; the event must not crash the process.
    redis.on('error', () => {});
    return {
      options: { redis, nameSpace: storage.redisPrefix ?? 'tessera-rate-limit:' },
      async close() {
        await redis.quit().catch(() => redis.disconnect());
      },
    };
  }
  const root = new DatabaseRateLimitStore(storage);
  // The plugin constructs the store class it is given; this one hands it the store made here.
  const store = function madeStore() {
    return root;
  } as unknown as NonNullable<RateLimitPluginOptions['store']>;
  return { options: { store }, async close() {} };
}
