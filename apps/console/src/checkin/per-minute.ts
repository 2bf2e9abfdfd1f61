/**
 * The admissions-per-minute chart's data: the snapshot's `perMinute` rows (one per minute and
 * gate that had a scan) as one series per gate over every minute from the first scan to the
 * last (and on to now), a minute without scans at a gate being 0 there. Pure; test/checkin.test.ts checks it.
 */

/** The chart keeps the last six hours of minutes: a doors-to-close day, readable on a desk. */
export const chartMinutesMax = 6 * 60;
/** At least this many minutes are shown, so one minute of scans is not a lone dot. */
export const chartMinutesMin = 15;

export interface PerMinuteRow {
  minute: string;
  gate: string;
  entries: number;
  exits: number;
}

/**
 * `nowMs`: the chart runs on to the current minute (quiet gates read 0 now, not their last busy
 * minute), unless the last scan is over six hours old (a past performance keeps its own day).
 */
export function perMinuteSeries(rows: readonly PerMinuteRow[], nowMs: number) {
  if (rows.length === 0) return { times: [] as number[], gates: [] };
  const minuteS = (row: PerMinuteRow) => Math.floor(Date.parse(row.minute) / 60_000) * 60;
  const lastScan = Math.max(...rows.map(minuteS));
  const nowMinute = Math.floor(nowMs / 60_000) * 60;
  const last =
    nowMinute > lastScan && nowMinute - lastScan < chartMinutesMax * 60 ? nowMinute : lastScan;
  const first = Math.max(
    Math.min(...rows.map(minuteS), last - (chartMinutesMin - 1) * 60),
    last - (chartMinutesMax - 1) * 60,
  );
  const times = Array.from({ length: (last - first) / 60 + 1 }, (_, i) => first + i * 60);
  const names = [...new Set(rows.map((row) => row.gate))].sort((a, b) => a.localeCompare(b));
  const gates = names.map((gate) => {
    const values = times.map(() => 0);
    for (const row of rows) {
      const at = minuteS(row);
      const index = (at - first) / 60;
      if (row.gate === gate && at >= first) values[index] = (values[index] ?? 0) + row.entries;
    }
    return { gate, values };
  });
  return { times, gates };
}
