/**
 * The revocation feed gate terminals sync (every voided revision of a performance's tickets, in
 * `seq` order), and who may act on a performance after the sale (its organizer's staff).
 */
import { ApiError, notFound } from '@tessera/service-kit/errors';
import type { Ticketing } from '../context.ts';
import type { Principal } from '../identity/service.ts';
import { type Permission, requireStaff } from '../organizers/staff.ts';
import {
  organizerOfPerformanceRow,
  type PerformanceOrganizer,
  revocationsOfPerformance,
} from './repository.ts';

export const revocationPageMax = 1000;

/**
 * The revocations of a performance after `after` (a `seq`), oldest first. Terminals keep the
 * highest `seq` they have and ask for what follows; `next` is set when the page was full (ask
 * again with it), null when this was everything for now.
 */
export async function revocationsAfter(
  ticketing: Ticketing,
  performanceId: string,
  after: number,
  limit: number,
) {
  const entries = await revocationsOfPerformance(
    ticketing.database.db,
    performanceId,
    after,
    limit,
  );
  const last = entries.at(-1);
  return { entries, next: entries.length === limit && last ? last.seq : null };
}

/**
 * The performance's organizer and code if the caller is its staff with `permission`; anyone
 * else learns nothing (404 performance).
 */
export async function staffOfPerformance(
  ticketing: Ticketing,
  caller: Principal | undefined,
  performanceId: string,
  permission: Permission,
): Promise<PerformanceOrganizer> {
  const performance = await organizerOfPerformanceRow(ticketing.database.db, performanceId);
  if (!performance) throw notFound('performance');
  try {
    await requireStaff(ticketing, caller, performance.organizer_id, permission);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) throw notFound('performance');
    throw error;
  }
  return performance;
}
