/**
 * Several exchange instances behind one load balancer share one PostgreSQL database. They keep
 * sessions and payees in memory for a few seconds; when one instance ends a session, the others
 * must forget it before the sign-out is answered. The service kit's bus (LISTEN/NOTIFY, a channel
 * per schema) carries those cache invalidations; nothing else needs to travel between exchange
 * instances (the live notification feed reads the outbox). SQLite is one process: no bus.
 */
import type { CacheInvalidation } from '@tessera/service-kit/cache';
import { type BusLog, startInstanceBus as startBus } from '@tessera/service-kit/instance-bus';
import type { Exchange } from './context.ts';

export function startInstanceBus(exchange: Exchange, log: BusLog) {
  const { config, database } = exchange;
  if (database.dialect !== 'postgres' || !config.databaseUrl) return undefined;
  const bus = startBus({
    database,
    databaseUrl: config.databaseUrl,
    channelPrefix: 'tessera_exchange',
    schema: database.schema ?? 'public',
    log,
    receive: (signal: CacheInvalidation) => exchange.caches.invalidateHere(signal),
  });
  exchange.caches.relay = { send: (invalidation) => bus.sendConfirmed(invalidation) };
  return {
    ...bus,
    async stop() {
      exchange.caches.relay = undefined;
      await bus.stop();
    },
  };
}
