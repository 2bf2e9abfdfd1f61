/**
 * A performance happens at its venue, so the console takes and shows its times on the venue's
 * clock, whatever the organizer's browser is set to: 19:00 typed for a hall in Asia/Seoul is
 * 10:00Z, also when the browser is in London. `<input type="datetime-local">` holds a wall-clock
 * value without a zone ("2026-12-24T19:00"); these turn it into an instant and back with Intl,
 * which knows each zone's summer time.
 */

/** A wall-clock value as `datetime-local` inputs hold it: "2026-12-24T19:00". */
export type LocalDateTime = string;

const localPattern = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;

/** The parts of a `datetime-local` value, or undefined when it is not one. */
function partsOf(local: LocalDateTime) {
  const match = localPattern.exec(local);
  if (!match) return undefined;
  const [year, month, day, hour, minute] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || hour > 23 || minute > 59) return undefined;
  // Date.UTC rolls 31 February over into March: a day the month does not have is refused.
  if (day < 1 || new Date(Date.UTC(year, month - 1, day)).getUTCDate() !== day) return undefined;
  return { year, month, day, hour, minute };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Formats instants as numbers on the clock of `timeZone` (24-hour, Latin digits). */
function clockOf(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, format);
  }
  return format;
}

/** The wall clock of `timeZone` at `instantMs`, read as if it were UTC, in ms. */
function wallClockMs(instantMs: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const part of clockOf(timeZone).formatToParts(new Date(instantMs))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return Date.UTC(
    parts.year ?? 0,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
    parts.second ?? 0,
  );
}

/** How far `timeZone`'s clock is ahead of UTC at `instantMs` (Seoul: +9 h), in ms. */
function offsetMs(instantMs: number, timeZone: string): number {
  return wallClockMs(instantMs, timeZone) - Math.floor(instantMs / 1000) * 1000;
}

/**
 * The instant at which the clocks of `timeZone` read `local`, as ISO 8601 UTC
 * ("2026-12-24T10:00:00.000Z"), or undefined when `local` is not a date and time or that time
 * does not exist there (the hour skipped when summer time starts). Of the two instants of an
 * hour that happens twice (summer time ending), the first.
 */
export function zonedToUtc(local: LocalDateTime, timeZone: string): string | undefined {
  const parts = partsOf(local);
  if (!parts) return undefined;
  const asUtc = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute);
  // The zone's offset a day either side brackets the answer; try the earlier instant first.
  const offsets = [offsetMs(asUtc - 86_400_000, timeZone), offsetMs(asUtc + 86_400_000, timeZone)];
  const candidates = [...new Set(offsets.map((offset) => asUtc - offset))].sort((a, b) => a - b);
  for (const candidate of candidates) {
    if (wallClockMs(candidate, timeZone) === asUtc) return new Date(candidate).toISOString();
  }
  return undefined;
}

/** The wall clock of `timeZone` at `instant`, as a `datetime-local` value ("2026-12-24T19:00"). */
export function utcToZoned(instant: string | number | Date, timeZone: string): LocalDateTime {
  const ms = new Date(instant).getTime();
  if (!Number.isFinite(ms)) throw new RangeError(`not an instant: ${String(instant)}`);
  return new Date(wallClockMs(ms, timeZone)).toISOString().slice(0, 16);
}

/** `local` moved by whole days on the same wall clock (a copy of a show a week later). */
export function shiftLocalDays(local: LocalDateTime, days: number): LocalDateTime {
  const parts = partsOf(local);
  if (!parts) return local;
  const shifted = Date.UTC(parts.year, parts.month - 1, parts.day + days, parts.hour, parts.minute);
  return new Date(shifted).toISOString().slice(0, 16);
}
