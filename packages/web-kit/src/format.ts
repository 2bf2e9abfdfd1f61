/**
 * Numbers, amounts, rates, dates and times as both apps show them: one module on Intl, in the
 * locale of the language the person chose (issue 21 item 11), so a count reads "40,000 left",
 * an amount "45,000 KRW" and a rate "1 USDT = 1,407 KRW" everywhere, in both languages.
 *
 * Amounts stay decimal strings, as the servers send them: grouping a bigint's digits never goes
 * through floating point, so "123456789012345678.000000000000000001" ETH keeps every digit.
 *
 * A performance happens at its venue, so its times are shown in the venue's time zone (issue 21
 * item 8): a 19:00 concert in Seoul reads 19:00 on a phone set to London, with the zone's short
 * name ("GMT+9") whenever the venue's zone is not the phone's, so nobody takes it for local time.
 * Times of things that happen on the device itself (a sync, a wallet entry) stay in the phone's
 * zone, unlabelled.
 */

/** An instant as the servers send it (ISO 8601) or as the app holds it. */
export type Instant = string | number | Date;

export interface Formats {
  readonly locale: string;
  /** The phone's own IANA zone. */
  readonly deviceTimeZone: string;
  /** A count: "40,000" (grouped, never "40000"). */
  count(value: number | bigint): string;
  /** A decimal string grouped for the locale, every digit kept: "1,234,567.000001". */
  decimal(amount: string): string;
  /** An amount with its asset: "45,000 KRW", "0.000123 ETH". */
  money(amount: string, asset: string): string;
  /** How much one unit of `asset` is worth in `quoteAsset`: "1 USDT = 1,407 KRW". */
  rate(asset: string, price: string, quoteAsset: string): string;
  /** The day, as the venue has it: "Sat, Dec 19" ("Sat, Dec 19, 2027" in another year). */
  date(at: Instant, timeZone?: string): string;
  /** The time of day at the venue: "7:00 PM", "7:00 PM GMT+9" when the phone is elsewhere. */
  time(at: Instant, timeZone?: string): string;
  /** Day and time at the venue: "Sat, Dec 19, 7:00 PM", with the zone when it differs. */
  dateTime(at: Instant, timeZone?: string): string;
  /** A moment on this device, to the second ("14:03:22"): syncs, scans. */
  clock(at: Instant): string;
  /** A moment on this device with its day ("Dec 7, 2026, 2:03 PM"): history, reports. */
  stamp(at: Instant): string;
  /** A countdown, minutes and seconds ("4:05"; "1:02:03" past an hour); never negative. */
  countdown(seconds: number): string;
}

/** The zone this browser (or Node) runs in, as Intl names it. */
export function deviceTimeZone(): string {
  return new Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** The canonical name of a zone, or undefined for one this engine does not know. */
function canonicalZone(timeZone: string): string | undefined {
  try {
    return new Intl.DateTimeFormat('en', { timeZone }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

const decimalPattern = /^(-?)(\d+)(?:\.(\d+))?$/;

/** Groups the whole part for the locale ("1,000,000.5"); the digits themselves never change. */
export function formatDecimal(amount: string, locale: string): string {
  const match = decimalPattern.exec(amount.trim());
  if (!match) return amount;
  const [, sign, whole = '0', fraction] = match;
  const grouped = new Intl.NumberFormat(locale, { useGrouping: true }).format(BigInt(whole));
  const separator =
    new Intl.NumberFormat(locale).formatToParts(1.5).find((part) => part.type === 'decimal')
      ?.value ?? '.';
  return `${sign}${grouped}${fraction ? `${separator}${fraction}` : ''}`;
}

/** An amount with its asset for the locale: "45,000 KRW". */
export function formatMoney(amount: string, asset: string, locale: string): string {
  return `${formatDecimal(amount, locale)} ${asset}`;
}

const toDate = (at: Instant) => (at instanceof Date ? at : new Date(at));

const dayOptions: Intl.DateTimeFormatOptions = { weekday: 'short', month: 'short', day: 'numeric' };
const timeOptions: Intl.DateTimeFormatOptions = { hour: 'numeric', minute: '2-digit' };

/**
 * The formats for one locale. `phoneZone` is the device's zone (a test may name one); a venue's
 * zone this engine does not know falls back to the phone's, unlabelled, rather than failing.
 */
export function createFormats(locale: string, phoneZone: string = deviceTimeZone()): Formats {
  const phone = canonicalZone(phoneZone) ?? phoneZone;
  const count = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  const clock = new Intl.DateTimeFormat(locale, { timeStyle: 'medium' });
  const stamp = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
  const cache = new Map<string, Intl.DateTimeFormat>();

  /** A formatter for the options in `zone`, labelled when that is not the phone's zone. */
  function atVenue(kind: string, options: Intl.DateTimeFormatOptions, timeZone?: string) {
    const zone = (timeZone && canonicalZone(timeZone)) || phone;
    const key = `${kind} ${zone}`;
    let format = cache.get(key);
    if (!format) {
      const label = zone !== phone && 'hour' in options ? { timeZoneName: 'short' as const } : {};
      format = new Intl.DateTimeFormat(locale, { ...options, ...label, timeZone: zone });
      cache.set(key, format);
    }
    return format;
  }

  /** The year only when it is not this one (in the venue's zone): "Sat, Dec 19" this year. */
  function withYear(options: Intl.DateTimeFormatOptions, at: Date, timeZone?: string) {
    const year = (instant: Date) => atVenue('year', { year: 'numeric' }, timeZone).format(instant);
    return year(at) === year(new Date()) ? options : { ...options, year: 'numeric' as const };
  }

  const dated = (kind: string, options: Intl.DateTimeFormatOptions) => {
    return (at: Instant, timeZone?: string) => {
      const instant = toDate(at);
      const chosen = withYear(options, instant, timeZone);
      return atVenue(`${kind}${'year' in chosen ? 'y' : ''}`, chosen, timeZone).format(instant);
    };
  };

  return {
    locale,
    deviceTimeZone: phone,
    count: (value) => count.format(value),
    decimal: (amount) => formatDecimal(amount, locale),
    money: (amount, asset) => formatMoney(amount, asset, locale),
    rate: (asset, price, quoteAsset) =>
      `${count.format(1)} ${asset} = ${formatDecimal(price, locale)} ${quoteAsset}`,
    date: dated('date', dayOptions),
    time: (at, timeZone) => atVenue('time', timeOptions, timeZone).format(toDate(at)),
    dateTime: dated('dateTime', { ...dayOptions, ...timeOptions }),
    clock: (at) => clock.format(toDate(at)),
    stamp: (at) => stamp.format(toDate(at)),
    countdown: (seconds) => {
      const total = Math.max(0, Math.ceil(seconds));
      const pad = (n: number) => String(n).padStart(2, '0');
      const h = Math.floor(total / 3600);
      const m = Math.floor((total % 3600) / 60);
      const s = total % 60;
      return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
    },
  };
}
