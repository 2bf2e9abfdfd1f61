/**
 * Hold limits (issue 18 item 8; docs/ticketing.md, "Hold limits"): what one buyer may hold
 * unpaid of one performance at a time, and the cool-downs that stop one account from keeping a
 * performance's seats away from everyone else by holding them, letting them run out or go, and
 * holding them again.
 *
 * - At most `max(1, min(tickets, sharePercent % of the performance's capacity))` tickets in the
 *   buyer's active and ordered holds of the performance. Paid tickets do not count (the event's
 *   per-buyer limit, `buyer_counts`, is separate and stays).
 * - A hold that runs out unpaid (no order, or an order whose payment window closed) starts a
 *   cool-down: no new hold of that performance for `cooldownS`.
 * - So does the `releasesBeforeCooldown`-th hold in a row the buyer lets go (cancelling its
 *   order included), each within `cooldownS` of the one before.
 * - Holds ended by the organizer (a cancelled performance), the exchange, or a door-sale offer
 *   withdrawn by staff count nothing against the buyer.
 *
 * Keyed by account, which is the phone too: `users.phone` is unique and never changes, so one
 * verified number is one account. A hold carries no device identity, and a device key belongs
 * to exactly one account (a key another account registered is refused), so a device limit would
 * be the account limit again; a device is named only when an order binds the tickets.
 *
 * Race-free like the seats: the count is one row per performance and buyer, raised with one
 * conditional upsert in the hold's own transaction (see `raiseHeldCount`) and lowered in the
 * transaction that ends the hold.
 */
import { ApiError } from '@tessera/service-kit/errors';
import { iso } from '@tessera/service-kit/schemas';
import type { HoldLimits } from '../config.ts';
import type { Ticketing, Trx } from '../context.ts';
import type { HoldsTable } from '../db/schema.ts';
import { heldCount, lowerHeldCount, performanceCapacity, raiseHeldCount } from './repository.ts';

/**
 * What a hold's end counts against its buyer: it ran out unpaid, or the buyer let it go. A hold
 * paid for, or ended by the organizer or the exchange, counts nothing.
 */
export interface HoldCooldown {
  readonly why: 'expired' | 'let_go';
  readonly limits: HoldLimits;
}

/** The most one buyer may hold unpaid of a performance of this capacity. */
export function holdLimitFor(limits: HoldLimits, capacity: number): number {
  return Math.max(1, Math.min(limits.tickets, Math.floor((capacity * limits.sharePercent) / 100)));
}

/** A performance's capacity changes only with its seat map: one read a minute serves all buyers. */
const capacityTtlMs = 60_000;

export async function capacityOf(ticketing: Ticketing, performanceId: string): Promise<number> {
  const cache = ticketing.caches.cache<{ capacity: number }>(
    'performance-capacity',
    { ttlMs: capacityTtlMs, max: 10_000 },
    async (id) => ({ capacity: await performanceCapacity(ticketing.database.db, id) }),
  );
  return ((await cache.get(performanceId)) as { capacity: number }).capacity;
}

/**
 * Counts `quantity` more unpaid tickets for the buyer, or answers 409 `hold_limit`: over the
 * limit (`details.limit`, `details.held`), or cooling down (`details.retryAfterS` too, and the
 * route's `Retry-After`). `limit` null: counted, never refused (a door sale, made by staff).
 */
export async function countUnpaid(
  trx: Trx,
  now: number,
  hold: { performanceId: string; userId: string; quantity: number },
  limit: number | null,
): Promise<void> {
  const { performanceId, userId, quantity } = hold;
  const check = limit === null ? null : { limit, now };
  if (check && quantity <= check.limit) {
    if (await raiseHeldCount(trx, performanceId, userId, quantity, check)) return;
  } else if (!check) {
    await raiseHeldCount(trx, performanceId, userId, quantity, null);
    return;
  }
  const row = await heldCount(trx, performanceId, userId);
  const held = Number(row?.held ?? 0);
  const until = Number(row?.blocked_until ?? 0);
  if (until > now) {
    const retryAfterS = Math.ceil((until - now) / 1000);
    throw new ApiError(
      409,
      'hold_limit',
      `you cannot hold tickets for this performance again until ${iso(until) as string}: a hold of yours ran out unpaid or was let go too often`,
      { limit, held, retryAfterS, until: iso(until) },
    );
  }
  throw new ApiError(
    409,
    'hold_limit',
    `at most ${limit} unpaid tickets per buyer for this performance at a time; you hold ${held} unpaid: pay for them or let them go first`,
    { limit, held },
  );
}

/** Lowers the buyer's unpaid count by a hold that ended, and starts a cool-down where it is due. */
export async function uncountHold(
  trx: Trx,
  hold: Pick<HoldsTable, 'performance_id' | 'user_id' | 'quantity'>,
  now: number,
  cooldown?: HoldCooldown,
): Promise<void> {
  await lowerHeldCount(
    trx,
    hold.performance_id,
    hold.user_id,
    hold.quantity,
    cooldown && {
      why: cooldown.why,
      now,
      ms: cooldown.limits.cooldownS * 1000,
      releasesMax: cooldown.limits.releasesBeforeCooldown,
    },
  );
}
