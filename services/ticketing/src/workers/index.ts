/** Background workers of the ticketing server; each coordinates through the database. */
import type { FastifyBaseLogger } from 'fastify';
import type { Ticketing } from '../context.ts';

export interface Worker {
  stop(): Promise<void>;
}

export function startWorkers(_ticketing: Ticketing, _log: FastifyBaseLogger): Worker {
  const running: Worker[] = [];
  return {
    async stop() {
      await Promise.all(running.map((worker) => worker.stop()));
    },
  };
}
