/** The gate reconciliation report and the close answer as people read them in a terminal. */
import type { TicketingAnswer } from '@tessera/api-client';
import { table } from './format.ts';

/** Lines of a list shown in text; the CSV export has them all. */
const textListMax = 20;

/** What GET /v1/performances/:id/gate-report answers. */
export type GateReportView = TicketingAnswer<'get', '/v1/performances/{performanceId}/gate-report'>;
/** What POST /v1/performances/:id/close answers. */
export type CloseView = TicketingAnswer<'post', '/v1/performances/{performanceId}/close'>;
export type TerminalStandingView = GateReportView['terminals'][number];
type Scan = NonNullable<GateReportView['duplicates']['listed'][number]['first']>;

/** UTC, to the minute: unambiguous on any terminal. */
const when = (iso: string | null) => (iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : 'never');
const clock = (iso: string) => iso.slice(11, 16);
const plural = (n: number, word: string, words = `${word}s`) => `${n} ${n === 1 ? word : words}`;
const scanText = (scan: Scan | null) =>
  scan
    ? `${clock(scan.at)} ${scan.gate} (${scan.terminalName ?? scan.terminalId}, ${scan.source})`
    : '-';

function truncated(total: number, shown: number, table: string) {
  return total > shown ? [`  … and ${total - shown} more: gate-report --csv ${table}`] : [];
}

export function terminalsText(terminals: readonly TerminalStandingView[]) {
  return table(
    ['Terminal', 'Name', 'Gate', 'Last seen', 'Pending', 'Outstanding'],
    terminals.map((terminal) => [
      terminal.id,
      terminal.name,
      terminal.gate,
      when(terminal.lastSeenAt),
      terminal.pendingUploads,
      terminal.outstanding?.replaceAll('_', ' ') ?? 'no',
    ]),
    '  ',
  );
}

export function gateReportText(report: GateReportView) {
  const p = report.performance;
  const a = report.admissions;
  const out: string[] = [
    `${p.eventName}, performance ${p.code} (${p.id}) at ${p.venue.name}, ${when(p.startsAt)} - ${p.status}${p.closedAt ? ` since ${when(p.closedAt)}` : ''}`,
    `Report of ${when(report.generatedAt)}`,
    '',
    `Tickets: ${report.tickets.sold} sold, ${report.tickets.admitted} admitted, ${plural(report.tickets.noShows, 'no-show')}`,
    `Admissions: ${plural(a.entries, 'entry', 'entries')}, ${plural(a.exits, 'exit')} (${a.online} online, ${a.offline} offline); ${plural(a.duplicates, 'duplicate')}, ${a.outsideVenue} outside the venue`,
  ];
  if (report.refusals.length > 0) {
    out.push(
      `Refused at the gates: ${report.refusals.map((r) => `${r.reason.replaceAll('_', ' ')} ${r.count}`).join(', ')}`,
    );
  }
  out.push('', 'Revenue per asset:');
  out.push(
    report.revenue.length === 0
      ? '  none'
      : table(
          ['Asset', 'Paid', 'Orders', 'Refunded', 'Refunds pending', 'Net'],
          report.revenue.map((r) => [
            r.asset,
            r.paid,
            r.orders,
            r.refunded,
            r.refundsPending,
            r.net,
          ]),
          '  ',
        ),
  );
  out.push(
    `Stored-value remainders refunded: ${
      report.storedValueRefunds.length === 0
        ? 'none'
        : report.storedValueRefunds
            .map(
              (r) => `${r.amount} ${r.asset} (${plural(r.count, 'ticket')}, ${r.done} confirmed)`,
            )
            .join(', ')
    }`,
  );
  out.push('', 'Admissions per gate and quarter hour:');
  out.push(
    report.gates.length === 0
      ? '  none'
      : table(
          ['Gate', 'From', 'Entries', 'Exits', 'Duplicates'],
          report.gates.map((g) => [g.gate, when(g.periodStart), g.entries, g.exits, g.duplicates]),
          '  ',
        ),
  );
  if (report.duplicates.total > 0) {
    const shown = report.duplicates.listed.slice(0, textListMax);
    out.push('', `Duplicates (${report.duplicates.total}), both scans:`);
    out.push(
      table(
        ['Ticket', 'Seat', 'First admission', 'Duplicate'],
        shown.map((d) => [d.ticketNumber, d.seat ?? '-', scanText(d.first), scanText(d.duplicate)]),
        '  ',
      ),
      ...truncated(report.duplicates.total, shown.length, 'duplicates'),
    );
  }
  if (report.outsideVenue.total > 0) {
    const shown = report.outsideVenue.listed.slice(0, textListMax);
    out.push('', `Outside the venue's ${p.venue.radiusM} m (${report.outsideVenue.total}):`);
    out.push(
      table(
        ['Ticket', 'Scan', 'Distance'],
        shown.map((o) => [
          o.ticketNumber,
          scanText(o),
          o.distanceM === null ? '-' : `${o.distanceM} m`,
        ]),
        '  ',
      ),
      ...truncated(report.outsideVenue.total, shown.length, 'outside'),
    );
  }
  out.push('', 'Terminals:');
  out.push(report.terminals.length === 0 ? '  none' : terminalsText(report.terminals));
  return `${out.join('\n')}\n`;
}

