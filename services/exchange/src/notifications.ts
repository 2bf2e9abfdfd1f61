/**
 * Notifications leave through a transactional outbox: the notification rows (one per party) and
 * the webhook deliveries for merchants are written in the same transaction as the journal entry,
 * so a committed payment always has its notices and a rolled-back one never does. After commit
 * the hub pushes them to live feeds; the webhook worker delivers the rest from the table.
 */
import { type Dialect, Statement } from '@tessera/db';
import type { Kysely } from 'kysely';
import type { ExchangeDB } from './db/schema.ts';
import { newSortableId } from './ids.ts';

/** What subscribers and webhooks receive. `id` is stable across redeliveries. */
export interface NotificationEvent {
  readonly id: string;
  readonly seq: number;
  readonly type: string;
  readonly subscriberId: string;
  readonly createdAt: string;
  readonly data: Record<string, unknown>;
}

/** The delivery row of a notification has the notification's id with its own prefix. */
export const deliveryIdOf = (notificationId: string) =>
  `whd_${notificationId.slice('evt_'.length)}`;

const repeat = (count: number, text: string) =>
  Array.from({ length: count }, () => text).join(', ');
const perCount = new Map<
  number,
  {
    hooks: Statement<{ id: string; webhook_url: string }>;
    insert: Statement<{ seq: number; id: string; deliveries: number }>;
    /** The PostgreSQL text with `?` placeholders, to extend with final writes. */
    insertText: string;
  }
>();

/** The statements for `count` notifications, written once (this runs with every payment). */
function statementsFor(count: number) {
  let made = perCount.get(count);
  if (!made) {
    const values = repeat(count, '(?, ?, ?, ?, ?)');
    // PostgreSQL: the notifications and their webhook deliveries in one round trip.
    const insertText = `with n as (
        insert into notifications (id, subscriber_id, type, payload, created_at) values ${values}
        returning seq, id, subscriber_id),
      d as (
        insert into webhook_deliveries (id, notification_id, subscriber_id, url, status, attempts,
          next_attempt_at, locked_until, last_status, last_error, delivered_at, created_at)
        select 'whd_' || substr(n.id, 5), n.id, n.subscriber_id, s.webhook_url, 'pending', 0, ?, 0,
          null, null, null, ?
        from n join subscribers s on s.id = n.subscriber_id where s.webhook_url is not null
        returning 1) select n.seq, n.id, (select count(*) from d)::int as deliveries from n`;
    made = {
      hooks: new Statement(
        `select id, webhook_url from subscribers where id in (${repeat(count, '?')}) and webhook_url is not null`,
      ),
      insert: new Statement({
        sqlite: `insert into notifications (id, subscriber_id, type, payload, created_at) values ${values} returning seq, id, 0 as deliveries`,
        postgres: insertText,
      }),
      insertText,
    };
    perCount.set(count, made);
  }
  return made;
}

const insertDelivery = new Statement(
  `insert into webhook_deliveries (id, notification_id, subscriber_id, url, status, attempts,
     next_attempt_at, locked_until, last_status, last_error, delivered_at, created_at)
   values (?, ?, ?, ?, 'pending', 0, ?, 0, null, null, null, ?)`,
);

/** A write that goes out with the outbox write (see `Work.finally`). */
export interface FinalWrite {
  readonly text: string;
  readonly parameters: readonly unknown[];
}

const loneWrites = new Map<string, Statement>();
const combined = new Map<string, Statement<{ seq: number; id: string; deliveries: number }>>();

async function runAlone(trx: Kysely<ExchangeDB>, dialect: Dialect, writes: readonly FinalWrite[]) {
  for (const write of writes) {
    let statement = loneWrites.get(write.text);
    if (!statement) {
      statement = new Statement(write.text);
      loneWrites.set(write.text, statement);
    }
    await statement.run(trx, dialect, write.parameters);
  }
}

export async function writeNotifications(
  trx: Kysely<ExchangeDB>,
  dialect: Dialect,
  now: number,
  items: readonly { subscriberId: string; type: string; data: Record<string, unknown> }[],
  finalWrites: readonly FinalWrite[] = [],
): Promise<{ events: NotificationEvent[]; deliveries: number }> {
  if (items.length === 0) {
    await runAlone(trx, dialect, finalWrites);
    return { events: [], deliveries: 0 };
  }
  const statements = statementsFor(items.length);
  const createdAt = new Date(now).toISOString();
  const bodies = items.map((item) => ({
    id: newSortableId('evt'),
    type: item.type,
    createdAt,
    data: item.data,
  }));
  const parameters = bodies.flatMap((body, index) => [
    body.id,
    (items[index] as (typeof items)[number]).subscriberId,
    body.type,
    JSON.stringify(body),
    now,
  ]);
  let deliveries = 0;
  let rows: { seq: number; id: string; deliveries: number }[];
  if (dialect === 'postgres') {
    let statement = statements.insert;
    if (finalWrites.length > 0) {
      // The final writes ride along as more data-modifying CTEs of the same statement.
      const texts = finalWrites.map((write) => write.text);
      const key = `${items.length}\u0000${texts.join('\u0000')}`;
      let found = combined.get(key);
      if (!found) {
        const extra = texts.map((text, index) => `, final${index} as (${text})`).join('');
        found = new Statement(
          statements.insertText.replace(') select n.seq', `)${extra} select n.seq`),
        );
        combined.set(key, found);
      }
      statement = found;
    }
    rows = await statement.run(trx, dialect, [
      ...parameters,
      now,
      now,
      ...finalWrites.flatMap((write) => write.parameters),
    ]);
    deliveries = rows[0]?.deliveries ?? 0;
  } else {
    await runAlone(trx, dialect, finalWrites);
    rows = await statements.insert.run(trx, dialect, parameters);
    const hooks = await statements.hooks.run(
      trx,
      dialect,
      items.map((item) => item.subscriberId),
    );
    if (hooks.length > 0) {
      const hookOf = new Map(hooks.map((hook) => [hook.id, hook.webhook_url]));
      for (const [index, body] of bodies.entries()) {
        const subscriberId = (items[index] as (typeof items)[number]).subscriberId;
        const url = hookOf.get(subscriberId);
        if (!url) continue;
        await insertDelivery.run(trx, dialect, [
          deliveryIdOf(body.id),
          body.id,
          subscriberId,
          url,
          now,
          now,
        ]);
        deliveries += 1;
      }
    }
  }
  const seqOf = new Map(rows.map((row) => [row.id, Number(row.seq)]));
  const events = bodies.map((body, index) => ({
    ...body,
    seq: seqOf.get(body.id) as number,
    subscriberId: (items[index] as (typeof items)[number]).subscriberId,
  }));
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
