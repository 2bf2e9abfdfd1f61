/**
 * The SQL of notifications: the outbox write that runs with every transaction that notifies
 * (prepared statements, one round trip on PostgreSQL), the merchant's webhook endpoint, the
 * delivery log, the history the live feed replays, and the webhook worker's claims and records.
 */
import { type Dialect, Statement } from '@tessera/db';
import type { Kysely, Selectable } from 'kysely';
import type {
  ExchangeDB,
  NotificationsTable,
  WebhookAttemptsTable,
  WebhookDeliveriesTable,
} from '../db/schema.ts';

type Executor = Kysely<ExchangeDB>;

// ---- the outbox --------------------------------------------------------------------------

/** The delivery row of a notification has the notification's id with its own prefix. */
const deliveryIdOf = (notificationId: string) => `whd_${notificationId.slice('evt_'.length)}`;

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

/** A notification as the outbox stores it: `payload` is the event's JSON text. */
export interface OutboxNotification {
  readonly id: string;
  readonly subscriberId: string;
  readonly type: string;
  readonly payload: string;
}

/** Runs the final writes on their own (when nothing is notified, and always on SQLite). */
export async function runFinalWrites(
  trx: Executor,
  dialect: Dialect,
  writes: readonly FinalWrite[],
) {
  for (const write of writes) await statement(write.text).run(trx, dialect, write.parameters);
}

/**
 * Writes the notifications (at least one), a webhook delivery for each whose subscriber has a
 * webhook, and the final writes. Answers each notification's seq by id, and how many
 * deliveries were written.
 */
export async function insertOutbox(
  trx: Executor,
  dialect: Dialect,
  now: number,
  notifications: readonly OutboxNotification[],
  finalWrites: readonly FinalWrite[],
): Promise<{ seqs: Map<string, number>; deliveries: number }> {
  const parameters = notifications.flatMap((item) => [
    item.id,
    item.subscriberId,
    item.type,
    item.payload,
    now,
  ]);
  let deliveries = 0;
  let rows: OutboxRow[];
  if (dialect === 'postgres') {
    const texts = finalWrites.map((write) => write.text);
    rows = await statement<OutboxRow>(postgresOutboxText(notifications.length, texts)).run(
      trx,
      dialect,
      [...parameters, now, now, ...finalWrites.flatMap((write) => write.parameters)],
    );
    deliveries = rows[0]?.deliveries ?? 0;
  } else {
    await runFinalWrites(trx, dialect, finalWrites);
    rows = await statement<OutboxRow>(
      `${insertNotifications(notifications.length)} returning seq, id, 0 as deliveries`,
    ).run(trx, dialect, parameters);
    deliveries = await insertDeliveries(trx, dialect, now, notifications);
  }
  return { seqs: new Map(rows.map((row) => [row.id, Number(row.seq)])), deliveries };
}

/** SQLite: a delivery for each notification whose subscriber has a webhook. */
async function insertDeliveries(
  trx: Executor,
  dialect: Dialect,
  now: number,
  notifications: readonly OutboxNotification[],
) {
  const hooks = await statement<{ id: string; webhook_url: string }>(
    `select id, webhook_url from subscribers where id in (${repeat(notifications.length, '?')}) and webhook_url is not null`,
  ).run(
    trx,
    dialect,
    notifications.map((item) => item.subscriberId),
  );
  const hookOf = new Map(hooks.map((hook) => [hook.id, hook.webhook_url]));
  let deliveries = 0;
  for (const item of notifications) {
    const url = hookOf.get(item.subscriberId);
    if (!url) continue;
    await statement(insertDeliveryText).run(trx, dialect, [
      deliveryIdOf(item.id),
      item.id,
      item.subscriberId,
      url,
      now,
      now,
    ]);
    deliveries += 1;
  }
  return deliveries;
}

// ---- history -----------------------------------------------------------------------------

/** A stored notification: its cursor, its type and the event's JSON text, byte for byte. */
export type StoredNotification = Pick<NotificationsTable, 'type' | 'payload'> & { seq: number };

/** The subscriber's notifications after `after`, oldest first, at most `limit`. */
export function notificationsAfter(
  db: Executor,
  subscriberId: string,
  after: number,
  limit: number,
): Promise<StoredNotification[]> {
  return db
    .selectFrom('notifications')
    .select(['seq', 'type', 'payload'])
    .where('subscriber_id', '=', subscriberId)
    .where('seq', '>', after)
    .orderBy('seq')
    .limit(limit)
    .execute();
}

/** The last notification seq of all (0 when none): no stream has sent one beyond it. */
export async function lastNotificationSeq(db: Executor): Promise<number> {
  const row = await db
    .selectFrom('notifications')
    .select((eb) => eb.fn.max('seq').as('last'))
    .executeTakeFirst();
  return Number(row?.last ?? 0);
}

