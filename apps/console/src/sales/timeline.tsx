/**
 * Sales over time (issue 20 item 6): tickets sold (cumulative) and revenue per asset
 * (cumulative, on the right axis) since sales opened, from GET /v1/events/{eventId}/sales/timeline
 * with the server's default step; or the on-sale's first ten minutes per second (stepS=1 from
 * the first paid order), where a rush is seen as it happened. Axis and table in the venue's time.
 *
 * The server answers only the buckets with sales in them; the cumulative lines step from one to
 * the next and are carried to the end of the period, so a quiet hour reads flat, not missing.
 */
import { useState } from 'react';
import { useI18n } from '../i18n.ts';
import { Chart, type ChartSeries } from '../ui/chart.tsx';
import { Loaded } from '../ui/page.tsx';
import { type SalesTimeline, useSalesTimeline } from './api.ts';

/** The per-second view's length: the rush of an on-sale is over within minutes. */
const firstMinutesMs = 10 * 60_000;

type View = 'whole' | 'start';

export function SalesOverTime(props: { eventId: string; zone: string }) {
  const { t } = useI18n();
  const [view, setView] = useState<View>('whole');
  const whole = useSalesTimeline(props.eventId, {});
  const openedAt = whole.data?.salesOpenedAt ?? null;
  const start = useSalesTimeline(
    props.eventId,
    openedAt
      ? {
          from: openedAt,
          to: new Date(Date.parse(openedAt) + firstMinutesMs).toISOString(),
          stepS: 1,
        }
      : {},
    view === 'start' && openedAt !== null,
  );
  return (
    <section aria-labelledby="sales-timeline" className="sales-timeline">
      <h2 id="sales-timeline">{t('sales.timeline.title')}</h2>
      <fieldset className="segmented">
        <legend className="visually-hidden">{t('sales.timeline.view')}</legend>
        {(['whole', 'start'] as const).map((option) => (
          <label key={option}>
            <input
              type="radio"
              name="sales-timeline-view"
              checked={view === option}
              disabled={option === 'start' && openedAt === null}
              onChange={() => setView(option)}
            />{' '}
            {t(option === 'whole' ? 'sales.timeline.whole' : 'sales.timeline.start')}
          </label>
        ))}
      </fieldset>
      <Loaded query={view === 'start' && openedAt ? start : whole}>
        {(timeline) => <TimelineChart timeline={timeline} view={view} zone={props.zone} />}
      </Loaded>
    </section>
  );
}

function TimelineChart(props: { timeline: SalesTimeline; view: View; zone: string }) {
  const { t, fmt } = useI18n();
  const { timeline, view, zone } = props;
  if (timeline.salesOpenedAt === null || timeline.points.length === 0) {
    return <p>{t('sales.timeline.none')}</p>;
  }
  const totals = totalsOf(timeline);
  const summary = t('sales.timeline.summary', {
    tickets: fmt.count(totals.tickets),
    orders: fmt.count(totals.orders),
    refunds: fmt.count(totals.refunds),
  });
  const revenue = totals.revenue.map((line) => fmt.money(line.amount, line.asset)).join(' · ');
  const { times, series } =
    view === 'whole' ? cumulativeSeries(timeline, t) : perSecondSeries(timeline, t);
  // Per second, the axis runs from the opening to a little past the last sale (at least a
  // minute, at most the ten): a rush of a few seconds stays readable, bars whole.
  const from = Date.parse(timeline.from) / 1000;
  const lastSale = times.at(-1) ?? from;
  const span =
    view === 'start'
      ? ([
          from - 1,
          Math.min(Date.parse(timeline.to) / 1000, Math.max(lastSale + 5, from + 60)),
        ] as const)
      : undefined;
  return (
    <>
      <p>{t('sales.timeline.opened', { when: fmt.dateTime(timeline.salesOpenedAt, zone) })}</p>
      <p
        className="sales-timeline-summary"
        data-tickets={totals.tickets}
        data-orders={totals.orders}
      >
        {summary}
        {revenue ? ` · ${revenue}` : null}
      </p>
      <Chart
        label={t(view === 'whole' ? 'sales.timeline.chartWhole' : 'sales.timeline.chartStart', {
          summary,
        })}
        times={times}
        series={series}
        timeZone={zone}
        timeLabel={t('sales.timeline.time')}
        {...(span ? { span } : {})}
        formatTime={(s) =>
          view === 'whole' ? fmt.dateTime(s * 1000, zone) : fmt.time(s * 1000, zone)
        }
      />
    </>
  );
}

