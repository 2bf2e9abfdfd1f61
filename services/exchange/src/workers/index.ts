/** Background workers of the exchange; each coordinates through the database, not memory. */
import type { FastifyBaseLogger } from 'fastify';
import type { Exchange } from '../context.ts';
import { startHousekeeping } from './housekeeping.ts';
import { startWebhookWorker } from './webhooks.ts';

export interface Worker {
  stop(): Promise<void>;
}

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
