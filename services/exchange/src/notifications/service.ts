/**
 * Notifications leave through a transactional outbox: the notification rows (one per party) and
 * the webhook deliveries for merchants are written in the same transaction as the journal entry,
 * so a committed payment always has its notices and a rolled-back one never does. After commit
 * the hub pushes them to live feeds; the webhook worker delivers the rest from the table.
 */
import type { Dialect } from '@tessera/db';
import type { Kysely } from 'kysely';
import type { ExchangeDB } from '../db/schema.ts';
import { newSortableId } from '../ids.ts';
import { type FinalWrite, insertOutbox, runFinalWrites } from './repository.ts';

export type { FinalWrite };

/** What subscribers and webhooks receive. `id` is stable across redeliveries. */
export interface NotificationEvent {
  readonly id: string;
  readonly seq: number;
  readonly type: string;
  readonly subscriberId: string;
  readonly createdAt: string;
  readonly data: Record<string, unknown>;
}

/**
 * Writes a transaction's queued notifications and final writes (see `Work.finally`) into the
 * outbox, in that transaction; answers the events to publish once it has committed, and how
 * many webhook deliveries were written.
 */
export async function writeNotifications(
  trx: Kysely<ExchangeDB>,
  dialect: Dialect,
  now: number,
  items: readonly { subscriberId: string; type: string; data: Record<string, unknown> }[],
  finalWrites: readonly FinalWrite[] = [],
): Promise<{ events: NotificationEvent[]; deliveries: number }> {
  if (items.length === 0) {
    await runFinalWrites(trx, dialect, finalWrites);
    return { events: [], deliveries: 0 };
  }
  const createdAt = new Date(now).toISOString();
  const events = items.map((item) => ({
    id: newSortableId('evt'),
    type: item.type,
    createdAt,
    data: item.data,
    subscriberId: item.subscriberId,
    seq: 0,
  }));
  // The stored payload is the event without its subscriber and seq, in this key order (the
  // live feed sends the same text).
  const stored = events.map(({ subscriberId, seq: _seq, ...body }) => ({
    id: body.id,
    subscriberId,
    type: body.type,
    payload: JSON.stringify(body),
  }));
  const { seqs, deliveries } = await insertOutbox(trx, dialect, now, stored, finalWrites);
  for (const event of events) event.seq = seqs.get(event.id) as number;
  return { events, deliveries };
}

type Listener = (event: NotificationEvent) => void;

/** In-process fan-out to live feeds (server-sent events), after commit. */
export class NotificationHub {
  private readonly listeners = new Map<string, Set<Listener>>();
  /** Wakes the webhook worker when new deliveries may be due. */
  onCommitted: (() => void) | undefined;

  subscribe(subscriberId: string, listener: Listener): () => void {
    let set = this.listeners.get(subscriberId);
    if (!set) {
      set = new Set();
      this.listeners.set(subscriberId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(subscriberId);
    };
  }

  /** `deliveries`: whether the transaction wrote webhook deliveries (then the worker wakes). */
  publish(events: readonly NotificationEvent[], deliveries = events.length > 0) {
    for (const event of events) {
      for (const listener of this.listeners.get(event.subscriberId) ?? []) {
        try {
          listener(event);
        } catch {
          // One broken stream must not stop the others.
        }
      }
    }
    if (deliveries) this.onCommitted?.();
  }

  get connections() {
    let count = 0;
    for (const set of this.listeners.values()) count += set.size;
    return count;
  }
}
