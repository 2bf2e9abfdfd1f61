/**
 * Several ticketing instances behind one load balancer share one PostgreSQL database; what one
 * instance learns in memory the others must hear of: admissions for the terminals' live feeds
 * (a gate connected to instance A must see what a gate on instance B admitted within a second),
 * terminal revocations (an open feed ends at once), order changes (a long poll waiting on another
 * instance wakes) and stale cache entries (a retired key, a revoked terminal, a new wallet link:
 * every instance refuses or reloads from the answer on). The bus itself is the service kit's
 * (LISTEN/NOTIFY, one channel per schema); this file says what travels on it for this service.
 *
 * Only cache invalidations matter for correctness, and those are confirmed before the change is
 * answered (see the service kit's cache.ts). The rest makes things immediate that would happen
 * anyway: a feed that reconnects replays from the database (Last-Event-ID), and a long poll
 * re-reads its order on its own. SQLite is one process, so it needs none.
 */
import type { CacheInvalidation } from '@tessera/service-kit/cache';
import {
  type BusLog,
  type InstanceBus,
  startInstanceBus as startBus,
} from '@tessera/service-kit/instance-bus';
import type { GateAdmission, GateRefusal, InstanceSignal, Ticketing } from './context.ts';

/** What travels between ticketing instances: the context's signals and cache invalidations. */
type Signal = InstanceSignal | ({ readonly kind: 'cache' } & CacheInvalidation);

export type { InstanceBus };

export function startInstanceBus(
  ticketing: Ticketing,
  log: BusLog,
): InstanceBus<Signal> | undefined {
  const { config, database } = ticketing;
  if (database.dialect !== 'postgres' || !config.databaseUrl) return undefined;
  const bus = startBus({
    database,
    databaseUrl: config.databaseUrl,
    channelPrefix: 'tessera',
    schema: database.schema ?? config.databaseSchema,
    log,
    receive: (signal: Signal) => apply(ticketing, signal),
  });
  const relay = { send: (signal: InstanceSignal) => bus.send(signal) };
  ticketing.gates.relay = relay;
  ticketing.orders.relay = relay;
  ticketing.caches.relay = {
    send: (invalidation) => bus.sendConfirmed({ kind: 'cache', ...invalidation }),
  };
  return {
    ...bus,
    async stop() {
      if (ticketing.gates.relay === relay) ticketing.gates.relay = undefined;
      if (ticketing.orders.relay === relay) ticketing.orders.relay = undefined;
      ticketing.caches.relay = undefined;
      await bus.stop();
    },
  };
}

/** A signal from another instance, applied here without sending it on. */
function apply(ticketing: Ticketing, signal: Signal) {
  switch (signal.kind) {
    case 'admission':
      ticketing.gates.deliver(signal.admission as GateAdmission);
      break;
    case 'revoked':
      ticketing.gates.revokedHere(signal.terminalId);
      break;
    case 'refusal':
      ticketing.gates.refusedHere(signal.refusal as GateRefusal);
      break;
    case 'order':
      ticketing.orders.changedHere(signal.orderId);
      break;
    case 'cache':
      ticketing.caches.invalidateHere({ cache: signal.cache, key: signal.key });
      break;
  }
}
