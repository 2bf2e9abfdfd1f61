/** Phone numbers as the servers take them: E.164 (`+821012345678`), for the apps and the console. */

/** `+821012345678` from what people type: `010-1234-5678`, `+82 10 1234 5678`, spaces, dashes. */
export function normalizePhone(input: string): string | undefined {
  const compact = input.replace(/[\s().-]/g, '');
  const e164 = compact.startsWith('+')
    ? compact
    : compact.startsWith('0')
      ? `+82${compact.slice(1)}` // a Korean national number
      : `+${compact}`;
  return /^\+[1-9][0-9]{6,14}$/.test(e164) ? e164 : undefined;
}

/**
 * A number as people here write it: a Korean number in its national form with dashes
 * (`+821012345678` → `010-1234-5678`, `+82212345678` → `02-1234-5678`), any other as E.164.
 * Written by hand rather than with libphonenumber-js: the app only needs Korea's grouping, and
 * the library's metadata would more than double the size of what a phone downloads offline.
 */
export function displayPhone(e164: string): string {
  const national = /^\+82([1-9][0-9]{7,9})$/.exec(e164)?.[1];
  if (!national) return e164;
  const digits = `0${national}`;
  // Seoul's area code is two digits (02); mobile and other area codes are three.
  const area = digits.startsWith('02') ? 2 : 3;
  const rest = digits.slice(area);
  const middle = rest.length - 4;
  return `${digits.slice(0, area)}-${rest.slice(0, middle)}-${rest.slice(middle)}`;
}