type Translate = ReturnType<typeof useI18n>['t'];

/** Tickets and revenue per asset, summed up to each bucket, carried to the period's end. */
function cumulativeSeries(timeline: SalesTimeline, t: Translate) {
  const assets = [...new Set(timeline.points.flatMap((p) => p.revenue.map((r) => r.asset)))];
  const times: number[] = [];
  const tickets: number[] = [];
  const revenue = assets.map(() => [] as number[]);
  const sums = assets.map(() => 0);
  let sold = 0;
  const push = (at: number) => {
    times.push(at);
    tickets.push(sold);
    for (const [i, sum] of sums.entries()) revenue[i]?.push(sum);
  };
  for (const point of timeline.points) {
    sold += point.tickets;
    for (const [i, asset] of assets.entries()) {
      // Floating point is enough for a line's height; the summary's figures are exact.
      sums[i] = (sums[i] ?? 0) + Number(point.revenue.find((r) => r.asset === asset)?.amount ?? 0);
    }
    push(Date.parse(point.at) / 1000);
  }
  const end = Math.min(Date.parse(timeline.to), Date.now()) / 1000;
  if (end > (times.at(-1) ?? end)) push(end);
  const series: ChartSeries[] = [
    { label: t('sales.timeline.tickets'), values: tickets },
    ...assets.map(
      (asset, i): ChartSeries => ({
        label: t('sales.timeline.revenueOf', { asset }),
        values: revenue[i] ?? [],
        axis: 'right',
      }),
    ),
  ];
  return { times, series };
}

/** Tickets in each second with a sale (bars), and the running total (a line, right axis). */
function perSecondSeries(timeline: SalesTimeline, t: Translate) {
  const times = timeline.points.map((point) => Date.parse(point.at) / 1000);
  const each = timeline.points.map((point) => point.tickets);
  let sold = 0;
  const running = each.map((count) => {
    sold += count;
    return sold;
  });
  const series: ChartSeries[] = [
    { label: t('sales.timeline.perSecond'), values: each, kind: 'bars' },
    { label: t('sales.timeline.tickets'), values: running, axis: 'right' },
  ];
  return { times, series };
}

/** The period's totals: counts, and revenue per asset summed exactly as decimal strings. */
export function totalsOf(timeline: SalesTimeline) {
  const sums = new Map<string, string>();
  let tickets = 0;
  let orders = 0;
  let refunds = 0;
  for (const point of timeline.points) {
    tickets += point.tickets;
    orders += point.orders;
    refunds += point.refunds;
    for (const line of point.revenue) {
      sums.set(line.asset, addDecimal(sums.get(line.asset) ?? '0', line.amount));
    }
  }
  const revenue = [...sums].map(([asset, amount]) => ({ asset, amount }));
  return { tickets, orders, refunds, revenue };
}

/** "52.5" + "0.75" = "53.25", through bigint so no digit is lost. */
export function addDecimal(a: string, b: string): string {
  const [aWhole = '0', aFraction = ''] = a.split('.');
  const [bWhole = '0', bFraction = ''] = b.split('.');
  const scale = Math.max(aFraction.length, bFraction.length);
  const units = (whole: string, fraction: string) => BigInt(whole + fraction.padEnd(scale, '0'));
  const sum = (units(aWhole, aFraction) + units(bWhole, bFraction))
    .toString()
    .padStart(scale + 1, '0');
  if (scale === 0) return sum;
  const fraction = sum.slice(-scale).replace(/0+$/, '');
  const whole = sum.slice(0, -scale);
  return fraction ? `${whole}.${fraction}` : whole;
}
