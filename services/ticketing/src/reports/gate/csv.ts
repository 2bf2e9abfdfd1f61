/**
 * The gate report as CSV, one table at a time (RFC 4180, cells that look like formulas
 * defused): the summary's metrics, admissions per gate and period, the duplicates with both
 * scans, and the scans outside the venue.
 */
import { csvLine } from '../csv.ts';
import type { GateReport, Scan } from './report.ts';

export const gateReportTables = ['summary', 'gates', 'duplicates', 'outside'] as const;
export type GateReportTable = (typeof gateReportTables)[number];

/** One table of the report as RFC 4180 CSV (cells that look like formulas are defused). */
export function gateReportCsv(report: GateReport, table: GateReportTable): string {
  const lines =
    table === 'summary'
      ? summaryLines(report)
      : table === 'gates'
        ? gateLines(report)
        : table === 'duplicates'
          ? duplicateLines(report)
          : outsideLines(report);
  return lines.join('');
}

function summaryLines(report: GateReport): string[] {
  const lines = [csvLine(['metric', 'asset', 'value'])];
  const metric = (name: string, value: string | number, asset = '') =>
    lines.push(csvLine([name, asset, value]));
  metric('tickets_sold', report.tickets.sold);
  metric('tickets_admitted', report.tickets.admitted);
  metric('no_shows', report.tickets.noShows);
  metric('entries', report.admissions.entries);
  metric('exits', report.admissions.exits);
  metric('online', report.admissions.online);
  metric('offline', report.admissions.offline);
  metric('duplicates', report.admissions.duplicates);
  metric('outside_venue', report.admissions.outsideVenue);
  for (const refusal of report.refusals) metric(`refused_${refusal.reason}`, refusal.count);
  for (const line of report.revenue) {
    metric('paid', line.paid, line.asset);
    metric('refunded', line.refunded, line.asset);
    metric('refunds_pending', line.refundsPending, line.asset);
    metric('net', line.net, line.asset);
  }
  metric('exchange_check', report.exchange.status);
  for (const line of report.exchange.revenue) {
    metric('exchange_paid', line.paid, line.asset);
    metric('exchange_refunded', line.refunded, line.asset);
    metric('exchange_net', line.net, line.asset);
  }
  metric('exchange_missing', report.exchange.missing.length);
  metric('exchange_mismatched', report.exchange.mismatched.length);
  for (const line of report.storedValueRefunds) {
    metric('stored_value_refunded', line.amount, line.asset);
    metric('stored_value_refunds', line.count, line.asset);
  }
  return lines;
}

function gateLines(report: GateReport): string[] {
  return [
    csvLine(['gate', 'period_start', 'entries', 'exits', 'duplicates']),
    ...report.gates.map((cell) =>
      csvLine([cell.gate, cell.periodStart, cell.entries, cell.exits, cell.duplicates]),
    ),
  ];
}

const scanColumns = (prefix: string) =>
  ['at', 'gate', 'terminal', 'source', 'latitude', 'longitude'].map((c) => `${prefix}_${c}`);

const scanCells = (scan: Scan | null) =>
  scan
    ? [
        scan.at,
        scan.gate,
        scan.terminalName ?? scan.terminalId,
        scan.source,
        scan.latitude,
        scan.longitude,
      ]
    : ['', '', '', '', '', ''];

function duplicateLines(report: GateReport): string[] {
  return [
    csvLine([
      'ticket_number',
      'category',
      'seat',
      ...scanColumns('first'),
      ...scanColumns('duplicate'),
    ]),
    ...report.duplicates.listed.map((row) =>
      csvLine([
        row.ticketNumber,
        row.category,
        row.seat,
        ...scanCells(row.first),
        ...scanCells(row.duplicate),
      ]),
    ),
  ];
}

function outsideLines(report: GateReport): string[] {
  return [
    csvLine([
      'ticket_number',
      'at',
      'gate',
      'terminal',
      'source',
      'direction',
      'latitude',
      'longitude',
      'accuracy_m',
      'distance_m',
    ]),
    ...report.outsideVenue.listed.map((row) =>
      csvLine([
        row.ticketNumber,
        row.at,
        row.gate,
        row.terminalName ?? row.terminalId,
        row.source,
        row.direction,
        row.latitude,
        row.longitude,
        row.accuracyM,
        row.distanceM,
      ]),
    ),
  ];
}
