/**
 * The admission log (issue 20 item 3): every scan at the performance's gates, newest first,
 * searched by ticket number or phone number (the server normalises both), gate, decision and a
 * time range on the venue's clock, 50 at a time with "More". Each row with a ticket links to the
 * ticket's whole history.
 */
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { Link, useParams, useSearch } from 'wouter';
import { zonedToUtc } from '../events/zone-time.ts';
import { useI18n } from '../i18n.ts';
import { Field } from '../ui/form.tsx';
import { Loaded, Page } from '../ui/page.tsx';
import { type LogEntry, type LogFilters, useCheckinLog, useCheckinSnapshot } from './api.ts';
import { scanWords } from './describe.ts';

/** The server's limit on the search text (services/ticketing/src/checkin/schemas.ts). */
const searchCharsMax = 60;

interface SearchForm {
  q: string;
  gate: string;
  decision: '' | NonNullable<LogFilters['decision']>;
  from: string;
  to: string;
}

export default function AdmissionLog() {
  const { t } = useI18n();
  const { performanceId } = useParams<{ performanceId: string }>();
  const initial = new URLSearchParams(useSearch()).get('q')?.slice(0, searchCharsMax) ?? '';
  const snapshot = useCheckinSnapshot(performanceId, false);
  const zone = snapshot.data?.performance.venue.timeZone;
  const [filters, setFilters] = useState<LogFilters>(initial ? { q: initial } : {});
  const form = useForm<SearchForm>({
    defaultValues: { q: initial, gate: '', decision: '', from: '', to: '' },
  });
  const submit = form.handleSubmit((values) => {
    const at = (local: string) => (local && zone ? zonedToUtc(local, zone) : undefined);
    const next: LogFilters = {};
    if (values.q.trim()) next.q = values.q.trim();
    if (values.gate) next.gate = values.gate;
    if (values.decision) next.decision = values.decision;
    const from = at(values.from);
    const to = at(values.to);
    if (from) next.from = from;
    if (to) next.to = to;
    setFilters(next);
  });
  const gates = snapshot.data?.gates.map((gate) => gate.gate) ?? [];
  return (
    <Page
      title={t('checkin.log.title')}
      actions={
        <Link className="button" href={`/checkin/${performanceId}`}>
          {t('checkin.dashboard.link')}
        </Link>
      }
    >
      <form onSubmit={submit} noValidate className="checkin-log-search">
        <Field label={t('checkin.log.search')} error={form.formState.errors.q}>
          <input
            type="search"
            {...form.register('q', {
              maxLength: { value: searchCharsMax, message: t('checkin.log.tooLong') },
            })}
          />
        </Field>
        <Field label={t('checkin.log.gate')}>
          <select {...form.register('gate')}>
            <option value="">{t('checkin.log.anyGate')}</option>
            {gates.map((gate) => (
              <option key={gate} value={gate}>
                {gate}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('checkin.log.decision')}>
          <select {...form.register('decision')}>
            <option value="">{t('checkin.log.any')}</option>
            <option value="admitted">{t('checkin.log.admitted')}</option>
            <option value="refused">{t('checkin.log.refused')}</option>
            <option value="duplicate">{t('checkin.log.duplicate')}</option>
            <option value="outside">{t('checkin.log.outside')}</option>
          </select>
        </Field>
        <Field label={t('checkin.log.from')}>
          <input type="datetime-local" {...form.register('from')} />
        </Field>
        <Field label={t('checkin.log.to')}>
          <input type="datetime-local" {...form.register('to')} />
        </Field>
        <div className="actions">
          <button type="submit" className="primary">
            {t('checkin.log.find')}
          </button>
        </div>
      </form>
      <LogResults performanceId={performanceId} filters={filters} timeZone={zone} />
    </Page>
  );
}

function LogResults(props: {
  performanceId: string;
  filters: LogFilters;
  timeZone: string | undefined;
}) {
  const { t } = useI18n();
  const log = useCheckinLog(props.performanceId, props.filters);
  return (
    <section aria-labelledby="checkin-log-results">
      <h2 id="checkin-log-results">{t('checkin.log.results')}</h2>
      <Loaded query={log}>
        {(data) => {
          const entries = data.pages.flatMap((page) => page.entries);
          if (entries.length === 0) return <p>{t('checkin.log.none')}</p>;
          return (
            <>
              <table className="checkin-log" data-rows={entries.length}>
                <thead>
                  <tr>
                    <th scope="col">{t('checkin.col.time')}</th>
                    <th scope="col">{t('checkin.col.gate')}</th>
                    <th scope="col">{t('checkin.col.ticket')}</th>
                    <th scope="col">{t('checkin.log.holder')}</th>
                    <th scope="col">{t('checkin.log.result')}</th>
                    <th scope="col">{t('checkin.col.source')}</th>
                  </tr>
                </thead>
                <tbody>
                  {entries.map((entry) => (
                    <LogRow key={entry.id} entry={entry} timeZone={props.timeZone} />
                  ))}
                </tbody>
              </table>
              {log.hasNextPage ? (
                <button
                  type="button"
                  onClick={() => log.fetchNextPage()}
                  disabled={log.isFetchingNextPage}
                >
                  {t('checkin.log.more')}
                </button>
              ) : null}
            </>
          );
        }}
      </Loaded>
    </section>
  );
}

function LogRow(props: { entry: LogEntry; timeZone: string | undefined }) {
  const { t, fmt } = useI18n();
  const { entry } = props;
  return (
    <tr data-entry={entry.id} data-ticket={entry.ticketNumber ?? ''}>
      <td>{fmt.dateTime(entry.at, props.timeZone)}</td>
      <td>
        {entry.gate}
        {entry.terminalName ? <small className="hint"> {entry.terminalName}</small> : null}
      </td>
      <td>
        {entry.ticketId ? (
          <Link href={`/tickets/${entry.ticketId}/history`}>{entry.ticketNumber}</Link>
        ) : (
          entry.ticketNumber
        )}
      </td>
      <td>{entry.holderPhone ?? ''}</td>
      <td className={entry.admitted ? 'decision admitted' : 'decision refused'}>
        {scanWords(entry, t)}
      </td>
      <td>
        {entry.source === null
          ? ''
          : entry.source === 'offline'
            ? t('checkin.source.offline')
            : t('checkin.source.online')}
      </td>
    </tr>
  );
}
