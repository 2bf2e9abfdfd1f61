/**
 * A time chart (uPlot) for the event day screens: sales over time, admissions per gate.
 *
 * API:
 *   <Chart
 *     label="Tickets sold since sales opened"      // the accessible name (role="img") and the caption
 *     times={[1767225600, 1767225660, ...]}        // x values: Unix SECONDS, ascending
 *     series={[
 *       { label: 'Tickets', values: [0, 3, ...] },                       // a line (the default)
 *       { label: 'Revenue', values: [...], kind: 'bars', axis: 'right', format: (v) => money(v) },
 *     ]}
 *     timeZone="Asia/Seoul"                        // the axis and the table read the venue's clock
 *     formatTime={(s) => formats.time(s * 1000)}   // how the hidden table writes an x value
 *     timeLabel="Time"                             // the x values' name, in the person's language
 *     height={240}                                 // CSS pixels; the width follows the container
 *     span={[from, to]}                            // optional: the x axis's extent (Unix seconds)
 *   />
 *
 * Every series has one value (or null for a gap) per time. New `times`/`values` go to the
 * existing plot through `setData`, so a chart refetched every few seconds keeps its size and the
 * person's cursor; only a change of the series themselves (labels, kinds, axes, zone, height)
 * builds a new plot. The plot is destroyed on unmount. A canvas says nothing to a screen reader,
 * so the figure carries a visually hidden table of the same numbers (sampled to at most
 * `tableRowsMax` rows: a per-second chart has 600 points, too many to read out).
 */
import { useEffect, useMemo, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  values: readonly (number | null)[];
  /** A line (the default) or bars, e.g. counts per interval. */
  kind?: 'line' | 'bars';
  /** The left axis (the default) or a second axis on the right, for another unit. */
  axis?: 'left' | 'right';
  /** How a value is written in the legend and the hidden table (default: grouped digits). */
  format?: (value: number) => string;
  color?: string;
}

export interface ChartProps {
  label: string;
  times: readonly number[];
  series: readonly ChartSeries[];
  timeZone?: string;
  formatTime?: (unixSeconds: number) => string;
  height?: number;
  /** What the x values are called, in the legend and the table (the default: none). */
  timeLabel?: string;
  /** The x axis's extent in Unix seconds; by default the data's. */
  span?: readonly [number, number];
}

// Distinguishable on white and in greyscale print; the order is the series' order.
const palette = ['#14213d', '#e07a00', '#2a9d8f', '#9b2226', '#6d597a', '#3a86ff'];
const heightDefault = 240;
const widthFallback = 600;
const tableRowsMax = 60;
const singlePointPadS = 5 * 60;

export function Chart(props: ChartProps) {
  const { label, times, series, timeZone } = props;
  const height = props.height ?? heightDefault;
  const holder = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const data = useMemo(
    () => [Array.from(times), ...series.map((s) => Array.from(s.values))] as uPlot.AlignedData,
    [times, series],
  );
  const latest = useRef(data);
  latest.current = data;
  // What the plot is built from; the values themselves are not part of it (they go to setData).
  const shape = JSON.stringify([
    series.map((s) => [s.label, s.kind ?? 'line', s.axis ?? 'left', s.color]),
    props.timeLabel,
    timeZone,
    height,
  ]);
  const formatters = useRef(series.map((s) => s.format));
  formatters.current = series.map((s) => s.format);
  const span = useRef(props.span);
  span.current = props.span;

  // biome-ignore lint/correctness/useExhaustiveDependencies: `shape` stands for the series' options; the data goes to setData below.
  useEffect(() => {
    const target = holder.current;
    if (!target) return;
    const options = chartOptions(series, { formatters, span }, timeZone, height);
    options.series[0] = { label: props.timeLabel ?? '' };
    options.width = target.clientWidth || widthFallback;
    const made = new uPlot(options, latest.current, target);
    plot.current = made;
    const observer = new ResizeObserver(() => {
      const width = target.clientWidth;
      if (width > 0 && width !== made.width) made.setSize({ width, height });
    });
    observer.observe(target);
    return () => {
      observer.disconnect();
      made.destroy();
      plot.current = null;
    };
  }, [shape]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  return (
    <figure className="chart">
      <div ref={holder} role="img" aria-label={label} className="chart-plot" />
      <table className="chart-table visually-hidden">
        <caption>{label}</caption>
        <thead>
          <tr>
            <th scope="col">{props.timeLabel}</th>
            {series.map((s) => (
              <th scope="col" key={s.label}>
                {s.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {sampleRows(times.length).map((i) => (
            <tr key={times[i]}>
              <th scope="row">
                {props.formatTime ? props.formatTime(times[i] ?? 0) : String(times[i])}
              </th>
              {series.map((s) => (
                <td key={s.label}>{writeValue(s.values[i] ?? null, s.format)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

/** What the plot reads when it draws, kept current by the component without a rebuild. */
interface Latest {
  formatters: { current: readonly (((value: number) => string) | undefined)[] };
  span: { current: readonly [number, number] | undefined };
}

function chartOptions(
  series: readonly ChartSeries[],
  latest: Latest,
  timeZone: string | undefined,
  height: number,
): uPlot.Options {
  const { formatters, span } = latest;
  const bars = uPlot.paths.bars?.({ size: [0.7, 40] }) ?? null;
  const hasRight = series.some((s) => s.axis === 'right');
  const axes: uPlot.Axis[] = [{}, { scale: 'left' }];
  if (hasRight) axes.push({ scale: 'right', side: 1, grid: { show: false } });
  return {
    width: widthFallback,
    height,
    scales: {
      x: {
        time: true,
        // One time alone: uPlot would widen the axis by 86,400 of its milliseconds (1,000 days
        // in seconds), so the chart shows ten minutes around it instead.
        range: (u, min, max) => {
          if (span.current) return [span.current[0], span.current[1]];
          const xs = u.data[0];
          const first = xs[0];
          return first !== undefined && first === xs[xs.length - 1]
            ? [first - singlePointPadS, first + singlePointPadS]
            : [min, max];
        },
      },
      // Counts and sums start from nothing: a bar or a climb reads against zero.
      left: { range: (_u, _min, max) => [0, Math.max(1, max)] },
      right: { range: (_u, _min, max) => [0, Math.max(1, max)] },
    },
    ...(timeZone ? { tzDate: (s: number) => uPlot.tzDate(new Date(s * 1000), timeZone) } : {}),
    axes,
    series: [
      {},
      ...series.map((s, index): uPlot.Series => {
        const color = s.color ?? palette[index % palette.length] ?? '#000';
        const isBars = s.kind === 'bars';
        return {
          label: s.label,
          scale: s.axis ?? 'left',
          stroke: color,
          width: isBars ? 1 : 2,
          ...(isBars && bars ? { fill: `${color}99`, paths: bars } : {}),
          value: (_u, v) => writeValue(v, formatters.current?.[index]),
        };
      }),
    ],
  };
}

function writeValue(value: number | null, format: ((value: number) => string) | undefined) {
  if (value === null || Number.isNaN(value)) return '–';
  return format ? format(value) : value.toLocaleString();
}

/** Row indices for the hidden table: all of them, or evenly spread ones ending at the last. */
function sampleRows(count: number): number[] {
  if (count <= tableRowsMax) return Array.from({ length: count }, (_, i) => i);
  const step = (count - 1) / (tableRowsMax - 1);
  return Array.from({ length: tableRowsMax }, (_, i) => Math.round(i * step));
}
