/**
 * The admission log: admissions per gate (this terminal's and, through the package and the live
 * feed, every other gate's), this terminal's latest decisions with what was uploaded, a sync on
 * demand, and removing the enrolment once nothing waits to be uploaded.
 */
import { useState } from 'react';
import { useGate } from '../gate-context.ts';
import { reasonKey, useI18n } from '../i18n.ts';

export function LogScreen() {
  const { t, fmt } = useI18n();
  const { terminal, state } = useGate();
  const [busy, setBusy] = useState(false);
  const syncNow = async () => {
    setBusy(true);
    await terminal.sync().catch(() => undefined);
    setBusy(false);
  };
  const forget = async () => {
    if (state.pendingUploads > 0 || !window.confirm(t('log.confirmForget'))) return;
    await terminal.unenrol();
  };
  return (
    <section className="screen" aria-labelledby="log-title">
      <h1 id="log-title">{t('log.title')}</h1>
      <h2>{t('log.counters')}</h2>
      <table className="counters" data-testid="counters">
        <thead>
          <tr>
            <th scope="col">{t('log.gate')}</th>
            <th scope="col">{t('log.entries')}</th>
            <th scope="col">{t('log.exits')}</th>
          </tr>
        </thead>
        <tbody>
          {state.counters.map((counter) => (
            <tr key={counter.gate} data-gate={counter.gate}>
              <th scope="row">{counter.gate}</th>
              <td data-testid="entries">{fmt.count(counter.entries)}</td>
              <td>{fmt.count(counter.exits)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {state.pendingUploads > 0 && <p>{t('log.pendingNote', { count: state.pendingUploads })}</p>}
      <p className="hint">{t('log.manualCodes', { count: state.manualCodes })}</p>
      <button type="button" onClick={syncNow} disabled={busy}>
        {t('log.syncNow')}
      </button>
      <h2>{t('log.recent')}</h2>
      {state.recent.length === 0 ? (
        <p>{t('log.none')}</p>
      ) : (
        <ol className="log" data-testid="log">
          {state.recent.map((entry) => {
            const key = reasonKey(entry.reason);
            return (
              <li key={entry.nonce} className={entry.admitted ? 'pass' : 'stop'}>
                <time dateTime={entry.at}>{fmt.clock(entry.at)}</time> ·{' '}
                {t(
                  entry.admitted
                    ? entry.reason === 'exit'
                      ? 'result.exit'
                      : 'result.admit'
                    : 'result.stop',
                )}{' '}
                · {key ? t(key) : entry.detail}
                {entry.ticketId ? ` · ${entry.ticketId}` : ''} · {entry.source}
                {entry.uploaded ? ` · ${t('log.uploaded')}` : ''}
                {entry.flaggedDuplicate ? ` · ${t('log.duplicateFlag')}` : ''}
              </li>
            );
          })}
        </ol>
      )}
      <button type="button" className="danger" onClick={forget} disabled={state.pendingUploads > 0}>
        {t('log.forget')}
      </button>
      {state.pendingUploads > 0 && <p className="hint">{t('log.forgetBlocked')}</p>}
    </section>
  );
}
