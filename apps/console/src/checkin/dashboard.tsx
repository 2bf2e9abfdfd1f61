/**
 * One performance's live check-in dashboard (issue 20 item 2): admitted of expected and inside
 * now, entries and exits, admissions per minute at each gate, refusals in words, duplicates and
 * scans outside the venue as they are flagged, the terminals and how long since each synced,
 * stored value spent, and the map. The figures follow the live feed with no reload (live.ts); the
 * page carries them as data attributes (`data-admitted`, `data-last-seq`, ...) for tests to wait
 * on.
 */
import { Link, useParams } from 'wouter';
import { useApi } from '../api.tsx';
import { useI18n } from '../i18n.ts';
import { Chart } from '../ui/chart.tsx';
import { Loaded, Page } from '../ui/page.tsx';
import type { CheckinSnapshot } from './api.ts';
import { useLiveCheckin } from './live.ts';
import { CheckinMap } from './map.tsx';
import { Debits, Flagged, Refusals, Terminals } from './panels.tsx';
import { perMinuteSeries } from './per-minute.ts';

export default function CheckinDashboard() {
  const { t, fmt } = useI18n();
  const { performanceId } = useParams<{ performanceId: string }>();
  const { figures, live, snapshot } = useLiveCheckin(performanceId);
  const title = figures
    ? `${t('checkin.title')}: ${figures.performance.eventName}`
    : t('checkin.title');
  return (
    <Page
      title={title}
      actions={
        <Link className="button" href={`/checkin/${performanceId}/log`}>
          {t('checkin.log.link')}
        </Link>
      }
    >
      <Loaded query={snapshot}>
        {() =>
          figures ? (
            <div
              className="checkin-dashboard"
              data-admitted={figures.admitted}
              data-inside={figures.inside}
              data-entries={figures.entries}
              data-duplicates={figures.duplicates}
              data-outside={figures.outsideVenue}
              data-last-seq={figures.lastSeq}
              data-live={live ? 'yes' : 'no'}
            >
              <p className="checkin-when">
                {fmt.dateTime(figures.performance.startsAt, figures.performance.venue.timeZone)}
                {' · '}
                {figures.performance.venue.name}
              </p>
              <p className={live ? 'feed-state live' : 'feed-state'} role="status">
                {live ? t('checkin.live') : t('checkin.reconnecting')}
              </p>
              <Figures figures={figures} />
              <PerMinute figures={figures} />
              <Gates gates={figures.gates} />
              <div className="checkin-columns">
                <Refusals refusals={figures.refusals} />
                <Debits debits={figures.storedValueDebits} />
              </div>
              <Flagged
                flagged={figures.flagged}
                performanceId={performanceId}
                timeZone={figures.performance.venue.timeZone}
              />
              <Terminals terminals={figures.terminals} />
              <CheckinMapPanel figures={figures} />
            </div>
          ) : null
        }
      </Loaded>
    </Page>
  );
}

function Figures(props: { figures: CheckinSnapshot }) {
  const { t, fmt } = useI18n();
  const f = props.figures;
  const items = [
    {
      key: 'admitted',
      label: t('checkin.figures.admitted'),
      value: t('checkin.figures.admittedOf', {
        admitted: fmt.count(f.admitted),
        expected: fmt.count(f.expected),
      }),
    },
    { key: 'inside', label: t('checkin.figures.inside'), value: fmt.count(f.inside) },
    { key: 'entries', label: t('checkin.figures.entries'), value: fmt.count(f.entries) },
    { key: 'exits', label: t('checkin.figures.exits'), value: fmt.count(f.exits) },
    { key: 'duplicates', label: t('checkin.figures.duplicates'), value: fmt.count(f.duplicates) },
    { key: 'outside', label: t('checkin.figures.outside'), value: fmt.count(f.outsideVenue) },
  ];
  return (
    <section aria-labelledby="checkin-figures">
      <h2 id="checkin-figures" className="visually-hidden">
        {t('checkin.figures.title')}
      </h2>
      <dl className="checkin-figures">
        {items.map((item) => (
          <div key={item.key} data-figure={item.key}>
            <dt>{item.label}</dt>
            <dd>{item.value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

function PerMinute(props: { figures: CheckinSnapshot }) {
  const { t, fmt } = useI18n();
  const zone = props.figures.performance.venue.timeZone;
  const { times, gates } = perMinuteSeries(props.figures.perMinute, Date.now());
  const summary = props.figures.gates
    .map((gate) => `${gate.gate} ${fmt.count(gate.entries)}`)
    .join(', ');
  return (
    <section aria-labelledby="checkin-chart" className="checkin-panel">
      <h2 id="checkin-chart">{t('checkin.chart.title')}</h2>
      {times.length === 0 ? (
        <p>{t('checkin.chart.none')}</p>
      ) : (
        <Chart
          label={t('checkin.chart.label', { summary })}
          times={times}
          series={gates.map((gate) => ({ label: gate.gate, values: gate.values, kind: 'line' }))}
          timeZone={zone}
          formatTime={(s) => fmt.time(s * 1_000, zone)}
          height={220}
        />
      )}
    </section>
  );
}

function Gates(props: { gates: CheckinSnapshot['gates'] }) {
  const { t, fmt } = useI18n();
  if (props.gates.length === 0) return null;
  return (
    <section aria-labelledby="checkin-gates" className="checkin-panel">
      <h2 id="checkin-gates">{t('checkin.gates.title')}</h2>
      <table className="checkin-gates">
        <thead>
          <tr>
            <th scope="col">{t('checkin.gates.gate')}</th>
            <th scope="col" className="number">
              {t('checkin.figures.entries')}
            </th>
            <th scope="col" className="number">
              {t('checkin.figures.exits')}
            </th>
            <th scope="col" className="number">
              {t('checkin.figures.duplicates')}
            </th>
            <th scope="col" className="number">
              {t('checkin.figures.outside')}
            </th>
          </tr>
        </thead>
        <tbody>
          {props.gates.map((gate) => (
            <tr key={gate.gate} data-gate={gate.gate} data-entries={gate.entries}>
              <th scope="row">{gate.gate}</th>
              <td className="number">{fmt.count(gate.entries)}</td>
              <td className="number">{fmt.count(gate.exits)}</td>
              <td className="number">{fmt.count(gate.duplicates)}</td>
              <td className="number">{fmt.count(gate.outsideVenue)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function CheckinMapPanel(props: { figures: CheckinSnapshot }) {
  const api = useApi();
  const { venue } = props.figures.performance;
  return (
    <CheckinMap
      venue={venue}
      terminals={props.figures.terminals}
      points={props.figures.points}
      tiles={api.config.tiles}
    />
  );
}
