/** Background workers of the ticketing server; each coordinates through the database. */
import type { Worker } from '@tessera/service-kit/worker';
import type { FastifyBaseLogger } from 'fastify';
import type { Ticketing } from '../context.ts';
import { startReconciler } from './reconcile.ts';

export function startWorkers(ticketing: Ticketing, log: FastifyBaseLogger): Worker {
  const running: Worker[] = [startReconciler(ticketing, log.child({ worker: 'reconcile' }))];
  return {
    async stop() {
      await Promise.all(running.map((worker) => worker.stop()));
    },
  };
}
