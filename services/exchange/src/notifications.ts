/**
 * Notifications leave through a transactional outbox: the notification rows (one per party) and
 * the webhook deliveries for merchants are written in the same transaction as the journal entry,
 * so a committed payment always has its notices and a rolled-back one never does. After commit
 * the hub pushes them to live feeds; the webhook worker delivers the rest from the table.
 */
import type { Kysely } from 'kysely';
import type { ExchangeDB } from './db/schema.ts';
import { newId } from './ids.ts';

/** What subscribers and webhooks receive. `id` is stable across redeliveries. */
export interface NotificationEvent {
  readonly id: string;
  readonly seq: number;
  readonly type: string;
  readonly subscriberId: string;
  readonly createdAt: string;
  readonly data: Record<string, unknown>;
}

export async function writeNotifications(
  trx: Kysely<ExchangeDB>,
  now: number,
  items: readonly { subscriberId: string; type: string; data: Record<string, unknown> }[],
): Promise<NotificationEvent[]> {
  if (items.length === 0) return [];
  const events: NotificationEvent[] = [];
  const recipients = [...new Set(items.map((item) => item.subscriberId))];
  const hooks = await trx
    .selectFrom('subscribers')
    .select(['id', 'webhook_url'])
    .where('id', 'in', recipients)
    .where('webhook_url', 'is not', null)
    .execute();
  const hookOf = new Map(hooks.map((hook) => [hook.id, hook.webhook_url as string]));
  for (const item of items) {
    const id = newId('evt');
    const createdAt = new Date(now).toISOString();
    const body = { id, type: item.type, createdAt, data: item.data };
    const row = await trx
      .insertInto('notifications')
      .values({
        id,
        subscriber_id: item.subscriberId,
        type: item.type,
        payload: JSON.stringify(body),
        created_at: now,
      })
      .returning('seq')
      .executeTakeFirstOrThrow();
    events.push({ ...body, seq: row.seq, subscriberId: item.subscriberId });
    const url = hookOf.get(item.subscriberId);
    if (url) {
      await trx
        .insertInto('webhook_deliveries')
        .values({
          id: newId('whd'),
          notification_id: id,
          subscriber_id: item.subscriberId,
          url,
          status: 'pending',
          attempts: 0,
          next_attempt_at: now,
          locked_until: 0,
          last_status: null,
          last_error: null,
          delivered_at: null,
          created_at: now,
        })
        .execute();
    }
  }
  return events;
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

  publish(events: readonly NotificationEvent[]) {
    for (const event of events) {
      for (const listener of this.listeners.get(event.subscriberId) ?? []) {
        try {
          listener(event);
        } catch {
          // One broken stream must not stop the others.
        }
      }
    }
    if (events.length > 0) this.onCommitted?.();
  }

  get connections() {
    let count = 0;
    for (const set of this.listeners.values()) count += set.size;
    return count;
  }
}
