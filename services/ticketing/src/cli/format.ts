/** Plain-text tables and the sales report as people read it in a terminal. */

import type { TicketingAnswer } from '@tessera/api-client';

export type Cell = string | number;

/** Columns padded to their widest cell; numbers right-aligned. */
export function table(header: readonly string[], rows: readonly (readonly Cell[])[], indent = '') {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => String(row[column] ?? '').length)),
  );
  const numeric = header.map(
    (_, column) => rows.length > 0 && rows.every((row) => typeof row[column] === 'number'),
  );
  const line = (cells: readonly Cell[]) =>
    indent +
    cells
      .map((cell, column) => {
        const text = String(cell ?? '');
        const width = widths[column] ?? text.length;
        return numeric[column] ? text.padStart(width) : text.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join(
    '\n',
  );
}

/** What GET /v1/events/:id/sales answers. */
export type SalesReportView = TicketingAnswer<'get', '/v1/events/{eventId}/sales'>;
type Inventory = SalesReportView['totals'];
type AssetAmount = Inventory['revenue'][number];

const money = (amounts: readonly AssetAmount[]) =>
  amounts.length === 0 ? '-' : amounts.map((a) => `${a.amount} ${a.asset}`).join(', ');

const inventoryCells = (row: Inventory): Cell[] => [
  row.capacity,
  row.available,
  row.held,
  row.sold,
  row.blocked,
  money(row.revenue),
];

/** When a report is read on a terminal: UTC, to the minute, unambiguous. */
const when = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

export function salesText(report: SalesReportView) {
  const out: string[] = [
    `${report.name} (${report.slug}, ${report.eventId}) - ${report.status}`,
    `Report of ${when(report.generatedAt)}`,
    '',
  ];
  const header = ['Category', 'Capacity', 'Available', 'Held', 'Sold', 'Blocked', 'Revenue'];
  for (const performance of report.performances) {
    out.push(
      `Performance ${when(performance.startsAt)}  code ${performance.code}  ${performance.status}  (${performance.id})`,
    );
    const rows = performance.categories.map((category) => [
      category.name,
      ...inventoryCells(category),
    ]);
    rows.push(['Total', ...inventoryCells(performance.totals)]);
    out.push(table(header, rows, '  '), '');
  }
  if (report.performances.length === 0) out.push('No performances yet.', '');
  out.push(
    `Event total: ${report.totals.sold} sold of ${report.totals.capacity}, ${report.totals.held} held, ${report.totals.available} available; ${report.totals.tickets} tickets, revenue ${money(report.totals.revenue)}`,
  );
  out.push(
    `Orders: ${report.orders.map((order) => `${order.status.replace('_', ' ')} ${order.count}`).join(', ')}`,
  );
  out.push(
    `Refunds: ${report.refunds
      .map(
        (refund) =>
          `${refund.status} ${refund.count}${refund.count > 0 ? ` (${money(refund.amounts)})` : ''}`,
      )
      .join(', ')}`,
  );
  return `${out.join('\n')}\n`;
}
