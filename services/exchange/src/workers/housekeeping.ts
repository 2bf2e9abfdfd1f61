/**
 * Housekeeping: forgets what has served its purpose, so tables that grow with traffic do not
 * grow forever. Idempotency keys are kept for a week (clients retry within minutes; a week
 * covers any sane retry policy), sign-in codes and sessions once they have expired. The journal,
 * notifications and the webhook log are records and are never deleted here.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Exchange } from '../context.ts';
import {
  deleteIdempotencyKeysBefore,
  deletePhoneCodesExpiredBefore,
  deleteSessionsExpiredBefore,
} from './repository.ts';

const idempotencyKeyRetentionMs = 7 * 86_400_000;
const everyMs = 10 * 60_000;

export async function sweep(exchange: Exchange) {
  const db = exchange.database.db;
  const now = exchange.clock.now();
  const idempotencyKeys = await deleteIdempotencyKeysBefore(db, now - idempotencyKeyRetentionMs);
  const phoneCodes = await deletePhoneCodesExpiredBefore(db, now - 86_400_000);
  const sessions = await deleteSessionsExpiredBefore(db, now);
  return { idempotencyKeys, phoneCodes, sessions };
}

export function startHousekeeping(exchange: Exchange, log: FastifyBaseLogger) {
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    running = sweep(exchange).then(
      (removed) => log.info({ removed }, 'housekeeping'),
      (error: unknown) => log.error({ err: error }, 'housekeeping failed'),
    );
  };
  const timer = setInterval(tick, everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
