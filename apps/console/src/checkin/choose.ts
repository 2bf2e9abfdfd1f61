/**
 * Which performance the check-in screen opens on: the one whose doors are open now, else the
 * next to open, else the last one that happened. Pure, so test/checkin.test.ts checks it.
 */

export interface Schedulable {
  id: string;
  doorsAt: string;
  startsAt: string;
  endsAt: string;
  status: string;
}

export function defaultPerformance<P extends Schedulable>(
  performances: readonly P[],
  nowMs: number,
): P | undefined {
  const live = performances.filter((p) => p.status !== 'cancelled');
  const at = (iso: string) => Date.parse(iso);
  const open = live.find((p) => at(p.doorsAt) <= nowMs && nowMs < at(p.endsAt));
  if (open) return open;
  const next = live
    .filter((p) => at(p.doorsAt) > nowMs)
    .sort((a, b) => at(a.doorsAt) - at(b.doorsAt))[0];
  if (next) return next;
  return [...live].sort((a, b) => at(b.endsAt) - at(a.endsAt))[0] ?? performances[0];
}

/** The event to start with: the one whose next performance comes first, else the first listed. */
export function defaultEvent<E extends { id: string; nextStartsAt: string | null }>(
  events: readonly E[],
): E | undefined {
  const upcoming = events
    .filter((e) => e.nextStartsAt !== null)
    .sort((a, b) => Date.parse(a.nextStartsAt ?? '') - Date.parse(b.nextStartsAt ?? ''));
  return upcoming[0] ?? events[0];
}
