/**
 * The admissions-per-minute chart's data: the snapshot's `perMinute` rows (one per minute and
 * gate that had a scan) as one series per gate over every minute from the first scan to the
 * last, a minute without scans at a gate being 0 there. Pure; test/checkin.test.ts checks it.
 */

/** The chart keeps the last six hours of minutes: a doors-to-close day, readable on a desk. */
export const chartMinutesMax = 6 * 60;

export interface PerMinuteRow {
  minute: string;
  gate: string;
  entries: number;
  exits: number;
}

export function perMinuteSeries(rows: readonly PerMinuteRow[]) {
  if (rows.length === 0) return { times: [] as number[], gates: [] };
  const minuteS = (row: PerMinuteRow) => Math.floor(Date.parse(row.minute) / 60_000) * 60;
  const last = Math.max(...rows.map(minuteS));
  const first = Math.max(Math.min(...rows.map(minuteS)), last - (chartMinutesMax - 1) * 60);
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