/** What a stored payload holds: the event without its subscriber and seq. */
export interface StoredEvent {
  readonly id: string;
  readonly type: string;
  readonly createdAt: string;
  readonly data: Record<string, unknown>;
}

/** Parses a stored payload, checking its shape (the outbox wrote it; anything else is a fault). */
export function parseStoredEvent(payload: string): StoredEvent {
  const value = JSON.parse(payload) as Partial<Record<keyof StoredEvent, unknown>> | null;
  if (
    typeof value !== 'object' ||
    value === null ||
    typeof value.id !== 'string' ||
    typeof value.type !== 'string' ||
    typeof value.createdAt !== 'string' ||
    typeof value.data !== 'object' ||
    value.data === null
  ) {
    throw new Error('a stored notification payload is not an event');
  }
  return value as StoredEvent;
}

/** The subscriber's id and status, for the live feed's ticket holder. */
export function subscriberStatus(
  db: Executor,
  id: string,
): Promise<{ id: string; status: string } | undefined> {
  return db
    .selectFrom('subscribers')
    .select(['id', 'status'])
    .where('id', '=', id)
    .executeTakeFirst();
}

// ---- the merchant's webhook endpoint -------------------------------------------------------

/** Where the subscriber's webhook goes and its signing secret, sealed (see webhooks.ts). */
export interface WebhookEndpoint {
  readonly url: string | null;
  readonly encryptedSecret: string | null;
}

export async function webhookEndpointOf(
  db: Executor,
  subscriberId: string,
): Promise<WebhookEndpoint> {
  const row = await db
    .selectFrom('subscribers')
    .select(['webhook_url', 'webhook_secret'])
    .where('id', '=', subscriberId)
    .executeTakeFirstOrThrow();
  return { url: row.webhook_url, encryptedSecret: row.webhook_secret };
}

/** Just the URL, read in the caller's transaction. */
export async function webhookUrlOf(trx: Executor, subscriberId: string): Promise<string | null> {
  const row = await trx
    .selectFrom('subscribers')
    .select('webhook_url')
    .where('id', '=', subscriberId)
    .executeTakeFirstOrThrow();
  return row.webhook_url;
}

/** Sets (or, with nulls, removes) the subscriber's webhook URL and sealed secret. */
export async function setWebhookEndpoint(
  executor: Executor,
  subscriberId: string,
  endpoint: WebhookEndpoint,
) {
  await executor
    .updateTable('subscribers')
    .set({ webhook_url: endpoint.url, webhook_secret: endpoint.encryptedSecret })
    .where('id', '=', subscriberId)
    .execute();
}

/** Marks every pending delivery of the subscriber failed, with `reason` as its last error. */
export async function failPendingDeliveries(trx: Executor, subscriberId: string, reason: string) {
  await trx
    .updateTable('webhook_deliveries')
    .set({ status: 'failed', last_error: reason })
    .where('subscriber_id', '=', subscriberId)
    .where('status', '=', 'pending')
    .execute();
}

// ---- the delivery log --------------------------------------------------------------------

/** A delivery with its notification's seq and type. */
export type DeliveryRecord = WebhookDeliveriesTable & { seq: number; type: string };

export type DeliveryStatus = WebhookDeliveriesTable['status'];

// Inside a transaction, queries must go through `trx`: on SQLite `db` waits for the one
// connection that the transaction holds.
const deliveries = (executor: Executor) =>
  executor
    .selectFrom('webhook_deliveries as d')
    .innerJoin('notifications as n', 'n.id', 'd.notification_id')
    .selectAll('d')
    .select(['n.seq', 'n.type']);

/** The delivery `id` if it is the subscriber's. */
export function deliveryOf(
  executor: Executor,
  subscriberId: string,
  id: string,
): Promise<DeliveryRecord | undefined> {
  return deliveries(executor)
    .where('d.id', '=', id)
    .where('d.subscriber_id', '=', subscriberId)
    .executeTakeFirst();
}

/**
 * The subscriber's deliveries, newest event first, at most `rows`; only those in `status`, and
 * only those of events before seq `before`, when given.
 */
export function deliveriesOf(
  db: Executor,
  subscriberId: string,
  filter: { status?: DeliveryStatus | undefined; before?: number | undefined; rows: number },
): Promise<DeliveryRecord[]> {
  let query = deliveries(db)
    .where('d.subscriber_id', '=', subscriberId)
    .orderBy('n.seq', 'desc')
    .limit(filter.rows);
  if (filter.status) query = query.where('d.status', '=', filter.status);
  if (filter.before) query = query.where('n.seq', '<', filter.before);
  return query.execute();
}