export function closeText(closed: CloseView) {
  const out: string[] = [
    `Closed ${closed.performanceId} at ${when(closed.closedAt)}${closed.closedBy ? ` by ${closed.closedBy}` : ''}.`,
    ...(closed.forcedReason
      ? [`Forced while terminals were outstanding: ${closed.forcedReason}`]
      : []),
    closed.terminalsOutstanding.length === 0
      ? 'Every terminal has uploaded what it admitted.'
      : `${plural(closed.terminalsOutstanding.length, 'terminal')} may still hold admissions; bring them online to upload, then close again:\n${terminalsText(closed.terminalsOutstanding)}`,
    ...(closed.terminalsLost.length === 0
      ? []
      : [
          `${plural(closed.terminalsLost.length, 'terminal')} revoked while holding unsent admissions; the report misses them for good:\n${terminalsText(closed.terminalsLost)}`,
        ]),
    closed.storedValue.refunds === 'queued'
      ? `Stored-value remainders: refunds queued (${closed.storedValue.queuedNow} by this call).`
      : 'Stored-value remainders: not refunded until those terminals have uploaded (or close again with --force --reason <why>).',
    '',
  ];
  return out.join('\n') + gateReportText(closed.report);
}

/**
 * What `close --preview` shows, from the gate report (the API has no dry run of close): whether
 * closing may happen now, and what it would do as things stand.
 */
export function closePreview(report: GateReportView) {
  const p = report.performance;
  const refusal =
    p.status === 'cancelled'
      ? 'performance_cancelled'
      : p.status !== 'closed' && Date.parse(report.generatedAt) < Date.parse(p.startsAt)
        ? 'performance_not_started'
        : null;
  const live = report.terminals.filter((t) => t.revokedAt === null);
  return {
    performanceId: p.id,
    status: p.status,
    startsAt: p.startsAt,
    closedAt: p.closedAt,
    at: report.generatedAt,
    canClose: refusal === null,
    refusal,
    tickets: report.tickets,
    /** Live terminals that must call in after the close to prove they hold nothing more. */
    terminalsToHearFrom: live,
    terminalsWithPendingUploads: live.filter((t) => t.pendingUploads > 0),
    terminalsLost: report.terminals.filter(
      (t) => t.revokedAt !== null && t.outstanding === 'revoked_with_unsent',
    ),
    report,
  };
}

export function closePreviewText(report: GateReportView) {
  const preview = closePreview(report);
  const p = report.performance;
  const out = [
    `Preview, nothing changed: ${p.eventName}, performance ${p.code} (${p.id}) at ${p.venue.name}`,
    `  ${p.status}; doors ${when(p.doorsAt)}, starts ${when(p.startsAt)}, ends ${when(p.endsAt)}; now ${when(report.generatedAt)}`,
    preview.refusal === 'performance_not_started'
      ? `  tickets: ${report.tickets.sold} sold, ${report.tickets.admitted} admitted so far`
      : `  tickets: ${report.tickets.sold} sold, ${report.tickets.admitted} admitted, ${plural(report.tickets.noShows, 'no-show')}`,
    '',
  ];
  if (preview.refusal === 'performance_cancelled') {
    out.push('Closing is refused: the performance is cancelled (its tickets were refunded).');
  } else if (preview.refusal === 'performance_not_started') {
    out.push(
      `Closing is refused until it starts (${when(p.startsAt)}): \`close\` is for after the show.`,
      `To call it off before, \`performance cancel ${p.id}\` stops sales and refunds every ticket.`,
    );
  } else {
    out.push(
      p.status === 'closed'
        ? `Already closed since ${when(p.closedAt)}; closing again answers again with who is outstanding.`
        : 'Closing now marks it closed; admissions uploaded later are still counted.',
      preview.terminalsToHearFrom.length === 0
        ? 'No live terminal is enrolled for it: stored-value remainders would be refunded at once.'
        : `${plural(preview.terminalsToHearFrom.length, 'live terminal')} must call in after the close to show they hold nothing more (${preview.terminalsWithPendingUploads.length} said they have admissions to upload); until then stored-value remainders wait (or close --force refunds them at once):\n${terminalsText(preview.terminalsToHearFrom)}`,
    );
  }
  if (preview.terminalsLost.length > 0) {
    out.push(
      `${plural(preview.terminalsLost.length, 'terminal')} revoked while holding unsent admissions; the report misses them for good:\n${terminalsText(preview.terminalsLost)}`,
    );
  }
  return `${out.join('\n')}\n`;
}
