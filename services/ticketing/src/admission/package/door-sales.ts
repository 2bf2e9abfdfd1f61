/**
 * The door-sale part of the terminal package (issue 20 item 5): what the organizer lets the gate
 * sell of each performance (door-sales/settings.ts sets and enforces it). A settings row read as
 * rules lives here, not in door-sales/, because the package is built in admission/ and
 * door-sales/ already reaches admission/ through orders/: both read rows through `rulesOf`.
 */
import type { DoorSaleSettingsTable } from '../../db/schema.ts';

export interface DoorSaleRules {
  enabled: boolean;
  /** null: every category of the event. */
  categoryIds: string[] | null;
  maxPerSale: number;
}

/**
 * The rules a row says, or, with no row, those from before settings existed: on, every
 * category, up to the event's per-order limit.
 */
export function rulesOf(
  row: DoorSaleSettingsTable | undefined,
  perOrderLimit: number,
): DoorSaleRules {
  if (!row) return { enabled: true, categoryIds: null, maxPerSale: perOrderLimit };
  return {
    enabled: Number(row.enabled) === 1,
    categoryIds: row.category_ids === null ? null : (JSON.parse(row.category_ids) as string[]),
    maxPerSale: Number(row.max_per_sale),
  };
}

/**
 * The rules as the gate app applies them: the categories spelt out in the event's order (every
 * one when the organizer chose none), the maximum within the event's per-order limit.
 */
export function packageDoorSales(
  row: DoorSaleSettingsTable | undefined,
  categoryIds: readonly string[],
  perOrderLimit: number,
) {
  const rules = rulesOf(row, perOrderLimit);
  const allowed = rules.categoryIds;
  return {
    enabled: rules.enabled,
    categoryIds: categoryIds.filter((id) => allowed === null || allowed.includes(id)),
    maxPerSale: Math.min(rules.maxPerSale, perOrderLimit),
  };
}
