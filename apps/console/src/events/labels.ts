/** Words chosen by what the server answers: an event's status, a category's product. */
import type { MessageKey } from '../i18n.ts';

export function statusKey(status: string): MessageKey {
  switch (status) {
    case 'draft':
      return 'events.status.draft';
    case 'published':
      return 'events.status.published';
    case 'cancelled':
      return 'events.status.cancelled';
    default:
      return 'events.status.unknown';
  }
}
