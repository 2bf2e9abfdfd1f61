/** Phone numbers as the servers take them: E.164 (`+821012345678`). */

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
