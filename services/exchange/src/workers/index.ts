/** Background workers of the exchange; each coordinates through the database, not memory. */
import type { Worker } from '@tessera/service-kit/worker';
import type { FastifyBaseLogger } from 'fastify';
import type { Exchange } from '../context.ts';
import { startWebhookWorker } from '../notifications/worker.ts';
import { startHousekeeping } from './housekeeping.ts';

export function startWorkers(exchange: Exchange, log: FastifyBaseLogger): Worker {
  const running: Worker[] = [
    startWebhookWorker(exchange, log.child({ worker: 'webhooks' }), {
      concurrency: exchange.config.webhookConcurrency,
      batchSize: exchange.config.webhookBatch,
    }),
    startHousekeeping(exchange, log.child({ worker: 'housekeeping' })),
  ];
  return {
    async stop() {
      await Promise.all(running.map((worker) => worker.stop()));
    },
  };
}
