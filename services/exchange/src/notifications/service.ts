/**
 * Notifications leave through a transactional outbox: the notification rows (one per party) and
 * the webhook deliveries for merchants are written in the same transaction as the journal entry,
 * so a committed payment always has its notices and a rolled-back one never does. After commit
 * the hub pushes them to live feeds; the webhook worker delivers the rest from the table.
 */
import { type Dialect, Statement } from '@tessera/db';
import type { Kysely } from 'kysely';
import type { ExchangeDB } from '../db/schema.ts';
import { newSortableId } from '../ids.ts';

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

/** Statements by their text, built once each (these run with every payment). */
const statements = new Map<string, Statement<never>>();
function statement<Row>(text: string): Statement<Row> {
  let made = statements.get(text);
  if (!made) {
    made = new Statement(text);
    statements.set(text, made);
  }
  return made as unknown as Statement<Row>;
}

type OutboxRow = { seq: number; id: string; deliveries: number };

const insertNotifications = (count: number) =>
  `insert into notifications (id, subscriber_id, type, payload, created_at) values ${repeat(count, '(?, ?, ?, ?, ?)')}`;

/**
 * PostgreSQL: the notifications, their webhook deliveries (for recipients with a webhook) and
 * the transaction's final writes in one statement, one round trip.
 */
function postgresOutboxText(count: number, finalTexts: readonly string[]) {
  const finals = finalTexts.map((text, index) => `, final${index} as (${text})`).join('');
  return `with n as (${insertNotifications(count)} returning seq, id, subscriber_id),
    d as (
      insert into webhook_deliveries (id, notification_id, subscriber_id, url, status, attempts,
        next_attempt_at, locked_until, last_status, last_error, delivered_at, created_at)
      select 'whd_' || substr(n.id, 5), n.id, n.subscriber_id, s.webhook_url, 'pending', 0, ?, 0,
        null, null, null, ?
      from n join subscribers s on s.id = n.subscriber_id where s.webhook_url is not null
      returning 1)${finals}
    select n.seq, n.id, (select count(*) from d)::int as deliveries from n`;
}

const insertDeliveryText = `insert into webhook_deliveries (id, notification_id, subscriber_id, url,
    status, attempts, next_attempt_at, locked_until, last_status, last_error, delivered_at, created_at)
  values (?, ?, ?, ?, 'pending', 0, ?, 0, null, null, null, ?)`;

/** A write that goes out with the outbox write (see `Work.finally`). */
export interface FinalWrite {
  readonly text: string;
  readonly parameters: readonly unknown[];
}

async function runAlone(trx: Kysely<ExchangeDB>, dialect: Dialect, writes: readonly FinalWrite[]) {
  for (const write of writes) await statement(write.text).run(trx, dialect, write.parameters);
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
  const createdAt = new Date(now).toISOString();
  const events = items.map((item) => ({
    id: newSortableId('evt'),
    type: item.type,
    createdAt,
    data: item.data,
    subscriberId: item.subscriberId,
    seq: 0,
  }));
  const parameters = events.flatMap(({ subscriberId, seq: _seq, ...body }) => [
    body.id,
    subscriberId,
    body.type,
    JSON.stringify(body),
    now,
  ]);
  let deliveries = 0;
  let rows: OutboxRow[];
  if (dialect === 'postgres') {
    const texts = finalWrites.map((write) => write.text);
    rows = await statement<OutboxRow>(postgresOutboxText(items.length, texts)).run(trx, dialect, [
      ...parameters,
      now,
      now,
      ...finalWrites.flatMap((write) => write.parameters),
    ]);
    deliveries = rows[0]?.deliveries ?? 0;
  } else {
    await runAlone(trx, dialect, finalWrites);
    rows = await statement<OutboxRow>(
      `${insertNotifications(items.length)} returning seq, id, 0 as deliveries`,
    ).run(trx, dialect, parameters);
    const hooks = await statement<{ id: string; webhook_url: string }>(
      `select id, webhook_url from subscribers where id in (${repeat(items.length, '?')}) and webhook_url is not null`,
    ).run(
      trx,
      dialect,
      items.map((item) => item.subscriberId),
    );
    const hookOf = new Map(hooks.map((hook) => [hook.id, hook.webhook_url]));
    for (const event of events) {
      const url = hookOf.get(event.subscriberId);
      if (!url) continue;
      await statement(insertDeliveryText).run(trx, dialect, [
        deliveryIdOf(event.id),
        event.id,
        event.subscriberId,
        url,
        now,
        now,
      ]);
      deliveries += 1;
    }
  }
  const seqOf = new Map(rows.map((row) => [row.id, Number(row.seq)]));
  for (const event of events) event.seq = seqOf.get(event.id) as number;
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
