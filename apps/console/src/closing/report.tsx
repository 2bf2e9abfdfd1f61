/**
 * The reconciliation report of a performance (GET .../gate-report): tickets sold, admitted and
 * no-shows; admissions online and offline; duplicates and scans outside the venue, listed;
 * refusals by reason in words; admissions per gate (chart and table); money (money.tsx); the
 * terminals' standing. Printable (the print stylesheet hides the navigation and the buttons) and
 * exported one table at a time as CSV by the server. Times are the venue's.
 */
import { useState } from 'react';
import { useApi } from '../api.tsx';
import { RefusalTable } from '../checkin/panels.tsx';
import { type MessageKey, useI18n } from '../i18n.ts';
import { describeError } from '../shell/errors.ts';
import { Chart, type ChartSeries } from '../ui/chart.tsx';
import { csvTables, downloadCsv, type GateReport } from './api.ts';
import { OutstandingTable } from './close.tsx';
import { DuplicatesList, OutsideList } from './lists.tsx';
import { Money } from './money.tsx';

export function Report(props: { report: GateReport; zone: string | undefined }) {
  const { t, fmt } = useI18n();
  const { report, zone } = props;
  return (
    <section aria-labelledby="closing-report" className="closing-report">
      <header className="closing-report-header">
        <h2 id="closing-report">{t('closing.report.title')}</h2>
        <p>{t('closing.report.generated', { when: fmt.dateTime(report.generatedAt, zone) })}</p>
        <Exports performance={report.performance} />
      </header>
      <Figures report={report} />
      <Refusals refusals={report.refusals} />
      <PerGate gates={report.gates} zone={zone} />
      <DuplicatesList duplicates={report.duplicates} zone={zone} />
      <OutsideList outside={report.outsideVenue} zone={zone} />
      <Money report={report} />
      <section aria-labelledby="closing-terminals">
        <h3 id="closing-terminals">{t('closing.terminals')}</h3>
        <OutstandingTable terminals={report.terminals} zone={zone} />
      </section>
    </section>
  );
}

function Exports(props: { performance: { id: string; code: string } }) {
  const { t } = useI18n();
  const api = useApi();
  const [failure, setFailure] = useState<unknown>();
  return (
    <div className="actions no-print">
      <button type="button" onClick={() => window.print()}>
        {t('closing.report.print')}
      </button>
      {csvTables.map((table) => (
        <button
          key={table}
          type="button"
          onClick={() => {
            setFailure(undefined);
            downloadCsv(api, props.performance, table).catch(setFailure);
          }}
        >
          {t('closing.report.csv', { table: t(`closing.table.${table}`) })}
        </button>
      ))}
      {failure ? (
        <p className="failure" role="alert">
          {t('closing.report.csvFailed', { error: describeError(failure, t) })}
        </p>
      ) : null}
    </div>
  );
}

/** The report's headline numbers, each tagged `data-figure` with the report's field. */
function Figures(props: { report: GateReport }) {
  const { t, fmt } = useI18n();
  const { tickets, admissions } = props.report;
  const groups: { title: MessageKey; figures: [string, MessageKey, number][] }[] = [
    {
      title: 'closing.tickets',
      figures: [
        ['sold', 'closing.sold', tickets.sold],
        ['admitted', 'closing.admitted', tickets.admitted],
        ['noShows', 'closing.noShows', tickets.noShows],
      ],
    },
    {
      title: 'closing.admissions',
      figures: [
        ['entries', 'closing.entries', admissions.entries],
        ['exits', 'closing.exits', admissions.exits],
        ['online', 'closing.online', admissions.online],
        ['offline', 'closing.offline', admissions.offline],
        ['duplicates', 'closing.duplicates', admissions.duplicates],
        ['outsideVenue', 'closing.outsideVenue', admissions.outsideVenue],
        ['revokedRevisions', 'closing.revokedRevisions', admissions.revokedRevisions],
      ],
    },
  ];
  return (
    <div className="closing-figures">
      {groups.map((group) => (
        <section key={group.title} aria-label={t(group.title)}>
          <h3>{t(group.title)}</h3>
          <dl>
            {group.figures.map(([field, label, value]) => (
              <div key={field} data-figure={field}>
                <dt>{t(label)}</dt>
                <dd>{fmt.count(value)}</dd>
              </div>
            ))}
          </dl>
        </section>
      ))}
    </div>
  );
}

function Refusals(props: { refusals: GateReport['refusals'] }) {
  const { t } = useI18n();
  return (
    <section aria-labelledby="closing-refusals">
      <h3 id="closing-refusals">{t('closing.refusals')}</h3>
      {props.refusals.length === 0 ? (
        <p>{t('closing.noRefusals')}</p>
      ) : (
        <RefusalTable refusals={props.refusals} className="closing-refusals" />
      )}
    </section>
  );
}

/** Entries per gate per period: a chart (one line per gate) and the totals per gate. */
function PerGate(props: { gates: GateReport['gates']; zone: string | undefined }) {
  const { t, fmt } = useI18n();
  const { gates, zone } = props;
  const names = [...new Set(gates.map((row) => row.gate))].sort();
  const times = [...new Set(gates.map((row) => Date.parse(row.periodStart) / 1000))].sort(
    (a, b) => a - b,
  );
  const series: ChartSeries[] = names.map((gate) => ({
    label: gate,
    kind: names.length === 1 ? 'bars' : 'line',
    values: times.map(
      (time) =>
        gates.find((row) => row.gate === gate && Date.parse(row.periodStart) / 1000 === time)
          ?.entries ?? 0,
    ),
  }));
  const totals = names.map((gate) => {
    const rows = gates.filter((row) => row.gate === gate);
    const sum = (pick: (row: (typeof rows)[number]) => number) =>
      rows.reduce((total, row) => total + pick(row), 0);
    return {
      gate,
      entries: sum((r) => r.entries),
      exits: sum((r) => r.exits),
      duplicates: sum((r) => r.duplicates),
    };
  });
  return (
    <section aria-labelledby="closing-gates">
      <h3 id="closing-gates">{t('closing.perGate')}</h3>
      {gates.length === 0 ? (
        <p>{t('closing.perGateChartEmpty')}</p>
      ) : (
        <>
          <Chart
            label={t('closing.perGateChart')}
            times={times}
            series={series}
            {...(zone ? { timeZone: zone } : {})}
            timeLabel={t('closing.period')}
            formatTime={(s) => fmt.dateTime(s * 1000, zone)}
          />
          <table className="closing-gates">
            <thead>
              <tr>
                <th scope="col">{t('closing.gate')}</th>
                <th scope="col" className="number">
                  {t('closing.entries')}
                </th>
                <th scope="col" className="number">
                  {t('closing.exits')}
                </th>
                <th scope="col" className="number">
                  {t('closing.duplicates')}
                </th>
              </tr>
            </thead>
            <tbody>
              {totals.map((row) => (
                <tr key={row.gate} data-gate={row.gate}>
                  <th scope="row">{row.gate}</th>
                  <td className="number">{fmt.count(row.entries)}</td>
                  <td className="number">{fmt.count(row.exits)}</td>
                  <td className="number">{fmt.count(row.duplicates)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
