/**
 * The dashboard's tables: refusals by reason in words, the flagged admissions (duplicates and
 * scans outside the venue, newest first), the terminals with how long since each last synced
 * (ticking every second on this page's clock; the snapshot re-read brings the terminals' own
 * contact times) and the stored value spent at the gates.
 */
import { useEffect, useState } from 'react';
import { Link } from 'wouter';
import { useI18n } from '../i18n.ts';
import type { CheckinSnapshot } from './api.ts';
import { agoWords, flagWords, reasonWords, terminalState } from './describe.ts';

type Figures = CheckinSnapshot;

/** The flagged list shows this many rows; the admission log has them all. */
const flaggedShown = 50;
const tickMs = 1_000;

/** This page's clock, ticking every `everyMs`. */
function useNow(everyMs: number): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

export function Refusals(props: { refusals: Figures['refusals'] }) {
  const { t } = useI18n();
  return (
    <section aria-labelledby="checkin-refusals" className="checkin-panel">
      <h2 id="checkin-refusals">{t('checkin.refusals.title')}</h2>
      {props.refusals.length === 0 ? (
        <p>{t('checkin.refusals.none')}</p>
      ) : (
        <RefusalTable refusals={props.refusals} className="checkin-refusals" />
      )}
    </section>
  );
}

/** Refusals per reason in words, with their counts: the dashboard's and the closing report's. */
export function RefusalTable(props: {
  refusals: readonly { reason: string; count: number }[];
  className: string;
}) {
  const { t, fmt } = useI18n();
  return (
    <table className={props.className}>
      <thead>
        <tr>
          <th scope="col">{t('checkin.refusals.reason')}</th>
          <th scope="col" className="number">
            {t('checkin.refusals.count')}
          </th>
        </tr>
      </thead>
      <tbody>
        {props.refusals.map((refusal) => (
          <tr key={refusal.reason} data-reason={refusal.reason}>
            <th scope="row">{reasonWords(refusal.reason, t)}</th>
            <td className="number">{fmt.count(refusal.count)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Flagged(props: {
  flagged: Figures['flagged'];
  performanceId: string;
  timeZone: string;
}) {
  const { t, fmt } = useI18n();
  return (
    <section aria-labelledby="checkin-flagged" className="checkin-panel">
      <h2 id="checkin-flagged">{t('checkin.flagged.title')}</h2>
      {props.flagged.length === 0 ? (
        <p>{t('checkin.flagged.none')}</p>
      ) : (
        <table className="checkin-flagged">
          <thead>
            <tr>
              <th scope="col">{t('checkin.col.time')}</th>
              <th scope="col">{t('checkin.col.gate')}</th>
              <th scope="col">{t('checkin.col.ticket')}</th>
              <th scope="col">{t('checkin.flagged.what')}</th>
              <th scope="col">{t('checkin.col.source')}</th>
            </tr>
          </thead>
          <tbody>
            {props.flagged.slice(0, flaggedShown).map((admission) => (
              <tr key={admission.seq} data-seq={admission.seq} data-ticket={admission.ticketNumber}>
                <td>{fmt.time(admission.scannedAt, props.timeZone)}</td>
                <td>{admission.gate}</td>
                <td>
                  <Link
                    href={`/checkin/${props.performanceId}/ticket/${encodeURIComponent(admission.ticketNumber)}`}
                  >
                    {admission.ticketNumber}
                  </Link>
                </td>
                <td className={admission.outsideVenue ? 'flag outside' : 'flag'}>
                  {flagWords(admission, t)}
                </td>
                <td>
                  {admission.source === 'offline'
                    ? t('checkin.source.offline')
                    : t('checkin.source.online')}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function Terminals(props: { terminals: Figures['terminals'] }) {
  const { t, fmt } = useI18n();
  const now = useNow(tickMs);
  return (
    <section aria-labelledby="checkin-terminals" className="checkin-panel">
      <h2 id="checkin-terminals">{t('checkin.terminals.title')}</h2>
      <p className="hint">{t('checkin.terminals.explain')}</p>
      {props.terminals.length === 0 ? (
        <p>{t('checkin.terminals.none')}</p>
      ) : (
        <table className="checkin-terminals">
          <thead>
            <tr>
              <th scope="col">{t('checkin.terminals.name')}</th>
              <th scope="col">{t('checkin.col.gate')}</th>
              <th scope="col">{t('checkin.terminals.state')}</th>
              <th scope="col">{t('checkin.terminals.synced')}</th>
              <th scope="col" className="number">
                {t('checkin.terminals.pending')}
              </th>
            </tr>
          </thead>
          <tbody>
            {props.terminals.map((terminal) => {
              const state = terminalState(terminal, now);
              const seen = terminal.lastSeenAt ? Date.parse(terminal.lastSeenAt) : undefined;
              return (
                <tr key={terminal.id} data-terminal={terminal.id} data-state={state}>
                  <th scope="row">{terminal.name}</th>
                  <td>{terminal.gate}</td>
                  <td className={`terminal-state ${state}`}>{t(`checkin.terminals.${state}`)}</td>
                  <td>
                    {seen === undefined ? (
                      t('checkin.terminals.never')
                    ) : (
                      <time dateTime={terminal.lastSeenAt ?? ''} title={fmt.stamp(seen)}>
                        {agoWords(now - seen, t)}
                      </time>
                    )}
                  </td>
                  <td className="number">{fmt.count(terminal.pendingUploads)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function Debits(props: { debits: Figures['storedValueDebits'] }) {
  const { t, fmt } = useI18n();
  return (
    <section aria-labelledby="checkin-debits" className="checkin-panel">
      <h2 id="checkin-debits">{t('checkin.debits.title')}</h2>
      {props.debits.length === 0 ? (
        <p>{t('checkin.debits.none')}</p>
      ) : (
        <ul className="checkin-debits">
          {props.debits.map((debit) => (
            <li key={debit.asset} data-asset={debit.asset}>
              {fmt.money(debit.amount, debit.asset)}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
