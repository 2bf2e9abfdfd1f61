/**
 * What the gates may sell of a performance at the door (issue 20 item 5): on or off, which of
 * the event's categories, and how many tickets one sale holds. A performance with no settings
 * row sells as before they existed: on, every category, up to the event's per-order limit. The
 * rules are checked when a terminal offers a sale (`checkDoorSaleRules`, from createDoorSale)
 * and carried in the terminal package (admission/package/door-sales.ts, which reads a row as
 * rules for both), so the gate app offers only what it may sell.
 */
import { ApiError, badRequest, conflict } from '@tessera/service-kit/errors';
import { type DoorSaleRules, rulesOf } from '../admission/package/door-sales.ts';
import type { Ticketing, Trx } from '../context.ts';
import { doorSaleChoices, doorSaleSettingsOf, saveDoorSaleSettings } from './repository.ts';

/** The most tickets one door sale may hold, whatever the event allows per order. */
export const doorSaleMaxPerSale = 20;

/**
 * Refuses an offer the rules forbid, before anything is written: 409 door_sales_closed,
 * 409 door_sale_category_not_allowed, 400 order_limit (the code the per-order limit already
 * answers with, so the gate words both alike).
 */
export async function checkDoorSaleRules(
  db: Trx,
  offer: { performanceId: string; categoryId: string; quantity: number; perOrderLimit: number },
) {
  const rules = rulesOf(await doorSaleSettingsOf(db, offer.performanceId), offer.perOrderLimit);
  if (!rules.enabled) {
    throw conflict('door_sales_closed', 'door sales are off for this performance');
  }
  if (rules.categoryIds !== null && !rules.categoryIds.includes(offer.categoryId)) {
    throw conflict(
      'door_sale_category_not_allowed',
      'the gates may not sell this category for this performance',
    );
  }
  const max = Math.min(rules.maxPerSale, offer.perOrderLimit);
  if (offer.quantity > max) {
    throw new ApiError(400, 'order_limit', `a door sale holds 1 to ${max} tickets`);
  }
}

/** The settings as the console shows them, with the categories they choose from. */
export async function doorSaleSettingsView(
  ticketing: Ticketing,
  performance: { id: string; event_id: string },
) {
  const db = ticketing.database.db;
  const row = await doorSaleSettingsOf(db, performance.id);
  const { categories, perOrderLimit } = await doorSaleChoices(db, performance.event_id);
  return {
    performanceId: performance.id,
    ...rulesOf(row, perOrderLimit),
    custom: row !== undefined,
    updatedAt: row ? new Date(Number(row.updated_at)).toISOString() : null,
    perOrderLimit,
    categories,
  };
}

/** Replaces the settings; each category must be one of the event's (400 unknown_category). */
export async function putDoorSaleSettings(
  ticketing: Ticketing,
  performance: { id: string; event_id: string },
  by: string,
  input: DoorSaleRules,
) {
  const db = ticketing.database.db;
  const { categories } = await doorSaleChoices(db, performance.event_id);
  const known = new Set(categories.map((category) => category.id));
  const unknown = (input.categoryIds ?? []).filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw badRequest('unknown_category', `not a category of this event: ${unknown.join(', ')}`, {
      categoryIds: unknown,
    });
  }
  await saveDoorSaleSettings(db, {
    performance_id: performance.id,
    enabled: input.enabled ? 1 : 0,
    category_ids:
      input.categoryIds === null ? null : JSON.stringify([...new Set(input.categoryIds)]),
    max_per_sale: input.maxPerSale,
    updated_by: by,
    updated_at: ticketing.clock.now(),
  });
  return doorSaleSettingsView(ticketing, performance);
}
