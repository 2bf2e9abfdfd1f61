/**
 * A performance's door sales as the organizer's console lists them (issue 20 item 5): the newest
 * sales with the terminal that offered each, its order's amount, and totals over every sale
 * (not only the listed ones). Revenue counts the sales whose order is issued, per asset paid,
 * summed as bigint in code (../reports/totals.ts says why never in SQL).
 */
import { formatAmount } from '@tessera/service-kit/amounts';
import type { Ticketing } from '../context.ts';
import { AssetTotals, assetScales } from '../reports/totals.ts';
import { doorSaleCounts, doorSalesOfPerformance } from './repository.ts';
import { saleStatus } from './service.ts';

/** Sales listed at most; the totals count them all. */
export const doorSaleListMax = 500;

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

/** `GET /v1/performances/:performanceId/door-sales`. */
export async function doorSaleList(ticketing: Ticketing, performanceId: string) {
  const db = ticketing.database.db;
  const scaleOf = assetScales(ticketing);
  const now = ticketing.clock.now();
  const rows = await doorSalesOfPerformance(db, performanceId, doorSaleListMax);
  const doorSales = [];
  for (const row of rows) {
    const paid = row.order_asset !== null && row.order_amount !== null;
    doorSales.push({
      id: row.id,
      terminalId: row.terminal_id,
      terminalName: row.terminal_name,
      gate: row.gate,
      categoryId: row.category_id,
      category: row.category,
      quantity: Number(row.quantity),
      status: saleStatus(row, row.order_status, now),
      amount: paid
        ? formatAmount(BigInt(String(row.order_amount)), await scaleOf(row.order_asset as string))
        : null,
      asset: paid ? row.order_asset : null,
      createdAt: iso(row.created_at) as string,
      // The claim places the order at once: its creation is when the buyer claimed.
      claimedAt: iso(row.order_created_at),
      admittedAt: iso(row.admitted_at),
      orderId: row.order_id,
    });
  }
  return { doorSales, totals: await doorSaleTotals(ticketing, performanceId) };
}

async function doorSaleTotals(ticketing: Ticketing, performanceId: string) {
  const totals = { offers: 0, claimed: 0, admitted: 0, cancelled: 0, tickets: 0 };
  const revenue = new AssetTotals();
  for (const row of await doorSaleCounts(ticketing.database.db, performanceId)) {
    totals.offers += row.n;
    if (row.order_status !== null) totals.claimed += row.n;
    if (row.status === 'cancelled') totals.cancelled += row.n;
    if (row.status === 'admitted') {
      totals.admitted += row.n;
      totals.tickets += row.tickets;
    }
    if (row.order_status === 'issued' && row.asset !== null && row.amount !== null) {
      revenue.add(row.asset, row.amount * BigInt(row.n), row.n);
    }
  }
  const amounts = await revenue.view(assetScales(ticketing));
  return { ...totals, revenue: amounts.map(({ asset, amount }) => ({ asset, amount })) };
}
