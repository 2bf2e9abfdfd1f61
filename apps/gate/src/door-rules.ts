/**
 * What the gate may sell of a performance at the door, as the organizer set it (the package's
 * `doorSales`, issue 20 item 5): whether it sells at all, which categories, and how many
 * tickets one sale holds. The server refuses anything else; offering only what is allowed saves
 * the seller a refusal in front of the buyer. A package held from before the server sent the
 * rules sells as the gate did then: every category, up to `quantityMaxDefault`.
 */
import type { PackageCategory, PackagePerformance } from './api.ts';

export const quantityMaxDefault = 10;

export interface DoorChoices {
  enabled: boolean;
  categories: PackageCategory[];
  maxPerSale: number;
}

export function doorChoices(performance: PackagePerformance | undefined): DoorChoices {
  if (!performance) return { enabled: false, categories: [], maxPerSale: quantityMaxDefault };
  const rules = (performance as Partial<PackagePerformance>).doorSales;
  if (!rules) {
    return { enabled: true, categories: performance.categories, maxPerSale: quantityMaxDefault };
  }
  const allowed = new Set(rules.categoryIds);
  const categories = performance.categories.filter((category) => allowed.has(category.id));
  return {
    // No category left to sell is the same as off, for the seller.
    enabled: rules.enabled && categories.length > 0,
    categories,
    maxPerSale: Math.max(1, rules.maxPerSale),
  };
}

/** The category to sell: the one chosen while it is allowed, else the first allowed. */
export function chosenCategory(choices: DoorChoices, chosen: string): string {
  return choices.categories.some((category) => category.id === chosen)
    ? chosen
    : (choices.categories[0]?.id ?? '');
}