/** One attempt to deliver, as logged. */
export type AttemptRecord = Selectable<WebhookAttemptsTable>;

/** Every attempt made for a delivery, in order. */
export function attemptsOf(db: Executor, deliveryId: string): Promise<AttemptRecord[]> {
  return db
    .selectFrom('webhook_attempts')
    .selectAll()
    .where('delivery_id', '=', deliveryId)
    .orderBy('seq')
    .execute();
}

/** What a redelivery changes on a delivery row. */
export type DeliveryChanges = Partial<
  Pick<
    WebhookDeliveriesTable,
    'status' | 'attempts' | 'next_attempt_at' | 'locked_until' | 'delivered_at'
  >
>;

export async function updateDelivery(trx: Executor, id: string, changes: DeliveryChanges) {
  await trx.updateTable('webhook_deliveries').set(changes).where('id', '=', id).execute();
}

// ---- the worker's claims and records -------------------------------------------------------

/**
 * The ids of up to `limit` deliveries due at `now` and not leased, oldest due first. On
 * PostgreSQL they are locked, and rows another instance is claiming are skipped, not waited for.
 */
export async function dueDeliveryIds(
  trx: Executor,
  dialect: Dialect,
  now: number,
  limit: number,
): Promise<string[]> {
  let due = trx
    .selectFrom('webhook_deliveries')
    .select('id')
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', now)
    .where('locked_until', '<=', now)
    .orderBy('next_attempt_at')
    .orderBy('id')
    .limit(limit);
  if (dialect === 'postgres') due = due.forUpdate().skipLocked();
  return (await due.execute()).map((row) => row.id);
}

export async function leaseDeliveries(trx: Executor, ids: readonly string[], lease: number) {
  await trx
    .updateTable('webhook_deliveries')
    .set({ locked_until: lease })
    .where('id', 'in', ids)
    .execute();
}

/** A delivery to send: its event's JSON and the merchant's current URL and sealed secret. */
export interface DeliveryToSend {
  readonly id: string;
  readonly notificationId: string;
  readonly subscriberId: string;
  readonly attempts: number;
  readonly payload: string;
  readonly currentUrl: string | null;
  readonly encryptedSecret: string | null;
}

export async function deliveriesToSend(
  trx: Executor,
  ids: readonly string[],
): Promise<DeliveryToSend[]> {
  const rows = await trx
    .selectFrom('webhook_deliveries as d')
    .innerJoin('notifications as n', 'n.id', 'd.notification_id')
    .innerJoin('subscribers as s', 's.id', 'd.subscriber_id')
    .select([
      'd.id',
      'd.notification_id',
      'd.subscriber_id',
      'd.attempts',
      'n.payload',
      's.webhook_url',
      's.webhook_secret',
    ])
    .where('d.id', 'in', ids)
    .orderBy('d.next_attempt_at')
    .orderBy('d.id')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    notificationId: row.notification_id,
    subscriberId: row.subscriber_id,
    attempts: row.attempts,
    payload: row.payload,
    currentUrl: row.webhook_url,
    encryptedSecret: row.webhook_secret,
  }));
}

export async function insertAttempt(trx: Executor, attempt: Omit<WebhookAttemptsTable, 'seq'>) {
  await trx.insertInto('webhook_attempts').values(attempt).execute();
}

/** What an attempt's outcome sets on its delivery row. */
export type DeliveryOutcome = Pick<
  WebhookDeliveriesTable,
  'status' | 'attempts' | 'url' | 'last_status' | 'last_error' | 'next_attempt_at' | 'locked_until'
> &
  Partial<Pick<WebhookDeliveriesTable, 'delivered_at'>>;

/**
 * Writes an attempt's outcome on the delivery only while `lease` is still its lease; answers
 * how many rows changed (0 when someone else claimed it since).
 */
export async function recordDeliveryOutcome(
  trx: Executor,
  id: string,
  lease: number,
  outcome: DeliveryOutcome,
): Promise<number> {
  const update = await trx
    .updateTable('webhook_deliveries')
    .set(outcome)
    .where('id', '=', id)
    .where('locked_until', '=', lease)
    .executeTakeFirst();
  return Number(update.numUpdatedRows);
}

/** Fails a leased delivery for `reason`, while `lease` is still its lease. */
export async function failLeasedDelivery(trx: Executor, id: string, lease: number, reason: string) {
  await trx
    .updateTable('webhook_deliveries')
    .set({ status: 'failed', last_error: reason, locked_until: 0 })
    .where('id', '=', id)
    .where('locked_until', '=', lease)
    .execute();
}
