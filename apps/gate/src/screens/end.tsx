/**
 * End of event: send everything this terminal holds (the uploads, then a package call that tells
 * the server nothing is pending, which event close waits for), then show the reconciliation of
 * each of the terminal's performances from `GET /v1/terminal/report`.
 */
import { useState } from 'react';
import type { GateReport } from '../api.ts';
import { useGate } from '../gate-context.ts';
import { reasonName, useI18n } from '../i18n.ts';
import { Alert } from '../widgets.tsx';

export function EndOfEventScreen() {
  const { t, fmt } = useI18n();
  const { terminal, state } = useGate();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [reports, setReports] = useState<GateReport[]>();

  const run = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await terminal.sync();
      const left = await terminal.pendingInStorage();
      if (left > 0) {
        setError(t('end.stillPending', { count: left }));
        return;
      }
      setReports(
        await Promise.all(
          state.performances.map((performance) => terminal.server.report(performance.id)),
        ),
      );
    } catch (failure) {
      const left = await terminal.pendingInStorage().catch(() => state.pendingUploads);
      setError(
        left > 0
          ? t('end.stillPending', { count: left })
          : t('error.unexpected', {
              message: failure instanceof Error ? failure.message : String(failure),
            }),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="screen" aria-labelledby="end-title">
      <h1 id="end-title">{t('end.title')}</h1>
      <p>{t('end.intro')}</p>
      <button type="button" className="primary" onClick={run} disabled={busy}>
        {busy ? t('end.sending') : t('end.run')}
      </button>
      <Alert text={error} />
      {reports?.map((report) => (
        <article key={report.performance.id} className="report" data-testid="report">
          <h2>{report.performance.eventName}</h2>
          <p className="hint">
            {t('end.generated', { time: fmt.dateTime(report.generatedAt, state.venue?.timeZone) })}
          </p>
          <dl>
            {(
              [
                ['end.sold', report.tickets.sold],
                ['end.admitted', report.tickets.admitted],
                ['end.noShows', report.tickets.noShows],
                ['end.entries', report.admissions.entries],
                ['end.exits', report.admissions.exits],
                ['end.online', report.admissions.online],
                ['end.offline', report.admissions.offline],
                ['end.duplicates', report.admissions.duplicates],
                ['end.outside', report.admissions.outsideVenue],
              ] as const
            ).map(([label, value]) => (
              <div key={label} data-metric={label}>
                <dt>{t(label)}</dt>
                <dd>{fmt.count(value)}</dd>
              </div>
            ))}
          </dl>
          {report.refusals.length > 0 && (
            <>
              <h3>{t('end.refusals')}</h3>
              <ul>
                {report.refusals.map((refusal) => (
                  <li key={refusal.reason} data-reason={refusal.reason}>
                    {reasonName(refusal.reason, t)}: {fmt.count(refusal.count)}
                  </li>
                ))}
              </ul>
            </>
          )}
          {report.revenue.length > 0 && (
            <>
              <h3>{t('end.revenue')}</h3>
              <ul>
                {report.revenue.map((line) => (
                  <li key={line.asset}>{fmt.money(line.net, line.asset)}</li>
                ))}
              </ul>
            </>
          )}
        </article>
      ))}
    </section>
  );
}
