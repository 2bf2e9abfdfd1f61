/**
 * Seed 001's manual codes as the event package carries them: salted PIN hashes
 * (`ManualCodeRecord`s of the protocol), so a typed ticket number and PIN can be checked offline
 * without the PIN ever leaving the server.
 *
 * A record costs a PBKDF2 (about 8 ms at the protocol's 20,000 iterations), far too slow for the
 * purchase path. They are made afterwards: the reconciliation worker fills them for performances
 * whose doors open within two days, and the package route fills up to `packageFillMax` missing
 * ones of its performances before answering. A ticket whose revision changed (transfer, reissue)
 * gets a new record; the old revision is revoked anyway.
 */

import { type ManualCodeRecord, toHex } from '@tessera/protocol';
import type { Ticketing } from '../../context.ts';
import { openPin } from '../../organizers/keys.ts';
import { type TicketTermsSource, termsSource, ticketTerms } from '../../tickets/issuance.ts';
import { liveTicketStatuses } from '../../tickets/service.ts';
import {
  type TicketWithoutRecord,
  ticketsWithoutRecord,
  upsertManualCodeRecords,
} from './repository.ts';

/** Manual-code records the package route makes before answering: about a second of PBKDF2. */
export const packageFillMax = 200;
/** Manual-code records the reconciliation worker makes per round. */
export const workerFillMax = 200;
/**
 * The worker fills performances whose doors open within this time. Far enough ahead for 50,000
 * records at one core (some 7 minutes), and late enough that the hashing never competes with an
 * on-sale weeks before the event; a terminal that syncs earlier fills its own.
 */
const workerFillHorizonMs = 2 * 86_400_000;
/**
 * PBKDF2s run at once (node:crypto runs them on libuv's thread pool). The package route, with a
 * terminal waiting, uses two cores; the worker one, leaving the other to buyers.
 */
const routeFillParallel = 2;
const workerFillParallel = 1;
/** Records written per statement: a few commits per fill rather than one per ticket. */
const storeBatchSize = 50;

/** Fills already running, per scope, so a crowd of terminals hashes each PIN once. */
const runningFills = new WeakMap<Ticketing, Map<string, Promise<FillResult>>>();

export interface FillResult {
  /** Records made (or remade for a new revision). */
  made: number;
  /** Whether tickets without a current record remain after this call. */
  more: boolean;
}

/**
 * Makes the manual-code records of up to `limit` live tickets that lack one at their current
 * revision: of the given performances, or (the worker) of every scheduled performance not yet
 * over whose doors open within `workerFillHorizonMs`, the soonest first. Calls for the same
 * scope in this process share one run.
 */
export function fillManualCodeRecords(
  ticketing: Ticketing,
  limit: number,
  performanceIds?: readonly string[],
): Promise<FillResult> {
  let running = runningFills.get(ticketing);
  if (!running) {
    running = new Map();
    runningFills.set(ticketing, running);
  }
  const key = performanceIds ? [...performanceIds].sort().join(',') : '*';
  const existing = running.get(key);
  if (existing) return existing;
  const fill = fillOnce(ticketing, limit, performanceIds).finally(() => running?.delete(key));
  running.set(key, fill);
  return fill;
}

async function fillOnce(
  ticketing: Ticketing,
  limit: number,
  performanceIds: readonly string[] | undefined,
): Promise<FillResult> {
  const db = ticketing.database.db;
  const now = ticketing.clock.now();
  // One more than asked: tells whether any are left after this call. The worker takes the
  // performances a terminal may soon check.
  const missing = await ticketsWithoutRecord(
    db,
    liveTicketStatuses,
    limit + 1,
    performanceIds ? { performanceIds } : { endsAfter: now, doorsBy: now + workerFillHorizonMs },
  );
  const todo = missing.slice(0, limit);
  const sources = new Map<string, Promise<TicketTermsSource>>();
  const sourceOf = (ticket: TicketWithoutRecord) => {
    const key = `${ticket.performance_id} ${ticket.category_id}`;
    let source = sources.get(key);
    if (!source) {
      source = termsSource(db, ticket.performance_id, ticket.category_id);
      sources.set(key, source);
    }
    return source;
  };
  let made = 0;
  let hashed: { ticketId: string; record: ManualCodeRecord }[] = [];
  const flush = async () => {
    // The time is read after hashing, just before the write: it is the records' place in the
    // package's order, and must be no older than the write that makes them visible.
    await upsertManualCodeRecords(
      db,
      hashed.map(({ ticketId, record }) => ({
        ticket_id: ticketId,
        revision: record.revision,
        salt: toHex(record.salt),
        iterations: record.iterations,
        pin_hash: toHex(record.pinHash),
      })),
      ticketing.clock.now(),
    );
    made += hashed.length;
    hashed = [];
  };
  const parallel = performanceIds ? routeFillParallel : workerFillParallel;
  for (let start = 0; start < todo.length; start += parallel) {
    const batch = todo.slice(start, start + parallel);
    const records = await Promise.all(
      batch.map(async (ticket) => {
        const terms = ticketTerms(await sourceOf(ticket), ticket.number, ticket.revision);
        const pin = openPin(ticketing, ticket.id, ticket.pin);
        const record = await ticketing.protocol.createManualCodeRecord(
          terms,
          { ticketNumber: ticket.manual_number, pin },
          ticketing.config.manualCodeIterations,
        );
        return { ticketId: ticket.id, record };
      }),
    );
    hashed.push(...records);
    if (hashed.length >= storeBatchSize) await flush();
  }
  await flush();
  return { made, more: missing.length > limit };
}
