/** A subscriber's notification history, page by page after a cursor (its seq), oldest first. */
import type { Exchange } from '../context.ts';
import { notificationsAfter, parseStoredEvent, type StoredNotification } from './repository.ts';

function notificationView(row: StoredNotification) {
  const event = parseStoredEvent(row.payload);
  return {
    seq: row.seq,
    id: event.id,
    type: event.type,
    createdAt: event.createdAt,
    data: event.data,
  };
}

/** Up to `limit` notifications after `after`, the cursor of the next page, and whether more wait. */
export async function notificationPage(
  exchange: Exchange,
  subscriberId: string,
  query: { after?: number | undefined; limit?: number | undefined },
) {
  const after = query.after ?? 0;
  const limit = query.limit ?? 50;
  const rows = await notificationsAfter(exchange.database.db, subscriberId, after, limit + 1);
  const page = rows.slice(0, limit);
  return {
    notifications: page.map(notificationView),
    nextAfter: page.at(-1)?.seq ?? after,
    hasMore: rows.length > limit,
  };
}
